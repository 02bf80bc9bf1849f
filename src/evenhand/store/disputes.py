"""Payment disputes: saved by (provider, id), linked to their order when it is known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, bindparam, func, insert, select, update

from evenhand.domain.models import OPEN_DISPUTE_STATUSES, Dispute
from evenhand.domain.money import to_minor
from evenhand.store.statements import chunked
from evenhand.store.tables import disputes, orders, payment_references


@dataclass(slots=True)
class SavedDisputes:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0


@dataclass(frozen=True, slots=True)
class DisputeRow:
    provider: str
    external_id: str
    status: str
    kind: str | None
    reason: str | None
    amount_minor: int
    currency: str
    order_name: str | None
    evidence_due_by: datetime | None
    link_hint: str

    @classmethod
    def of(cls, row: RowMapping) -> DisputeRow:
        hint = " ".join(
            str(part)
            for part in (
                row["link_order_shopify_id"],
                row["link_order_name"],
                row["link_payment_references"],
            )
            if part
        )
        return cls(
            provider=row["provider"],
            external_id=row["external_id"],
            status=row["status"],
            kind=row["kind"],
            reason=row["reason"],
            amount_minor=row["amount_minor"],
            currency=row["currency"],
            order_name=row["name"],
            evidence_due_by=row["evidence_due_by"],
            link_hint=hint,
        )


def _row(dispute: Dispute) -> dict[str, Any]:
    return {
        "provider": dispute.provider.value,
        "external_id": dispute.external_id,
        "status": dispute.status,
        "kind": dispute.kind,
        "reason": dispute.reason,
        "network_reason_code": dispute.network_reason_code,
        "amount_minor": to_minor(dispute.amount, dispute.currency),
        "currency": dispute.currency,
        "initiated_at": dispute.initiated_at,
        "evidence_due_by": dispute.evidence_due_by,
        "observed_at": dispute.observed_at,
        "link_order_shopify_id": dispute.order_shopify_id,
        "link_order_name": dispute.order_name,
        "link_payment_references": " ".join(dispute.payment_references),
    }


def save_disputes(connection: Connection, batch: Sequence[Dispute]) -> SavedDisputes:
    """Insert new disputes and update changed ones; the newest state of each wins."""
    result = SavedDisputes()
    for dispute in _newest_per_dispute(batch):
        row = _row(dispute)
        stored = (
            connection.execute(
                select(disputes).where(
                    disputes.c.provider == row["provider"],
                    disputes.c.external_id == row["external_id"],
                )
            )
            .mappings()
            .first()
        )
        if stored is None:
            connection.execute(insert(disputes).values(row))
            result.created += 1
        elif all(stored[key] == value for key, value in row.items()):
            result.unchanged += 1
        elif _stale(dispute, stored["observed_at"]):
            result.stale += 1
        else:
            connection.execute(update(disputes).where(disputes.c.id == stored["id"]).values(row))
            result.updated += 1
    return result


def _newest_per_dispute(batch: Sequence[Dispute]) -> list[Dispute]:
    newest: dict[tuple[str, str], Dispute] = {}
    for dispute in batch:
        key = (dispute.provider.value, dispute.external_id)
        before = newest.get(key)
        if before is None or not _stale(dispute, before.observed_at):
            newest[key] = dispute
    return list(newest.values())


def _stale(dispute: Dispute, stored_observed_at: datetime | None) -> bool:
    return (
        dispute.observed_at is not None
        and stored_observed_at is not None
        and dispute.observed_at < stored_observed_at
    )


def link_disputes(connection: Connection) -> int:
    """Link every unlinked dispute whose order is now known; returns how many were linked."""
    unlinked = connection.execute(
        select(
            disputes.c.id,
            disputes.c.link_order_shopify_id,
            disputes.c.link_order_name,
            disputes.c.link_payment_references,
        ).where(disputes.c.order_id.is_(None))
    ).all()
    links = []
    for dispute_id, shopify_id, name, references in unlinked:
        order_id = _find_order(connection, shopify_id, name=name, references=references.split())
        if order_id is not None:
            links.append({"b_id": dispute_id, "order_id": order_id})
    if links:
        connection.execute(
            update(disputes)
            .where(disputes.c.id == bindparam("b_id"))
            .values(order_id=bindparam("order_id")),
            links,
        )
    return len(links)


def _find_order(
    connection: Connection, shopify_id: int | None, *, name: str | None, references: list[str]
) -> int | None:
    """The dispute's order: by Shopify order id, else order name, else payment reference."""
    lookups: list[Select[int]] = []
    if shopify_id is not None:
        lookups.append(select(orders.c.id).where(orders.c.shopify_id == shopify_id))
    if name:
        lookups.append(select(orders.c.id).where(orders.c.name == name))
    if references:
        by_reference = payment_references.c.reference.in_(references)
        lookups.append(select(payment_references.c.order_id).where(by_reference).limit(1))
    for lookup in lookups:
        order_id: int | None = connection.execute(lookup).scalar()
        if order_id is not None:
            return order_id
    return None


def customers_with_disputes(connection: Connection) -> set[int]:
    statement = (
        select(orders.c.customer_id)
        .distinct()
        .join(disputes, disputes.c.order_id == orders.c.id)
        .where(orders.c.customer_id.is_not(None))
    )
    return {customer_id for customer_id in connection.execute(statement).scalars()}


def _listing() -> Any:
    return select(disputes, orders.c.name).outerjoin(orders, orders.c.id == disputes.c.order_id)


def disputes_of_customer(connection: Connection, customer_id: int) -> list[DisputeRow]:
    statement = _listing().where(orders.c.customer_id == customer_id).order_by(disputes.c.id)
    return [DisputeRow.of(row) for row in connection.execute(statement).mappings()]


def unlinked_disputes(connection: Connection) -> list[DisputeRow]:
    statement = _listing().where(disputes.c.order_id.is_(None)).order_by(disputes.c.id)
    return [DisputeRow.of(row) for row in connection.execute(statement).mappings()]


def count_open_disputes(connection: Connection) -> int:
    """Disputes the bank has not closed yet (any order, linked or not)."""
    counted = select(func.count()).select_from(disputes)
    return int(
        connection.execute(
            counted.where(disputes.c.status.in_(sorted(OPEN_DISPUTE_STATUSES)))
        ).scalar_one()
    )


def open_disputed_orders(
    connection: Connection, customer_ids: Sequence[int]
) -> dict[int, frozenset[str]]:
    """The names of each customer's orders with a dispute the bank has not closed."""
    found: dict[int, set[str]] = {}
    for part in chunked(sorted(set(customer_ids))):
        statement = (
            select(orders.c.customer_id, orders.c.name)
            .select_from(disputes.join(orders, orders.c.id == disputes.c.order_id))
            .where(orders.c.customer_id.in_(part))
            .where(disputes.c.status.in_(sorted(OPEN_DISPUTE_STATUSES)))
        )
        for customer_id, name in connection.execute(statement):
            found.setdefault(customer_id, set()).add(name)
    return {customer_id: frozenset(names) for customer_id, names in found.items()}
