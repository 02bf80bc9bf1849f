"""What a reader says about a message. Threat signals are reported beside the intent,
never folded into it: the policy decides the remedy from the intent alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from evenhand.domain.intents import Intent, Signal, SignalKind

__all__ = [
    "LLM_STAGE",
    "Intent",
    "LlmUse",
    "Message",
    "Reader",
    "Signal",
    "SignalKind",
    "Understanding",
]

# The stage of a signal the LLM reader found (`Signal.source.stage`): it tags the ticket and
# is shown, and never reaches the facts the guide decides on.
LLM_STAGE = "llm"


@dataclass(frozen=True, slots=True)
class Message:
    """A support message as it arrives: subject, body (plain text or HTML), the shop's market."""

    body: str
    subject: str | None = None
    market: str = "SE"


@dataclass(frozen=True, slots=True)
class LlmUse:
    """What asking the LLM reader about one message took, and why its reading was not used
    (`fallback`, a `llm_schema.Fallback` value; None: the LLM's reading is the one given)."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    attempts: int = 0
    fallback: str | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


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
    # Which reader read it: "built-in", "shop:VERSION" (an adopted shop reader) or
    # "llm:MODEL" (the LLM reader's reading was used).
    reader: str = "built-in"
    # The LLM reader was to read it: what that took (None: it was not asked).
    llm: LlmUse | None = None


class Reader(Protocol):
    """Anything that can read a message: the embedded default, or later an LLM endpoint."""

    def read(self, message: Message) -> Understanding: ...

    def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
        """The same readings as `read`, one per message, in order (batched where it helps)."""
        ...
