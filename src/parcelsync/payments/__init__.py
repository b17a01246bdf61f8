"""Payments: the payment intents behind shipments, whether they are at risk, sync receipts and evidence packs."""
