"""Shopify REST order objects: `{"orders": [...]}`, `{"order": {...}}` or a webhook body.

Refunds are summed from their successful `refund` transactions (a refund has no total field).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from evenhand.domain.models import LineItem, Order
from evenhand.errors import InputError
from evenhand.ingest import cells
from evenhand.ingest.batch import Parsed, Problems, Rejection
from evenhand.ingest.json_source import line_of, load_json_documents


def read_shopify_orders_json(path: Path, *, skip_invalid: bool = False) -> Parsed[Order]:
    problems = Problems(path, skip_invalid=skip_invalid)
    documents, text = load_json_documents(path, problems)
    parsed: Parsed[Order] = Parsed()
    for position, raw in enumerate(_order_objects(documents, problems)):
        line = line_of(text, "id", value=raw.get("id")) if isinstance(raw, dict) else None
        try:
            parsed.records.append(order_from_rest(raw, line=line))
        except cells.CellError as error:
            name = raw.get("name") if isinstance(raw, dict) else None
            record = cells.printable(name)[:100] if isinstance(name, str) else None
            problems.report(
                Rejection(
                    line=line or 0,
                    record=record,
                    column=f"orders[{position}].{error.column}",
                    reason=error.reason,
                )
            )
    parsed.rejections = problems.rejections
    return parsed


def _order_objects(documents: list[Any], problems: Problems) -> Iterator[Any]:
    for document in documents:
        if isinstance(document, dict) and isinstance(document.get("orders"), list):
            yield from document["orders"]
        elif isinstance(document, dict) and isinstance(document.get("order"), dict):
            yield document["order"]
        elif isinstance(document, dict) and "line_items" in document:
            yield document
        else:
            raise problems.fatal(
                InputError.UNKNOWN_FORMAT, 'expected {"orders": [...]} of Shopify REST orders'
            )


def order_from_rest(raw: Any, *, line: int | None = None) -> Order:
    """One REST order object (the orders/create and orders/updated webhook body)."""
    if not isinstance(raw, dict):
        raise cells.CellError("", "an order must be a JSON object")
    cells.check_json(raw)
    name = _text(raw, "name")
    if not name:
        raise cells.CellError("name", "is empty")
    currency = cells.currency(_text(raw, "currency"), "currency")
    total = _amount(raw, "total_price", currency, required=True)
    customer = cells.mapping(raw.get("customer"), "customer")
    return Order(
        name=name,
        shopify_id=_whole(raw, "id"),
        currency=currency,
        created_at=_required_time(raw, "created_at"),
        updated_at=cells.timestamp(_text(raw, "updated_at"), "updated_at"),
        total=total,
        subtotal=_amount(raw, "subtotal_price", currency)
        if raw.get("subtotal_price") is not None
        else total,
        shipping=_shipping(raw, currency),
        taxes=_amount(raw, "total_tax", currency),
        refunded=refund_total(raw.get("refunds"), currency=currency),
        outstanding=_amount(raw, "total_outstanding", currency),
        email=cells.email(
            _text(raw, "email") or _text(raw, "contact_email") or str(customer.get("email") or "")
        ),
        financial_status=cells.text_or_none(_text(raw, "financial_status").lower()),
        fulfillment_status=cells.text_or_none(_text(raw, "fulfillment_status").lower()),
        fulfilled_at=_fulfilled_at(cells.items(raw.get("fulfillments"), "fulfillments")),
        cancelled_at=cells.timestamp(_text(raw, "cancelled_at"), "cancelled_at"),
        delivered_at=_delivered_at(cells.items(raw.get("fulfillments"), "fulfillments")),
        test=bool(raw.get("test")),
        tags=_text(raw, "tags"),
        billing_name=cells.text_or_none(
            _text(cells.mapping(raw.get("billing_address"), "billing_address"), "name")
        ),
        line_items=tuple(_line_items(cells.items(raw.get("line_items"), "line_items"), currency)),
        source_digest=hashlib.blake2b(
            json.dumps(raw, sort_keys=True).encode(), digest_size=16
        ).hexdigest(),
        line=line,
    )


def _text(raw: dict[str, Any], key: str) -> str:
    """A text or a number as text; null is empty; an object or a list is refused."""
    value = raw.get(key)
    if isinstance(value, dict | list):
        raise cells.CellError(key, f"expected text or a number, not {cells.shown(value)}")
    return "" if value is None else str(value)


def _amount(raw: dict[str, Any], key: str, currency: str, *, required: bool = False) -> Decimal:
    return cells.amount(_text(raw, key), key, required=required, currency=currency)


def _whole(raw: dict[str, Any], key: str) -> int | None:
    return cells.whole_number(_text(raw, key), key)


def _required_time(raw: dict[str, Any], key: str) -> Any:
    return cells.timestamp(_text(raw, key), key, required=True)


def _objects(value: object, field: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of a JSON array (null is none), each with its field path."""
    for position, item in enumerate(cells.items(value, field)):
        yield f"{field}[{position}]", cells.mapping(item, f"{field}[{position}]")


