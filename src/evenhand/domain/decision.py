"""A decision: the remedy the guide gives one ticket, its tags, the reply draft, and why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evenhand.domain.costs import OrderCosts, RemedyCost, remedy_cost
from evenhand.domain.facts import (
    CustomerKnown,
    DisputeState,
    Facts,
    OrderMatch,
    ReadingStrength,
    Tier,
    routed_to_dispute,
)
from evenhand.domain.guide import REMEDY_MEANINGS, Guide, Remedy, Rule, TagNames, decide
from evenhand.domain.intents import THREAT_SIGNALS, Signal
from evenhand.domain.replies import ReplyContext, ReplyRenderError, reply_language


@dataclass(frozen=True, slots=True)
class Reading:
    """What the reader said about the message, as the decision records it."""

    language: str
    intent_confidence: float
    runner_up: str
    runner_up_confidence: float
    signals: tuple[Signal, ...] = ()
    intent_source: str = ""  # which stage of the reader decided the intent, if it says
    reader: str = "built-in"  # which reader: the built-in one or "shop:VERSION"


@dataclass(frozen=True, slots=True)
class Decision:
    ticket_id: str
    facts: Facts  # with a dispute the message says was filed already folded in
    reading: Reading
    currency: str
    remedy: Remedy
    rule_id: str
    guide_version: str
    tags: tuple[str, ...]
    reply_language: str
    reply_text: str
    explanation: str
    cost: RemedyCost | None = None  # the remedy's expected cost (evenhand.domain.costs)
    order_costs: OrderCosts | None = None  # the order as it was priced


def tags_for(
    names: TagNames, *, facts: Facts, signals: tuple[Signal, ...], remedy: Remedy
) -> tuple[str, ...]:
    tags = [names.intent.format(intent=facts.intent.value)]
    if facts.tier is Tier.VIP:
        tags.insert(0, names.vip)
    for kind in sorted({signal.kind for signal in signals}):
        tags.append(names.threat.format(signal=kind.value))
    if routed_to_dispute(facts.dispute):
        tags.append(names.dispute)
    if facts.dispute is DisputeState.OTHER_ORDER:
        tags.append(names.other_dispute)
    tags.append(names.remedy.format(remedy=remedy.value))
    return tuple(dict.fromkeys(tags))


def decide_ticket(
    guide: Guide,
    *,
    ticket_id: str,
    facts: Facts,
    reading: Reading,
    context: ReplyContext,
    currency: str,
    order_costs: OrderCosts | None = None,
    disputed_orders: tuple[str, ...] = (),
) -> Decision:
    """Decide from the facts alone; the reading's signals only tag and explain. The
    remedy's expected cost is priced from the facts and the order's costs.

    `disputed_orders` (the customer's orders with an open bank dispute) are named in the
    explanation, never in the reply. A reply template that fails to render (a guide's
    template can raise) does not fail the ticket: a person decides (`human_review`), and
    the explanation says why.
    """
    rule = decide(guide.rules, facts)
    language = reply_language(reading.language)
    remedy = rule.remedy
    failure = ""
    try:
        reply_text = guide.replies.render(rule.reply, language=language, context=context)
    except ReplyRenderError as failed:
        remedy = Remedy.HUMAN_REVIEW
        reply_text = _fallback_reply(guide, language=language, context=context)
        failure = (
            f" The reply template {failed.name!r} ({failed.language}) could not be rendered "
            f"({failed.reason}), so a person decides: {remedy.value}."
        )
    cost = cost_of(guide, remedy, facts=facts, order_costs=order_costs)
    return Decision(
        ticket_id=ticket_id,
        facts=facts,
        reading=reading,
        currency=currency,
        remedy=remedy,
        rule_id=rule.id,
        guide_version=guide.version,
        tags=tags_for(guide.settings.tags, facts=facts, signals=reading.signals, remedy=remedy),
        reply_language=language,
        reply_text=reply_text,
        explanation=explain(
            guide,
            rule=rule,
            facts=facts,
            reading=reading,
            currency=currency,
            cost=cost,
            evidence=Evidence(context.order_name, disputed_orders),
        )
        + failure,
        cost=cost,
        order_costs=order_costs,
    )


# When even the guide's human_review template fails: a reply that promises nothing.
FALLBACK_REPLIES = {
    "en": "Hi,\n\nThank you for your message. A colleague will get back to you.\n\n"
    "Best regards,\n{shop_name}",
    "sv": "Hej!\n\nTack för ditt meddelande. En kollega återkommer till dig.\n\n"
    "Vänliga hälsningar\n{shop_name}",
}


def _fallback_reply(guide: Guide, *, language: str, context: ReplyContext) -> str:
    name = Remedy.HUMAN_REVIEW.value
    if name in guide.replies.names():
        try:
            return guide.replies.render(name, language=language, context=context)
        except ReplyRenderError:
            pass
    return FALLBACK_REPLIES[language].replace("{shop_name}", context.shop_name)


def cost_of(
    guide: Guide, remedy: Remedy, *, facts: Facts, order_costs: OrderCosts | None
) -> RemedyCost:
    """What `remedy` is expected to cost under the guide's cost model."""
    return remedy_cost(
        remedy,
        facts=facts,
        order=order_costs,
        model=guide.costs,
        shop_pays_returns=guide.settings.return_shipping.value == "shop",
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the explanation names beside the facts: the ticket's order and disputed ones."""

    order_name: str | None = None
    disputed_orders: tuple[str, ...] = ()


def explain(
    guide: Guide,
    *,
    rule: Rule,
    facts: Facts,
    reading: Reading,
    currency: str,
    cost: RemedyCost | None = None,
    evidence: Evidence | None = None,
) -> str:
    """One paragraph a manager can read: what was read, who the customer is, which rule,
    and what the remedy is expected to cost."""
    evidence = evidence or Evidence()
    parts = [
        _reading_part(facts, reading),
        _confidence_part(guide, facts),
        _customer_part(guide, facts, currency),
        _order_part(facts, evidence.order_name),
        _dispute_part(facts, reading, evidence),
        f"Rule {rule.id!r} ({rule.description.rstrip('.')}) gives {rule.remedy.value}: "
        f"{REMEDY_MEANINGS[rule.remedy]}.",
        _threat_part(reading),
        cost.explained(currency) if cost else "",
        f"Guide version {guide.version}.",
    ]
    return " ".join(part for part in parts if part)


def _reading_part(facts: Facts, reading: Reading) -> str:
    source = f", by {reading.intent_source}" if reading.intent_source else ""
    return (
        f"The message ({reading.language}) reads as {facts.intent.value} "
        f"(confidence {reading.intent_confidence:.2f}{source}; runner-up {reading.runner_up} "
        f"{reading.runner_up_confidence:.2f})."
    )


def _customer_part(guide: Guide, facts: Facts, currency: str) -> str:
    settings = guide.settings
    threshold = f"{_amount(settings.vip_threshold)} {currency}"
    if facts.customer is CustomerKnown.UNKNOWN:
        return f"The customer is unknown to the shop, so standard (VIP from {threshold})."
    return (
        f"The customer has {facts.orders} counted order(s); {settings.ltv_metric.value} "
        f"{_amount(facts.ltv)} {currency} against the VIP threshold {threshold}, "
        f"so tier {facts.tier.value}."
    )


def _confidence_part(guide: Guide, facts: Facts) -> str:
    if facts.reading is ReadingStrength.SURE:
        return ""
    return (
        f"The confidence {facts.confidence:.2f} is below the guide's remedy_confidence "
        f"{guide.settings.remedy_confidence:.2f}: too unsure a reading for money or goods."
    )


_ORDER_FOUND = {
    OrderMatch.QUOTED: "quoted in the message",
    OrderMatch.LATEST: "no number quoted: the customer's latest order",
}


def _order_part(facts: Facts, order_name: str | None) -> str:
    if facts.order_match is OrderMatch.NONE:
        quoted = f" ({order_name} is not theirs or not on record)" if order_name else ""
        return f"No order of this customer's was found{quoted}."
    name = f" {order_name}" if order_name else ""
    delivery = f", {facts.delivery.value.replace('_', ' ')}" if facts.delivery else ""
    return f"The ticket is about order{name} ({_ORDER_FOUND[facts.order_match]}{delivery})."


def _dispute_part(facts: Facts, reading: Reading, evidence: Evidence) -> str:
    others = [name for name in evidence.disputed_orders if name != evidence.order_name]
    if facts.dispute is DisputeState.NONE:
        return "No bank dispute is open."
    if facts.dispute is DisputeState.OTHER_ORDER:
        return (
            f"Flag for the agent: a bank dispute is open on another order "
            f"({', '.join(others)}); "
            "this ticket is decided on its own."
        )
    said = [signal for signal in reading.signals if signal.kind not in THREAT_SIGNALS]
    on_record = (
        f"open on this order, {evidence.order_name}"
        if facts.dispute is DisputeState.THIS_ORDER
        else ""
    )
    sources = [
        source
        for source in (
            on_record,
            f"the message says one was filed, read by {said[0].source}" if said else "",
        )
        if source
    ]
    if not on_record:  # only said: the explanation does not state it as fact
        return f"No bank dispute is on record, but {'; '.join(sources)}."
    return f"A bank dispute is open ({'; '.join(sources)})."


def _threat_part(reading: Reading) -> str:
    threats = [signal for signal in reading.signals if signal.kind in THREAT_SIGNALS]
    if not threats:
        return ""
    seen = "; ".join(
        f'{signal.kind.value} ("{signal.evidence}", read by {signal.source})' for signal in threats
    )
    return f"Threats seen: {seen}. The guide cannot see threats, so they did not change the remedy."


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"
