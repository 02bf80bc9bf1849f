"""The Typer application, its command groups and the options they share.

Commands are thin: parse, call one action, render. Each imports the actions it calls
inside itself, so `evenhand --help` or `evenhand customer` loads no model, data-frame or
web library (`tests/test_layers.py` holds that).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from pydantic import BaseModel

    from evenhand.settings import Settings

Shown = TypeVar("Shown", bound="BaseModel")

app = typer.Typer(
    help="Even-handed, policy-driven triage for e-commerce customer support.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
guide_app = typer.Typer(help="The resolution guide: show it, check it.", no_args_is_help=True)
app.add_typer(guide_app, name="guide")
advise_app = typer.Typer(help="Advice from the shop's own figures.", no_args_is_help=True)
app.add_typer(advise_app, name="advise")
value_app = typer.Typer(
    help="The predicted customer lifetime value: its models, fitted on the shop's orders.",
    no_args_is_help=True,
)
app.add_typer(value_app, name="value")
token_app = typer.Typer(help="API tokens for `evenhand serve`.", no_args_is_help=True)
app.add_typer(token_app, name="token")
inbox_app = typer.Typer(
    help="The webhook inbox and the helpdesk write-backs.", no_args_is_help=True
)
app.add_typer(inbox_app, name="inbox")
user_app = typer.Typer(help="Users of the web UI.", no_args_is_help=True)
app.add_typer(user_app, name="user")
reader_app = typer.Typer(
    help="The reader's models: build them once, see which are in use.", no_args_is_help=True
)
app.add_typer(reader_app, name="reader")

# Piped output gets a wide page, so tables are not squeezed into 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLAlchemy database URL (default: EVENHAND_DB, the settings file, "
        "or sqlite:///evenhand.sqlite3).",
        show_default=False,
    ),
]
GuideOption = Annotated[
    Path | None,
    typer.Option(
        "--guide",
        help="The resolution guide (YAML); default: the settings' or the default guide.",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def load(db: str | None = None, **overrides: object) -> Settings:
    """The settings, with the command line's overrides; invalid ones are an error to show."""
    from pydantic import ValidationError

    from evenhand.errors import EvenhandError, SettingsError
    from evenhand.settings import load_settings

    try:
        return load_settings(db=db, **overrides)
    except ValidationError as error:
        raise EvenhandError(SettingsError.BAD_SETTINGS, f"invalid settings: {error}") from None


def now() -> datetime:
    return datetime.now(UTC)


def announce(line: str) -> None:
    """One line on standard error, for what a command does before its answer."""
    err.print(f"[dim]{escape(line)}[/]", highlight=False)


def print_answer(shown: Shown, as_json: bool, render: Callable[[Console, Shown], None]) -> None:
    """A command's answer: one line of JSON with `--json`, else `render`'s tables."""
    if as_json:
        sys.stdout.write(shown.model_dump_json() + "\n")
    else:
        render(out, shown)
