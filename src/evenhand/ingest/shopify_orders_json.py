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
            record = raw.get("name") if isinstance(raw, dict) else None
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
    name = _text(raw, "name")
    if not name:
        raise cells.CellError("name", "is empty")
    total = cells.amount(_text(raw, "total_price"), "total_price", required=True)
    customer: dict[str, Any] = raw["customer"] if isinstance(raw.get("customer"), dict) else {}
    return Order(
        name=name,
        shopify_id=_whole(raw, "id"),
        currency=_currency(raw),
        created_at=_required_time(raw, "created_at"),
        updated_at=cells.timestamp(_text(raw, "updated_at"), "updated_at"),
        total=total,
        subtotal=cells.amount(_text(raw, "subtotal_price"), "subtotal_price")
        if raw.get("subtotal_price") is not None
        else total,
        shipping=_shipping(raw),
        taxes=cells.amount(_text(raw, "total_tax"), "total_tax"),
        refunded=refund_total(raw.get("refunds") or []),
        outstanding=cells.amount(_text(raw, "total_outstanding"), "total_outstanding"),
        email=cells.email(
            _text(raw, "email") or _text(raw, "contact_email") or str(customer.get("email") or "")
        ),
        financial_status=cells.text_or_none(_text(raw, "financial_status").lower()),
        fulfillment_status=cells.text_or_none(_text(raw, "fulfillment_status").lower()),
        fulfilled_at=_fulfilled_at(raw.get("fulfillments") or []),
        cancelled_at=cells.timestamp(_text(raw, "cancelled_at"), "cancelled_at"),
        test=bool(raw.get("test")),
        tags=_text(raw, "tags"),
        billing_name=cells.text_or_none(str((raw.get("billing_address") or {}).get("name") or "")),
        line_items=tuple(_line_items(raw.get("line_items") or [])),
        source_digest=hashlib.blake2b(
            json.dumps(raw, sort_keys=True).encode(), digest_size=16
        ).hexdigest(),
        line=line,
    )


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    return "" if value is None else str(value)


def _whole(raw: dict[str, Any], key: str) -> int | None:
    return cells.whole_number(_text(raw, key), key)


def _required_time(raw: dict[str, Any], key: str) -> Any:
    return cells.timestamp(_text(raw, key), key, required=True)


def _currency(raw: dict[str, Any]) -> str:
    code = _text(raw, "currency").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise cells.CellError("currency", f"not a currency code: {code!r}")
    return code


def _shipping(raw: dict[str, Any]) -> Decimal:
    lines = raw.get("shipping_lines") or []
    return sum(
        (cells.amount(str(line.get("price") or ""), "shipping_lines.price") for line in lines),
        Decimal(0),
    )


def refund_total(refunds: list[Any]) -> Decimal:
    """What the refunds paid back: their successful `refund` transactions."""
    total = Decimal(0)
    for refund in refunds:
        for transaction in refund.get("transactions") or []:
            if transaction.get("kind", "refund") != "refund":
                continue
            if transaction.get("status", "success") != "success":
                continue
            total += cells.amount(
                str(transaction.get("amount") or ""), "refunds.transactions.amount"
            )
    return total


def _fulfilled_at(fulfillments: list[Any]) -> Any:
    times = [
        cells.timestamp(str(item.get("created_at") or ""), "fulfillments.created_at")
        for item in fulfillments
        if item.get("status", "success") == "success"
    ]
    present = [moment for moment in times if moment is not None]
    return min(present) if present else None


def _line_items(items: list[Any]) -> Iterator[LineItem]:
    for position, item in enumerate(items):
        field = f"line_items[{position}]"
        discount = item.get("total_discount")
        if discount is None:
            discount = sum(
                (
                    Decimal(str(part.get("amount") or 0))
                    for part in item.get("discount_allocations") or []
                ),
                Decimal(0),
            )
        quantity = cells.required_whole_number(str(item.get("quantity", "")), f"{field}.quantity")
        yield LineItem(
            name=str(item.get("name") or item.get("title") or ""),
            sku=cells.text_or_none(str(item.get("sku") or "")),
            quantity=quantity,
            unit_price=cells.amount(str(item.get("price") or ""), f"{field}.price", required=True),
            discount=cells.amount(str(discount), f"{field}.total_discount"),
            fulfillment_status=cells.text_or_none(str(item.get("fulfillment_status") or "")),
        )
