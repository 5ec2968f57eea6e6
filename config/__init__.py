"""Configuration files only (settings table, style card, PII policy); importable for package data."""
