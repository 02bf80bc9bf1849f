"""Errors are data: one code per failure, mapped to exit codes in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class InputError(StrEnum):
    """What is wrong with a file or payload given to Evenhand."""

    FILE_NOT_FOUND = "file_not_found"
    UNKNOWN_FORMAT = "unknown_format"
    MISSING_COLUMN = "missing_column"
    BAD_VALUE = "bad_value"
    MISSING_VALUE = "missing_value"
    ORPHAN_CONTINUATION = "orphan_continuation"
    DUPLICATE_RECORD = "duplicate_record"
    CURRENCY_MISMATCH = "currency_mismatch"
    BAD_GUIDE = "bad_guide"
    BAD_ENCODING = "bad_encoding"  # not UTF-8 text: another encoding, or not text at all
    TRUNCATED_FILE = "truncated_file"  # a file that ends in the middle of a record
    CONFLICTING_VALUE = "conflicting_value"  # two rows of one record disagree


class StoreError(StrEnum):
    """What went wrong with the database."""

    DB_NOT_INITIALISED = "db_not_initialised"
    DB_UNREACHABLE = "db_unreachable"
    DB_FAILED = "db_failed"


class LookupFailure(StrEnum):
    """What was asked for and is not there."""

    CUSTOMER_NOT_FOUND = "customer_not_found"
    DECISION_NOT_FOUND = "decision_not_found"
    NO_SUCH_PATH = "not_found"  # the service has no such address
    NO_SUCH_METHOD = "method_not_allowed"  # the address takes other methods
    USER_NOT_FOUND = "user_not_found"
    DISPUTE_NOT_FOUND = "dispute_not_found"
    REVIEW_NOT_FOUND = "review_not_found"


class AccessError(StrEnum):
    """Who may not do what: API tokens, webhook signatures, users and their sessions."""

    MISSING_TOKEN = "missing_token"
    BAD_TOKEN = "bad_token"
    TOKEN_NAME_TAKEN = "token_name_taken"
    TOKEN_NOT_FOUND = "token_not_found"
    NOT_CONFIGURED = "webhook_not_configured"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_SHOP = "unknown_shop"
    MALFORMED_PAYLOAD = "malformed_payload"
    BAD_CREDENTIALS = "bad_credentials"
    WEAK_PASSWORD = "weak_password"
    USER_EXISTS = "user_exists"
    CSRF_FAILED = "csrf_failed"
    NOT_ALLOWED = "not_allowed"
    THROTTLED = "sign_in_throttled"
    LAST_MANAGER = "last_manager"
    USER_DISABLED = "user_disabled"
    PROVIDER_REFUSED = "provider_refused"  # a payment provider did not do what was asked
    PROVIDER_NOT_CONFIGURED = "provider_not_configured"
    BODY_TOO_LARGE = "body_too_large"  # over the request body limit of its address


class SettingsError(StrEnum):
    """What is wrong with the settings."""

    BAD_SETTINGS = "bad_settings"


class SetupError(StrEnum):
    """What this installation lacks before it can run a command."""

    READER_NOT_BUILT = "reader_not_built"


ErrorCode = InputError | StoreError | LookupFailure | SettingsError | AccessError | SetupError

# The one place error codes become exit codes (and, with the service, HTTP statuses).
EXIT_CODES: dict[ErrorCode, int] = {
    InputError.FILE_NOT_FOUND: 3,
    InputError.UNKNOWN_FORMAT: 4,
    InputError.MISSING_COLUMN: 4,
    InputError.BAD_VALUE: 4,
    InputError.MISSING_VALUE: 4,
    InputError.ORPHAN_CONTINUATION: 4,
    InputError.DUPLICATE_RECORD: 4,
    InputError.CURRENCY_MISMATCH: 5,
    InputError.BAD_GUIDE: 4,
    InputError.BAD_ENCODING: 4,
    InputError.TRUNCATED_FILE: 4,
    InputError.CONFLICTING_VALUE: 4,
    StoreError.DB_NOT_INITIALISED: 6,
    StoreError.DB_UNREACHABLE: 6,
    StoreError.DB_FAILED: 6,
    LookupFailure.CUSTOMER_NOT_FOUND: 7,
    LookupFailure.DECISION_NOT_FOUND: 7,
    LookupFailure.NO_SUCH_PATH: 7,
    LookupFailure.NO_SUCH_METHOD: 7,
    LookupFailure.USER_NOT_FOUND: 7,
    LookupFailure.DISPUTE_NOT_FOUND: 7,
    LookupFailure.REVIEW_NOT_FOUND: 7,
    SettingsError.BAD_SETTINGS: 8,
    AccessError.MISSING_TOKEN: 9,
    AccessError.BAD_TOKEN: 9,
    AccessError.TOKEN_NAME_TAKEN: 9,
    AccessError.TOKEN_NOT_FOUND: 9,
    AccessError.NOT_CONFIGURED: 9,
    AccessError.BAD_SIGNATURE: 9,
    AccessError.UNKNOWN_SHOP: 9,
    AccessError.MALFORMED_PAYLOAD: 4,
    AccessError.BAD_CREDENTIALS: 9,
    AccessError.WEAK_PASSWORD: 9,
    AccessError.USER_EXISTS: 9,
    AccessError.CSRF_FAILED: 9,
    AccessError.NOT_ALLOWED: 9,
    AccessError.THROTTLED: 9,
    AccessError.LAST_MANAGER: 9,
    AccessError.USER_DISABLED: 9,
    AccessError.PROVIDER_REFUSED: 9,
    AccessError.PROVIDER_NOT_CONFIGURED: 8,
    AccessError.BODY_TOO_LARGE: 4,
    SetupError.READER_NOT_BUILT: 10,
}

HTTP_STATUSES: dict[ErrorCode, int] = {
    InputError.FILE_NOT_FOUND: 404,
    InputError.UNKNOWN_FORMAT: 422,
    InputError.MISSING_COLUMN: 422,
    InputError.BAD_VALUE: 422,
    InputError.MISSING_VALUE: 422,
    InputError.ORPHAN_CONTINUATION: 422,
    InputError.DUPLICATE_RECORD: 422,
    InputError.CURRENCY_MISMATCH: 409,
    InputError.BAD_GUIDE: 422,
    InputError.BAD_ENCODING: 422,
    InputError.TRUNCATED_FILE: 422,
    InputError.CONFLICTING_VALUE: 422,
    StoreError.DB_NOT_INITIALISED: 503,
    StoreError.DB_UNREACHABLE: 503,
    StoreError.DB_FAILED: 500,
    LookupFailure.CUSTOMER_NOT_FOUND: 404,
    LookupFailure.DECISION_NOT_FOUND: 404,
    LookupFailure.NO_SUCH_PATH: 404,
    LookupFailure.NO_SUCH_METHOD: 405,
    LookupFailure.USER_NOT_FOUND: 404,
    LookupFailure.DISPUTE_NOT_FOUND: 404,
    LookupFailure.REVIEW_NOT_FOUND: 404,
    SettingsError.BAD_SETTINGS: 500,
    AccessError.MISSING_TOKEN: 401,
    AccessError.BAD_TOKEN: 401,
    AccessError.TOKEN_NAME_TAKEN: 409,
    AccessError.TOKEN_NOT_FOUND: 404,
    AccessError.NOT_CONFIGURED: 401,
    AccessError.BAD_SIGNATURE: 401,
    AccessError.UNKNOWN_SHOP: 401,
    AccessError.MALFORMED_PAYLOAD: 400,
    AccessError.BAD_CREDENTIALS: 401,
    AccessError.WEAK_PASSWORD: 422,
    AccessError.USER_EXISTS: 409,
    AccessError.CSRF_FAILED: 403,
    AccessError.NOT_ALLOWED: 403,
    AccessError.THROTTLED: 429,
    AccessError.LAST_MANAGER: 409,
    AccessError.USER_DISABLED: 403,
    AccessError.PROVIDER_REFUSED: 502,
    AccessError.PROVIDER_NOT_CONFIGURED: 409,
    AccessError.BODY_TOO_LARGE: 413,
    SetupError.READER_NOT_BUILT: 503,
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

    @property
    def http_status(self) -> int:
        return HTTP_STATUSES[self.code]

    def __str__(self) -> str:
        if self.where is None:
            return self.message
        return f"{self.where}: {self.message}"
