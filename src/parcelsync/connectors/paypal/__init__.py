"""PayPal, the second payment gateway: its connector (record, send, read-back)."""