def _shipping(raw: dict[str, Any], currency: str) -> Decimal:
    lines = _objects(raw.get("shipping_lines"), "shipping_lines")
    return sum(
        (
            cells.amount(_text(line, "price"), f"{field}.price", currency=currency)
            for field, line in lines
        ),
        Decimal(0),
    )


def refund_total(refunds: object, *, currency: str | None = None) -> Decimal:
    """What the refunds paid back: their successful `refund` transactions."""
    total = Decimal(0)
    for field, refund in _objects(refunds, "refunds"):
        for place, transaction in _objects(refund.get("transactions"), f"{field}.transactions"):
            if transaction.get("kind", "refund") != "refund":
                continue
            if transaction.get("status", "success") != "success":
                continue
            amount = _text(transaction, "amount")
            total += cells.amount(amount, f"{place}.amount", currency=currency)
    return total


def _fulfilled_at(fulfillments: list[Any]) -> Any:
    times = [
        cells.timestamp(_text(item, "created_at"), f"{field}.created_at")
        for field, item in _objects(fulfillments, "fulfillments")
        if item.get("status", "success") == "success"
    ]
    present = [moment for moment in times if moment is not None]
    return min(present) if present else None


def _delivered_at(fulfillments: list[Any]) -> Any:
    """When the last parcel was delivered (the right of withdrawal runs from it), if every
    successful fulfilment's carrier says delivered: its `delivered_at` where the source gives
    one, else the time Shopify recorded the `delivered` status (`updated_at`)."""
    parcels = [
        (field, item)
        for field, item in _objects(fulfillments, "fulfillments")
        if item.get("status", "success") == "success"
    ]
    if not parcels or any(item.get("shipment_status") != "delivered" for _, item in parcels):
        return None
    times = [
        cells.timestamp(
            _text(item, "delivered_at") or _text(item, "updated_at"), f"{field}.delivered_at"
        )
        for field, item in parcels
    ]
    present = [moment for moment in times if moment is not None]
    return max(present) if len(present) == len(parcels) else None


def _allocated(item: dict[str, Any], field: str) -> Decimal:
    """A line's discount from its `discount_allocations`, when it has no `total_discount`."""
    allocations = _objects(item.get("discount_allocations"), f"{field}.discount_allocations")
    return sum(
        (cells.amount(_text(part, "amount"), f"{place}.amount") for place, part in allocations),
        Decimal(0),
    )


def _line_items(items: list[Any], currency: str) -> Iterator[LineItem]:
    for field, item in _objects(items, "line_items"):
        discount = _text(item, "total_discount")
        if item.get("total_discount") is None:
            discount = str(_allocated(item, field))
        quantity = cells.required_whole_number(_text(item, "quantity"), f"{field}.quantity")
        yield LineItem(
            name=_text(item, "name") or _text(item, "title"),
            sku=cells.text_or_none(_text(item, "sku")),
            quantity=quantity,
            unit_price=cells.amount(
                _text(item, "price"), f"{field}.price", required=True, currency=currency
            ),
            discount=cells.amount(discount, f"{field}.total_discount", currency=currency),
            fulfillment_status=cells.text_or_none(_text(item, "fulfillment_status")),
        )
