"""Ingestion: readers, the approval gate, chunking and the idempotent, resumable pipeline."""
