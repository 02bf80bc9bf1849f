"""The service's HTTP contract beyond the resources (those are `evenhand.actions.schemas`):
the error body, the request bodies, the webhooks' and `/healthz`'s answers, and the error
statuses each route documents in the OpenAPI document.

A request body is checked here for what would break what reads it after (a lone surrogate,
a time outside what can be stored, a value longer than its column); the ticket's own rules
(which fields, an e-mail address, a time with an offset) stay with its reader,
`evenhand.ingest.tickets`, which answers 422 with the field and the reason.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    Strict,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)

from evenhand.domain.intents import Intent
from evenhand.errors import AccessError, ErrorCode, InputError
from evenhand.ingest.cells import CellError, is_ascii_number, text_problem, timestamp
from evenhand.ingest.tickets import ticket_format
from evenhand.store.inbox import Accepted

# --- errors ----------------------------------------------------------------------------

ALL_CODES = sorted(code.value for kind in get_args(ErrorCode) for code in kind)


class ErrorOut(BaseModel):
    """Every refusal: a code a program can act on and a message a person can read."""

    error: str = Field(
        description="The error code (`evenhand/errors.py`).",
        json_schema_extra={"enum": ALL_CODES},
    )
    message: str = Field(description="What was refused and why, naming the field or line.")


# What each status means, the same on every route that can answer it.
STATUS_MEANINGS = {
    400: "The body cannot be read at all: not UTF-8, not JSON, or not a JSON object "
    "(`malformed_payload`).",
    401: "No API token, or an unknown or revoked one (`missing_token`, `bad_token`).",
    404: "Not found (`decision_not_found`, `customer_not_found`).",
    409: "The file's currency is not the shop's (`currency_mismatch`).",
    413: "The body is larger than this address takes (`body_too_large`; the settings "
    "`webhook_max_bytes`, `upload_max_bytes`, `request_max_bytes`): refused before the rest "
    "is read.",
    422: "A value the route cannot take, with the field (and line and column) and the reason "
    "(`bad_value`, `missing_value`, `unknown_format`, ...).",
    503: "Not ready: the database is not initialised or not reachable, or the reader's "
    "models are not built.",
}
WEBHOOK_401 = (
    "Refused before anything is stored: no secret is set for this sender, the signature "
    "does not verify or is stale, or another shop sent it (`webhook_not_configured`, "
    "`bad_signature`, `unknown_shop`)."
)


def error_responses(*statuses: int, **meanings: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: each status it can answer with the error body, and its
    meaning (`s401="..."` overrides the common one)."""
    return {
        status: {
            "model": ErrorOut,
            "description": meanings.get(f"s{status}", STATUS_MEANINGS[status]),
        }
        for status in statuses
    }


def validation_error(errors: list[dict[str, Any]]) -> tuple[ErrorCode, str]:
    """A request FastAPI could not validate, as an error code and one message naming each
    field (the body's JSON, when it is not JSON, is `malformed_payload`)."""
    if any(error.get("type") == "json_invalid" for error in errors):
        return AccessError.MALFORMED_PAYLOAD, "the body is not valid JSON"
    missing = all(error.get("type") == "missing" for error in errors)
    parts = [f"{_where(error.get('loc', ()))}: {_reason(error)}" for error in errors]
    code = InputError.MISSING_VALUE if missing else InputError.BAD_VALUE
    return code, "; ".join(parts[:5]) + (f"; and {len(parts) - 5} more" if len(parts) > 5 else "")


def _reason(error: dict[str, Any]) -> str:
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


# Where Pydantic names the body, a ticket's format or a member of a union, not a field.
_NOT_FIELDS = frozenset(
    {"body", "jsonl", "zendesk", "gorgias", "constrained-str", "constrained-int", "int"}
)


def _where(location: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "jsonl", "customer_email") -> "customer_email"; ("path", "decision_id") stays
    kept = [str(part) for part in location if part not in _NOT_FIELDS]
    return ".".join(kept) or "body"


# --- /healthz and the webhooks' answers -----------------------------------------------


class Health(BaseModel):
    """The service, its worker and its inbox: 200 `ok`, or 503 `stale` once the oldest
    pending delivery has waited longer than `inbox_stale_seconds`."""

    status: Literal["ok", "stale"] = Field(
        description="`ok`; `stale`: deliveries wait longer than `inbox_stale_seconds` (503)."
    )
    guide_version: str = Field(description="The version of the guide in force.")
    worker_alive: bool = Field(
        description="The inbox worker was heard from within `worker_silent_seconds` and has "
        "not stopped."
    )
    worker_seen_seconds: float | None = Field(
        description="Seconds since the worker's last heartbeat; null if none was ever seen."
    )
    oldest_pending_seconds: float | None = Field(
        description="How long the oldest pending delivery has waited; null if none waits."
    )


