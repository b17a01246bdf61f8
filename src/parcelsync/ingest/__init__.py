"""Shipment input: one schema, one normalisation and one upsert service for the API, the CLI and CSV import."""
