"""What agents do with decisions in the UI: list them, open one, approve or override it.

A review is appended (approve, or override with a new remedy and a mandatory reason); the
decision it reviews is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.actions.customer_value import CustomerReport, customer_report
from evenhand.actions.execute import (
    Plan,
    by_hand_needed,
    check_done_by_hand,
    check_latest,
    check_role_limit,
    execution_steps_of,
    left_to_agent,
    plan_for,
    start_execution,
)
from evenhand.actions.order_since import check_premise, order_note
from evenhand.actions.redraft import (
    ReplyNote,
    ReviewReply,
    choice_in_force,
    remedy_in_force,
    reply_for_override,
    reply_note,
)
from evenhand.actions.schemas import DecisionOut
from evenhand.actions.service import find_decision
from evenhand.domain.execution import Choice, ManualStep
from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.replay import facts_from_json
from evenhand.domain.reply_check import check_written_reply
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.decisions import newer_decision
from evenhand.store.executions import carried_out_as, decision_context, has_execution
from evenhand.store.orders import OrderShown, order_shown
from evenhand.store.reviews import (
    CHOICE_EVENT,
    QUEUE_SORTS,
    QueueRow,
    add_review,
    queue_rows,
    reviews_of,
)
from evenhand.store.tickets import (
    OrderRow,
    customers_by_email,
    message_of_decision,
    orders_of_customers,
    source_of_decision,
)
from evenhand.store.users import User

QUEUE_LENGTH = 100
__all__ = [
    "QUEUE_LENGTH",
    "QUEUE_SORTS",
    "BulkApproval",
    "approve_many",
    "next_to_review",
    "queue",
    "review_decision",
    "ticket_page",
]
BULK_LIMIT = QUEUE_LENGTH  # a bulk approval covers at most one page of the queue


def queue(
    engine: Engine,
    *,
    filters: Mapping[str, str],
    search: str,
    before: int | None = None,
    sort: str = "newest",
) -> tuple[list[QueueRow], bool]:
    """A page of the queue (the first, or the one after decision `before`), and whether
    another page follows it."""
    with engine.connect() as connection:
        rows = queue_rows(
            connection,
            filters=filters,
            search=search,
            limit=QUEUE_LENGTH + 1,
            before=before,
            sort=sort,
        )
    return rows[:QUEUE_LENGTH], len(rows) > QUEUE_LENGTH


ORDER_HISTORY_LENGTH = 24


@dataclass(frozen=True, slots=True)
class TicketPage:
    decision: DecisionOut
    subject: str | None
    body: str
    customer: CustomerReport | None
    reviews: list[Mapping[str, Any]]
    orders: list[OrderRow]  # the customer's latest orders, oldest first
    order: OrderShown | None = None  # the order the ticket is about, with its lines
    links: dict[str, str] = field(default_factory=dict)  # out to the helpdesk and the shop
    steps: list[dict[str, Any]] = field(default_factory=list)  # the remedy carried out
    note: ReplyNote | None = None  # whether the reply is the guide's draft (with a guide)
    order_moved: str = ""  # the order moved on since the draft (`actions.order_since`)
    order_elsewhere: bool = False  # the order the ticket names is another customer's
    newer: int | None = None  # the ticket's latest decision, when this one is older

    @property
    def reply(self) -> str:
        """The reply as an agent last saved it with a review, else the guide's draft."""
        saved = [review["reply_text"] for review in self.reviews if review.get("reply_text")]
        return str(saved[-1]) if saved else self.decision.reply.text


