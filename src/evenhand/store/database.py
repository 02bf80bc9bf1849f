"""Engines for SQLite (WAL, foreign keys on) and PostgreSQL, and the schema's migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from evenhand.errors import EvenhandError, SettingsError, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


# Seconds a SQLite writer waits for another one; `?timeout=` in the URL overrides it.
SQLITE_BUSY_TIMEOUT = 10


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite files get WAL mode, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise EvenhandError(SettingsError.BAD_SETTINGS, f"not a database URL: {url!r}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed)
    waits = {} if "timeout" in parsed.query else {"timeout": SQLITE_BUSY_TIMEOUT}
    engine = create_engine(parsed, connect_args=waits)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise EvenhandError(
            StoreError.DB_UNREACHABLE, f"cannot open the database: {error.orig}"
        ) from None


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind the code's schema."""
    current = current_revision(engine)
    if current != head_revision(engine):
        state = "has no Evenhand schema" if current is None else f"is at revision {current}"
        raise EvenhandError(
            StoreError.DB_NOT_INITIALISED,
            f"the database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `evenhand init` first",
        )
