"""The store's half of exactly once, on SQLite and PostgreSQL: a step waits for the steps
before it, one worker claims a try, and a done step is never changed again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from evenhand.actions.execute import _finish
from evenhand.actions.guide import load_guide
from evenhand.actions.triage import triage_tickets
from evenhand.domain.execution import StepKind, StepState
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.executions import (
    ERASED_REPLY,
    DueStep,
    NewExecution,
    NewStep,
    add_execution,
    claim_step,
    due_steps,
    erase_executions,
    has_execution,
    record_step,
    steps_of_decision,
)
from evenhand.store.tables import audit_events, decisions, executions
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW

TICKETS = FIXTURES / "tickets" / "agent_day.jsonl"


def _a_decision(engine: Engine, reader: EmbeddedReader) -> int:
    settings = Settings(db=str(engine.url))
    triage_tickets(
        engine,
        records=read_tickets(TICKETS),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    with engine.connect() as connection:
        return int(connection.execute(select(decisions.c.id).limit(1)).scalar_one())


def _owed(engine: Engine, decision_id: int) -> None:
    new = NewExecution(
        decision_id=decision_id,
        review_id=None,
        remedy="replace_or_refund",
        approved_by="lead@nordhem.example",
        order_shopify_id=5820000000101,
        customer_shopify_id=None,
        provider="zendesk",
        ticket_ref="35436",
        reply_text="Hej!",
        currency="SEK",
    )
    steps = [
        NewStep(StepKind.REFUND, f"evenhand-d{decision_id}-refund", 124_700),
        NewStep(StepKind.SEND_REPLY, f"evenhand-d{decision_id}-send-reply", 0),
    ]
    with engine.begin() as connection:
        add_execution(connection, new, steps, now=NOW)


def test_a_step_waits_for_the_one_before_and_one_worker_claims_each_try(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given an execution of two steps
    decision_id = _a_decision(engine, reader)
    _owed(engine, decision_id)
    with engine.connect() as connection:
        assert has_execution(connection, decision_id)
        [first] = due_steps(connection, now=NOW, limit=10)  # the reply waits for the refund
    assert first.kind is StepKind.REFUND and first.amount_minor == 124_700
    # when two workers claim its first try, only one gets it
    with engine.begin() as connection:
        lease = NOW + timedelta(minutes=2)
        assert claim_step(connection, first.id, attempts=1, lease_until=lease)
        assert not claim_step(connection, first.id, attempts=1, lease_until=lease)
        assert due_steps(connection, now=NOW, limit=10) == []  # in another worker's hands
    # and once it is done, the reply is due and the refund never is again
    with engine.begin() as connection:
        record_step(
            connection,
            first.id,
            state=StepState.DONE,
            next_attempt_at=NOW,
            result={"refund": "gid://shopify/Refund/1"},
            error=None,
            attempts=1,
            now=NOW,
        )
    later = NOW + timedelta(hours=1)
    with engine.connect() as connection:
        [second] = due_steps(connection, now=later, limit=10)
    assert second.kind is StepKind.SEND_REPLY and second.reply_text == "Hej!"
    # and a late record of the done step (a second worker's) changes nothing
    with engine.begin() as connection:
        record_step(
            connection,
            first.id,
            state=StepState.FAILED,
            next_attempt_at=later,
            result=None,
            error="late",
            attempts=1,
            now=later,
        )
        shown = steps_of_decision(connection, decision_id)
    assert [(step["kind"], step["state"], step["attempts"]) for step in shown] == [
        ("refund", "done", 1),
        ("send_reply", "pending", 0),
    ]
    assert shown[0]["last_error"] is None


def test_an_erasure_empties_the_reply_and_stops_it_but_not_the_refund(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given a refund and a reply owed for a decision
    decision_id = _a_decision(engine, reader)
    _owed(engine, decision_id)
    # when the person's data is erased
    with engine.begin() as connection:
        assert erase_executions(connection, [decision_id]) == 1
        shown = steps_of_decision(connection, decision_id)
        reply = connection.execute(select(executions.c.reply_text)).scalar_one()
    # then the reply is gone and will not be sent; the refund still goes
    assert reply == ""
    assert [(step["kind"], step["state"]) for step in shown] == [
        ("refund", "pending"),
        ("send_reply", "failed"),
    ]
    assert shown[1]["last_error"] == ERASED_REPLY


def _a_reply_in_a_worker_s_hands(engine: Engine, reader: EmbeddedReader) -> tuple[int, DueStep]:
    """A decision whose refund is done and whose reply's first try a worker has claimed: the
    decision and the reply's step."""
    decision_id = _a_decision(engine, reader)
    _owed(engine, decision_id)
    with engine.begin() as connection:
        [refund] = due_steps(connection, now=NOW, limit=10)
        assert claim_step(connection, refund.id, attempts=1, lease_until=NOW)
    assert _late(engine, refund.id, StepState.DONE)
    with engine.begin() as connection:
        [reply] = due_steps(connection, now=NOW, limit=10)
        assert claim_step(connection, reply.id, attempts=1, lease_until=NOW)
    return decision_id, reply


