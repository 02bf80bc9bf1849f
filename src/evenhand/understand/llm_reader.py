"""The LLM reader: the reader in force (built-in or shop) reads every message first; then,
for the messages the mode names, an OpenAI-compatible endpoint gives its reading of the
message text (`llm_schema`). A valid answer gives the language and the intent; its threat
signals are only added beside the built-in reader's, as tags (`LLM_STAGE`: the guide never
sees them). Anything invalid, late, refused or over the day's budget keeps the built-in
reading, with the reason recorded (`LlmUse.fallback`)."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from evenhand.domain.intents import Intent, SignalSource
from evenhand.understand.llm_client import CallFailedError, ChatClient
from evenhand.understand.llm_schema import (
    AnswerProblemError,
    Fallback,
    LlmAnswer,
    LlmMode,
    folded,
    parse_answer,
    request_body,
)
from evenhand.understand.model import LLM_STAGE, LlmUse, Message, Signal, Understanding
from evenhand.understand.reader import EmbeddedReader

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 3  # a cautious estimate of a request's prompt tokens before it is sent


@dataclass(frozen=True, slots=True)
class LlmConfig:
    model: str
    mode: LlmMode
    second_opinion_below: float = 0.5
    max_tokens: int = 300  # the answer's tokens at most (a reading needs about 60)
    max_chars: int = 8000  # of the message's text sent at most
    concurrency: int = 4  # requests at once, for a batch of messages


@dataclass(slots=True)
class TokenBudget:
    """Tokens per UTC day: what the store recorded that day when this process first looked,
    plus what this process has used since (another process's use is seen the next day).
    A request reserves its estimate before it is sent and settles what it used after, so
    requests sent at once cannot pass the budget together."""

    per_day: int
    spent_on: Callable[[date], int]
    clock: Callable[[], datetime]
    _day: date | None = field(default=None, init=False)
    _spent: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def reserve(self, tokens: int) -> date | None:
        """The day the tokens are reserved on, or None when they would pass the budget."""
        with self._lock:
            self._roll()
            if self._spent + tokens > self.per_day:
                return None
            self._spent += tokens
            return self._day

    def settle(self, day: date, reserved: int, used: int) -> None:
        """What a request used, in place of what it reserved (on the day it reserved)."""
        with self._lock:
            self._roll()
            self._spent += used - reserved if day == self._day else used

    def _roll(self) -> None:
        today = self.clock().date()
        if today != self._day:
            self._day, self._spent = today, self.spent_on(today)


class LlmReader:
    """A reader that asks an LLM about the messages its mode names (see the module)."""

    def __init__(
        self, base: EmbeddedReader, client: ChatClient, config: LlmConfig, budget: TokenBudget
    ) -> None:
        self.base = base
        self.client = client
        self.config = config
        self.budget = budget
        self.name = f"llm:{config.model}"[:40]

    def read(self, message: Message) -> Understanding:
        return self.read_many([message])[0]

    def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
        """The base reader's readings, each asked about again where the mode says so (up
        to `concurrency` requests at once); in the order of the messages."""
        pairs = self.base.read_many_with_texts(messages)
        readings = [reading for reading, _ in pairs]
        asked = [i for i, reading in enumerate(readings) if self.asks(reading)]
        if not asked:
            return readings
        workers = min(self.config.concurrency, len(asked))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm") as pool:
            answers = pool.map(lambda i: self.ask(*pairs[i]), asked)
            for i, reading in zip(asked, answers, strict=True):
                readings[i] = reading
        return readings

    def asks(self, reading: Understanding) -> bool:
        """Whether the LLM is asked about a message the base reader read so."""
        if self.config.mode is LlmMode.ALL:
            return True
        if self.config.mode is LlmMode.SECOND_OPINION:
            unsure = reading.confidence < self.config.second_opinion_below
            return unsure or reading.intent is Intent.OTHER
        return False

    def ask(self, reading: Understanding, text: str) -> Understanding:
        """The LLM's reading of a text the base reader read so (its reading kept, with the
        reason, where the LLM's cannot be had)."""
        text = text[: self.config.max_chars]
        config = self.config
        body = request_body(model=config.model, text=text, max_tokens=config.max_tokens)
        estimate = estimated_tokens(body, config.max_tokens)
        day = self.budget.reserve(estimate)
        if day is None:
            return self._fallback(reading, LlmUse(config.model), Fallback.OVER_BUDGET, "")
        started = time.perf_counter()
        try:
            completion = self.client.complete(body)
        except CallFailedError as failed:
            use = self._use(started, failed.attempts, *failed.tokens)
            self.budget.settle(day, estimate, use.tokens)
            return self._fallback(reading, use, failed.reason, failed.detail)
        use = self._use(
            started, completion.attempts, completion.prompt_tokens, completion.completion_tokens
        )
        self.budget.settle(day, estimate, use.tokens)
        try:
            answer = parse_answer(completion.content)
        except AnswerProblemError as problem:
            return self._fallback(reading, use, problem.reason, problem.detail)
        return merged(reading, answer, text=text, use=use, reader=self.name)

    def _use(self, started: float, attempts: int, prompt: int, completion: int) -> LlmUse:
        return LlmUse(
            model=self.config.model,
            prompt_tokens=prompt,
            completion_tokens=completion,
            latency_ms=round((time.perf_counter() - started) * 1000),
            attempts=attempts,
        )

    def _fallback(
        self, reading: Understanding, use: LlmUse, reason: Fallback, detail: str
    ) -> Understanding:
        log.warning("LLM reader: the built-in reading is kept (%s) %s", reason.value, detail)
        return replace(reading, llm=replace(use, fallback=reason.value))


def estimated_tokens(body: dict[str, Any], max_tokens: int) -> int:
    """A cautious estimate of what a request costs before it is sent: its JSON's characters
    (instructions, schema, text) over CHARS_PER_TOKEN, and the most the answer may take."""
    return math.ceil(len(json.dumps(body, ensure_ascii=False)) / CHARS_PER_TOKEN) + max_tokens


def merged(
    reading: Understanding, answer: LlmAnswer, *, text: str, use: LlmUse, reader: str
) -> Understanding:
    """The LLM's language and intent; the base reader's signals, and beside them those the
    LLM found that it had not, each shown by a sentence of the text sent (others are
    dropped: an evidence the message does not hold is not evidence)."""
    changed = answer.intent is not reading.intent
    return replace(
        reading,
        language=answer.language,
        language_confidence=(
            reading.language_confidence if answer.language == reading.language else 0.5
        ),
        intent=answer.intent,
        confidence=answer.confidence,
        runner_up=reading.intent if changed else reading.runner_up,
        runner_up_confidence=reading.confidence if changed else reading.runner_up_confidence,
        signals=reading.signals + added_signals(reading, answer, text=text, model=use.model),
        intent_source=LLM_STAGE,
        reader=reader,
        llm=use,
    )


def added_signals(
    reading: Understanding, answer: LlmAnswer, *, text: str, model: str
) -> tuple[Signal, ...]:
    """The LLM's signals of kinds the base reader did not find, one per kind."""
    seen = {signal.kind for signal in reading.signals}
    shown = folded(text)
    added: list[Signal] = []
    for signal in answer.signals:
        if signal.kind in seen or folded(signal.evidence) not in shown:
            continue
        seen.add(signal.kind)
        source = SignalSource(stage=LLM_STAGE, rule=model[:64], score=1.0)
        added.append(Signal(kind=signal.kind, evidence=signal.evidence.strip(), source=source))
    return tuple(added)
