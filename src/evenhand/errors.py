"""Errors are data: one code per failure, mapped to exit codes in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class ErrorCode(StrEnum):
    # input files
    FILE_NOT_FOUND = "file_not_found"
    UNKNOWN_FORMAT = "unknown_format"
    MISSING_COLUMN = "missing_column"
    BAD_VALUE = "bad_value"
    MISSING_VALUE = "missing_value"
    ORPHAN_CONTINUATION = "orphan_continuation"
    DUPLICATE_RECORD = "duplicate_record"
    CURRENCY_MISMATCH = "currency_mismatch"
    # store
    DB_NOT_INITIALISED = "db_not_initialised"
    DB_UNREACHABLE = "db_unreachable"
    DB_FAILED = "db_failed"
    # lookups
    CUSTOMER_NOT_FOUND = "customer_not_found"
    # configuration
    BAD_SETTINGS = "bad_settings"


EXIT_CODES: dict[ErrorCode, int] = {
    ErrorCode.FILE_NOT_FOUND: 3,
    ErrorCode.UNKNOWN_FORMAT: 4,
    ErrorCode.MISSING_COLUMN: 4,
    ErrorCode.BAD_VALUE: 4,
    ErrorCode.MISSING_VALUE: 4,
    ErrorCode.ORPHAN_CONTINUATION: 4,
    ErrorCode.DUPLICATE_RECORD: 4,
    ErrorCode.CURRENCY_MISMATCH: 5,
    ErrorCode.DB_NOT_INITIALISED: 6,
    ErrorCode.DB_UNREACHABLE: 6,
    ErrorCode.DB_FAILED: 6,
    ErrorCode.CUSTOMER_NOT_FOUND: 7,
    ErrorCode.BAD_SETTINGS: 8,
}


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input a problem is: file, line (1-based, physical) and column/field."""

    path: Path | None = None
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [str(self.path) if self.path else "<input>"]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class EvenhandError(Exception):
    """A failure the user can act on: a code, a message and where it happened."""

    def __init__(self, code: ErrorCode, message: str, *, where: Location | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.code]

    def __str__(self) -> str:
        if self.where is None:
            return self.message
        return f"{self.where}: {self.message}"
