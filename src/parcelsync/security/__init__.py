"""Access control and hostile-input defences: API tokens, passwords, throttling, idempotency, middleware."""
