"""Payment disputes from Shopify Payments and Stripe; the kind is read from the content.

Shopify: `{"disputes": [...]}` (REST list) or one dispute (the disputes/* webhook body).
Stripe: a list object (`{"object": "list", "data": [...]}`) of disputes or events, one
dispute or event, a JSON array of them, or JSON Lines of event payloads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from evenhand.domain.models import Dispute, DisputeProvider
from evenhand.domain.money import AMOUNT_CEILING, has_more_decimals
from evenhand.errors import InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Rejection
from evenhand.ingest.json_source import line_of, load_json_documents

# Stripe's own list of zero-decimal currencies (amounts are whole units there).
STRIPE_ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


@dataclass(frozen=True, slots=True)
class _Found:
    provider: DisputeProvider
    raw: Any
    observed: int | None  # Stripe event time, when the dispute came in an event


def read_disputes(path: Path, *, skip_invalid: bool = False) -> Parsed[Dispute]:
    problems = Problems(path, skip_invalid=skip_invalid)
    documents, text = load_json_documents(path, problems)
    return disputes_in_documents(documents, text=text, problems=problems)


def disputes_from_payload(document: Any, *, text: str, source: Path) -> Parsed[Dispute]:
    """The disputes of one webhook body (a Shopify dispute or a Stripe event); a bad one
    raises EvenhandError naming `source`."""
    return disputes_in_documents(
        [document], text=text, problems=Problems(source, skip_invalid=False)
    )


def disputes_in_documents(
    documents: list[Any], *, text: str, problems: Problems
) -> Parsed[Dispute]:
    parsed: Parsed[Dispute] = Parsed()
    for found in _disputes_in(documents, problems, parsed=parsed):
        raw_id = found.raw.get("id") if isinstance(found.raw, dict) else None
        line = line_of(text, "id", value=raw_id) or 0
        try:
            parsed.records.append(_dispute(found, line))
        except cells.CellError as error:
            code = InputError.MISSING_VALUE if error.reason == "is empty" else InputError.BAD_VALUE
            problems.report(
                Rejection(
                    line=line,
                    record=cells.printable(str(raw_id))[:100] if raw_id else None,
                    column=error.column,
                    reason=error.reason,
                    code=code,
                )
            )
    parsed.rejections = problems.rejections
    return parsed


def _disputes_in(
    documents: list[Any], problems: Problems, *, parsed: Parsed[Dispute]
) -> Iterator[_Found]:
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("disputes"), list):
            for raw in document["disputes"]:
                yield _Found(DisputeProvider.SHOPIFY, raw, None)
        elif isinstance(document, dict) and document.get("object") == "list":
            data = document.get("data")
            yield from _stripe_items(
                data if isinstance(data, list) else [data], problems, parsed=parsed
            )
        elif isinstance(document, list):
            yield from _stripe_items(document, problems, parsed=parsed)
        elif isinstance(document, dict) and document.get("object") in {"event", "dispute"}:
            yield from _stripe_items([document], problems, parsed=parsed)
        elif isinstance(document, dict) and "order_id" in document and "object" not in document:
            yield _Found(DisputeProvider.SHOPIFY, document, None)
        else:
            raise problems.fatal(
                InputError.UNKNOWN_FORMAT,
                "neither Shopify Payments disputes nor Stripe disputes or events",
            )


def _stripe_items(
    items: list[Any], problems: Problems, *, parsed: Parsed[Dispute]
) -> Iterator[_Found]:
    for item in items:
        kind = item.get("object") if isinstance(item, dict) else None
        if kind == "dispute":
            yield _Found(DisputeProvider.STRIPE, item, None)
        elif kind == "event" and str(item.get("type", "")).startswith("charge.dispute."):
            created = item.get("created")
            data = item.get("data")
            yield _Found(
                DisputeProvider.STRIPE,
                data.get("object") if isinstance(data, dict) else None,
                created if isinstance(created, int) and not isinstance(created, bool) else None,
            )
        elif kind == "event":
            parsed.passed_over.append(
                Rejection(
                    line=0,
                    record=cells.printable(str(item.get("id")))[:100],
                    column="type",
                    reason=f"not a dispute event: {cells.shown(item.get('type'))}",
                )
            )
        else:
            raise problems.fatal(
                InputError.UNKNOWN_FORMAT,
                f"expected Stripe disputes or events, found {cells.shown(kind)}",
            )


def _dispute(found: _Found, line: int) -> Dispute:
    raw = found.raw
    if not isinstance(raw, dict):
        raise cells.CellError("data.object", "a dispute must be a JSON object")
    cells.check_json(raw)
    for key in ("id", "status"):
        value = raw.get(key)
        if isinstance(value, dict | list | bool):
            raise cells.CellError(key, f"expected text, not {cells.shown(value)}")
        if not str(value or "").strip():
            raise cells.CellError(key, "is empty")
    if found.provider is DisputeProvider.SHOPIFY:
        return _shopify(raw, line)
    return _stripe(raw, line, observed=found.observed)


def _shopify(raw: dict[str, Any], line: int) -> Dispute:
    currency = _currency(raw)
    return Dispute(
        provider=DisputeProvider.SHOPIFY,
        external_id=str(raw["id"]),
        status=str(raw["status"]).lower(),
        amount=cells.amount(
            _optional(raw, "amount") or "", "amount", required=True, currency=currency
        ),
        currency=currency,
        kind=_optional(raw, "type"),
        reason=_optional(raw, "reason"),
        network_reason_code=_optional(raw, "network_reason_code"),
        initiated_at=cells.timestamp(_optional(raw, "initiated_at") or "", "initiated_at"),
        evidence_due_by=cells.timestamp(_optional(raw, "evidence_due_by") or "", "evidence_due_by"),
        order_shopify_id=cells.whole_number(_optional(raw, "order_id") or "", "order_id"),
        line=line,
    )


def _stripe(raw: dict[str, Any], line: int, *, observed: int | None) -> Dispute:
    currency = _currency(raw)
    details = cells.mapping(raw.get("payment_method_details"), "payment_method_details")
    card = cells.mapping(details.get("card"), "payment_method_details.card")
    metadata = cells.mapping(raw.get("metadata"), "metadata")
    evidence = cells.mapping(raw.get("evidence_details"), "evidence_details")
    order_id = (_optional(metadata, "order_id") or "").strip()
    references = tuple(
        text for text in (_optional(raw, key) for key in ("payment_intent", "charge")) if text
    )
    return Dispute(
        provider=DisputeProvider.STRIPE,
        external_id=str(raw["id"]),
        status=str(raw["status"]).lower(),
        amount=_stripe_amount(raw.get("amount"), currency),
        currency=currency,
        kind=_optional(card, "case_type"),
        reason=_optional(raw, "reason"),
        network_reason_code=_optional(card, "network_reason_code"),
        initiated_at=cells.unix_timestamp(raw.get("created"), "created"),
        evidence_due_by=cells.unix_timestamp(evidence.get("due_by"), "evidence_details.due_by"),
        observed_at=cells.unix_timestamp(observed, "created"),
        order_shopify_id=cells.whole_number(order_id, "metadata.order_id")
        if order_id.isdigit()  # digits of any script: "①" is refused, "#1001" is a name
        else None,
        order_name=(_optional(metadata, "order_name") or "").strip()
        or (order_id if order_id.startswith("#") else None),
        payment_references=references,
        line=line,
    )


def _stripe_amount(amount: object, currency: str) -> Decimal:
    """Stripe's amount in minor units (its own list of zero- and three-decimal currencies),
    as an amount with no more decimals than Evenhand's minor unit of the currency has."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise cells.CellError("amount", f"not an amount in minor units: {cells.shown(amount)}")
    value = Decimal(amount).scaleb(-_stripe_exponent(currency))
    if abs(value) >= AMOUNT_CEILING:
        raise cells.CellError("amount", f"too large an amount: {amount}")
    if has_more_decimals(value, currency):
        raise cells.CellError(
            "amount", f"{amount} minor units of {currency} is {value}, finer than {currency} has"
        )
    return value


def _stripe_exponent(currency: str) -> int:
    if currency in STRIPE_ZERO_DECIMAL:
        return 0
    return 3 if currency in STRIPE_THREE_DECIMAL else 2


def _currency(raw: dict[str, Any]) -> str:
    return cells.currency(_optional(raw, "currency") or "", "currency")


def _optional(raw: dict[str, Any], key: str) -> str | None:
    """A text or a number as text; null or empty is None; an object or a list is refused."""
    value = raw.get(key)
    if isinstance(value, dict | list):
        raise cells.CellError(key, f"expected text, not {cells.shown(value)}")
    return None if value is None or value == "" else str(value)
