"""Engines for SQLite (WAL, foreign keys on) and PostgreSQL, and the schema's migrations."""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

from evenhand.errors import EvenhandError, SettingsError, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger(__name__)


# Seconds a SQLite writer waits for another one; `?timeout=` in the URL overrides it.
SQLITE_BUSY_TIMEOUT = 10


def make_engine(
    url: str, *, sqlite_busy_timeout: float = SQLITE_BUSY_TIMEOUT, sqlite_checkpoints: bool = True
) -> Engine:
    """An engine for the URL; SQLite files get WAL mode, foreign keys and a busy timeout.

    Without `sqlite_checkpoints` its commits leave copying the write-ahead log back into
    the database to other connections (for writers that must answer in milliseconds)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise EvenhandError(SettingsError.BAD_SETTINGS, f"not a database URL: {url!r}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed)
    waits = {} if "timeout" in parsed.query else {"timeout": sqlite_busy_timeout}
    engine = create_engine(parsed, connect_args=waits)
    event.listen(engine, "connect", _sqlite_pragmas)
    if not sqlite_checkpoints:
        event.listen(engine, "connect", _no_checkpoints)
    return engine


def _no_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


SQLITE_CACHE_KIB = 128 * 1024  # per connection, at most


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted and overwritten content is zeroed, not left in free space for anyone reading
    # the file (off by default in many SQLite builds): an erased customer stays erased.
    cursor.execute("PRAGMA secure_delete=ON")
    # SQLite's default page cache is 2 MB; an import of a million line items updates indexes
    # far larger than that (13.9 s with the default, 11.5 s with this). Allocated as used.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 (only when migrating)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision."""
    from alembic import command  # noqa: PLC0415 (only when migrating)

    command.upgrade(alembic_config(engine), "head")


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:\"(\w+)\"|None)", re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest migration the code knows: the one no other revises (read from the
    migration files once, without loading Alembic; a test holds it to Alembic's head)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: no Evenhand schema)."""
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            return found.scalar()
    except OperationalError as error:
        raise EvenhandError(
            StoreError.DB_UNREACHABLE, f"cannot open the database: {error.orig}"
        ) from None


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind the code's schema."""
    current = current_revision(engine)
    if current != head_revision():
        state = "has no Evenhand schema" if current is None else f"is at revision {current}"
        raise EvenhandError(
            StoreError.DB_NOT_INITIALISED,
            f"the database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `evenhand init` first",
        )


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()`, but on SQLite the write lock is taken at the start (BEGIN
    IMMEDIATE): a transaction that reads before it writes would otherwise fail with
    "database is locked", without waiting, when another process wrote in between."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


T = TypeVar("T")
LOCKED_RETRY_SECONDS = 0.0005


def retry_while_locked(write: Callable[[], T], *, patience: float = SQLITE_BUSY_TIMEOUT) -> T:
    """Run a short write, again every half millisecond while another process holds SQLite's
    write lock (for an engine made with a small busy timeout). SQLite's own busy handler
    sleeps in growing steps, and a waiter that sleeps long loses the lock to a busy worker."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return write()
        except OperationalError as error:
            if "locked" not in str(error.orig) or time.monotonic() > deadline:
                raise
        time.sleep(LOCKED_RETRY_SECONDS)


CHECKPOINT_TRIES = 5
CHECKPOINT_WAIT_SECONDS = 0.2


def checkpoint_after_erasure(engine: Engine) -> bool:
    """On SQLite, copy the write-ahead log into the database file and truncate it to zero
    bytes, so the rows an erasure rewrote live on in neither (`secure_delete` zeroed their
    old bytes in the file). True when done. PostgreSQL keeps the old rows until its
    operator runs VACUUM (FULL): the warning logged says so."""
    if engine.dialect.name != "sqlite":
        log.warning(
            "personal data was erased: PostgreSQL keeps the old row versions until "
            "VACUUM (FULL) of the tables docs/reference/service.md names (Erasure)"
        )
        return False
    for _ in range(CHECKPOINT_TRIES):
        try:
            with engine.connect() as connection:
                busy, _log, _copied = connection.exec_driver_sql(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).one()
        except OperationalError as error:
            busy, reason = 1, str(error.orig)
        else:
            reason = "a reader or writer was active"
        if not busy:
            return True
        time.sleep(CHECKPOINT_WAIT_SECONDS)
    log.warning(
        "the write-ahead log could not be truncated after an erasure (%s); "
        "it still holds the erased rows until the next checkpoint",
        reason,
    )
    return False
