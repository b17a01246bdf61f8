"""UseePay, the payment gateway: its connector (record, send, read-back)."""
