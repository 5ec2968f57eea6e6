"""Retrieval: hybrid search, ticket detection and escalation, drafting and grounding."""