def ticket_page(
    engine: Engine, *, decision_id: int, settings: Settings, guide: Guide | None = None
) -> TicketPage:
    decision = find_decision(engine, decision_id=decision_id)
    with engine.connect() as connection:
        subject, body = message_of_decision(connection, decision_id)
        reviews = reviews_of(connection, decision_id)
        people = customers_by_email(connection, [decision.customer_email])
        person = people.get(decision.customer_email)
        history = orders_of_customers(connection, [person.id]) if person else {}
        orders = history.get(person.id, []) if person else []
        order = (  # the customer's own: a number they quoted of a stranger's order is none
            order_shown(connection, decision.order_name, customer_id=person.id)
            if decision.order_name and person
            else None
        )
        source, key = source_of_decision(connection, decision_id)
        context = decision_context(connection, decision_id)
        newer = newer_decision(connection, decision_id)
    try:
        customer = customer_report(engine, email=decision.customer_email, settings=settings)
    except EvenhandError as error:
        if error.code is not LookupFailure.CUSTOMER_NOT_FOUND:
            raise
        customer = None
    links = links_out(settings, source=source, ticket_key=key, order=order)
    steps = execution_steps_of(engine, decision_id)
    page = TicketPage(
        decision,
        subject,
        body,
        customer,
        reviews,
        orders[-ORDER_HISTORY_LENGTH:],
        order,
        links,
        steps,
        order_moved=order_note(context, remedy_in_force(decision, reviews))
        if context is not None and not steps
        else "",
        order_elsewhere=context is not None and context.order_elsewhere,
        newer=newer,
    )
    if guide is None:
        return page
    note = reply_note(engine, decision, reviews=reviews, shown=page.reply, guide=guide)
    return replace(page, note=note)


def links_out(
    settings: Settings, *, source: str, ticket_key: str, order: OrderShown | None
) -> dict[str, str]:
    """Where the agent finds the ticket in its helpdesk and the order in Shopify's admin,
    for the accounts the settings name."""
    links: dict[str, str] = {}
    if source == "zendesk" and settings.zendesk_url:
        links["zendesk"] = f"{settings.zendesk_url.rstrip('/')}/agent/tickets/{ticket_key}"
    if source == "gorgias" and settings.gorgias_url:
        links["gorgias"] = f"{settings.gorgias_url.rstrip('/')}/app/ticket/{ticket_key}"
    if order and order.shopify_id and settings.shopify_shop_domain:
        shop = settings.shopify_shop_domain
        links["shopify"] = f"https://{shop}/admin/orders/{order.shopify_id}"
    return links


def _check_written(decision: DecisionOut, reply_text: str | None, *, guide: Guide | None) -> None:
    """A reply the agent wrote must have words, and say nothing the guide's own replies may
    not (`check_written_reply`): the draft is what goes to the customer."""
    if reply_text is None or reply_text == decision.reply.text:
        return
    if not reply_text.strip():
        raise EvenhandError(InputError.MISSING_VALUE, "reply: a reply needs some text")
    if guide is None:
        return
    found = check_written_reply(
        reply_text, settings=guide.settings, facts=facts_from_json(decision.facts)
    )
    if found:
        raise EvenhandError(InputError.BAD_VALUE, "reply: " + "; ".join(found))


