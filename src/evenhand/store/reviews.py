"""Reviews of decisions (approve, override) and the queue the UI lists decisions in."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Exists,
    ScalarSelect,
    Subquery,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)

from evenhand.store.decisions import is_latest_decision, kinds_of
from evenhand.store.executions import ERASED_REPLY
from evenhand.store.tables import (
    audit_events,
    decisions,
    execution_steps,
    executions,
    reviews,
    tickets,
    users,
)
from evenhand.store.ticket_search import search_words, tickets_with_words

QUEUE_FILTERS = ("intent", "remedy", "tier", "dispute", "language")
QUEUE_SORTS = ("newest", "oldest")  # by the time the ticket was received
SNIPPET_LENGTH = 160


@dataclass(frozen=True, slots=True)
class QueueRow:
    decision_id: int
    ticket_key: str
    decided_at: datetime
    received_at: datetime  # the ticket's own time, as the helpdesk gave it
    subject: str | None
    snippet: str  # the message's first characters
    first_name: str | None
    customer_email: str
    ltv_minor: int
    currency: str
    other_open: int  # the customer's other tickets no one has reviewed yet
    order_name: str | None
    language: str
    intent: str
    tier: str
    dispute: str
    remedy: str
    threats: tuple[str, ...]
    overridden_to: str | None
    approved: bool
    step_failed: bool  # a step carrying out the approval failed: not all of it is done


def add_review(connection: Connection, **values: Any) -> int:
    review_id: int = connection.execute(
        insert(reviews).values(**values).returning(reviews.c.id)
    ).scalar_one()
    return review_id


CHOICE_EVENT = "remedy choice"  # what an approved replace_or_refund carries out


def reviews_of(connection: Connection, decision_id: int) -> list[Mapping[str, Any]]:
    """The decision's reviews, oldest first, each with the choice it made (`choice`: for
    a replace_or_refund, else None) and the shop steps its agent did by hand
    (`done_by_hand`), as their audit events recorded them."""
    rows = connection.execute(
        select(reviews, users.c.email.label("by"))
        .join(users, users.c.id == reviews.c.user_id)
        .where(reviews.c.decision_id == decision_id)
        .order_by(reviews.c.id)
    ).mappings()
    choices = _choices(connection, decision_id)
    by_hand = _done_by_hand(connection, decision_id)
    return [
        {**row, "choice": choices.get(row["id"]), "done_by_hand": by_hand.get(row["id"], [])}
        for row in rows
    ]


def _choices(connection: Connection, decision_id: int) -> dict[int, str]:
    events = connection.execute(
        select(audit_events.c.details).where(
            audit_events.c.action == CHOICE_EVENT, audit_events.c.subject == str(decision_id)
        )
    ).scalars()
    return {int(details["review"]): str(details["choice"]) for details in events if details}


REVIEW_EVENTS = ("decision approve", "decision override")


def _done_by_hand(connection: Connection, decision_id: int) -> dict[int, list[str]]:
    """The shop steps each review's agent said they did in Shopify by hand."""
    events = connection.execute(
        select(audit_events.c.details).where(
            audit_events.c.action.in_(REVIEW_EVENTS),
            audit_events.c.subject == str(decision_id),
        )
    ).scalars()
    return {
        int(details["review"]): [str(kind) for kind in details["done_by_hand"]]
        for details in events
        if details and details.get("review") and details.get("done_by_hand")
    }


def queue_rows(
    connection: Connection,
    *,
    filters: Mapping[str, str],
    search: str,
    limit: int,
    before: int | None = None,
    sort: str = "newest",
) -> list[QueueRow]:
    """The latest decision of each ticket, newest (or oldest) received first, narrowed by
    exact-value filters and a search: the ticket's subject, text and sender's name by
    full-text search, the customer's e-mail, the order name and the ticket's id as typed;
    `before` (a decision id) starts the page after that decision's ticket. The page's
    decisions are picked first, on narrow rows; what a row shows (the snippet, the
    customer's other open tickets) is read for those alone."""
    oldest_first = sort == "oldest"
    page = _page_of_decisions(
        filters,
        search=Search(connection.dialect.name, search),
        before=before,
        oldest_first=oldest_first,
        limit=limit,
    )
    order = (
        (page.c.received.asc(), page.c.id.asc())
        if oldest_first
        else (page.c.received.desc(), page.c.id.desc())
    )
    statement = (
        select(*_shown_columns(), _other_open_tickets().label("other_open"))
        .select_from(page)
        .join(decisions, decisions.c.id == page.c.id)
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .outerjoin(reviews, reviews.c.id == last_review())
        .order_by(*order)
    )
    return [_queue_row(row) for row in connection.execute(statement)]


def _shown_columns() -> tuple[ColumnElement[Any], ...]:
    """What a queue row shows of its decision, ticket and last review."""
    return (
        decisions.c.id,
        tickets.c.ticket_key,
        decisions.c.decided_at,
        tickets.c.created_at.label("received_at"),
        tickets.c.subject,
        func.substr(tickets.c.body, 1, SNIPPET_LENGTH).label("snippet"),
        tickets.c.first_name,
        tickets.c.customer_email,
        decisions.c.ltv_minor,
        decisions.c.currency,
        tickets.c.order_name,
        decisions.c.language,
        decisions.c.intent,
        decisions.c.tier,
        decisions.c.dispute,
        decisions.c.remedy,
        decisions.c.threats,
        reviews.c.action,
        reviews.c.remedy.label("review_remedy"),
        _step_failed().label("step_failed"),
    )


