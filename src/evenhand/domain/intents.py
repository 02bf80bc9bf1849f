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
    OTHER = "other"


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
class Signal:
    kind: SignalKind
    evidence: str  # the sentence that shows it
