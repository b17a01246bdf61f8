"""Alerts: rules per merchant, evaluated by the worker; raised once per rule and subject until resolved."""
