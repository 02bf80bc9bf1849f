"""A delivery can fail; the worker cannot. Whatever one delivery raises, at any stage, it
ends failed with its reason and the next delivery is processed; a delivery the worker died
holding is set aside after `worker_max_attempts` deaths."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from evenhand.actions import inbox as inbox_actions
from evenhand.actions import ticket_arrival
from evenhand.actions import triage as triage_actions
from evenhand.actions.delivery_failures import REASON_LIMIT, failure_reason
from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, drain, process_inbox
from evenhand.actions.inbox_status import inbox_status, retry_failed
from evenhand.actions.service import receive_delivery
from evenhand.actions.worker_pulse import Pulse
from evenhand.actions.writeback import Helpdesks
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade, write_transaction
from evenhand.store.inbox import still_pending
from evenhand.store.tables import audit_events, decisions, inbox
from evenhand.understand.model import Message, Understanding
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.senders import fixture

SECRET = "whsec_never_in_a_reason"


def zendesk_ticket(number: int, description: str, **changes: Any) -> str:
    ticket = {
        "id": 70000 + number,
        "created_at": "2026-11-21T08:30:00Z",
        "subject": None,
        "description": description,
        "via": {"channel": "email"},
        "requester": {"email": f"customer{number}@example.se", "name": "Kim"},
    }
    return json.dumps({"ticket": ticket | changes})


GOOD = zendesk_ticket(0, "Hej, var är mitt paket? Ordernummer #1001.")


def stripe_dispute(**metadata: str) -> str:
    event = json.loads(fixture("stripe_charge_dispute_created.json"))
    event["data"]["object"]["metadata"] = metadata
    return json.dumps(event)


# The kinds of signed delivery that took the worker down in the review (issue 20).
POISON = {
    "lone surrogate in the ticket text": (
        "zendesk",
        "ticket.trigger",
        zendesk_ticket(1, "Hej \ud800"),
    ),
    "a Unicode digit as order id": (
        "stripe",
        "charge.dispute.created",
        stripe_dispute(order_id="①"),
    ),
    "year 0001 with an offset": (
        "zendesk",
        "ticket.trigger",
        zendesk_ticket(2, "Hej", created_at="0001-01-01T00:00:00+01:00"),
    ),
    "year 9999 with an offset": (
        "zendesk",
        "ticket.trigger",
        zendesk_ticket(3, "Hej", created_at="9999-12-31T23:59:59-01:00"),
    ),
    "an id of 2**70": ("shopify", "refunds/create", json.dumps({"id": 2**70, "order_id": 1})),
    "a 10 MB description": ("zendesk", "ticket.trigger", zendesk_ticket(4, "paket " * 1_750_000)),
}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    created = make_engine(db_url)
    upgrade(created)
    yield created
    created.dispose()


def _worker(engine: Engine, reader: Any, **settings: Any) -> Worker:
    configured = Settings(db=str(engine.url), stripe_webhook_secret=SECRET, **settings)
    return Worker(
        engine=engine,
        reader=reader,
        guide=load_guide(configured),
        settings=configured,
        helpdesks=Helpdesks(),
    )


def _deliver(engine: Engine, deliveries: Sequence[tuple[str, str, str]]) -> None:
    for number, (source, topic, body) in enumerate(deliveries):
        receive_delivery(
            engine, source=source, event_key=f"k{number}", topic=topic, body=body, now=NOW
        )


def _rows(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        query = select(inbox.c.id, inbox.c.status, inbox.c.error, inbox.c.attempts)
        return list(connection.execute(query.order_by(inbox.c.id)).all())


@pytest.mark.parametrize("kind", sorted(POISON))
def test_a_poison_delivery_fails_with_its_reason_and_the_next_is_processed(
    kind: str, engine: Engine, reader: EmbeddedReader
) -> None:
    # given a poison delivery of a kind from the review, then a good ticket
    _deliver(engine, [POISON[kind], ("zendesk", "ticket.trigger", GOOD)])
    # when the worker runs
    drain(_worker(engine, reader), now=lambda: NOW)
    # then the poison one failed with a reason, and the good one was processed
    poison, good = _rows(engine)
    assert poison.status == "failed" and poison.error
    assert len(poison.error) <= REASON_LIMIT
    assert good.status == "done"


class UnforeseenError(RuntimeError):
    pass


def _raising_for(marker: str, original: Any) -> Any:
    """`original`, raising UnforeseenError (with the Stripe secret in its message) when
    its arguments mention `marker`."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if marker in repr(args) + repr(kwargs):
            raise UnforeseenError(f"unexpected at {marker}; key {SECRET}")
        return original(*args, **kwargs)

    return wrapped


