"""The activity log: who changed which connection, override, token, user, merchant or setting, and when."""