def _erase(engine: Engine, decision_id: int) -> None:
    with engine.begin() as connection:
        assert erase_executions(connection, [decision_id]) == 1


def _late(engine: Engine, step_id: int, state: StepState, *, attempts: int = 1) -> bool:
    with engine.begin() as connection:
        return record_step(
            connection,
            step_id,
            state=state,
            next_attempt_at=NOW,
            result={"comment": "1"} if state is StepState.DONE else None,
            error=None if state is StepState.DONE else "timed out",
            attempts=attempts,
            now=NOW,
        )


def _reply_state(engine: Engine, decision_id: int) -> tuple[str, str | None, int]:
    with engine.connect() as connection:
        reply = steps_of_decision(connection, decision_id)[1]
    return reply["state"], reply["last_error"], reply["attempts"]


def test_a_failed_try_that_ends_after_an_erasure_leaves_the_reply_unsent(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given a worker in the middle of sending a reply
    decision_id, reply = _a_reply_in_a_worker_s_hands(engine, reader)
    # when the customer is erased before the worker's try fails and asks to be tried again
    _erase(engine, decision_id)
    kept = _late(engine, reply.id, StepState.PENDING)
    # then the erasure's mark stands: the reply is never tried again
    assert not kept
    assert _reply_state(engine, decision_id) == ("failed", ERASED_REPLY, 1)
    with engine.connect() as connection:
        assert due_steps(connection, now=NOW + timedelta(days=1), limit=10) == []


def test_a_reply_sent_before_the_erasure_marked_it_is_recorded_as_sent(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given a worker whose send went through while the customer was being erased
    decision_id, reply = _a_reply_in_a_worker_s_hands(engine, reader)
    _erase(engine, decision_id)
    # when its outcome arrives
    kept = _late(engine, reply.id, StepState.DONE)
    # then the step says what happened: the reply was sent
    assert kept
    assert _reply_state(engine, decision_id) == ("done", None, 1)


def test_a_worker_whose_lease_ran_out_does_not_undo_its_successor_s_try(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given a reply's first try whose lease ran out and a second worker that claimed it
    decision_id, reply = _a_reply_in_a_worker_s_hands(engine, reader)
    with engine.begin() as connection:
        assert claim_step(connection, reply.id, attempts=2, lease_until=NOW)
    # when the first worker's failure arrives late
    kept = _late(engine, reply.id, StepState.FAILED, attempts=1)
    # then it is not kept: the step is still the second try's
    assert not kept
    assert _reply_state(engine, decision_id) == ("pending", None, 2)
    # and the second try's outcome is
    assert _late(engine, reply.id, StepState.FAILED, attempts=2)
    assert _reply_state(engine, decision_id) == ("failed", "timed out", 2)


def test_a_late_done_that_is_not_kept_is_still_audited_with_what_the_provider_said(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # given a reply whose first worker's lease ran out, and a second worker that sent it
    decision_id, reply = _a_reply_in_a_worker_s_hands(engine, reader)
    with engine.begin() as connection:
        assert claim_step(connection, reply.id, attempts=2, lease_until=NOW)
    assert _late(engine, reply.id, StepState.DONE, attempts=2)
    # when the first worker's done arrives after all
    settings = Settings(db=str(engine.url))
    _finish(engine, reply, ({"reply": "sent"}, None), attempts=1, settings=settings, moment=NOW)
    # then the step stays the second try's, and the audit says what the first try did
    assert _reply_state(engine, decision_id) == ("done", None, 2)
    with engine.connect() as connection:
        last = connection.execute(
            select(audit_events.c.action, audit_events.c.details)
            .order_by(audit_events.c.id.desc())
            .limit(1)
        ).one()
    assert last.action == "execution step done"
    assert (last.details["attempts"], last.details["kept"]) == (1, False)
    assert last.details["result"] == {"reply": "sent"}
