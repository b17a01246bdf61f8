"""Destination adapters: per provider, turn claimed targets into provider calls and per-target outcomes."""
