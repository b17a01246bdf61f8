"""Pure domain rules: no I/O, imports nothing else of parcelsync."""
