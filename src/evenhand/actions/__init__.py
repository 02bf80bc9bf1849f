"""Use cases: each owns one transaction and records one audit event."""