class DeliveryAccepted(BaseModel):
    """Stored in the durable inbox (202); the worker acts on it."""

    delivery_id: int
    duplicate: bool = Field(description="The same event was delivered before: counted only.")


def delivery_accepted(accepted: Accepted) -> DeliveryAccepted:
    """The one answer to a delivery stored in the inbox (every webhook's 202)."""
    return DeliveryAccepted(delivery_id=accepted.delivery_id, duplicate=accepted.duplicate)


class DeliveryIgnored(BaseModel):
    """A verified delivery of a topic Evenhand does not act on (200): nothing stored."""

    ignored: str = Field(description="The topic.")


# --- POST /api/tickets: a ticket -------------------------------------------------------

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MOMENT_PATTERN = (  # the times the OpenAPI document shows; `_a_moment` is the judge
    r"^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z| ?[+-](0[0-9]|1[0-4]):?[0-5][0-9])$"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
ID_MAX = 2**63 - 1  # the largest id a column stores


def _a_moment(value: str) -> str:
    try:
        moment = timestamp(value, "time", required=True)
    except CellError as error:
        raise ValueError(error.reason) from None
    except OverflowError:  # a time whose offset takes it out of Python's years
        raise ValueError(f"outside {EARLIEST.year}-{LATEST.year - 1}: {value[:40]!r}") from None
    assert moment is not None  # required
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"outside {EARLIEST.year}-{LATEST.year - 1}: {value[:40]!r}")
    return value


Moment = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_a_moment),
    Field(
        description="ISO 8601 with a UTC offset, from 1970 to 2099: 2026-11-24T09:12:00+01:00.",
        json_schema_extra={"pattern": MOMENT_PATTERN},
    ),
]


def _whole_number(value: object) -> object:
    # JSON has one kind of number: 9001.0 is the integer 9001, as JSON Schema (and so the
    # service's own document) reads it. `true` is no number, nor is 9001.5: the strict int
    # after this refuses them.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


TicketId = Annotated[  # strict: `true` is no ticket id (lax mode made it "1")
    Annotated[str, Strict(), StringConstraints(min_length=1, max_length=128)]
    | Annotated[int, Strict(), Field(ge=0, le=ID_MAX)],
    BeforeValidator(_whole_number),
]


def digits_up_to(bound: int) -> str:
    """A regex for the ASCII decimal strings of at most `bound` with no more digits than it
    (leading zeros allowed within that length)."""
    digits = str(bound)
    below = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for place, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - place - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            below.append(f"{digits[:place]}[0-{int(digit) - 1}]{tail}")
    return "^(" + "|".join([*below, digits]) + ")$"


def _digits_as_number(value: object) -> object:
    # Zendesk's event subscriptions send a user id as digits ("9020002"), its Tickets API as
    # a number: both are the number (too many digits: refused by the bound, named). Anything
    # else goes on to the strict int, which refuses it.
    if isinstance(value, str) and is_ascii_number(value) and len(value) <= 100:
        return int(value)
    return _whole_number(value)


# strict: `true`, 9001.5, "9_001" or " 9001" is no user id (lax mode made them numbers,
# so a comment by someone else could be taken for the requester's words)
ZendeskUserId = Annotated[
    int,
    BeforeValidator(_digits_as_number),
    Strict(),
    Field(ge=0, le=ID_MAX),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": ID_MAX},
                {"type": "string", "pattern": digits_up_to(ID_MAX)},
            ]
        }
    ),
]
# strict: a flag is JSON `true` or `false`; lax mode read "false", "no", 0 as false and
# "yes", 1 as true, where the reader of a file (`evenhand triage`) takes any non-empty
# string as true: the API and the CLI would pick different words from the same ticket
Flag = Annotated[bool, Strict()]
Email = Annotated[
    str, StringConstraints(max_length=320), Field(json_schema_extra={"format": "email"})
]
Channel = Annotated[str, StringConstraints(min_length=1, max_length=32)]


