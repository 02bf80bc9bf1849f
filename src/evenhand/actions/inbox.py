"""The worker's step: take pending inbox deliveries in arrival order and do what each says.

Everything that can fail without the database (parsing, fetching a ticket from the
helpdesk, reading the messages, in one batch) happens first. Then each delivery, in
arrival order (an order before the ticket that quotes it), is applied and marked done or
failed, with its audit event, in one transaction of its own: a crash rolls back at most
the delivery in hand, which the next run does again, so each takes effect exactly once.

Reviews from a review platform are stored like that, then read (language, intent,
threats) after the batch, outside any transaction, as an import reads them.

One worker runs per database (it takes every delivery in arrival order, so each customer's
deliveries are processed in the order they came). A second one started by mistake (a
second replica, `evenhand worker` beside `evenhand serve`) reads every message once more,
but no delivery takes effect twice: it is applied only while still pending, its row held
until the commit (`still_pending`); write-backs and remedy steps are claimed and leased
before their call.

A delivery can fail; the worker cannot. Whatever one delivery raises, at any stage, marks
that delivery failed with the reason (`delivery_failures`) and the worker goes on. A batch
is claimed before the work starts (each delivery's `attempts` counted in a transaction of
its own), so a delivery the worker died holding is known: it is taken alone the next time,
and after `worker_max_attempts` deaths it is set aside, so it cannot stop the inbox.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from evenhand.actions.delivery_failures import failure_reason, settings_secrets, storable
from evenhand.actions.execute import auto_approve, execute_due_steps
from evenhand.actions.guide import active_guide, guide_changed
from evenhand.actions.import_file import apply_records
from evenhand.actions.public_reviews import store_received_reviews
from evenhand.actions.review_reading import read_reviews
from evenhand.actions.step_calls import Carriers
from evenhand.actions.ticket_arrival import ticket_step
from evenhand.actions.worker_pulse import Pulse
from evenhand.actions.writeback import Helpdesks, send_due_writebacks
from evenhand.domain.guide import Guide
from evenhand.domain.money import to_minor
from evenhand.helpdesk.http import HelpdeskError
from evenhand.ingest.batch import Parsed
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.webhook_payloads import (
    CustomerAsked,
    DisputesChanged,
    FetchNeeded,
    NothingNew,
    OrderChanged,
    PayloadError,
    RefundCreated,
    Resolved,
    ReviewsArrived,
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
from evenhand.store.inbox import (
    Delivery,
    claim_deliveries,
    finish_delivery,
    pending_deliveries,
    release_deliveries,
    set_aside,
    still_pending,
)
from evenhand.store.privacy_shop import redact_shop
from evenhand.store.refunds import add_refund, remember_refunds
from evenhand.store.shop import shop_currency
from evenhand.understand.model import Message, Reader, Understanding

Step = Callable[[Connection, datetime], dict[str, Any]]
_ERASING_TOPICS = frozenset({"customers/redact", "shop/redact"})
_REVIEW_SOURCES = frozenset({Source.TRUSTPILOT.value, Source.JUDGEME.value})
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

    @property
    def secrets(self) -> list[str]:
        """What a failure's reason must never show (`delivery_failures.settings_secrets`)."""
        return settings_secrets(self.settings)


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
    batch, put_aside = _take(worker, now=now())
    try:
        prepared = _prepare(batch, worker)
        for each in prepared:
            _apply_alone(worker, each, now=now())
            if each.delivery.topic in _ERASING_TOPICS:  # nothing of theirs left in the WAL
                checkpoint_after_erasure(worker.engine)
            time.sleep(WRITE_GAP_SECONDS)  # a moment for the webhooks' writes between ours
    except OperationalError:
        _release_quietly(worker.engine, batch)  # the database's fault, not the deliveries'
        raise
    if len(prepared) < len(batch):  # left for a helpdesk that did not answer
        _release(worker.engine, batch[len(prepared) :])
    if any(each.delivery.source in _REVIEW_SOURCES and not each.error for each in prepared):
        _read_reviews(worker)
    return InboxRun(taken=len(prepared) + put_aside, waiting_on_helpdesk=len(prepared) < len(batch))


