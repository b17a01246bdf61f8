"""Provider connectors: one folder per API (client + pure mapping). They never touch the database."""
