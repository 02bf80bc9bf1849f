"""The reply when an agent overrides the remedy: redrafted from the guide's templates for
the new remedy (the render triage uses, on the decision's stored facts), unless the agent
edited the reply by hand, whose text is then kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from evenhand.actions.schemas import DecisionOut
from evenhand.domain.execution import Choice, default_choice
from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.redraft import Redraft, redraft, same_reply
from evenhand.domain.replay import facts_from_json
from evenhand.domain.ticket_facts import reply_context
from evenhand.store.tickets import first_name_of_decision


def draft_for(
    engine: Engine,
    decision: DecisionOut,
    remedy: Remedy,
    guide: Guide,
    choice: Choice | None = None,
) -> Redraft:
    """The guide's reply for `remedy` (and a replace_or_refund's choice) on this
    decision's ticket, in its reply language."""
    with engine.connect() as connection:
        first_name = first_name_of_decision(connection, decision.decision_id)
    facts = facts_from_json(decision.facts)
    context = reply_context(
        facts, settings=guide.settings, first_name=first_name, order_name=decision.order_name
    )
    return redraft(
        guide,
        remedy,
        facts=facts,
        language=decision.reply.language,
        context=context,
        choice=choice,
    )


def remedy_in_force(decision: DecisionOut, reviews: Sequence[Mapping[str, Any]]) -> Remedy:
    """The remedy of the last override, else the guide's."""
    overrides = [review for review in reviews if review["action"] == "override"]
    return Remedy(overrides[-1]["remedy"]) if overrides else decision.remedy


def choice_in_force(decision: DecisionOut, reviews: Sequence[Mapping[str, Any]]) -> Choice:
    """A replace_or_refund's choice as the last review made it, else the default."""
    made = [review["choice"] for review in reviews if review.get("choice")]
    return Choice(made[-1]) if made else default_choice(decision.facts.get("asked_for"))


@dataclass(frozen=True, slots=True)
class ReviewReply:
    """The reply a review stores, and whether the agent's own text was kept."""

    text: str | None
    kept_by_hand: bool = False
    draft: Redraft | None = None


def reply_for_override(
    engine: Engine,
    decision: DecisionOut,
    *,
    before: Remedy,
    after: Remedy,
    posted: str | None,
    guide: Guide,
    choice: Choice | None = None,
) -> ReviewReply:
    """The reply an override to `after` (or a replace_or_refund's `choice`) stores: the
    guide's draft for it when the posted reply is a draft (the decision's, the one for the
    remedy in force `before`, or the one for `after` with any choice) or none was posted;
    the agent's own text when they edited it."""
    new = draft_for(engine, decision, after, guide, choice)
    drafts = [decision.reply.text, new.text, draft_for(engine, decision, after, guide).text]
    if after is Remedy.REPLACE_OR_REFUND:
        drafts += [draft_for(engine, decision, after, guide, each).text for each in Choice]
    if before is not decision.remedy:
        drafts.append(draft_for(engine, decision, before, guide).text)
    if posted is not None and not any(same_reply(posted, draft) for draft in drafts):
        return ReviewReply(posted, kept_by_hand=True, draft=new)
    return ReviewReply(new.text if new.text is not None else posted, draft=new)


@dataclass(frozen=True, slots=True)
class ReplyNote:
    """What the ticket page says about the reply: whether it is the guide's draft for the
    remedy in force, and that draft (or why there is none)."""

    remedy: Remedy  # in force
    overridden: bool  # an agent chose the remedy
    drafted: bool  # the reply shown is a draft of the guide's, not the agent's own text
    draft: Redraft | None


def reply_note(
    engine: Engine,
    decision: DecisionOut,
    *,
    reviews: Sequence[Mapping[str, Any]],
    shown: str,
    guide: Guide,
) -> ReplyNote:
    in_force = remedy_in_force(decision, reviews)
    choice = choice_in_force(decision, reviews) if in_force is Remedy.REPLACE_OR_REFUND else None
    chosen = choice not in {None, default_choice(decision.facts.get("asked_for"))}
    if in_force is decision.remedy and not chosen:
        return ReplyNote(in_force, False, same_reply(shown, decision.reply.text), None)
    draft = draft_for(engine, decision, in_force, guide, choice)
    drafted = same_reply(shown, draft.text) or same_reply(shown, decision.reply.text)
    return ReplyNote(in_force, True, drafted, draft)