def _no_lone_surrogates(value: object, where: str = "body") -> None:
    if isinstance(value, str) and _SURROGATE.search(value):
        raise ValueError(f"{where}: a lone surrogate (not Unicode text)")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_lone_surrogates(key, where)
            _no_lone_surrogates(item, f"{where}.{key}" if where != "body" else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _no_lone_surrogates(item, f"{where}[{index}]")


class _Open(BaseModel):
    """A part of a ticket object: the fields Evenhand reads; any others are kept."""

    model_config = ConfigDict(extra="allow")


class _TicketObject(_Open):
    @model_validator(mode="before")
    @classmethod
    def _text_only(cls, data: Any) -> Any:
        _no_lone_surrogates(data)
        return data


# The format is read from the keys (`evenhand.ingest.tickets.ticket_format`), and the
# document says so: each format excludes the others' keys.
_ZENDESK_KEYS: list[JsonValue] = [
    {"required": [key]} for key in ("description", "requester_id", "via")
]
_GORGIAS_KEYS: dict[str, JsonValue] = {"required": ["messages"]}


def _required_path(*keys: str) -> dict[str, JsonValue]:
    """A JSON Schema that requires the nested keys (`requester`, `email`), the last a string."""
    schema: dict[str, JsonValue] = {"type": "string", "minLength": 3, "pattern": "@"}
    for key in reversed(keys):
        schema = {"type": "object", "required": [key], "properties": {key: schema}}
    return schema


# A Zendesk ticket sent alone (no sideloaded `users`) names its customer's e-mail inline.
_ZENDESK_EMAIL: dict[str, JsonValue] = {
    "anyOf": [
        _required_path("requester", "email"),
        _required_path("via", "source", "from", "address"),
    ]
}


class JsonLinesTicket(_TicketObject):
    """A line of `evenhand triage`'s JSON Lines."""

    model_config = ConfigDict(json_schema_extra={"not": {"anyOf": [*_ZENDESK_KEYS, _GORGIAS_KEYS]}})

    id: TicketId
    created_at: Moment
    channel: Channel = Field(description="email, chat, web, ...")
    customer_email: Email
    body: str = Field(description="The customer's words.", min_length=1, pattern=r"\S")
    subject: str | None = None
    order_name: Annotated[str, StringConstraints(max_length=64)] | None = None
    first_name: str | None = None


class ZendeskUser(_Open):
    id: ZendeskUserId | None = None
    email: Email | None = None
    name: str | None = None


class ZendeskVia(_Open):
    channel: Channel | Annotated[int, Strict(), Field(ge=0, le=ID_MAX)] | None = Field(
        default=None, description="A via type (`email`, `web`, `chat`) or a via id (4 is mail)."
    )
    source: dict[str, Any] | None = Field(
        default=None, description="`from.address`: the e-mail when there is no requester."
    )


class ZendeskComment(_Open):
    author_id: ZendeskUserId | None = None
    public: Flag | None = None
    plain_body: str | None = None
    body: str | None = None
    html_body: str | None = None


class ZendeskTicket(_TicketObject):
    """A Zendesk ticket object (Tickets API): the customer's words from the requester's
    latest public comment, else `description`."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [{"anyOf": _ZENDESK_KEYS}, _ZENDESK_EMAIL],
            "not": _GORGIAS_KEYS,
        }
    )

    id: TicketId
    created_at: Moment
    subject: str | None = None
    raw_subject: str | None = None
    description: str | None = None
    requester_id: ZendeskUserId | None = None
    submitter_id: ZendeskUserId | None = Field(
        default=None,
        description="Who opened the ticket: not the requester (an agent on the phone), the "
        "description is not the customer's words.",
    )
    requester: ZendeskUser | None = None
    via: ZendeskVia | None = None
    comments: list[ZendeskComment] | None = None


class GorgiasCustomer(_Open):
    email: Email | None = None
    firstname: str | None = None
    name: str | None = None


class GorgiasMessage(_Open):
    from_agent: Flag | None = None
    public: Flag | None = None
    channel: Channel | None = None
    sender: GorgiasCustomer | None = None
    subject: str | None = None
    stripped_text: str | None = None
    body_text: str | None = None
    stripped_html: str | None = None
    body_html: str | None = None


class GorgiasTicket(_TicketObject):
    """A Gorgias ticket object: the words of its latest message not from an agent."""

    id: TicketId
    created_datetime: Moment
    channel: Channel | None = None
    subject: str | None = None
    customer: GorgiasCustomer | None = None
    messages: list[GorgiasMessage]


def _format_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return ticket_format(value)
    if isinstance(value, BaseModel):
        return {GorgiasTicket: "gorgias", ZendeskTicket: "zendesk"}.get(type(value), "jsonl")
    return None


TicketBody = Annotated[
    Annotated[JsonLinesTicket, Tag("jsonl")]
    | Annotated[ZendeskTicket, Tag("zendesk")]
    | Annotated[GorgiasTicket, Tag("gorgias")],
    Discriminator(
        _format_of,
        custom_error_type="ticket_format",
        custom_error_message="a ticket is a JSON object",
    ),
]


# --- POST /api/imports/{kind}: a file ---------------------------------------------------

IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The file itself, as `evenhand import KIND FILE` reads it: a Shopify "
        "orders, customers or products CSV export (UTF-8), or Shopify orders JSON or "
        "Shopify Payments/Stripe disputes JSON.",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _storable(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class IntentCorrectionBody(BaseModel):
    """What a decision's message is about, as a person or a program corrects it."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent = Field(description="One of the 22 intents.")
    note: Annotated[str, StringConstraints(max_length=2_000), AfterValidator(_storable)] | None = (
        Field(default=None, description="Why (shown in the ticket's history).")
    )

    @model_validator(mode="before")
    @classmethod
    def _text_only(cls, data: Any) -> Any:
        _no_lone_surrogates(data)
        return data
