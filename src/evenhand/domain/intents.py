"""What a support message is about (its intent) and what it threatens (its signals).

The vocabulary is the domain's: the reader produces it, the guide decides on the intent,
and threat signals are only ever reported, never decided on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    WRONG_ADDRESS = "wrong_address"
    DELIVERED_NOT_RECEIVED = "delivered_not_received"
    SUBSCRIPTION_UNEXPECTED_CHARGE = "subscription_unexpected_charge"
    DAMAGED_ITEM = "damaged_item"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    WHERE_IS_MY_ORDER = "where_is_my_order"
    RETURN_REQUEST = "return_request"
    CANCEL_SUBSCRIPTION = "cancel_subscription"
    # The rest of a real inbox: never a remedy that gives money or goods away.
    CANCEL_ORDER = "cancel_order"
    CHANGE_ORDER = "change_order"
    FAULTY_AFTER_USE = "faulty_after_use"
    REFUND_STATUS = "refund_status"
    PRODUCT_QUESTION = "product_question"
    PAYMENT_PROBLEM = "payment_problem"
    INVOICE_RECEIPT = "invoice_receipt"
    DISCOUNT_PRICE = "discount_price"
    ACCOUNT_LOGIN = "account_login"
    SHIPPING_QUESTION = "shipping_question"
    SUBSCRIPTION_QUESTION = "subscription_question"
    FEEDBACK = "feedback"
    OTHER = "other"


# The founding article's problems: the intents a remedy that gives money or goods away, or
# changes a subscription, may rest on. Every other intent is answered or looked at by a person.
PROBLEM_INTENTS = frozenset(
    {
        Intent.WRONG_ADDRESS,
        Intent.DELIVERED_NOT_RECEIVED,
        Intent.SUBSCRIPTION_UNEXPECTED_CHARGE,
        Intent.DAMAGED_ITEM,
        Intent.WRONG_ITEM,
        Intent.MISSING_ITEM,
        Intent.WHERE_IS_MY_ORDER,
        Intent.RETURN_REQUEST,
        Intent.CANCEL_SUBSCRIPTION,
    }
)
# Of them, those whose default rule gives money or goods away (a replacement, a refund, a
# parcel, a return) or changes a subscription: all but `where_is_my_order` (a tracking
# status). The reader asks more confidence before it reads one of them.
REMEDY_INTENTS = PROBLEM_INTENTS - {Intent.WHERE_IS_MY_ORDER}
# Every intent whose default rule carries out a step that gives money or goods away or
# changes a subscription (`execution.MONEY_STEPS`, `CUSTOMER_STEPS`): the remedies above and
# cancelling an unshipped order (a full refund). Changing an order is done by a person.
MONEY_INTENTS = REMEDY_INTENTS | {Intent.CANCEL_ORDER}
# Our mistakes (the founding article's fourth point): one remedy, made 100 % right.
OUR_MISTAKE_INTENTS = frozenset({Intent.DAMAGED_ITEM, Intent.WRONG_ITEM, Intent.MISSING_ITEM})


class SignalKind(StrEnum):
    REVIEW_THREAT = "review_threat"
    REVIEW_EXTORTION = "review_extortion"
    CHARGEBACK_THREAT = "chargeback_threat"
    CHARGEBACK_FILED = "chargeback_filed"


# Threats: said to get more. They are reported and tagged, and never change a remedy.
THREAT_SIGNALS = frozenset(
    {SignalKind.REVIEW_THREAT, SignalKind.REVIEW_EXTORTION, SignalKind.CHARGEBACK_THREAT}
)
# Not a threat but a fact: a dispute already filed sends the ticket to the dispute process.
DISPUTE_FILED_SIGNAL = SignalKind.CHARGEBACK_FILED


@dataclass(frozen=True, slots=True)
class SignalSource:
    """Where a signal comes from: the stage that read it ("lexicon" or "sentence-model"), the
    lexicon entry that decided (for the model, the entry that named what the threat is about)
    and how sure the stage was (1.0 for the lexicon, the model's probability otherwise)."""

    stage: str
    rule: str | None
    score: float

    def __str__(self) -> str:
        rule = f" {self.rule}" if self.rule else ""
        return f"{self.stage}{rule}, {self.score:.2f}"


@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    evidence: str  # the sentence that shows it
    source: SignalSource
