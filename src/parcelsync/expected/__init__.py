"""Expected delivery dates from the merchant's own delivered parcels (transit days per lane and carrier)."""
