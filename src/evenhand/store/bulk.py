"""Staging columnar frames in bulk, then merging them in one transaction.

SQLite: the frames are written through ADBC into two scratch database files at once (the
orders in one, their line items and references in the other, from two threads: ADBC lets
go of Python's lock while it writes), which the import's connection attaches before its
transaction begins (SQLite cannot attach inside one); the merge then reads from them, with
foreign-key checks off (see `_sqlite_stage`). The scratch files live in a folder beside
the database (`evenhand.store.scratch`): they hold the export's e-mail addresses and names.
PostgreSQL: COPY into temporary tables of the transaction. Either way the shop's tables
change only in the one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl
from sqlalchemy import Connection, Engine

from evenhand.store.database import SQLITE_CACHE_KIB
from evenhand.store.scratch import scratch_folder
from evenhand.store.staging import (
    INSERT,
    ITEM_COLUMNS,
    ORDER_COLUMNS,
    REFERENCE_COLUMNS,
    STAGE_INDEX,
    Stage,
    create_temporary_stage,
    stage_items,
    stage_orders,
    stage_references,
)


class OrderFrames(Protocol):
    """Staging-ready rows (as `ingest.shopify_orders_frame` reads them from an export):
    `orders` numbered in STAGE_INDEX, and `items` and `references` by their order's number."""

    @property
    def orders(self) -> pl.DataFrame: ...

    @property
    def items(self) -> pl.DataFrame: ...

    @property
    def references(self) -> pl.DataFrame: ...


SCRATCH_SCHEMAS = ("evenhand_stage", "evenhand_stage_lines")  # orders; items, references
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S%.6f"  # how SQLAlchemy stores a UTC datetime in SQLite


def _staged_orders(frames: OrderFrames) -> pl.DataFrame:
    return frames.orders.with_columns(
        pl.lit(None, pl.Int64).alias("customer_id"),
        pl.lit(INSERT).alias("action"),
        pl.lit(None, pl.Int64).alias("order_id"),
        pl.lit(None, pl.Int64).alias("old_customer_id"),
    ).select(*ORDER_COLUMNS, STAGE_INDEX, "action", "order_id", "old_customer_id")


@contextmanager
def staged_frames(engine: Engine, frames: OrderFrames) -> Iterator[tuple[Connection, Stage]]:
    """A connection inside its transaction, with the frames staged; yields it and where
    the staging tables are."""
    if engine.dialect.name == "sqlite":
        with _sqlite_stage(engine, frames) as staged:
            yield staged
    else:
        with engine.begin() as connection:
            stage = create_temporary_stage(connection)
            _copy_into_stage(connection, frames)
            yield connection, stage


@contextmanager
def _sqlite_stage(engine: Engine, frames: OrderFrames) -> Iterator[tuple[Connection, Stage]]:
    with scratch_folder(engine.url) as folder:
        files = [folder / f"{schema}.sqlite3" for schema in SCRATCH_SCHEMAS]
        _write_scratch(files, frames)
        with engine.connect() as connection:
            for schema, scratch in zip(SCRATCH_SCHEMAS, files, strict=True):
                connection.exec_driver_sql(f"ATTACH DATABASE ? AS {schema}", (str(scratch),))
                # An attached database has SQLite's small default page cache, and the merge
                # looks staged orders up by name in it (see `_sqlite_pragmas`).
                connection.exec_driver_sql(f"PRAGMA {schema}.cache_size=-{SQLITE_CACHE_KIB}")
            # Every key this transaction writes is read from its parent row in the same
            # statement (an order's id by its name, a customer's by its e-mail address) or
            # given to the parent by the same merge (`_numbered_statements`), so SQLite's
            # per-row check of it is skipped: 1.5-2 s of a million-item import here.
            # It can only be switched outside a transaction, and is switched back after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            orders_schema, lines_schema = (f"{schema}." for schema in SCRATCH_SCHEMAS)
            try:
                with connection.begin():
                    # The write lock from the start, as `write_transaction` takes it: the
                    # merge reads what is stored before it writes.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    yield connection, Stage(orders_schema=orders_schema, lines_schema=lines_schema)
            finally:
                for schema in SCRATCH_SCHEMAS:
                    connection.exec_driver_sql(f"DETACH DATABASE {schema}")
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _for_sqlite(frame: pl.DataFrame) -> Any:
    """Datetimes as SQLAlchemy's SQLite text, booleans as 0/1, in Arrow's classic layout."""
    converted = frame.with_columns(
        *(
            pl.col(name).dt.strftime(_SQLITE_TIME)
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime)
        ),
        *(
            pl.col(name).cast(pl.Int64)
            for name, dtype in frame.schema.items()
            if dtype == pl.Boolean
        ),
    )
    return converted.to_arrow(compat_level=pl.CompatLevel.oldest())


def _write_scratch(files: Sequence[Path], frames: OrderFrames) -> None:
    """The staged orders into the first file while another thread writes the line items and
    references into the second."""
    orders_file, lines_file = files
    lines = (
        (stage_items.name, frames.items.select(ITEM_COLUMNS)),
        (stage_references.name, frames.references.select(REFERENCE_COLUMNS)),
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(_write_tables, lines_file, lines)
        _write_tables(orders_file, [(stage_orders.name, _staged_orders(frames))])
        written.result()


def _write_tables(scratch: Path, tables: Sequence[tuple[str, pl.DataFrame]]) -> None:
    """Each frame into its table of a new scratch file, written without a journal or a sync
    to disk: the file outlives no crash (it is read by this import only, and removed)."""
    with (
        adbc_sqlite.connect(str(scratch), autocommit=True) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.fetchall()
        cursor.execute("PRAGMA synchronous=OFF")
        for name, frame in tables:
            cursor.adbc_ingest(name, _for_sqlite(frame), mode="create")


def _copy_into_stage(connection: Connection, frames: OrderFrames) -> None:
    """PostgreSQL's COPY, from CSV the frames write (NULL unquoted, text always quoted)."""
    tables = (
        (stage_orders.name, _staged_orders(frames)),
        (stage_items.name, frames.items.select(ITEM_COLUMNS)),
        (stage_references.name, frames.references.select(REFERENCE_COLUMNS)),
    )
    cursor = connection.connection.cursor()
    for name, frame in tables:
        columns = ", ".join(frame.columns)
        payload = frame.write_csv(
            include_header=False,
            quote_style="non_numeric",
            datetime_format="%Y-%m-%d %H:%M:%S%.6f%z",
        )
        with cursor.copy(f"COPY {name} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(payload)
