"""What the helpdesk clients share: one HTTP client per account, and failures as data.

Credentials go into the client's auth and nowhere else: error messages name the method,
the path and the status, never a header.
"""

from __future__ import annotations

from typing import Any

import httpx

TIMEOUT_SECONDS = 10.0


class HelpdeskError(Exception):
    """A request the helpdesk did not carry out. `retry_after` is its own wish (429)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


class HelpdeskApi:
    """JSON requests to one helpdesk account, with its failures told apart."""

    def __init__(self, name: str, *, base_url: str, auth: tuple[str, str]) -> None:
        self.name = name
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), auth=auth, timeout=TIMEOUT_SECONDS
        )

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, path: str, *, json: Any = None) -> Any:
        try:
            response = self._client.request(method, path, json=json)
        except httpx.HTTPError as error:
            raise HelpdeskError(
                f"{self.name} {method} {path}: {type(error).__name__}", permanent=False
            ) from None
        if response.status_code < 300:
            return _json(f"{self.name} {method} {path}", response)
        raise _failure(f"{self.name} {method} {path}", response)


def _json(what: str, response: httpx.Response) -> Any:
    """A success's JSON body (None if empty); one that is no JSON (a web page: the URL is
    not the helpdesk's API) is a failure that trying again will not mend."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        message = f"{what}: HTTP {response.status_code}, not JSON"
        raise HelpdeskError(message, permanent=True) from None


def _failure(what: str, response: httpx.Response) -> HelpdeskError:
    status = response.status_code
    message = f"{what}: HTTP {status}"
    if status == 429:
        return HelpdeskError(message, permanent=False, retry_after=_seconds(response))
    if status >= 500 or status in {408, 409}:
        return HelpdeskError(message, permanent=False)
    return HelpdeskError(f"{message} {response.text[:200]}", permanent=True)


def _seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None
