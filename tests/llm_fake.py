"""A local server that speaks the OpenAI chat-completions contract (`POST
/v1/chat/completions`, a Bearer key, the chat completion object with `usage`, the error
object with 429 and Retry-After or a 5xx), answering from the documented payloads in
`fixtures/llm/`. A test scripts what the next requests get: a reading, a failure, a slow
answer, a broken body. `llm_endpoint` puts the LLM reader in front of it, as the tests
of the reader use it."""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from evenhand.actions.llm import with_llm
from evenhand.settings import Settings
from evenhand.understand.llm_reader import LlmReader
from evenhand.understand.llm_schema import LlmMode
from evenhand.understand.model import Message, Understanding
from evenhand.understand.reader import EmbeddedReader
from tests.json_server import Answer, json_server

PAYLOADS = Path(__file__).parent / "fixtures" / "llm"
CHARS_PER_TOKEN = 4  # the rule of thumb for English text, when the fake counts tokens
API_KEY = "sk-test-not-a-real-key-7f3a"
MODEL = "gpt-4o-mini"
BROKEN = "The mug arrived broken, the handle snapped off. Could I get a new one?"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def a_reading(
    intent: str = "damaged_item",
    *,
    language: str = "en",
    confidence: float = 0.92,
    signals: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "language": language,
        "intent": intent,
        "confidence": confidence,
        "signals": signals or [],
    }


def completion(content: str, *, prompt_tokens: int = 412, completion_tokens: int = 31) -> Any:
    """The documented chat completion with this content and these token counts."""
    answer = copy.deepcopy(payload("chat_completion.json"))
    answer["choices"][0]["message"]["content"] = content
    answer["usage"].update(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )
    return answer


@dataclass
class FakeLlm:
    api_key: str = API_KEY
    reading: dict[str, Any] = field(default_factory=a_reading)  # what a good answer says
    reading_of: Callable[[str], dict[str, Any]] | None = None  # ... or says of a message text
    script: deque[Answer | float] = field(default_factory=deque)  # a float: wait, then answer
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    # Count tokens from the request and the answer (a character count's estimate), rather
    # than the fixture's fixed 412 + 31: for the bench's cost figures.
    counts_tokens: bool = False

    def answer_next(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.script.append((status, headers or {}, body))

    def rate_limit_next(self, retry_after: str | None) -> None:
        headers = {} if retry_after is None else {"Retry-After": retry_after}
        self.answer_next(429, payload("rate_limited.json"), headers)

    def fail_next(self, status: int = 500) -> None:
        self.answer_next(status, payload("server_error.json"))

    def content_next(self, content: str) -> None:
        self.answer_next(200, completion(content))

    def slow_next(self, seconds: float) -> None:
        self.script.append(seconds)

    def handle(self, method: str, path: str, headers: Any, body: Any) -> Answer:
        if method != "POST" or path != "/v1/chat/completions":
            return 404, {}, {"error": {"message": f"Unknown request URL: {method} {path}"}}
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return 401, {}, {"error": {"message": "Incorrect API key provided"}}
        self.requests.append(body)
        step = self.script.popleft() if self.script else None
        if isinstance(step, float):
            self.release.wait(step)  # the client gives up first; the test releases it
            step = None
        return step or (200, {}, self._good(body))

    def _good(self, body: Any) -> Any:
        text = body["messages"][-1]["content"]
        content = json.dumps(self.reading_of(text) if self.reading_of else self.reading)
        if not self.counts_tokens:
            return completion(content)
        sent = sum(len(message["content"]) for message in body["messages"])
        sent += len(json.dumps(body.get("response_format", {})))  # the schema counts too
        return completion(
            content,
            prompt_tokens=-(-sent // CHARS_PER_TOKEN),
            completion_tokens=-(-len(content) // CHARS_PER_TOKEN),
        )

    @property
    def texts(self) -> list[str]:
        """The message text of each request (the user's turn)."""
        return [body["messages"][-1]["content"] for body in self.requests]


@contextmanager
def llm_server(fake: FakeLlm) -> Iterator[str]:
    """The fake on a loopback port; yields its base URL (`llm_base_url`, with /v1)."""
    with json_server(fake.handle) as base:
        try:
            yield f"{base}/v1"
        finally:
            fake.release.set()


@dataclass
class Llm:
    """The fake on its port, and the LLM reader's settings and reader that ask it (at
    `now`, its waits before a retry recorded rather than slept)."""

    fake: FakeLlm
    base_url: str
    now: datetime
    waits: list[float] = field(default_factory=list)

    def settings(self, db: str = "sqlite://", **given: Any) -> Settings:
        values: dict[str, Any] = {
            "db": db,
            "llm_mode": LlmMode.ALL,
            "llm_base_url": self.base_url,
            "llm_model": MODEL,
            "llm_api_key": API_KEY,
            "llm_timeout_seconds": 2.0,
            "llm_concurrency": 1,  # the script's answers in the order of the messages
        }
        return Settings(**(values | given))

    def reader(self, base: EmbeddedReader, **given: Any) -> LlmReader:
        settings = self.settings(**given)
        made = with_llm(base, settings, clock=lambda: self.now, sleep=self.waits.append)
        assert isinstance(made, LlmReader)
        return made


@contextmanager
def llm_endpoint(now: datetime) -> Iterator[Llm]:
    fake = FakeLlm()
    with llm_server(fake) as base_url:
        yield Llm(fake, base_url, now)


def read(reader: LlmReader, *bodies: str) -> list[Understanding]:
    return reader.read_many([Message(body=body) for body in bodies])


def without_use(reading: Understanding) -> Understanding:
    """The reading without the LLM's record: what the built-in reader alone reads."""
    return replace(reading, llm=None)
