"""Connectors: one self-contained unit per provider (record, send, probe, optional capabilities) and their registry.

See `record.Connector` for the fields and README "Adding a provider" for the files a new one needs.
"""
