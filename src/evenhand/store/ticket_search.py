"""Full-text search over the tickets' subject, text and sender's first name: SQLite's FTS5
and PostgreSQL's text search, each kept in step with `tickets` by the database itself.

On SQLite, `tickets_fts` is an FTS5 index over `tickets` (external content: it holds the
index, not a second copy of the text), kept in step by three triggers on `tickets`. On
PostgreSQL, `tickets.search` is a generated `tsvector` column (the `simple` configuration:
no stemming, the same words as SQLite's tokenizer finds in Swedish and English) with a GIN
index. Both are made by migration 0019; neither is in `store/tables`, so no statement built
from the table sees them (`SEARCH_OBJECTS` names them for the schema comparison).

A later migration that rebuilds `tickets` on SQLite (Alembic's batch mode copies the table
and drops the old one, and its triggers with it) must make the triggers again (0019's SQL).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Connection, column, func, literal_column, select, table, text

from evenhand.store.tables import tickets

FTS_TABLE = "tickets_fts"
_FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")
PG_COLUMN = "search"
PG_INDEX = "ix_tickets_search"
# What the schema comparison leaves alone: the index lives outside `store/tables`.
SEARCH_OBJECTS = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in _FTS_SHADOWS), PG_COLUMN, PG_INDEX}
)
MAX_WORDS = 8  # of a search, the first eight words count
MAX_WORD = 64  # characters of each
_WORD = re.compile(r"[^\W_]+")  # letters and digits: both tokenizers split at the rest


def search_words(search: str) -> list[str]:
    """The words a search looks for, lower-cased, at most `MAX_WORDS` of `MAX_WORD` each."""
    return [word[:MAX_WORD] for word in _WORD.findall(search.lower())][:MAX_WORDS]


def tickets_with_words(dialect: str, words: list[str]) -> ColumnElement[bool]:
    """`tickets.id` is that of a ticket whose subject, text or first name holds every word,
    each as a word or the start of one (`lever` finds `leverans`); no word matches nothing."""
    if not words:
        return tickets.c.id.is_(None)  # never: an id is never NULL
    if dialect == "sqlite":
        query = " ".join(f'"{word}"*' for word in words)  # a word holds no quote
        fts = table(FTS_TABLE, column("rowid"))
        found = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(query))
        return tickets.c.id.in_(found)
    query = " & ".join(f"'{word}':*" for word in words)  # a word holds no quote
    searched = table("tickets", column("id"), column(PG_COLUMN)).alias("searched")
    matches = searched.c[PG_COLUMN].op("@@")(func.to_tsquery(text("'simple'"), query))
    return tickets.c.id.in_(select(searched.c.id).where(matches))


def compact_search(connection: Connection) -> None:
    """Merge SQLite's index into one segment, leaving out deleted entries: after an
    erasure, no word of an erased text stays in the index (`secure_delete` zeroes the
    freed pages). PostgreSQL's generated column was rewritten with its row."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
