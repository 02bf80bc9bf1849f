"""The store's half of exactly once, on SQLite and PostgreSQL: a step waits for the steps
before it, one worker claims a try, and a done step is never changed again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from evenhand.actions.guide import load_guide
from evenhand.actions.triage import triage_tickets
from evenhand.domain.execution import StepKind, StepState
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.executions import (
    ERASED_REPLY,
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
from evenhand.store.tables import decisions, executions
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
