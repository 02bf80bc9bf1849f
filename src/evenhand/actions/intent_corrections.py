"""Agents' corrections of what a message is about: an agent (on the ticket page) or a program
(the API) says a decision's intent was wrong and which it is, with a note. Recorded like an
override: appended beside the decision, never rewriting it, with an audit event; shown in the
ticket's history; and joined to the shop's labelled history at the next `reader learn`.

A correction changes no remedy by itself: the decision stands until it is reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from evenhand.actions.service import find_decision
from evenhand.domain.intents import Intent
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.cells import text_problem
from evenhand.store.audit import record_event
from evenhand.store.intent_corrections import (
    CorrectedMessage,
    add_correction,
    corrected_messages,
    corrections_of,
)

NOTE_LIMIT = 2_000


class IntentCorrectionOut(BaseModel):
    """A correction of a decision's intent, as stored."""

    model_config = ConfigDict(extra="forbid")

    correction_id: int
    decision_id: int
    ticket_id: str = Field(description="The source's own id of the ticket.")
    read_as: Intent = Field(description="The intent the reader read (the decision's).")
    intent: Intent = Field(description="The intent the message is about, as corrected.")
    note: str | None
    corrected_by: str = Field(description="A user's e-mail address, or api:TOKEN_NAME.")
    corrected_at: datetime


@dataclass(frozen=True, slots=True)
class Correction:
    decision_id: int
    intent: str
    note: str
    by: str


def correct_intent(engine: Engine, correction: Correction, *, now: datetime) -> IntentCorrectionOut:
    """Record that the decision's message is about `intent` (one of the 22); refused with the
    field and the reason for an unknown intent, the one that already stands (the reader's,
    or the last correction's), or a note too long."""
    decision = find_decision(engine, decision_id=correction.decision_id)  # it must exist
    intent = _intent(correction.intent)
    note = correction.note.strip() or None
    if note and len(note) > NOTE_LIMIT:
        raise EvenhandError(InputError.BAD_VALUE, f"note: at most {NOTE_LIMIT:,} characters")
    if note and (problem := text_problem(note)):
        raise EvenhandError(InputError.BAD_VALUE, f"note: {problem}")
    with engine.begin() as connection:
        earlier = corrections_of(connection, decision.decision_id)
        standing = earlier[-1]["intent"] if earlier else decision.intent.value
        if intent.value == standing:
            raise EvenhandError(
                InputError.BAD_VALUE, f"intent: the message is already read as {standing}"
            )
        correction_id = add_correction(
            connection,
            decision_id=decision.decision_id,
            intent=intent.value,
            note=note,
            corrected_by=correction.by,
            created_at=now,
        )
        record_event(
            connection,
            at=now,
            action="decision intent",
            subject=str(decision.decision_id),
            details={
                "by": correction.by,
                "from": decision.intent.value,
                "intent": intent.value,
                "reason": note,  # named as reviews' are, so an erasure finds it
            },
        )
    return IntentCorrectionOut(
        correction_id=correction_id,
        decision_id=decision.decision_id,
        ticket_id=decision.ticket_id,
        read_as=decision.intent,
        intent=intent,
        note=note,
        corrected_by=correction.by,
        corrected_at=now,
    )


def _intent(value: str) -> Intent:
    try:
        return Intent(value.strip())
    except ValueError:
        raise EvenhandError(
            InputError.BAD_VALUE,
            f"intent: {value.strip()[:60]!r} is not one of the {len(Intent)} intents",
        ) from None


def intent_corrections_of(engine: Engine, decision_id: int) -> list[dict[str, Any]]:
    """A decision's corrections, oldest first (for the ticket's history)."""
    with engine.connect() as connection:
        return corrections_of(connection, decision_id)


def corrected_tickets(engine: Engine) -> list[CorrectedMessage]:
    """Every corrected message once, with its latest correction: labelled data for learn."""
    with engine.connect() as connection:
        return corrected_messages(connection)
