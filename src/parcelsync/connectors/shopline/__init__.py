"""SHOPLINE, the store: its connector (record, send)."""
