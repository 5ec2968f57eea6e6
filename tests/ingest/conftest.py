"""Ingestion tests use the real components in ``tests/components.py`` (shared with retrieval)."""
