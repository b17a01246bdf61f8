"""TrackingMore API v2 connector: typed schemas, pure mapping, status vocabulary, client and webhook checks."""
