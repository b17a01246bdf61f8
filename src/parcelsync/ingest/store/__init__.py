"""Inbound from the store: webhooks and backfill turn a store's fulfillments into shipments."""