def _read_reviews(worker: Worker) -> None:
    """The reviews stored and not read yet, read. A reader that fails leaves them unread
    for the next review delivery's batch (or `evenhand reviews import`), and the worker
    goes on; a database that is away is the worker loop's to wait for."""
    try:
        read_reviews(worker.engine, worker.reader, market=worker.settings.market)
    except OperationalError:
        raise
    except Exception as error:  # the reviews are stored; only their reading waits
        reason = failure_reason(error, secrets=worker.secrets)
        print(f"worker: reviews stored but not read yet ({reason})", file=sys.stderr)


def _take(worker: Worker, *, now: datetime) -> tuple[list[Delivery], int]:
    """The next batch, claimed; and how many deliveries were set aside before it.

    A delivery a worker died holding (attempts > 0) is taken alone, so a death names it;
    one that reached `worker_max_attempts` is set aside instead."""
    with worker.engine.connect() as connection:
        pending = pending_deliveries(connection, limit=worker.settings.worker_batch)
    if not pending:
        return [], 0
    limit = worker.settings.worker_max_attempts
    poison = [each for each in pending if each.attempts >= limit]
    batch = _suspects_alone([each for each in pending if each.attempts < limit])
    with write_transaction(worker.engine) as connection:
        poison = [each for each in poison if _set_aside(connection, each, now=now)]
        claim_deliveries(connection, [each.id for each in batch])
    for each in poison:
        print(
            f"worker: delivery {each.id} took the worker down {each.attempts} times; set aside",
            file=sys.stderr,
        )
    return batch, len(poison)


def _set_aside(connection: Connection, delivery: Delivery, *, now: datetime) -> bool:
    if not set_aside(connection, delivery.id, attempts=delivery.attempts, now=now):
        return False  # another worker finished it meanwhile
    _audit(connection, delivery, "inbox set aside", now=now, details={})
    return True


def _suspects_alone(pending: list[Delivery]) -> list[Delivery]:
    """The batch up to the first delivery a worker died holding; that one alone if first."""
    for index, each in enumerate(pending):
        if each.attempts > 0:
            return pending[:index] or [each]
    return pending


def _release(engine: Engine, deliveries: Sequence[Delivery]) -> None:
    with write_transaction(engine) as connection:
        release_deliveries(connection, [each.id for each in deliveries])


def _release_quietly(engine: Engine, deliveries: Sequence[Delivery]) -> None:
    with contextlib.suppress(OperationalError):  # still away: taken alone next time
        _release(engine, deliveries)


def _apply_alone(worker: Worker, prepared: _Prepared, *, now: datetime) -> None:
    """One delivery's effects, its mark and its audit event in one short transaction (the
    webhooks write between them), unless another worker finished it meanwhile. A database
    that is busy or away leaves it pending; any other failure marks it failed with the
    reason."""
    try:
        with write_transaction(worker.engine) as connection:
            if still_pending(connection, prepared.delivery.id):
                _apply(connection, prepared, now=now)
    except OperationalError:
        raise
    except Exception as error:  # a delivery can fail; the worker cannot
        reason = failure_reason(error, secrets=worker.secrets)
        with write_transaction(worker.engine) as connection:
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
    reason = None if error is None else storable(error)
    if finish_delivery(connection, delivery.id, outcome=outcome, error=reason, now=now):
        _audit(connection, delivery, "inbox", now=now, details={"failed": bool(error)})


def _audit(
    connection: Connection,
    delivery: Delivery,
    action: str,
    *,
    now: datetime,
    details: dict[str, Any],
) -> None:
    record_event(
        connection,
        at=now,
        action=action,
        subject=f"delivery {delivery.id}",
        details={"source": delivery.source, "topic": delivery.topic} | details,
    )


def _prepare(batch: Sequence[Delivery], worker: Worker) -> list[_Prepared]:
    """Each delivery parsed (and completed from its helpdesk), tickets read in one batch.

    The batch stops before the first delivery whose helpdesk cannot be reached now: it and
    everything after it wait for the next run, so the arrival order holds."""
    payloads: list[Resolved | str] = []
    for delivery in batch:
        try:
            payloads.append(_payload(delivery, worker))
        except _RetryLaterError:
            break
    tickets = [each for each in payloads if isinstance(each, TicketArrived)]
    read = dict(zip(map(id, tickets), _read(tickets, worker), strict=True))
    return [
        _prepared(delivery, payload, worker, read)
        for delivery, payload in zip(batch, payloads, strict=False)
    ]


