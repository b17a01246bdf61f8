"""Outbound webhooks: merchants' endpoints, the delivery outbox and its dispatcher, signed per Standard Webhooks."""
