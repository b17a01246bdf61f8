"""Named queries: every read and write of merchant-owned rows, each scoped by merchant_id."""
