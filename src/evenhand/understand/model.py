"""What a reader says about a message. Threat signals are reported beside the intent,
never folded into it: the policy decides the remedy from the intent alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from evenhand.domain.intents import Intent, Signal, SignalKind

__all__ = ["Intent", "Message", "Reader", "Signal", "SignalKind", "Understanding"]


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
    # Which stage decided the intent: "ngram", "cascade-e5" or "threshold->other".
    intent_source: str = "ngram"
    # Which reader read it: "built-in", or "shop:VERSION" (an adopted shop reader).
    reader: str = "built-in"


class Reader(Protocol):
    """Anything that can read a message: the embedded default, or later an LLM endpoint."""

    def read(self, message: Message) -> Understanding: ...

    def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
        """The same readings as `read`, one per message, in order (batched where it helps)."""
        ...