@pytest.mark.parametrize("stage", ["parse_payload", "decide_and_store", "apply_records"])
def test_any_exception_at_any_stage_fails_that_delivery_alone(
    stage: str, engine: Engine, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a stage that raises what no one expected for one delivery
    module = ticket_arrival if stage == "decide_and_store" else inbox_actions
    monkeypatch.setattr(module, stage, _raising_for("customer1@", getattr(module, stage)))
    order = json.loads(fixture("shopify_orders_create.json"))
    order["email"] = "customer1@example.se"
    doomed = (
        ("shopify", "orders/create", json.dumps(order))
        if stage == "apply_records"
        else ("zendesk", "ticket.trigger", zendesk_ticket(1, "Hej"))
    )
    _deliver(engine, [doomed, ("zendesk", "ticket.trigger", GOOD)])
    # when the worker runs
    drain(_worker(engine, reader), now=lambda: NOW)
    # then that delivery failed with the type and message, no secret; the next is done
    failed, good = _rows(engine)
    assert failed.status == "failed"
    assert failed.error.startswith("UnforeseenError: unexpected at customer1@")
    assert SECRET not in failed.error and "[secret]" in failed.error
    assert good.status == "done"


def test_a_reader_that_fails_on_one_message_fails_that_delivery_alone(
    engine: Engine, reader: EmbeddedReader
) -> None:
    class Fragile:
        def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
            if any("kaboom" in message.body for message in messages):
                raise ValueError("cannot read kaboom")
            return reader.read_many(messages)

    # given a batch in which one message breaks the reader
    _deliver(
        engine,
        [
            ("zendesk", "ticket.trigger", GOOD),
            ("zendesk", "ticket.trigger", zendesk_ticket(5, "kaboom")),
            ("zendesk", "ticket.trigger", zendesk_ticket(6, "Hej, paketet är skadat.")),
        ],
    )
    drain(_worker(engine, Fragile()), now=lambda: NOW)
    # then the others are read one by one and done
    assert [(row.status, row.error) for row in _rows(engine)] == [
        ("done", None),
        ("failed", "ValueError: cannot read kaboom"),
        ("done", None),
    ]


def test_the_worker_reads_a_long_ticket_cut_at_the_text_limit(
    engine: Engine, reader: EmbeddedReader
) -> None:
    seen: list[int] = []

    class Measuring:
        def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
            seen.extend(len(message.body) for message in messages)
            return reader.read_many(messages)

    # given a ticket of 100,000 characters (within the webhook's 128 KiB string bound)
    _deliver(engine, [("zendesk", "ticket.trigger", zendesk_ticket(7, "paket " * 20_000))])
    drain(_worker(engine, Measuring(), worker_text_limit=5000), now=lambda: NOW)
    # then 5,000 characters of it were read, and it was decided
    assert seen == [5000]
    assert _rows(engine)[0].status == "done"


class Died(BaseException):
    """What a worker's death looks like from inside: nothing after it runs."""


def test_a_delivery_that_takes_the_worker_down_is_set_aside_after_the_bounded_tries(
    engine: Engine, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a batch whose second delivery kills the worker each time it is applied
    original = triage_actions.decide_and_store

    def deadly(*args: Any, **kwargs: Any) -> Any:
        if "customer8@" in repr(kwargs["records"]):
            raise Died
        return original(*args, **kwargs)

    monkeypatch.setattr(ticket_arrival, "decide_and_store", deadly)
    _deliver(
        engine,
        [
            ("zendesk", "ticket.trigger", GOOD),
            ("zendesk", "ticket.trigger", zendesk_ticket(8, "Hej")),
            ("zendesk", "ticket.trigger", zendesk_ticket(9, "Hej, paketet är skadat.")),
        ],
    )
    worker = _worker(engine, reader, worker_max_attempts=3)
    # when the worker dies holding it three times, restarted each time
    for _ in range(3):
        with pytest.raises(Died):
            drain(worker, now=lambda: NOW)
    assert [(row.status, row.attempts) for row in _rows(engine)] == [
        ("done", 1),
        ("pending", 3),
        ("pending", 1),  # behind it in arrival order; held once, at the first death
    ]
    drain(worker, now=lambda: NOW)
    # then the fourth run sets it aside with the reason, and nothing else stopped
    assert [(row.status, row.error) for row in _rows(engine)] == [
        ("done", None),
        ("set_aside", "took the worker down 3 times; set aside"),
        ("done", None),
    ]
    status = inbox_status(engine, now=NOW, silent_seconds=60).as_json()
    assert (status["failed"], status["set_aside"]) == (0, 1)
    with engine.connect() as connection:
        actions = connection.execute(select(audit_events.c.action)).scalars().all()
    assert actions.count("inbox set aside") == 1
    # and `inbox retry` leaves it aside; `inbox retry --set-aside` requeues it, counted afresh
    assert retry_failed(engine, now=NOW) == (0, 0)
    assert retry_failed(engine, now=NOW, set_aside=True) == (1, 0)
    assert [(row.status, row.attempts) for row in _rows(engine)][1] == ("pending", 0)


def test_a_batch_the_database_dropped_is_not_blamed_on_its_deliveries(
    engine: Engine, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:

    # given a database that goes away while a batch is applied
    original = triage_actions.decide_and_store
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return original(*args, **kwargs)

    monkeypatch.setattr(ticket_arrival, "decide_and_store", flaky)
    _deliver(engine, [("zendesk", "ticket.trigger", GOOD)])
    worker = _worker(engine, reader)
    with pytest.raises(OperationalError):
        process_inbox(worker, now=lambda: NOW)
    # then the delivery stays pending with no attempt counted, and is done the next time
    assert [(row.status, row.attempts) for row in _rows(engine)] == [("pending", 0)]
    drain(worker, now=lambda: NOW)
    assert _rows(engine)[0].status == "done"


def test_a_reason_is_bounded_storable_and_names_the_type() -> None:
    reason = failure_reason(ValueError("x\ud800\x00" + "y" * 5000), secrets=["hunter22"])
    assert reason.startswith("ValueError: x\\ud800y") and len(reason) == REASON_LIMIT
    reason.encode("utf-8")  # storable: no lone surrogate left
    assert failure_reason(KeyError("k"), secrets=[]) == "KeyError: 'k'"
    assert failure_reason(RuntimeError("key hunter22"), secrets=["hunter22"]) == (
        "RuntimeError: key [secret]"
    )


def test_a_failure_past_every_guard_is_survived_and_its_delivery_set_aside(
    engine: Engine, reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a delivery whose very marking raises (past its own guard, out of the batch)
    original = inbox_actions._finish

    def unmarkable(connection: Any, delivery: Any, **kwargs: Any) -> None:
        if delivery.event_key == "k0":
            raise UnforeseenError("cannot mark it")
        original(connection, delivery, **kwargs)

    monkeypatch.setattr(inbox_actions, "_finish", unmarkable)
    monkeypatch.setattr(inbox_actions, "DATABASE_RETRY_SECONDS", 0)
    _deliver(engine, [("zendesk", "ticket.trigger", GOOD), POISON["an id of 2**70"]])

    def settled() -> bool:
        return all(row.status != "pending" for row in _rows(engine))

    # when the worker's loop runs until nothing is pending
    inbox_actions.run_worker(_worker(engine, reader), now=lambda: NOW, stop=settled)
    # then the loop went on: that delivery set aside after three tries, the next one failed
    # with its own reason, and the worker marked itself stopped
    assert [(row.status, row.attempts) for row in _rows(engine)] == [
        ("set_aside", 3),
        ("failed", 2),  # held at the first failure, then taken alone
    ]
    status = inbox_status(engine, now=NOW, silent_seconds=60)
    assert status.health.worker_pid is not None and not status.health.worker_alive


def test_a_delivery_two_workers_took_takes_effect_once(engine: Engine, reader: Any) -> None:
    # given: one Zendesk ticket, taken and read by two workers (a second one started by
    # mistake) before either applied it
    _deliver(engine, [("zendesk", "ticket.trigger", GOOD)])
    first, second = _worker(engine, reader), _worker(engine, reader)
    [taken_first] = inbox_actions._prepare(inbox_actions._take(first, now=NOW)[0], first)
    [taken_second] = inbox_actions._prepare(inbox_actions._take(second, now=NOW)[0], second)
    steps_run, errors = [], []
    step = taken_second.step
    assert step is not None

    def counted(connection: Any, now: Any) -> Any:
        steps_run.append(now)
        return step(connection, now)

    def apply_second() -> None:
        try:
            later = dataclasses.replace(taken_second, step=counted)
            inbox_actions._apply_alone(second, later, now=NOW)
        except BaseException as error:  # told to the test below
            errors.append(error)

    # when: the second applies it while the first's transaction is open, then the first commits
    with write_transaction(engine) as connection:
        assert still_pending(connection, taken_first.delivery.id)
        inbox_actions._apply(connection, taken_first, now=NOW)
        late = threading.Thread(target=apply_second)
        late.start()
        late.join(timeout=0.5)
        assert late.is_alive()  # it waits for the first worker's commit
    late.join(timeout=10)
    # then: the second worker ran nothing of it
    assert not late.is_alive() and errors == [] and steps_run == []
    # then: one decision, the delivery done, and one audit event for it
    with engine.connect() as connection:
        decided = connection.execute(select(func.count()).select_from(decisions)).scalar()
        events = connection.execute(
            select(audit_events.c.action).where(audit_events.c.action == "inbox")
        ).all()
    assert (decided, len(events)) == (1, 1)
    [row] = _rows(engine)
    assert (row.status, row.error) == ("done", None)


def _at(seconds: float) -> Callable[[], datetime]:
    return lambda: NOW + timedelta(seconds=seconds)


def test_a_worker_that_finds_another_live_workers_heartbeat_warns_once(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a worker, a second one started on the same database, and a third started after
    # the first stopped cleanly
    first, second, third = (Pulse(engine, started_at=NOW) for _ in range(3))
    second.pid, third.pid = first.pid + 1, first.pid + 2
    # when: the first two beat in turn, the first stops, and the third beats
    with caplog.at_level(logging.WARNING, logger="evenhand.actions.worker_pulse"):
        turns = [(0, first), (2, second), (8, second), (13, first), (18, second), (19, first)]
        for seconds, pulse in turns:
            pulse.last = float("-inf")  # its next beat is due
            pulse.beat(_at(seconds))
        first.stop(_at(20))
        third.beat(_at(21))
    # then: each of the two warned once of the other; the third of no one
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert f"pid {first.pid} on" in warnings[0] and "run one worker per database" in warnings[0]
    assert f"pid {second.pid} on" in warnings[1]


def test_a_worker_restarted_after_a_crash_does_not_warn_of_its_predecessor(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a worker that beat, then died without stopping; `serve` restarts it 2 s later
    dead = Pulse(engine, started_at=NOW)
    dead.beat(_at(0))
    restarted = Pulse(engine, started_at=NOW + timedelta(seconds=2))
    restarted.pid = dead.pid + 1
    # when: the new worker beats
    with caplog.at_level(logging.WARNING, logger="evenhand.actions.worker_pulse"):
        restarted.beat(_at(3))
    # then: no warning: the heartbeat it found is from before it started
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []
