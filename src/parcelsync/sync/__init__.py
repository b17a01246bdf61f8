"""The sync engine: outbox planning, claiming, batching, retries and status back-flow."""
