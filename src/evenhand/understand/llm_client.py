"""One OpenAI-compatible chat-completions request, with its failures told apart.

`POST {base_url}/chat/completions` with a Bearer key. A 429 or a 5xx is tried once more
after the `Retry-After` the endpoint asks for (seconds or an HTTP date; one second when it
names none), unless that is longer than `longest_wait`; a timeout, no connection or another
4xx is not tried again. The key goes into the client's headers and nowhere else: failures
name the status and the reason, never a header.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from evenhand.understand.llm_schema import Fallback

DEFAULT_WAIT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Completion:
    content: str
    prompt_tokens: int
    completion_tokens: int
    attempts: int


class CallFailedError(Exception):
    """No usable completion: the fallback it counts as, and how many requests were sent."""

    def __init__(
        self, reason: Fallback, detail: str, *, attempts: int, tokens: tuple[int, int] = (0, 0)
    ) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.attempts = attempts
        self.tokens = tokens  # (prompt, completion) the endpoint counted, if it said


class _Message(BaseModel):
    content: str | None = None
    refusal: str | None = None


class _Choice(BaseModel):
    message: _Message


class _Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _ChatCompletion(BaseModel):
    choices: list[_Choice]
    usage: _Usage | None = None


class ChatClient:
    """Chat completions from one endpoint, one request (and at most one retry) at a time."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        timeout: float,
        retries: int = 1,
        longest_wait: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self.retries = retries
        self.longest_wait = timeout if longest_wait is None else longest_wait
        self._sleep = sleep

    def close(self) -> None:
        self._client.close()

    def complete(self, body: dict[str, Any]) -> Completion:
        """The first choice's content and the tokens the endpoint counted."""
        attempts = 0
        while True:
            attempts += 1
            response = self._post(body, attempts)
            if response.status_code < 300:
                return _completion(response, attempts)
            wait = self._retry_wait(response, attempts)
            self._sleep(wait)

    def _post(self, body: dict[str, Any], attempts: int) -> httpx.Response:
        try:
            return self._client.post("/chat/completions", json=body)
        except httpx.TimeoutException:
            raise CallFailedError(
                Fallback.TIMEOUT, "no answer in time", attempts=attempts
            ) from None
        except httpx.HTTPError as error:
            raise CallFailedError(
                Fallback.UNREACHABLE, type(error).__name__, attempts=attempts
            ) from None

    def _retry_wait(self, response: httpx.Response, attempts: int) -> float:
        """How long to wait before trying again, or CallFailedError when it is not to be tried."""
        status = response.status_code
        if status == 429:
            reason = Fallback.RATE_LIMITED
        elif status >= 500:
            reason = Fallback.SERVER_ERROR
        else:
            raise CallFailedError(Fallback.REFUSED, f"HTTP {status}", attempts=attempts)
        wait = retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))
        wait = DEFAULT_WAIT_SECONDS if wait is None else wait
        if attempts > self.retries:
            raise CallFailedError(
                reason, f"HTTP {status} after {attempts} tries", attempts=attempts
            )
        if wait > self.longest_wait:
            raise CallFailedError(
                reason, f"HTTP {status}, Retry-After {wait:.0f} s is too long", attempts=attempts
            )
        return wait


def retry_after(value: str | None, *, now: datetime) -> float | None:
    """A Retry-After header's seconds (delay-seconds or an HTTP date), None if unreadable."""
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0) if when.tzinfo else None


def _completion(response: httpx.Response, attempts: int) -> Completion:
    try:
        parsed = _ChatCompletion.model_validate_json(response.content)
    except ValidationError as error:
        detail = f"not a chat completion ({error.errors()[0]['msg']})"
        raise CallFailedError(Fallback.MALFORMED, detail, attempts=attempts) from None
    usage = parsed.usage or _Usage()
    message = parsed.choices[0].message if parsed.choices else None
    if message is None or message.content is None:
        detail = "a refusal" if message and message.refusal else "no content"
        tokens = (usage.prompt_tokens, usage.completion_tokens)
        raise CallFailedError(Fallback.MALFORMED, detail, attempts=attempts, tokens=tokens)
    return Completion(
        content=message.content,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        attempts=attempts,
    )
