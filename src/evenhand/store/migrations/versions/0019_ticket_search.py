"""full-text search over the tickets' subject, text and sender's first name: an FTS5
index kept by triggers (SQLite), a generated tsvector column with a GIN index (PostgreSQL);
both filled for the tickets already stored (`store/ticket_search.py` queries them); and a
covering index of what the dashboard counts of each decision (`ix_decisions_tally`)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# External content: the index holds the words, `tickets` the text. No diacritics removed
# (Swedish å, ä, ö are letters of their own), as PostgreSQL's `simple` configuration.
_SQLITE_UP = (
    "CREATE VIRTUAL TABLE tickets_fts USING fts5(subject, body, first_name, "
    "content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN "
    "INSERT INTO tickets_fts(rowid, subject, body, first_name) "
    "VALUES (new.id, new.subject, new.body, new.first_name); "
    "END",
    "CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, subject, body, first_name) "
    "VALUES ('delete', old.id, old.subject, old.body, old.first_name); END",
    "CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject, body, first_name ON tickets "
    "BEGIN "
    "INSERT INTO tickets_fts(tickets_fts, rowid, subject, body, first_name) "
    "VALUES ('delete', old.id, old.subject, old.body, old.first_name); "
    "INSERT INTO tickets_fts(rowid, subject, body, first_name) "
    "VALUES (new.id, new.subject, new.body, new.first_name); "
    "END",
    "INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')",  # the tickets already stored
)
_SQLITE_DOWN = (
    "DROP TRIGGER tickets_fts_update",
    "DROP TRIGGER tickets_fts_delete",
    "DROP TRIGGER tickets_fts_insert",
    "DROP TABLE tickets_fts",
)
# A generated column fills itself for the rows already stored, and after every write.
_PG_UP = (
    "ALTER TABLE tickets ADD COLUMN search tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, "
    "coalesce(subject, '') || ' ' || body || ' ' || coalesce(first_name, ''))) STORED",
    "CREATE INDEX ix_tickets_search ON tickets USING gin (search)",
)
_PG_DOWN = ("DROP INDEX ix_tickets_search", "ALTER TABLE tickets DROP COLUMN search")


TALLY_COLUMNS = [
    "ticket_id",
    "id",
    "language",
    "intent",
    "remedy",
    "tier",
    "threats",
    "rule_id",
    "currency",
    "order_value_minor",
    "expected_cost_minor",
]


def upgrade() -> None:
    _run(_SQLITE_UP if op.get_bind().dialect.name == "sqlite" else _PG_UP)
    op.create_index("ix_decisions_tally", "decisions", TALLY_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_decisions_tally", table_name="decisions")
    _run(_SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _PG_DOWN)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)
