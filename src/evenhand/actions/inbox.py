"""The worker's step: take pending inbox deliveries in arrival order and do what each says.

Everything that can fail without the database (parsing, fetching a ticket from the
helpdesk, reading the messages, in one batch) happens first. Then each delivery, in
arrival order (an order before the ticket that quotes it), is applied and marked done or
failed, with its audit event, in one transaction of its own: a crash rolls back at most
the delivery in hand, which the next run does again, so each takes effect exactly once.

One worker runs at a time (it takes every delivery in arrival order, so each customer's
deliveries are processed in the order they came).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from evenhand.actions.execute import Carriers, auto_approve, execute_due_steps
from evenhand.actions.guide import active_guide, guide_changed
from evenhand.actions.import_file import apply_records
from evenhand.actions.triage import decide_and_store
from evenhand.actions.writeback import Helpdesks, send_due_writebacks
from evenhand.domain.guide import Guide
from evenhand.domain.money import to_minor
from evenhand.errors import EvenhandError
from evenhand.helpdesk.http import HelpdeskError
from evenhand.ingest.batch import Parsed
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.webhook_payloads import (
    CustomerAsked,
    DisputesChanged,
    FetchNeeded,
    OrderChanged,
    PayloadError,
    RefundCreated,
    Resolved,
    ShopRedact,
    Source,
    TicketArrived,
    complete_ticket,
    parse_payload,
)
from evenhand.settings import Settings
from evenhand.store import privacy, value_sql
from evenhand.store.audit import record_event
from evenhand.store.database import checkpoint_after_erasure, write_transaction
from evenhand.store.inbox import Delivery, finish_delivery, pending_deliveries
from evenhand.store.privacy_shop import redact_shop
from evenhand.store.refunds import add_refund, remember_refunds
from evenhand.store.shop import shop_currency
from evenhand.store.writebacks import owe_writeback
from evenhand.understand.model import Message, Reader, Understanding

Step = Callable[[Connection, datetime], dict[str, Any]]
_ERASING_TOPICS = frozenset({"customers/redact", "shop/redact"})
DATABASE_RETRY_SECONDS = 1.0
HELPDESK_RETRY_SECONDS = 5.0
WRITE_GAP_SECONDS = 0.001


@dataclass(slots=True)
class Worker:
    """What processing the inbox needs, built once per worker process."""

    engine: Engine
    reader: Reader
    guide: Guide
    settings: Settings
    helpdesks: Helpdesks
    carriers: Carriers | None = None  # who carries out approved remedies (unset: no one)


@dataclass(frozen=True, slots=True)
class _Prepared:
    delivery: Delivery
    step: Step | None
    error: str | None = None


class _RetryLaterError(Exception):
    """A delivery that cannot be prepared now (its helpdesk did not answer): left pending."""


@dataclass(frozen=True, slots=True)
class InboxRun:
    taken: int
    # The oldest pending delivery waits for its helpdesk's API, which did not answer.
    waiting_on_helpdesk: bool = False


def process_inbox(worker: Worker, *, now: Callable[[], datetime]) -> InboxRun:
    """Process one batch of pending deliveries."""
    if guide_changed(worker.engine, worker.guide):  # a manager adopted another guide
        worker.guide = active_guide(worker.engine, worker.settings)
    with worker.engine.connect() as connection:
        batch = pending_deliveries(connection, limit=worker.settings.worker_batch)
    prepared = _prepare(batch, worker)
    for each in prepared:
        _apply_alone(worker.engine, each, now=now())
        if each.delivery.topic in _ERASING_TOPICS:  # nothing of theirs left in the WAL
            checkpoint_after_erasure(worker.engine)
        time.sleep(WRITE_GAP_SECONDS)  # a moment for the webhooks' writes between ours
    return InboxRun(taken=len(prepared), waiting_on_helpdesk=len(prepared) < len(batch))


def _apply_alone(engine: Engine, prepared: _Prepared, *, now: datetime) -> None:
    """One delivery's effects, its mark and its audit event in one short transaction (the
    webhooks write between them). A database that is busy or away leaves it pending."""
    try:
        with write_transaction(engine) as connection:
            _apply(connection, prepared, now=now)
    except OperationalError:
        raise
    except (SQLAlchemyError, EvenhandError, LookupError) as error:
        reason = str(error) if not isinstance(error, SQLAlchemyError) else type(error).__name__
        with write_transaction(engine) as connection:
            _finish(connection, prepared.delivery, outcome=None, error=reason, now=now)


def _apply(connection: Connection, prepared: _Prepared, *, now: datetime) -> None:
    outcome = None if prepared.step is None else prepared.step(connection, now)
    _finish(connection, prepared.delivery, outcome=outcome, error=prepared.error, now=now)


def _finish(
    connection: Connection,
    delivery: Delivery,
    *,
    outcome: dict[str, Any] | None,
    error: str | None,
    now: datetime,
) -> None:
    finish_delivery(connection, delivery.id, outcome=outcome, error=error, now=now)
    record_event(
        connection,
        at=now,
        action="inbox",
        subject=f"delivery {delivery.id}",
        details={"source": delivery.source, "topic": delivery.topic, "failed": bool(error)},
    )


def _prepare(batch: Sequence[Delivery], worker: Worker) -> list[_Prepared]:
    """Each delivery parsed (and completed from its helpdesk), tickets read in one batch.

    The batch stops before the first delivery whose helpdesk cannot be reached now: it and
    everything after it wait for the next run, so the arrival order holds."""
    payloads: list[Resolved | str] = []
    for delivery in batch:
        try:
            payloads.append(_payload(delivery, worker.helpdesks))
        except _RetryLaterError:
            break
    tickets = [each for each in payloads if isinstance(each, TicketArrived)]
    readings = worker.reader.read_many(
        [
            Message(body=t.ticket.body, subject=t.ticket.subject, market=worker.settings.market)
            for t in tickets
        ]
    )
    read = dict(zip(map(id, tickets), readings, strict=True))
    return [
        _Prepared(delivery, None, payload)
        if isinstance(payload, str)
        else _Prepared(delivery, _step(payload, worker, read.get(id(payload))))
        for delivery, payload in zip(batch, payloads, strict=False)
    ]


def _payload(delivery: Delivery, helpdesks: Helpdesks) -> Resolved | str:
    """What the delivery asks for, or why it cannot be done (a string)."""
    where = Path(f"inbox delivery {delivery.id}")
    try:
        payload = parse_payload(Source(delivery.source), delivery.topic, delivery.body, where=where)
        return _fetched(payload, helpdesks) if isinstance(payload, FetchNeeded) else payload
    except PayloadError as error:
        return str(error)


def _fetched(fetch: FetchNeeded, helpdesks: Helpdesks) -> Resolved | str:
    try:
        if fetch.provider is Source.ZENDESK and helpdesks.zendesk is not None:
            return complete_ticket(fetch, helpdesks.zendesk.user(fetch.requester_id or 0))
        if fetch.provider is Source.GORGIAS and helpdesks.gorgias is not None:
            return complete_ticket(fetch, helpdesks.gorgias.ticket(fetch.ticket_id))
    except HelpdeskError as failure:
        if failure.permanent:
            return f"could not fetch ticket {fetch.ticket_id}: {failure.message}"
        raise _RetryLaterError from None
    return (
        f"ticket {fetch.ticket_id}: the webhook does not carry the customer's e-mail or "
        f"message, and no {fetch.provider} API credentials are set to fetch them"
    )


def _step(payload: Resolved, worker: Worker, reading: Understanding | None) -> Step:
    settings = worker.settings
    if isinstance(payload, TicketArrived):
        assert reading is not None  # every arrived ticket was read
        return _ticket_step(payload, reading, worker)
    if isinstance(payload, OrderChanged):
        return lambda c, now: _order_changed(c, payload, settings=settings, now=now)
    if isinstance(payload, RefundCreated):
        return lambda c, now: _refund_created(c, payload, settings=settings)
    if isinstance(payload, DisputesChanged):
        return lambda c, now: _imported(
            c, payload.disputes, kind=ImportKind.DISPUTES, settings=settings, now=now
        )
    if isinstance(payload, CustomerAsked):
        return lambda c, now: _customer_asked(c, payload)
    assert isinstance(payload, ShopRedact)  # the last kind there is
    return lambda c, now: {"redacted": redact_shop(c)}


def _ticket_step(arrived: TicketArrived, reading: Understanding, worker: Worker) -> Step:
    def step(connection: Connection, now: datetime) -> dict[str, Any]:
        report = decide_and_store(
            connection,
            records=[arrived.ticket],
            readings=[reading],
            guide=worker.guide,
            settings=worker.settings,
            now=now,
        )
        decided = report.decided[0]
        owed = worker.helpdesks.configured(arrived.provider)
        if owed:
            owe_writeback(
                connection,
                decision_id=decided.decision_id,
                provider=arrived.provider,
                ticket_ref=arrived.ticket.ticket_id,
                now=now,
            )
        return {
            "ticket_id": arrived.ticket.ticket_id,
            "decision_id": decided.decision_id,
            "remedy": decided.decision.remedy.value,
            "writeback": owed,
        }

    return step


def _imported(
    connection: Connection,
    parsed: Parsed[Any],
    *,
    kind: ImportKind,
    settings: Settings,
    now: datetime,
) -> dict[str, Any]:
    report = apply_records(
        connection, parsed, kind=kind, path=Path("webhook"), settings=settings, now=now
    )
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


def _order_changed(
    connection: Connection, payload: OrderChanged, *, settings: Settings, now: datetime
) -> dict[str, Any]:
    parsed = Parsed(records=[payload.order])
    outcome = _imported(
        connection, parsed, kind=ImportKind.SHOPIFY_ORDERS_JSON, settings=settings, now=now
    )
    if payload.order.shopify_id is not None and payload.refund_ids:
        remember_refunds(
            connection, order_shopify_id=payload.order.shopify_id, refund_ids=payload.refund_ids
        )
    return outcome | {"order": payload.order.name}


def _refund_created(
    connection: Connection, payload: RefundCreated, *, settings: Settings
) -> dict[str, Any]:
    currency = shop_currency(connection) or settings.currency
    if currency is None:
        raise LookupError("the shop's currency is not known yet: no order has been imported")
    customer_id = add_refund(
        connection,
        refund_id=payload.refund_id,
        order_shopify_id=payload.order_shopify_id,
        amount_minor=to_minor(payload.amount, currency),
    )
    if customer_id is not None:
        value_sql.recompute_customers(connection, {customer_id}, margin_rate=settings.margin_rate)
    return {"refund_id": payload.refund_id, "counted": customer_id is not None}


def _customer_asked(connection: Connection, payload: CustomerAsked) -> dict[str, Any]:
    named = privacy.Named(
        email=payload.email,
        shopify_id=payload.shopify_id,
        phone=payload.phone,
        order_ids=payload.order_ids,
    )
    people = privacy.people_named(connection, named)
    if payload.redact:
        return {"redacted": privacy.redact_people(connection, people)}
    return {"data_request": privacy.data_held(connection, people)}


def run_worker(
    worker: Worker,
    *,
    now: Callable[[], datetime],
    stop: Callable[[], bool],
    idle_seconds: float = 0.05,
) -> None:
    """Process the inbox and send due write-backs until `stop()` says so; a stop waits for
    the batch in hand. Idle, it looks again every `idle_seconds`."""
    while not stop():
        try:
            run = process_inbox(worker, now=now)
            sent = send_due_writebacks(
                worker.engine, helpdesks=worker.helpdesks, settings=worker.settings, now=now
            )
            sent += carry_out(worker, now=now)
        except OperationalError as error:  # busy or unreachable: nothing is lost, try again
            print(f"worker: database not available, trying again: {error.orig}", file=sys.stderr)
            time.sleep(DATABASE_RETRY_SECONDS)
            continue
        if not run.taken and run.waiting_on_helpdesk:
            time.sleep(HELPDESK_RETRY_SECONDS)  # not every 50 ms at an API that is down
        elif not run.taken and not sent:
            time.sleep(idle_seconds)


def drain(worker: Worker, *, now: Callable[[], datetime]) -> None:
    """Process until the inbox is empty and no write-back is due (`evenhand worker --once`)."""
    while True:
        taken = process_inbox(worker, now=now).taken
        sent = send_due_writebacks(
            worker.engine, helpdesks=worker.helpdesks, settings=worker.settings, now=now
        )
        sent += carry_out(worker, now=now)
        if not taken and not sent:
            return


def carry_out(worker: Worker, *, now: Callable[[], datetime]) -> int:
    """Auto-approve what a manager allowed, then carry out the steps that are due."""
    if worker.carriers is None:
        return 0
    auto_approve(worker.engine, settings=worker.settings, now=now())
    return execute_due_steps(
        worker.engine, carriers=worker.carriers, settings=worker.settings, now=now
    )
