"""AfterShip, the second tracking provider: its connector (record, send, read-back, status intake)."""
