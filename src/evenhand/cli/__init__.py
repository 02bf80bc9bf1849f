"""The `evenhand` command: thin, each command parses, calls one action and renders."""

from __future__ import annotations

import os
import sys

from rich.markup import escape

from evenhand.cli import (
    dispute_commands,
    economics_commands,
    review_commands,
    service_commands,
    shop_commands,
    shop_reader_commands,
    triage_commands,
    user_commands,
)
from evenhand.cli.app import app, err
from evenhand.errors import EvenhandError, StoreError

__all__ = [
    "app",
    "dispute_commands",
    "economics_commands",
    "main",
    "review_commands",
    "service_commands",
    "shop_commands",
    "shop_reader_commands",
    "triage_commands",
    "user_commands",
]


# A command reads a few messages at a time: numerical libraries' thread pools cost more to
# start than they save (0.1 s of CPU for one ticket); set before NumPy is first imported.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    try:
        app()
    except EvenhandError as error:
        _fail(error)
    except Exception as error:
        if not _from_the_database(error):
            raise
        cause = getattr(error, "orig", None) or error  # e.g. locked by another writer
        _fail(EvenhandError(StoreError.DB_FAILED, f"database error, nothing was changed: {cause}"))


def _from_the_database(error: Exception) -> bool:
    """A SQLAlchemy error (checked without importing SQLAlchemy for commands that never
    loaded it)."""
    if "sqlalchemy.exc" not in sys.modules:
        return False
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    return isinstance(error, SQLAlchemyError)


def _fail(error: EvenhandError) -> None:
    err.print(
        f"[bold red]error[/] [dim]({error.code.value})[/]: {escape(str(error))}", highlight=False
    )
    sys.exit(error.exit_code)
