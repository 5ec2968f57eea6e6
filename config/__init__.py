"""Configuration files only (settings, style card, PII policy); a package so they ship as data."""
