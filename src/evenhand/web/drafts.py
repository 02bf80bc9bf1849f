"""The reply the guide drafts for a remedy on a ticket, for the ticket page's script: when
an agent picks another remedy, an untouched reply is swapped for this one."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from evenhand.actions.redraft import draft_for
from evenhand.actions.service import find_decision
from evenhand.domain.execution import Choice
from evenhand.domain.guide import Remedy
from evenhand.errors import EvenhandError, InputError
from evenhand.web.labels import choice_label, remedy_label
from evenhand.web.pages import SignedIn
from evenhand.web.service import ServiceDep

router = APIRouter(include_in_schema=False)


class ReplyDraftOut(BaseModel):
    """The drafted reply; `text` is None when there is none, and `reason` says why."""

    remedy: str
    label: str
    language: str
    template: str | None
    text: str | None
    reason: str


@router.get("/tickets/{decision_id}/draft")
def reply_draft(
    service: ServiceDep, _user: SignedIn, decision_id: int, remedy: str = "", choice: str = ""
) -> ReplyDraftOut:
    """The guide's reply for `remedy` (none: the decision's own) on this ticket, and for a
    replace_or_refund's `choice` (none: the default)."""
    decision = find_decision(service.engine, decision_id=decision_id)
    if remedy and remedy not in {each.value for each in Remedy}:
        raise EvenhandError(InputError.BAD_VALUE, f"remedy: unknown remedy {remedy!r}")
    if choice and choice not in {each.value for each in Choice}:
        raise EvenhandError(InputError.BAD_VALUE, f"choice: unknown choice {choice!r}")
    chosen = Remedy(remedy) if remedy else decision.remedy
    made = Choice(choice) if choice and chosen is Remedy.REPLACE_OR_REFUND else None
    draft = draft_for(service.engine, decision, chosen, service.current_guide(), made)
    label = remedy_label(chosen.value)
    return ReplyDraftOut(
        remedy=chosen.value,
        label=f"{label}: {choice_label(made)}" if made else label,
        language=draft.language,
        template=draft.template,
        text=draft.text,
        reason=draft.reason,
    )
