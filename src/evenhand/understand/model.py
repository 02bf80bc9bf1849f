"""What a reader says about a message. Threat signals are reported beside the intent,
never folded into it: the policy decides the remedy from the intent alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


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


@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    evidence: str  # the sentence that shows it


@dataclass(frozen=True, slots=True)
class Message:
    """A support message as it arrives: subject, body (plain text or HTML), the shop's market."""

    body: str
    subject: str | None = None
    market: str = "SE"


@dataclass(frozen=True, slots=True)
class Understanding:
    language: str  # ISO 639-1: "sv", "en", or another code (answered in English)
    language_confidence: float
    intent: Intent
    confidence: float
    runner_up: Intent
    runner_up_confidence: float
    signals: tuple[Signal, ...] = field(default=())


class Reader(Protocol):
    """Anything that can read a message: the embedded default, or later an LLM endpoint."""

    def read(self, message: Message) -> Understanding: ...
