"""Faithful emulators of the three provider APIs, for offline runs and anyone's integration tests.

A sandbox never imports the client it emulates, so the two cannot be wrong the same way.
"""
