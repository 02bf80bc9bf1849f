"""Erasing a person's personal data (Shopify's customers/redact), and what is held on them
(customers/data_request). The whole shop's erasure (shop/redact) is in `privacy_shop`.

A person is whoever a request names: their customer row (by e-mail address or Shopify id)
or, with no row, the tickets sent from the address and the orders the request lists. What
stays is anonymous: the customer row keeps its figures under a placeholder address, orders
keep their amounts, tickets and decisions their intent, remedy, tier and tags, reviews
their action and remedy. What goes:

- customers: the address (a placeholder), names, phone, note, tags;
- orders: the address and billing name (their orders, and those the request lists);
- tickets: the address (the same placeholder), first name, subject, text;
- decisions: reply drafts, explanations, the customer's words decided on, evidence sentences;
- reviews: override reasons and edited replies, and the reasons in their audit events;
- intent corrections: their notes (and the notes in their audit events);
- write-backs still owed for their decisions: cancelled (the note would carry nothing);
- executions of their decisions: the reply emptied, a reply not yet sent not sent;
- inbox: every raw delivery naming them (e-mail, full name or phone) or that brought one
  of their tickets or public reviews is replaced; their traces in failures and outcomes
  (an earlier data request's) are replaced by the placeholder or "[redacted]";
- mentions of them by e-mail, full name or phone anywhere else (another customer's
  message, a note, an audit event): replaced by "[redacted]".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    or_,
    select,
    true,
    update,
)

from evenhand.store.executions import erase_executions
from evenhand.store.scrubbing import may_hold, scrub_table
from evenhand.store.statements import chunked
from evenhand.store.tables import (
    audit_events,
    customers,
    decisions,
    dispute_evidence,
    disputes,
    inbox,
    intent_corrections,
    orders,
    public_reviews,
    review_posts,
    reviews,
    tickets,
    writebacks,
)
from evenhand.store.ticket_search import compact_search
from evenhand.store.traces import Traces
from evenhand.store.writebacks import WritebackStatus

REDACTED_BODY = '{"redacted": true}'
NOBODY = "redacted@redacted.invalid"  # the placeholder of a person nothing was stored on
WRITEBACK_CANCELLED = "not sent: the customer's personal data was erased"
REVIEW_ACTIONS = ("decision approve", "decision override", "decision intent")

# Free text that may mention anyone: searched for the person's traces (tickets, decisions
# and reviews of their own are emptied whole before). A decision's reply draft and
# explanation come from the guide's templates, the facts and the sender's first name only.
MENTIONS: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (customers, ("note",)),
    (tickets, ("subject", "body")),
    (decisions, ("signals", "message_body")),
    (reviews, ("reason", "reply_text")),
    (intent_corrections, ("note",)),
    (audit_events, ("subject", "details")),
    (writebacks, ("last_error",)),
)


def placeholder_email(customer_id: int) -> str:
    return f"redacted-{customer_id}@redacted.invalid"


def ticket_placeholder(ticket_id: int) -> str:
    """The placeholder of a person known only from tickets: named after their first one."""
    return f"redacted-ticket-{ticket_id}@redacted.invalid"


@dataclass(frozen=True, slots=True)
class Named:
    """Whom a privacy request names, and how."""

    email: str | None
    shopify_id: int | None = None
    phone: str | None = None
    order_ids: tuple[int, ...] = ()  # Shopify ids of the orders to redact (or asked about)


@dataclass(frozen=True, slots=True)
class Person:
    customer_id: int | None
    email: str | None
    placeholder: str
    ticket_ids: tuple[int, ...]
    order_ids: tuple[int, ...]
    traces: Traces

    @property
    def known(self) -> bool:
        return self.customer_id is not None or bool(self.ticket_ids or self.order_ids)


def people_named(connection: Connection, named: Named) -> list[Person]:
    """The customers the request names, or else the person behind its address's tickets
    (known or not: a request's own traces are erased even when nothing else is held)."""
    conditions = []
    if named.email:
        conditions.append(customers.c.email == named.email.strip().lower())
    if named.shopify_id is not None:
        conditions.append(customers.c.shopify_id == named.shopify_id)
    rows = (
        connection.execute(
            select(
                customers.c.id,
                customers.c.email,
                customers.c.first_name,
                customers.c.last_name,
                customers.c.phone,
            ).where(or_(*conditions))
        ).all()
        if conditions
        else []
    )
    if not rows:
        return [_person(connection, None, named, emails=[named.email], names=[], phones=[])]
    return [
        _person(
            connection,
            row.id,
            named,
            emails=[row.email, named.email],
            names=[f"{row.first_name or ''} {row.last_name or ''}"],
            phones=[row.phone],
        )
        for row in rows
    ]


def _person(
    connection: Connection,
    customer_id: int | None,
    named: Named,
    *,
    emails: Iterable[str | None],
    names: Iterable[str | None],
    phones: Iterable[str | None],
) -> Person:
    addresses = sorted({e.strip().lower() for e in emails if e and e.strip()})
    ticket_ids = _their_tickets(connection, customer_id, addresses)
    order_rows = _their_orders(connection, customer_id, addresses, named.order_ids)
    if customer_id is not None:
        placeholder = placeholder_email(customer_id)
    else:
        placeholder = ticket_placeholder(ticket_ids[0]) if ticket_ids else NOBODY
    traces = Traces.of(
        emails=addresses,
        names=[*names, *(billing_name for _, billing_name in order_rows)],
        phones=[*phones, named.phone],
    )
    return Person(
        customer_id=customer_id,
        email=addresses[0] if addresses else None,
        placeholder=placeholder,
        ticket_ids=ticket_ids,
        order_ids=tuple(order_id for order_id, _ in order_rows),
        traces=traces,
    )


def _their_tickets(
    connection: Connection, customer_id: int | None, emails: Sequence[str]
) -> tuple[int, ...]:
    conditions: list[ColumnElement[bool]] = [tickets.c.customer_email.in_(emails)]
    if customer_id is not None:
        conditions.append(tickets.c.customer_id == customer_id)
    found = connection.execute(select(tickets.c.id).where(or_(*conditions)).order_by(tickets.c.id))
    return tuple(ticket_id for (ticket_id,) in found)


def _their_orders(
    connection: Connection,
    customer_id: int | None,
    emails: Sequence[str],
    shopify_ids: Sequence[int],
) -> list[tuple[int, str | None]]:
    conditions: list[ColumnElement[bool]] = [
        orders.c.email.in_(emails),
        orders.c.shopify_id.in_(shopify_ids),
    ]
    if customer_id is not None:
        conditions.append(orders.c.customer_id == customer_id)
    found = connection.execute(
        select(orders.c.id, orders.c.billing_name).where(or_(*conditions)).order_by(orders.c.id)
    )
    return [(order_id, billing_name) for order_id, billing_name in found]


def redact_people(connection: Connection, people: Sequence[Person]) -> dict[str, int]:
    """Erase these people's personal data; returns how many rows of each kind changed."""
    counts: Counter[str] = Counter()
    for person in people:
        counts.update(_redact(connection, person))
    if counts["tickets"] or counts["mentions"]:
        compact_search(connection)  # no erased word left in the full-text index
    return dict(counts)


def _redact(connection: Connection, person: Person) -> dict[str, int]:
    decision_ids = _decisions_of(connection, person.ticket_ids)
    reviews = _review_keys_of(connection, person)  # before their reviews are deleted
    return {
        "customers": _erase_customer(connection, person),
        "orders": _erase_orders(connection, person.order_ids),
        "tickets": _erase_tickets(connection, person),
        "decisions": erase_decisions(connection, decision_ids),
        "reviews": _erase_reviews(connection, decision_ids),
        "intent_corrections": _erase_correction_notes(connection, decision_ids),
        "audit_events": erase_review_events(connection, decision_ids),
        "writebacks": cancel_writebacks(connection, decision_ids),
        "executions": erase_executions(connection, decision_ids),
        "deliveries": _erase_deliveries(connection, person, set(decision_ids), reviews),
        "mentions": _scrub_mentions(connection, person),
        "dispute_evidence": _erase_evidence(connection, person.order_ids),
        "public_reviews": _erase_reviews_by(connection, person),
    }


def _erase_customer(connection: Connection, person: Person) -> int:
    if person.customer_id is None:
        return 0
    return connection.execute(
        update(customers)
        .where(customers.c.id == person.customer_id)
        .values(
            email=person.placeholder,
            first_name=None,
            last_name=None,
            phone=None,
            note=None,
            tags="",
        )
    ).rowcount


def _erase_orders(connection: Connection, order_ids: Sequence[int]) -> int:
    return sum(
        connection.execute(
            update(orders).where(orders.c.id.in_(part)).values(email=None, billing_name=None)
        ).rowcount
        for part in chunked(order_ids)
    )


def _erase_evidence(connection: Connection, order_ids: Sequence[int]) -> int:
    """The agent's text in the evidence of their orders' disputes (it names them)."""
    theirs = select(disputes.c.id).where(disputes.c.order_id.in_(order_ids))
    return connection.execute(
        update(dispute_evidence).where(dispute_evidence.c.dispute_id.in_(theirs)).values(fields={})
    ).rowcount


def _reviews_by(person: Person) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if person.customer_id is not None:
        conditions.append(public_reviews.c.customer_id == person.customer_id)
    if person.email:
        conditions.append(public_reviews.c.reviewer_email == person.email)
    return conditions


def _review_keys_of(connection: Connection, person: Person) -> set[str]:
    """Their public reviews as a delivery's outcome names them: `platform:external_id`."""
    conditions = _reviews_by(person)
    if not conditions:
        return set()
    rows = connection.execute(
        select(public_reviews.c.platform, public_reviews.c.external_id).where(or_(*conditions))
    )
    return {f"{platform}:{external_id}" for platform, external_id in rows}


def _erase_reviews_by(connection: Connection, person: Person) -> int:
    """Their public reviews as Evenhand copied them (the platform keeps its own)."""
    conditions = _reviews_by(person)
    if not conditions:
        return 0
    theirs = select(public_reviews.c.id).where(or_(*conditions))
    connection.execute(delete(review_posts).where(review_posts.c.review_id.in_(theirs)))
    return connection.execute(delete(public_reviews).where(or_(*conditions))).rowcount


def _erase_tickets(connection: Connection, person: Person) -> int:
    return sum(
        connection.execute(
            update(tickets)
            .where(tickets.c.id.in_(part))
            .values(customer_email=person.placeholder, first_name=None, subject=None, body="")
        ).rowcount
        for part in chunked(person.ticket_ids)
    )


def _decisions_of(connection: Connection, ticket_ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for part in chunked(ticket_ids):
        rows = connection.execute(select(decisions.c.id).where(decisions.c.ticket_id.in_(part)))
        found.extend(decision_id for (decision_id,) in rows)
    return found


def erase_decisions(connection: Connection, decision_ids: Sequence[int] | None) -> int:
    """Reply drafts, explanations, the words decided on and evidence sentences emptied (all,
    given None)."""
    changed = 0
    for part in [None] if decision_ids is None else chunked(decision_ids):
        chosen = true() if part is None else decisions.c.id.in_(part)
        changed += connection.execute(
            update(decisions).where(chosen).values(reply_text="", explanation="", message_body="")
        ).rowcount
        with_signals = connection.execute(
            select(decisions.c.id, decisions.c.signals).where(
                chosen, cast(decisions.c.signals, Text) != "[]"
            )
        ).all()
        if with_signals:
            connection.execute(
                update(decisions)
                .where(decisions.c.id == bindparam("b_id"))
                .values(signals=bindparam("b_signals")),
                [{"b_id": id_, "b_signals": _without_evidence(s)} for id_, s in with_signals],
            )
    return changed


def _without_evidence(signals: Any) -> list[dict[str, Any]]:
    return [{"kind": each.get("kind"), "evidence": ""} for each in signals or []]


def _erase_reviews(connection: Connection, decision_ids: Sequence[int]) -> int:
    return sum(
        connection.execute(
            update(reviews)
            .where(reviews.c.decision_id.in_(part))
            .values(reason=None, reply_text=None)
        ).rowcount
        for part in chunked(decision_ids)
    )


def _erase_correction_notes(connection: Connection, decision_ids: Sequence[int]) -> int:
    return sum(
        connection.execute(
            update(intent_corrections)
            .where(intent_corrections.c.decision_id.in_(part))
            .values(note=None)
        ).rowcount
        for part in chunked(decision_ids)
    )


def erase_review_events(connection: Connection, decision_ids: Sequence[int] | None) -> int:
    """The reasons in the audit events of reviews (of these decisions; all, given None)."""
    query = select(audit_events.c.id, audit_events.c.details).where(
        audit_events.c.action.in_(REVIEW_ACTIONS)
    )
    subjects = [None] if decision_ids is None else chunked([str(each) for each in decision_ids])
    changed = [
        {"b_id": event_id, "b_details": {**details, "reason": None}}
        for part in subjects
        for event_id, details in connection.execute(
            query if part is None else query.where(audit_events.c.subject.in_(part))
        )
        if details.get("reason") is not None
    ]
    if changed:
        connection.execute(
            update(audit_events)
            .where(audit_events.c.id == bindparam("b_id"))
            .values(details=bindparam("b_details")),
            changed,
        )
    return len(changed)


def cancel_writebacks(connection: Connection, decision_ids: Sequence[int] | None) -> int:
    """Write-backs still owed for these decisions (all, given None), or failed (which `inbox
    retry` would send again, with the erased words gone from the note), are not sent."""
    unsent = [WritebackStatus.PENDING.value, WritebackStatus.FAILED.value]
    statement = (
        update(writebacks)
        .where(writebacks.c.status.in_(unsent))
        .values(status=WritebackStatus.CANCELLED.value, last_error=WRITEBACK_CANCELLED)
    )
    if decision_ids is None:
        return connection.execute(statement).rowcount
    return sum(
        connection.execute(statement.where(writebacks.c.decision_id.in_(part))).rowcount
        for part in chunked(decision_ids)
    )


def _erase_deliveries(
    connection: Connection, person: Person, decision_ids: set[int], reviews: set[str]
) -> int:
    """Raw bodies that name the person or brought their tickets (an event that names its
    requester by id only) or their public reviews (a review names its reviewer as the
    platform shows them, or by order), and their traces in failures and outcomes."""
    traces, placeholder = person.traces, person.placeholder
    if not (traces or decision_ids or reviews):
        return 0

    def rewrite(row: dict[str, Any]) -> dict[str, Any]:
        body, outcome = row["body"], row["outcome"]
        brought = isinstance(outcome, dict) and outcome.get("decision_id") in decision_ids
        listed = outcome.get("reviews") if isinstance(outcome, dict) else None
        if isinstance(listed, list) and reviews.intersection(map(str, listed)):
            brought, outcome = True, {k: v for k, v in outcome.items() if k != "reviews"}
        if body != REDACTED_BODY and (brought or traces.found_in_body(body)):
            body = REDACTED_BODY
        return {
            "body": body,
            "outcome": traces.scrub_json(outcome, email_placeholder=placeholder),
            "error": traces.scrub(row["error"]) if row["error"] else row["error"],
        }

    a_ticket = cast(inbox.c.outcome, Text).contains('"decision_id"')  # cheaper than JSON
    brought_theirs = [
        and_(a_ticket, inbox.c.outcome["decision_id"].as_integer().in_(part))
        for part in chunked(sorted(decision_ids))
    ]
    outcome_text = cast(inbox.c.outcome, Text)
    brought_reviews = [outcome_text.contains(f'"{key}"') for key in sorted(reviews)]
    candidates = or_(
        *brought_theirs,
        *brought_reviews,
        *(
            may_hold(inbox.c[name], traces, phones=name != "outcome")
            for name in ("body", "outcome", "error")
            if traces
        ),
    )
    changed = scrub_table(
        connection, inbox, ("body", "outcome", "error"), rewrite, where=candidates
    )
    # A redacted body's hash (kept to match replays) goes with it: no fingerprint is left.
    connection.execute(
        update(inbox)
        .where(inbox.c.body == REDACTED_BODY, inbox.c.body_sha256.is_not(None))
        .values(body_sha256=None)
    )
    return changed


def _scrub_mentions(connection: Connection, person: Person) -> int:
    if not person.traces:
        return 0
    rewrite = _scrubber(person.traces, person.placeholder)
    return sum(
        scrub_table(
            connection,
            table,
            names,
            rewrite,
            where=or_(*(may_hold(table.c[name], person.traces) for name in names)),
        )
        for table, names in MENTIONS
    )


def _scrubber(traces: Traces, placeholder: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def rewrite(row: dict[str, Any]) -> dict[str, Any]:
        return {
            name: traces.scrub_json(value, email_placeholder=placeholder)
            for name, value in row.items()
        }

    return rewrite


def data_held(connection: Connection, people: Sequence[Person]) -> dict[str, Any]:
    """What Evenhand holds on these people (for customers/data_request): how many orders
    and tickets; `evenhand customer EMAIL --json` gives the figures behind their value."""
    return {
        "customers": [
            {
                "email": person.email,
                "orders": len(person.order_ids),
                "tickets": len(person.ticket_ids),
            }
            for person in people
            if person.known
        ]
    }