def review_decision(
    engine: Engine,
    *,
    decision_id: int,
    user: User,
    remedy: str | None,
    reason: str,
    reply_text: str | None,
    now: datetime,
    settings: Settings | None = None,
    guide: Guide | None = None,
    choice: str | None = None,
    done_by_hand: bool = False,
) -> int:
    """Approve (no remedy given) or override (a new remedy and a reason) a decision, and
    owe the steps that carry out the remedy in force (see actions.execute); a
    replace_or_refund does what `choice` says (none: the default). With the guide, the
    reply is redrafted for a new remedy or choice unless the agent edited it by hand
    (`actions.redraft`). A shop step Evenhand cannot carry out (no Shopify order, a
    cancelled one, a change to the order) must be `done_by_hand` in Shopify first: else the
    approval is refused and nothing is stored."""
    decision = find_decision(engine, decision_id=decision_id)  # it must exist
    if remedy and remedy not in {each.value for each in Remedy}:
        raise EvenhandError(InputError.BAD_VALUE, f"remedy: unknown remedy {remedy!r}")
    if remedy and not reason.strip():
        raise EvenhandError(InputError.MISSING_VALUE, "reason: an override needs a reason")
    action = "override" if remedy else "approve"
    with engine.connect() as connection:
        reviews = reviews_of(connection, decision_id)
    # an approval agrees with the remedy in force: the last override's, else the guide's
    after = Remedy(remedy) if remedy else remedy_in_force(decision, reviews)
    chosen = _choice(choice, after)
    carried = _CarriedOut(
        remedy=after.value, choice=chosen, before=choice_in_force(decision, reviews)
    )
    reply_text = None if reply_text is None else reply_text.replace("\r\n", "\n")
    _check_written(decision, reply_text, guide=guide)
    changed = chosen is not None and chosen is not choice_in_force(decision, reviews)
    if guide is not None and (remedy or changed):
        reply = reply_for_override(
            engine,
            decision,
            before=remedy_in_force(decision, reviews),
            after=after,
            posted=reply_text,
            guide=guide,
            choice=chosen,
        )
        reply_text = _said(reply, chosen)
    plan = _checked_plan(engine, decision_id, after, user, settings, choice=chosen)
    chosen = plan.choice if plan is not None and plan.choice else chosen
    with engine.begin() as connection:
        carried.check(connection, decision_id)  # in the write, so no approval slips between
        if not has_execution(connection, decision_id):
            check_latest(connection, decision_id)
            if plan is not None:
                check_premise(after, plan.context)
        by_hand = by_hand_needed(connection, plan, decision_id) if plan else ()
        check_done_by_hand(by_hand, done_by_hand=done_by_hand)
        review_id = _review_and_start(
            connection,
            DecisionReview(
                decision_id, action, remedy or None, reason.strip() or None, reply_text, chosen
            ),
            user=user,
            plan=plan,
            now=now,
        )
        record_event(
            connection,
            at=now,
            action=f"decision {action}",
            subject=str(decision_id),
            details={
                "by": user.email,
                "remedy": remedy,
                "reason": reason.strip() or None,
                "review": review_id,
                **_done_by_hand(by_hand),
            },
        )
    return review_id


@dataclass(frozen=True, slots=True)
class _CarriedOut:
    """What a review would carry out: its remedy, and a replace_or_refund's choice against
    the one in force before it."""

    remedy: str
    choice: Choice | None
    before: Choice

    def check(self, connection: Connection, decision_id: int) -> None:
        """Refuse another remedy (or choice) once the decision was carried out: a decision
        is carried out once, and the review would say something was given that nothing
        gives. (The customer's answer to a question is a new message, decided anew.)"""
        done = carried_out_as(connection, decision_id)
        other_choice = self.choice is not None and self.choice is not self.before
        if done is not None and (self.remedy != done or other_choice):
            raise EvenhandError(
                InputError.CONFLICTING_VALUE,
                f"remedy: this ticket was already carried out as {done}"
                f"{f' ({self.before.value})' if other_choice else ''}, and another remedy "
                "or choice would not be; do it in Shopify and the helpdesk by hand, and "
                "note it there",
            )


def _done_by_hand(steps: tuple[ManualStep, ...]) -> dict[str, Any]:
    """The audit's record of shop steps the approving agent confirmed done by hand."""
    if not steps:
        return {}
    return {
        "done_by_hand": [step.kind.value for step in steps],
        "not_at_shop": steps[0].reason.value,
    }


def _choice(choice: str | None, remedy: Remedy) -> Choice | None:
    """The choice given for a replace_or_refund (None: the default); ignored otherwise."""
    if remedy is not Remedy.REPLACE_OR_REFUND or not choice:
        return None
    if choice not in {each.value for each in Choice}:
        raise EvenhandError(InputError.BAD_VALUE, f"choice: unknown choice {choice!r}")
    return Choice(choice)


def _said(reply: ReviewReply, chosen: Choice | None) -> str | None:
    """The reply to store; a replacement or refund is never sent with a reply that asks
    the customer to choose (the guide has no draft for it and the agent wrote none)."""
    draft = reply.draft
    if draft is None or draft.text is not None or reply.kept_by_hand:
        return reply.text
    if chosen in {Choice.REPLACEMENT, Choice.REFUND}:
        raise EvenhandError(
            InputError.MISSING_VALUE,
            f"reply: no draft for the {chosen} ({draft.reason}); write the reply",
        )
    return reply.text


@dataclass(frozen=True, slots=True)
class DecisionReview:
    decision_id: int
    action: str  # approve or override
    remedy: str | None
    reason: str | None
    reply_text: str | None
    choice: Choice | None = None  # a replace_or_refund's


