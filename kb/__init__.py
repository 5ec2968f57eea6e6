"""The knowledge-base core: settings, database, users, the audit log, redaction and the index."""
