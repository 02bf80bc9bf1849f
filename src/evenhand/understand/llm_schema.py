"""What the LLM reader asks an OpenAI-compatible chat-completions endpoint, and what it
takes back: the modes, the prompt, the answer's JSON schema (structured output) and its
validation, and the reasons a reading falls back to the built-in reader.

No HTTP here (`llm_client`) and no reading (`llm_reader`): settings import this module.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evenhand.domain.intents import Intent, SignalKind


class LlmMode(StrEnum):
    OFF = "off"  # the built-in reader alone
    ALL = "all"  # every message goes to the LLM
    SECOND_OPINION = "second_opinion"  # only when the built-in reader is unsure or says other


class Fallback(StrEnum):
    """Why the built-in reader's reading was kept though the LLM was to read the message."""

    OVER_BUDGET = "over_budget"  # the day's tokens are spent: not asked
    TIMEOUT = "timeout"  # no answer within `llm_timeout_seconds`
    RATE_LIMITED = "rate_limited"  # 429, still after the one retry (or a Retry-After too long)
    SERVER_ERROR = "server_error"  # 5xx, still after the one retry
    UNREACHABLE = "unreachable"  # no connection
    REFUSED = "refused"  # another 4xx (a wrong key, an unknown model, a bad request)
    MALFORMED = "malformed"  # not a chat completion, or its content is not JSON
    INVALID = "invalid"  # JSON that breaks the schema (an unknown intent, a missing field)


class LlmSignal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SignalKind
    evidence: Annotated[str, Field(min_length=1, max_length=1000)]


class LlmAnswer(BaseModel):
    """The reading the LLM gives, validated like any input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    intent: Intent
    confidence: Annotated[float, Field(ge=0, le=1)]
    signals: Annotated[list[LlmSignal], Field(max_length=8)]


class AnswerProblemError(Exception):
    """An answer that cannot be taken, with the fallback it counts as."""

    def __init__(self, reason: Fallback, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


SCHEMA_NAME = "message_reading"

SYSTEM_PROMPT = """You read one customer-support message of a web shop (Swedish or English).
Answer with JSON only, by the schema:
- language: the message's ISO 639-1 code ("sv", "en", ...);
- intent: what the customer writes about, exactly one of the listed intents ("other" when none
  fits); confidence: how sure you are of it, 0 to 1;
- signals: threats in the message, each with its kind and the sentence that shows it, copied
  word for word: review_threat (a bad public review unless they get something),
  review_extortion (a good review, or no bad one, in exchange for something),
  chargeback_threat (they will dispute the payment with their bank or card),
  chargeback_filed (they say they have disputed it already). None: an empty list.
Threats never change the intent: read what the customer's problem is."""


def answer_schema() -> dict[str, Any]:
    """The JSON schema of `response_format` (strict structured output)."""
    signal = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": [kind.value for kind in SignalKind]},
            "evidence": {"type": "string"},
        },
        "required": ["kind", "evidence"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "language": {"type": "string"},
            "intent": {"type": "string", "enum": [intent.value for intent in Intent]},
            "confidence": {"type": "number"},
            "signals": {"type": "array", "items": signal},
        },
        "required": ["language", "intent", "confidence", "signals"],
        "additionalProperties": False,
    }


def request_body(*, model: str, text: str, max_tokens: int) -> dict[str, Any]:
    """The chat-completions request for one message: the instructions and its text, nothing
    else (no customer, order, value or tier)."""
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": text},
        ],
        "temperature": 0,
        "max_tokens": max_tokens,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": answer_schema()},
        },
    }


def parse_answer(content: str) -> LlmAnswer:
    """The message's content as a reading, or an AnswerProblem (malformed or invalid)."""
    try:
        data = json.loads(content)
    except ValueError as error:
        raise AnswerProblemError(Fallback.MALFORMED, f"content is not JSON ({error})") from None
    try:
        return LlmAnswer.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the answer"
        raise AnswerProblemError(Fallback.INVALID, f"{where}: {first['msg']}") from None


_SPACE = re.compile(r"\s+")


def folded(text: str) -> str:
    """Text compared for evidence: spaces collapsed, case folded."""
    return _SPACE.sub(" ", text).strip().casefold()