def _review_and_start(
    connection: Connection, review: DecisionReview, *, user: User, plan: Plan | None, now: datetime
) -> int:
    """The review appended, and the steps its remedy owes started (when there are any)."""
    review_id = add_review(
        connection,
        decision_id=review.decision_id,
        user_id=user.id,
        action=review.action,
        remedy=review.remedy,
        reason=review.reason,
        reply_text=review.reply_text,
        created_at=now,
    )
    if review.choice is not None:
        record_event(
            connection,
            at=now,
            action=CHOICE_EVENT,
            subject=str(review.decision_id),
            details={"review": review_id, "choice": review.choice.value, "by": user.email},
        )
    if plan is not None:
        start_execution(
            connection,
            plan,
            decision_id=review.decision_id,
            review_id=review_id,
            approved_by=user.email,
            reply_text=review.reply_text,
            now=now,
        )
    return review_id


def _checked_plan(
    engine: Engine,
    decision_id: int,
    remedy: Remedy,
    user: User,
    settings: Settings | None,
    *,
    choice: Choice | None = None,
) -> Plan | None:
    """The steps the approval sets going, within the user's role's limit (no settings:
    nothing is carried out)."""
    if settings is None:
        return None
    with engine.connect() as connection:
        plan = plan_for(connection, decision_id, remedy=remedy, settings=settings, choice=choice)
    if plan is not None:
        check_role_limit(plan, role=user.role, settings=settings)
    return plan


@dataclass(frozen=True, slots=True)
class BulkApproval:
    """What a bulk approval did: the decisions approved, and those left for an agent."""

    approved: list[int]
    # decision id: the shop step an agent must do in Shopify by hand first, and why
    skipped: dict[int, str] = field(default_factory=dict)


def approve_many(
    engine: Engine,
    *,
    decision_ids: list[int],
    user: User,
    now: datetime,
    settings: Settings | None = None,
) -> BulkApproval:
    """Approve the decisions picked on a page of the queue with the draft replies as they
    are, all or none, but for those with a shop step Evenhand cannot carry out: they are
    skipped (each needs its agent's 'done by hand' on its page), so no reply says it was
    done. One audit event names those approved and those skipped."""
    picked = sorted(set(decision_ids))
    if not picked:
        raise EvenhandError(InputError.MISSING_VALUE, "decision: pick at least one ticket")
    if len(picked) > BULK_LIMIT:
        raise EvenhandError(InputError.BAD_VALUE, f"decision: at most {BULK_LIMIT} at once")
    plans = {}
    for decision_id in picked:
        decision = find_decision(engine, decision_id=decision_id)  # each must exist
        with engine.connect() as connection:
            in_force = remedy_in_force(decision, reviews_of(connection, decision_id))
        plans[decision_id] = _checked_plan(engine, decision_id, in_force, user, settings)
    with engine.begin() as connection:
        skipped = _needing_hands(connection, plans)
        approved = [decision_id for decision_id in picked if decision_id not in skipped]
        for decision_id in approved:
            plan = plans[decision_id]
            choice = plan.choice if plan is not None else None
            approval = DecisionReview(decision_id, "approve", None, None, None, choice)
            _review_and_start(connection, approval, user=user, plan=plan, now=now)
        record_event(
            connection,
            at=now,
            action="decisions approved",
            subject=",".join(map(str, approved)),
            details={"by": user.email, "count": len(approved), "skipped": sorted(skipped)},
        )
    return BulkApproval(approved, skipped)


def _needing_hands(connection: Connection, plans: Mapping[int, Plan | None]) -> dict[int, str]:
    """The picked decisions only an agent can approve on their page (a shop step done by
    hand, an order moved on since the draft), with why."""
    notes = {
        decision_id: left_to_agent(connection, plan, decision_id)
        for decision_id, plan in plans.items()
        if plan is not None
    }
    return {decision_id: note for decision_id, note in notes.items() if note}


def next_to_review(engine: Engine, *, after: int) -> int | None:
    """The decision after this one in the queue's order that no one has reviewed yet."""
    with engine.connect() as connection:
        rows = queue_rows(connection, filters={"reviewed": "no"}, search="", limit=1, before=after)
    return rows[0].decision_id if rows else None
