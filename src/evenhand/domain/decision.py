"""A decision: the remedy the guide gives one ticket, its tags, the reply draft, and why."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evenhand.domain.facts import CustomerKnown, DisputeState, Facts, Tier
from evenhand.domain.guide import REMEDY_MEANINGS, Guide, Remedy, Rule, TagNames, decide
from evenhand.domain.intents import THREAT_SIGNALS, Signal
from evenhand.domain.replies import ReplyContext, reply_language


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


def tags_for(
    names: TagNames, *, facts: Facts, signals: tuple[Signal, ...], remedy: Remedy
) -> tuple[str, ...]:
    tags = [names.intent.format(intent=facts.intent.value)]
    if facts.tier is Tier.VIP:
        tags.insert(0, names.vip)
    for kind in sorted({signal.kind for signal in signals}):
        tags.append(names.threat.format(signal=kind.value))
    if facts.dispute is DisputeState.OPEN:
        tags.append(names.dispute)
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
) -> Decision:
    """Decide from the facts alone; the reading's signals only tag and explain."""
    rule = decide(guide.rules, facts)
    language = reply_language(reading.language)
    return Decision(
        ticket_id=ticket_id,
        facts=facts,
        reading=reading,
        currency=currency,
        remedy=rule.remedy,
        rule_id=rule.id,
        guide_version=guide.version,
        tags=tags_for(
            guide.settings.tags, facts=facts, signals=reading.signals, remedy=rule.remedy
        ),
        reply_language=language,
        reply_text=guide.replies.render(rule.reply, language=language, context=context),
        explanation=explain(guide, rule=rule, facts=facts, reading=reading, currency=currency),
    )


def explain(guide: Guide, *, rule: Rule, facts: Facts, reading: Reading, currency: str) -> str:
    """One paragraph a manager can read: what was read, who the customer is, which rule."""
    parts = [
        _reading_part(facts, reading),
        _customer_part(guide, facts, currency),
        _dispute_part(facts, reading),
        f"Rule {rule.id!r} ({rule.description.rstrip('.')}) gives {rule.remedy.value}: "
        f"{REMEDY_MEANINGS[rule.remedy]}.",
        _threat_part(reading),
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


def _dispute_part(facts: Facts, reading: Reading) -> str:
    if facts.dispute is DisputeState.NONE:
        return "No bank dispute is open."
    said = [signal for signal in reading.signals if signal.kind not in THREAT_SIGNALS]
    on_record = f"{facts.open_disputes} open dispute(s) on record" if facts.open_disputes else ""
    told = f"the message says one was filed, read by {said[0].source}" if said else ""
    sources = [source for source in (on_record, told) if source]
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
