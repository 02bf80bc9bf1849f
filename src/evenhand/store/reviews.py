"""Reviews of decisions (approve, override) and the queue the UI lists decisions in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, literal, or_, select

from evenhand.store.decisions import is_latest_decision, kinds_of
from evenhand.store.tables import decisions, reviews, tickets, users

QUEUE_FILTERS = ("intent", "remedy", "tier", "dispute", "language")


@dataclass(frozen=True, slots=True)
class QueueRow:
    decision_id: int
    ticket_key: str
    decided_at: datetime
    customer_email: str
    order_name: str | None
    language: str
    intent: str
    tier: str
    dispute: str
    remedy: str
    threats: tuple[str, ...]
    overridden_to: str | None
    approved: bool


def add_review(connection: Connection, **values: Any) -> int:
    review_id: int = connection.execute(
        insert(reviews).values(**values).returning(reviews.c.id)
    ).scalar_one()
    return review_id


def reviews_of(connection: Connection, decision_id: int) -> list[Mapping[str, Any]]:
    rows = connection.execute(
        select(reviews, users.c.email.label("by"))
        .join(users, users.c.id == reviews.c.user_id)
        .where(reviews.c.decision_id == decision_id)
        .order_by(reviews.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def queue_rows(
    connection: Connection,
    *,
    filters: Mapping[str, str],
    search: str,
    limit: int,
    before: int | None = None,
) -> list[QueueRow]:
    """The latest decision of each ticket, newest first, narrowed by exact-value filters and
    a search in the customer's e-mail and the order name; `before` (a decision id) starts
    the page after that decision."""
    earlier = reviews.alias("earlier")
    last_review = (
        select(func.max(earlier.c.id))
        .where(earlier.c.decision_id == decisions.c.id)
        .correlate(decisions)
        .scalar_subquery()
    )
    statement = (
        select(
            decisions.c.id,
            tickets.c.ticket_key,
            decisions.c.decided_at,
            tickets.c.customer_email,
            tickets.c.order_name,
            decisions.c.language,
            decisions.c.intent,
            decisions.c.tier,
            decisions.c.dispute,
            decisions.c.remedy,
            decisions.c.threats,
            reviews.c.action,
            reviews.c.remedy.label("review_remedy"),
        )
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .outerjoin(reviews, reviews.c.id == last_review)
        .where(is_latest_decision())
        .order_by(decisions.c.decided_at.desc(), decisions.c.id.desc())
        .where(*_narrowed(filters, search=search, before=before))
        .limit(limit)
    )
    return [_queue_row(row) for row in connection.execute(statement)]


def _narrowed(
    filters: Mapping[str, str], *, search: str, before: int | None
) -> list[ColumnElement[bool]]:
    """The conditions of the filters, the search and the page."""
    conditions = [decisions.c[name] == filters[name] for name in QUEUE_FILTERS if filters.get(name)]
    conditions += _threat_and_review_filters(filters)
    if before is not None:
        conditions.append(_older_than(before))
    if term := search.strip().lower():
        conditions.append(
            or_(
                func.lower(tickets.c.customer_email).contains(term, autoescape=True),
                func.lower(tickets.c.order_name).contains(term, autoescape=True),
            )
        )
    return conditions


def _queue_row(row: Any) -> QueueRow:
    return QueueRow(
        decision_id=row.id,
        ticket_key=row.ticket_key,
        decided_at=row.decided_at,
        customer_email=row.customer_email,
        order_name=row.order_name,
        language=row.language,
        intent=row.intent,
        tier=row.tier,
        dispute=row.dispute,
        remedy=row.remedy,
        threats=kinds_of(row.threats),
        overridden_to=row.review_remedy if row.action == "override" else None,
        approved=row.action == "approve",
    )


def _older_than(decision_id: int) -> ColumnElement[bool]:
    """Decisions listed after this one: decided earlier, or at the same time with a lower id."""
    then = select(decisions.c.decided_at).where(decisions.c.id == decision_id).scalar_subquery()
    return or_(
        decisions.c.decided_at < then,
        and_(decisions.c.decided_at == then, decisions.c.id < decision_id),
    )


def _threat_and_review_filters(filters: Mapping[str, str]) -> list[ColumnElement[bool]]:
    """The filters on threats ("any", "none" or one kind), on overrides and on whether
    anyone has reviewed the decision yet ("yes", "no": by its last review)."""
    conditions: list[ColumnElement[bool]] = []
    threat = filters.get("threat")
    if threat == "any":
        conditions.append(decisions.c.threats != "")
    elif threat == "none":
        conditions.append(decisions.c.threats == "")
    elif threat:
        listed = literal(",") + decisions.c.threats + literal(",")
        conditions.append(listed.contains(f",{threat},", autoescape=True))
    overridden = filters.get("overridden")
    if overridden == "yes":
        conditions.append(reviews.c.action == "override")
    elif overridden == "no":
        conditions.append(or_(reviews.c.action.is_(None), reviews.c.action != "override"))
    reviewed = filters.get("reviewed")
    if reviewed == "yes":
        conditions.append(reviews.c.action.is_not(None))
    elif reviewed == "no":
        conditions.append(reviews.c.action.is_(None))
    return conditions
