"""Customers: matched by e-mail address (lower-case), created on first sight."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, select, update

from evenhand.domain.models import Customer
from evenhand.domain.money import to_minor
from evenhand.store.statements import bulk_insert, chunked
from evenhand.store.tables import customer_values, customers


def ids_by_email(connection: Connection, emails: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for part in chunked(emails):
        rows = connection.execute(
            select(customers.c.email, customers.c.id).where(customers.c.email.in_(part))
        )
        found.update({email: customer_id for email, customer_id in rows})
    return found


def ensure_customers(
    connection: Connection, names_by_email: Mapping[str, str | None]
) -> tuple[dict[str, int], set[int]]:
    """Ids for every address, creating the unknown ones (named after a billing name if any).

    Returns the ids by address and the set of ids just created.
    """
    emails = sorted(names_by_email)
    known = ids_by_email(connection, emails)
    missing = [email for email in emails if email not in known]
    if not missing:
        return known, set()
    rows = [_new_customer_row(email, names_by_email[email]) for email in missing]
    bulk_insert(connection, customers, columns=_NEW_CUSTOMER_COLUMNS, rows=rows)
    created = ids_by_email(connection, missing)
    return known | created, set(created.values())


_NEW_CUSTOMER_COLUMNS = ("email", "first_name", "last_name", "tags")


def _new_customer_row(email: str, full_name: str | None) -> tuple[str, str | None, str | None, str]:
    """A customer seen first on an order: named after its billing name (first word, rest)."""
    first, _, last = (full_name or "").strip().partition(" ")
    return (email, first or None, last.strip() or None, "")


def upsert_customers(
    connection: Connection, records: Iterable[Customer], *, currency: str | None
) -> tuple[list[int], list[int]]:
    """Insert or update customers from the customers export; returns (created, updated) ids."""
    by_email = {customer.email: customer for customer in records}
    known = ids_by_email(connection, sorted(by_email))
    fresh = [_customer_row(c, currency) for email, c in by_email.items() if email not in known]
    if fresh:
        connection.execute(insert(customers), fresh)
    changed = [
        {**_customer_row(c, currency), "b_id": known[email]}
        for email, c in by_email.items()
        if email in known
    ]
    if changed:
        values: dict[str, Any] = {
            key: bindparam(key) for key in changed[0] if key not in {"b_id", "email"}
        }
        statement = update(customers).where(customers.c.id == bindparam("b_id")).values(values)
        connection.execute(statement, changed)
    created = ids_by_email(connection, [c["email"] for c in fresh]) if fresh else {}
    return sorted(created.values()), sorted(known.values())


def _customer_row(customer: Customer, currency: str | None) -> dict[str, Any]:
    spent = customer.shopify_total_spent
    return {
        "email": customer.email,
        "shopify_id": customer.shopify_id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "accepts_email_marketing": customer.accepts_email_marketing,
        "tags": ", ".join(customer.tags),
        "note": customer.note,
        "shopify_total_spent_minor": None
        if spent is None or currency is None
        else to_minor(spent, currency),
        "shopify_total_orders": customer.shopify_total_orders,
    }


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """A customer with their stored value figures (minor units)."""

    id: int
    email: str
    first_name: str | None
    last_name: str | None
    shopify_id: int | None
    tags: str
    orders: int
    gross_minor: int
    refunds_minor: int
    margin_minor: int
    first_order_at: datetime | None
    last_order_at: datetime | None
    open_disputes: int

    @classmethod
    def of(cls, row: RowMapping) -> CustomerRow:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


def _with_values() -> Any:
    value = customer_values.c
    return select(
        customers.c.id,
        customers.c.email,
        customers.c.first_name,
        customers.c.last_name,
        customers.c.shopify_id,
        customers.c.tags,
        value.orders,
        value.gross_minor,
        value.refunds_minor,
        value.margin_minor,
        value.first_order_at,
        value.last_order_at,
        value.open_disputes,
    ).join(customer_values, customer_values.c.customer_id == customers.c.id)


def find_customer(connection: Connection, email: str) -> CustomerRow | None:
    row = (
        connection.execute(_with_values().where(customers.c.email == email.strip().lower()))
        .mappings()
        .first()
    )
    return None if row is None else CustomerRow.of(row)


def top_customers(connection: Connection, *, limit: int, by_margin: bool) -> list[CustomerRow]:
    value = customer_values.c
    key = value.margin_minor if by_margin else value.gross_minor - value.refunds_minor
    statement = _with_values().order_by(key.desc(), customers.c.email).limit(limit)
    return [CustomerRow.of(row) for row in connection.execute(statement).mappings()]


def count_customers(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(customers)).scalar() or 0)
