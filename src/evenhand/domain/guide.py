"""The resolution guide: a decision table (first match wins) from facts to a remedy.

`decide` sees `Facts` only, and `Facts` has no threat signals: a threat cannot buy a
better remedy, by construction. The guide is versioned by the hash of its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from evenhand.domain.conditions import Condition, any_value
from evenhand.domain.costs import CostModel
from evenhand.domain.facts import FACTS, Facts, ReadingStrength, Tier, with_message_signals
from evenhand.domain.intents import THREAT_SIGNALS, SignalKind
from evenhand.domain.remedies import Remedy as Remedy  # noqa: PLC0414 (re-exported)
from evenhand.domain.replies import ReplyBook
from evenhand.domain.review_replies import ReviewReplyBook, default_review_book
from evenhand.domain.value import LtvMetric

# The EU's right of withdrawal: a return window can never be shorter.
EU_WITHDRAWAL_DAYS = 14


REMEDY_MEANINGS: dict[Remedy, str] = {
    Remedy.ROUTE_TO_DISPUTE: "no refund, reship or credit through support; the matter is with "
    "the bank's dispute process",
    Remedy.REPLACE_OR_REFUND: "our mistake, made 100% right: a replacement or a refund, the "
    "customer's choice, no return needed",
    Remedy.RESHIP_FREE: "a new parcel at the shop's cost",
    Remedy.OFFER_PAID_RESHIP: "a new parcel offered at the customer's cost",
    Remedy.CARRIER_INVESTIGATION: "a claim opened with the carrier and an answer within five "
    "working days; a parcel not found is sent again or refunded (the risk is the shop's "
    "until the customer has the goods)",
    Remedy.REFUND_RENEWAL: "the renewal refunded and future renewals cancelled",
    Remedy.EXPLAIN_AND_CANCEL: "future renewals cancelled and the terms explained; what shipped "
    "is the customer's to keep or to return within the window from receipt",
    Remedy.STANDARD_RETURN: "a return within the window counted from receipt (never under 14 "
    "days), refunded when the goods are back, less any loss in value from handling",
    Remedy.SEND_TRACKING_STATUS: "the order's delivery status sent",
    Remedy.CANCEL_SUBSCRIPTION: "the subscription cancelled as asked",
    Remedy.PAUSE_SUBSCRIPTION: "the subscription paused, no renewals until it resumes",
    Remedy.CANCEL_UNSHIPPED_ORDER: "an order that has not shipped is cancelled and paid back "
    "in full",
    Remedy.CHANGE_UNSHIPPED_ORDER: "an order that has not shipped is changed as asked, if it "
    "can still be changed",
    Remedy.COMPLAINT_CLAIM: "a fault after use is a complaint (reklamation): repair, "
    "replacement, price reduction or refund at the shop's cost, after a photo or description",
    Remedy.REFUND_STATUS_REPLY: "the refund's status is checked and the customer told when "
    "the money comes",
    Remedy.ANSWER_QUESTION: "an answer from the guide's template; nothing given or changed",
    Remedy.HUMAN_REVIEW: "a person reads the ticket and decides",
}


class ReturnShipping(StrEnum):
    CUSTOMER = "customer"
    SHOP = "shop"


@dataclass(frozen=True, slots=True)
class TagNames:
    """How each tag is spelled on the ticket; `{intent}`, `{signal}`, `{remedy}` are filled."""

    vip: str = "vip"
    intent: str = "intent:{intent}"
    threat: str = "threat:{signal}"
    dispute: str = "dispute"
    remedy: str = "remedy:{remedy}"
    # A bank dispute open on another of the customer's orders: handled normally, flagged.
    other_dispute: str = "dispute:other-order"


@dataclass(frozen=True, slots=True)
class GuideSettings:
    vip_threshold: Decimal = Decimal(5000)
    ltv_metric: LtvMetric = LtvMetric.NET_REVENUE
    # With `ltv_metric: predicted_clv`: the spend expected over these days, discounted at
    # this rate a year (evenhand.domain.clv).
    clv_horizon_days: int = 365
    clv_discount_rate: Decimal = Decimal("0.10")
    return_window_days: int = 30
    return_shipping: ReturnShipping = ReturnShipping.CUSTOMER
    shop_name: str = "Customer service"
    tags: TagNames = field(default_factory=TagNames)
    # The reader's confidence below which the `reading` fact is `unsure`: the default guide
    # gives no money or goods on an unsure reading.
    remedy_confidence: Decimal = Decimal("0.6")
    # Days from shipping to the customer's hands when the carrier's delivery date is not
    # known: receipt, from which the return window runs, is shipping plus these.
    transit_days: int = 3
    # A parcel shipped this many days ago and not known to be delivered is late: the
    # tracking reply opens a carrier investigation instead of asking the customer to wait.
    late_after_days: int = 7
    # The shop's own words a reply may never use, per language, on top of `reply_words`.
    reply_forbidden_words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def tier_for(self, ltv: Decimal) -> Tier:
        return Tier.VIP if ltv >= self.vip_threshold else Tier.STANDARD

    def reading_for(self, confidence: Decimal) -> ReadingStrength:
        if confidence >= self.remedy_confidence:
            return ReadingStrength.SURE
        return ReadingStrength.UNSURE


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    conditions: tuple[Condition, ...]
    remedy: Remedy
    reply: str  # the reply template's name; by default the remedy's
    line: int = 0

    def matches(self, facts: Facts) -> bool:
        return all(condition.matches(facts.value(condition.fact)) for condition in self.conditions)

    def condition_on(self, fact: str) -> Condition:
        for condition in self.conditions:
            if condition.fact == fact:
                return condition
        return any_value(FACTS[fact])

    def covers(self, later: Rule) -> bool:
        """Every ticket `later` would take, this rule takes first."""
        return all(
            condition.covers(later.condition_on(condition.fact)) for condition in self.conditions
        )


@dataclass(frozen=True, slots=True)
class Example:
    """A case the guide's author expects: facts (and what the message said) -> remedy."""

    name: str
    facts: Facts
    remedy: Remedy
    signals: tuple[SignalKind, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Guide:
    version: str  # the hash of the guide's text
    text: str
    settings: GuideSettings
    rules: tuple[Rule, ...]
    replies: ReplyBook
    examples: tuple[Example, ...] = ()
    source: str = "<guide>"
    costs: CostModel = field(default_factory=CostModel)
    name: str = ""  # the guide's own title (its `guide:` line), if it gives one
    # Public replies to reviews (`review_replies:`); the built-in ones when the guide has none.
    review_replies: ReviewReplyBook = field(default_factory=default_review_book)


def decide(rules: tuple[Rule, ...], facts: Facts) -> Rule:
    """The first rule whose conditions all hold. A valid guide ends in a catch-all."""
    for rule in rules:
        if rule.matches(facts):
            return rule
    raise LookupError("no rule matched: the guide has no catch-all")


def rule_problems(rules: tuple[Rule, ...]) -> list[tuple[int, str]]:
    """(line, reason) for duplicate ids, unreachable rules and a missing catch-all."""
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id in seen:
            problems.append(
                (rule.line, f"duplicate rule id {rule.id!r} (first on line {seen[rule.id]})")
            )
        seen.setdefault(rule.id, rule.line)
        shadow = next((earlier for earlier in rules[:index] if earlier.covers(rule)), None)
        if shadow is not None:
            problems.append(
                (
                    rule.line,
                    f"rule {rule.id!r} is unreachable: rule {shadow.id!r} "
                    f"(line {shadow.line}) takes every ticket it would",
                )
            )
    if not rules or rules[-1].conditions:
        last = rules[-1].line if rules else 1
        problems.append((last, "no catch-all: the last rule must have no conditions"))
    return problems


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    example: Example
    remedy: Remedy
    rule: str
    # The remedy with each threat signal added to what the message said.
    with_threats: dict[SignalKind, Remedy]

    @property
    def passed(self) -> bool:
        return self.remedy is self.example.remedy and all(
            remedy is self.example.remedy for remedy in self.with_threats.values()
        )


def run_example(guide: Guide, example: Example) -> ExampleOutcome:
    """The example as written, and again with each threat signal added to its message."""
    facts = with_message_signals(example.facts, example.signals)
    rule = decide(guide.rules, facts)
    with_threats = {
        threat: decide(
            guide.rules, with_message_signals(example.facts, (*example.signals, threat))
        ).remedy
        for threat in sorted(THREAT_SIGNALS)
    }
    return ExampleOutcome(example, rule.remedy, rule.id, with_threats)
