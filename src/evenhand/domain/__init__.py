"""Pure, deterministic domain: no database, HTTP or clock in here."""