def _prepared(
    delivery: Delivery,
    payload: Resolved | str,
    worker: Worker,
    read: dict[int, Understanding | str],
) -> _Prepared:
    reading = read.get(id(payload))
    if isinstance(payload, str):
        return _Prepared(delivery, None, payload)
    if isinstance(reading, str):
        return _Prepared(delivery, None, reading)
    try:
        return _Prepared(delivery, _step(payload, worker, reading))
    except Exception as error:  # a delivery can fail; the worker cannot
        return _Prepared(delivery, None, failure_reason(error, secrets=worker.secrets))


def _read(tickets: Sequence[TicketArrived], worker: Worker) -> list[Understanding | str]:
    """Every ticket read, its subject and text cut at `worker_text_limit` first; if the
    batch fails, each is read alone, and the one that fails gets the reason."""
    limit, market = worker.settings.worker_text_limit, worker.settings.market
    messages = [
        Message(
            body=t.ticket.body[:limit],
            subject=(t.ticket.subject or "")[:limit] or None,
            market=market,
        )
        for t in tickets
    ]
    try:
        return list(worker.reader.read_many(messages))
    except Exception:  # which one? each alone says
        return [_read_one(message, worker) for message in messages]


def _read_one(message: Message, worker: Worker) -> Understanding | str:
    try:
        return worker.reader.read_many([message])[0]
    except Exception as error:  # this delivery fails, not the worker
        return failure_reason(error, secrets=worker.secrets)


def _payload(delivery: Delivery, worker: Worker) -> Resolved | str:
    """What the delivery asks for, or why it cannot be done (a string)."""
    where = Path(f"inbox delivery {delivery.id}")
    try:
        payload = parse_payload(Source(delivery.source), delivery.topic, delivery.body, where=where)
        return _fetched(payload, worker.helpdesks) if isinstance(payload, FetchNeeded) else payload
    except PayloadError as error:
        return str(error)
    except _RetryLaterError:
        raise
    except Exception as error:  # a delivery can fail; the worker cannot
        return failure_reason(error, secrets=worker.secrets)


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
        return ticket_step(payload, reading, worker)
    if isinstance(payload, OrderChanged):
        return lambda c, now: _order_changed(c, payload, settings=settings, now=now)
    if isinstance(payload, RefundCreated):
        return lambda c, now: _refund_created(c, payload, settings=settings)
    if isinstance(payload, DisputesChanged):
        return lambda c, now: _imported(
            c, payload.disputes, kind=ImportKind.DISPUTES, settings=settings, now=now
        )
    return _other_step(payload)


def _other_step(payload: CustomerAsked | ShopRedact | ReviewsArrived | NothingNew) -> Step:
    if isinstance(payload, NothingNew):
        skipped = {"ticket_id": payload.ticket_id, "nothing_new": payload.why}
        return lambda c, now: skipped
    if isinstance(payload, CustomerAsked):
        return lambda c, now: _customer_asked(c, payload)
    if isinstance(payload, ReviewsArrived):
        platform = payload.source.value
        return lambda c, now: store_received_reviews(c, payload.reviews, platform=platform, now=now)
    return lambda c, now: {"redacted": redact_shop(c)}


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
    the batch in hand. Idle, it looks again every `idle_seconds`. Its heartbeat is written
    every `HEARTBEAT_SECONDS` as the loop turns, and marked stopped at a clean stop."""
    pulse = Pulse(worker.engine, started_at=now())
    while not stop():
        try:
            pulse.beat(now)
            run = process_inbox(worker, now=now)
            sent = send_due_writebacks(
                worker.engine, helpdesks=worker.helpdesks, settings=worker.settings, now=now
            )
            sent += carry_out(worker, now=now)
        except OperationalError as error:  # busy or unreachable: nothing is lost, try again
            print(f"worker: database not available, trying again: {error.orig}", file=sys.stderr)
            time.sleep(DATABASE_RETRY_SECONDS)
            continue
        except Exception as error:  # past every delivery's own guard: the batch stays claimed
            reason = failure_reason(error, secrets=worker.secrets)
            print(f"worker: a batch failed ({reason}); its deliveries go alone", file=sys.stderr)
            time.sleep(DATABASE_RETRY_SECONDS)
            continue
        if not run.taken and run.waiting_on_helpdesk:
            time.sleep(HELPDESK_RETRY_SECONDS)  # not every 50 ms at an API that is down
        elif not run.taken and not sent:
            time.sleep(idle_seconds)
    pulse.stop(now)


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
