"""Quarantine profiles: loading, schema, semantic checks and the typed model."""
