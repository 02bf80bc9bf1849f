"""The `evenhand` command: thin, each command parses, calls one action and renders."""

from __future__ import annotations

import sys

from evenhand.cli import service_commands, shop_commands, triage_commands
from evenhand.cli.app import app, err
from evenhand.errors import EvenhandError, StoreError

__all__ = ["app", "main", "service_commands", "shop_commands", "triage_commands"]


def main() -> None:
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 (only once a command failed)

    try:
        app()
    except EvenhandError as error:
        _fail(error)
    except SQLAlchemyError as error:  # e.g. a database locked by another writer
        cause = getattr(error, "orig", None) or error
        _fail(EvenhandError(StoreError.DB_FAILED, f"database error, nothing was changed: {cause}"))


def _fail(error: EvenhandError) -> None:
    err.print(f"[bold red]error[/] [dim]({error.code.value})[/]: {error}", highlight=False)
    sys.exit(error.exit_code)