def _step_failed() -> Exists:
    """Whether a step carrying out the decision failed (the ticket page says which); a
    reply held back because the customer was erased is not a failure to look at."""
    return exists().where(
        executions.c.decision_id == decisions.c.id,
        execution_steps.c.execution_id == executions.c.id,
        execution_steps.c.state == "failed",
        or_(execution_steps.c.last_error.is_(None), execution_steps.c.last_error != ERASED_REPLY),
    )


def _page_of_decisions(
    filters: Mapping[str, str],
    *,
    search: Search,
    before: int | None,
    oldest_first: bool,
    limit: int,
) -> Subquery:
    """The ids (and received times) of one page of the queue, in its order."""
    received = tickets.c.created_at
    order = (
        (received.asc(), decisions.c.id.asc())
        if oldest_first
        else (
            received.desc(),
            decisions.c.id.desc(),
        )
    )
    return (
        select(decisions.c.id.label("id"), received.label("received"))
        .join(tickets, tickets.c.id == decisions.c.ticket_id)
        .outerjoin(reviews, reviews.c.id == last_review())
        .where(is_latest_decision())
        .where(*_narrowed(filters, search=search, before=before, oldest_first=oldest_first))
        .order_by(*order)
        .limit(limit)
        .subquery("page")
    )


def last_review() -> ScalarSelect[Any]:
    earlier = reviews.alias("earlier")
    return (
        select(func.max(earlier.c.id))
        .where(earlier.c.decision_id == decisions.c.id)
        .correlate(decisions)
        .scalar_subquery()
    )


def _other_open_tickets() -> ScalarSelect[Any]:
    """How many other tickets of the same customer no one has reviewed a decision of."""
    other = tickets.alias("other_ticket")
    reviewed = (
        select(reviews.c.id)
        .join(decisions, decisions.c.id == reviews.c.decision_id)
        .where(decisions.c.ticket_id == other.c.id)
    )
    return (
        select(func.count())
        .select_from(other)
        .where(
            other.c.customer_email == tickets.c.customer_email,
            other.c.id != tickets.c.id,
            ~exists(reviewed),
        )
        .correlate(tickets)
        .scalar_subquery()
    )


def _narrowed(
    filters: Mapping[str, str], *, search: Search, before: int | None, oldest_first: bool = False
) -> list[ColumnElement[bool]]:
    """The conditions of the filters, the search and the page."""
    conditions = [decisions.c[name] == filters[name] for name in QUEUE_FILTERS if filters.get(name)]
    conditions += _threat_and_review_filters(filters)
    if before is not None:
        conditions.append(_listed_after(before, oldest_first=oldest_first))
    if search.text.strip():
        conditions.append(search.condition())
    return conditions


@dataclass(frozen=True, slots=True)
class Search:
    """What an agent typed in the queue's search, on a backend."""

    dialect: str
    text: str

    def condition(self) -> ColumnElement[bool]:
        """A ticket whose subject, text or sender's first name holds each word (full-text,
        word starts), or whose customer's e-mail, order name or id holds the text as typed."""
        term = _CONTROL.sub("", self.text).strip().lower()
        return or_(
            tickets_with_words(self.dialect, search_words(term)),
            _identifiers().contains(term, autoescape=True),
        )


_CONTROL = re.compile(r"[\x00-\x1f]")  # never typed; one is the separator below


def _identifiers() -> ColumnElement[str]:
    """The ticket's e-mail, order name and id in one lower-cased text, apart by a control
    character no search holds: one `LIKE` a row instead of three (the search's cost at
    50,000 tickets), and no match across two of them."""
    apart = literal("\x1f")
    joined = (
        func.coalesce(tickets.c.customer_email, "")
        + apart
        + func.coalesce(tickets.c.order_name, "")
        + apart
        + tickets.c.ticket_key
    )
    return func.lower(joined)


def _queue_row(row: Any) -> QueueRow:
    return QueueRow(
        decision_id=row.id,
        ticket_key=row.ticket_key,
        decided_at=row.decided_at,
        received_at=row.received_at,
        subject=row.subject,
        snippet=" ".join(row.snippet.split()),
        first_name=row.first_name,
        customer_email=row.customer_email,
        ltv_minor=row.ltv_minor,
        currency=row.currency,
        other_open=row.other_open,
        order_name=row.order_name,
        language=row.language,
        intent=row.intent,
        tier=row.tier,
        dispute=row.dispute,
        remedy=row.remedy,
        threats=kinds_of(row.threats),
        overridden_to=row.review_remedy if row.action == "override" else None,
        approved=row.action == "approve",
        step_failed=bool(row.step_failed),
    )


def _listed_after(decision_id: int, *, oldest_first: bool) -> ColumnElement[bool]:
    """Decisions listed after this one: their tickets received earlier (later, oldest
    first), or at the same time with a lower (higher) decision id."""
    then = (
        select(tickets.c.created_at)
        .join(decisions, decisions.c.ticket_id == tickets.c.id)
        .where(decisions.c.id == decision_id)
        .scalar_subquery()
    )
    if oldest_first:
        return or_(
            tickets.c.created_at > then,
            and_(tickets.c.created_at == then, decisions.c.id > decision_id),
        )
    return or_(
        tickets.c.created_at < then,
        and_(tickets.c.created_at == then, decisions.c.id < decision_id),
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
