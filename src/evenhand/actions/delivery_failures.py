"""Why a delivery failed, as the inbox keeps it: the exception's type and message, cut to
a bounded length, storable on every backend, and never holding a secret of the settings.

A delivery's failure is its own: whatever one raises (a parser, the helpdesk, the reader,
the guide, the store) marks that delivery failed with this reason and the worker goes on.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from evenhand.errors import EvenhandError
from evenhand.settings import Settings

REASON_LIMIT = 500  # characters of a failure's reason kept
_SHORTEST_SECRET = 4  # a shorter value is not looked for (it would blank ordinary words)


def failure_reason(error: BaseException, *, secrets: Iterable[str] = ()) -> str:
    """The reason a failed delivery keeps: `Type: message` (an error of Evenhand's own or a
    missing shop fact, its message alone; a database error, its type alone, since its
    message quotes the statement and its values)."""
    if isinstance(error, EvenhandError | LookupError) and not isinstance(error, KeyError):
        text = str(error)
    elif isinstance(error, SQLAlchemyError):
        text = type(error).__name__
    else:
        message = str(error)
        text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    for secret in secrets:
        if len(secret) >= _SHORTEST_SECRET:
            text = text.replace(secret, "[secret]")
    return storable(text)


def storable(text: str) -> str:
    """Cut to `REASON_LIMIT` characters; a lone surrogate written as its escape and NUL
    dropped (PostgreSQL's text takes neither)."""
    escaped = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "")
    return escaped if len(escaped) <= REASON_LIMIT else escaped[: REASON_LIMIT - 1] + "…"


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value the settings hold (webhook secrets, API keys, the database URL's
    password), for `failure_reason` to blank out."""
    found = [
        value.get_secret_value()
        for name in Settings.model_fields
        if isinstance(value := getattr(settings, name), SecretStr)
    ]
    password = _url_password(settings.db)
    return found + ([password] if password else [])


def _url_password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:
        return None
