"""The buyer tracking page: public pages and JSON (no login), per-merchant branding, languages, signed links."""
