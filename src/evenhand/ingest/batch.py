"""What a parsed file yields: its records, and the ones it rejected and why."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from evenhand.errors import ErrorCode, EvenhandError, InputError, Location

T = TypeVar("T")

# Called with (bytes read so far, total bytes) while a large file is read.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The progress callback for callers that show none."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record left out of an import (with --skip-invalid), and why."""

    line: int
    record: str | None
    column: str | None
    reason: str
    code: ErrorCode = InputError.BAD_VALUE


@dataclass(slots=True)
class Parsed(Generic[T]):
    records: list[T] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    passed_over: list[Rejection] = field(default_factory=list)  # valid, but nothing to import


# A header read as one column holding semicolons: a spreadsheet saved it in a locale that
# separates with ';' (Swedish Excel does).
SEMICOLONS = (
    " (the header's columns are separated by ';', as a spreadsheet saves CSV in a Swedish "
    "locale: use the file as Shopify exported it, or save it again with commas)"
)


class Problems:
    """Where parse problems go: raised at once, or collected when invalid records are skipped."""

    def __init__(self, path: Path, *, skip_invalid: bool) -> None:
        self.path = path
        self.skip_invalid = skip_invalid
        self.rejections: list[Rejection] = []

    def report(self, rejection: Rejection) -> None:
        if not self.skip_invalid:
            where = Location(self.path, rejection.line or None, rejection.column)
            raise EvenhandError(rejection.code, rejection.reason, where=where)
        self.rejections.append(rejection)

    def fatal(
        self, code: ErrorCode, message: str, *, line: int | None = None, column: str | None = None
    ) -> EvenhandError:
        """A problem that stops the file whatever the policy (bad header, unknown format)."""
        return EvenhandError(code, message, where=Location(self.path, line, column))

    def require_columns(
        self, header: Collection[str], required: Sequence[str], *, export: str
    ) -> None:
        """Refuse a file whose header lacks a column this reader needs."""
        missing = [name for name in required if name not in header]
        if missing:
            semicolons = any(";" in name for name in header)
            raise self.fatal(
                InputError.MISSING_COLUMN,
                f"not a Shopify {export} export: missing {', '.join(missing)}"
                + (SEMICOLONS if semicolons else ""),
                line=1,
                column=missing[0],
            )
