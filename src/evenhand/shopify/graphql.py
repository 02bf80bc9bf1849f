"""One Shopify Admin GraphQL endpoint: requests, failures told apart, the cost throttle.

`POST /admin/api/{version}/graphql.json` with the `X-Shopify-Access-Token` header. A 429
waits as long as its `Retry-After` says; a `THROTTLED` error in a 200 waits until the
bucket (extensions.cost.throttleStatus) holds the query's cost again; after each answer
the client keeps the bucket's level and, when the next query would not fit, sleeps
first. 5xx and timeouts pass (retried later); other 4xx and top-level errors are refusals.
The token goes into the header and nowhere else: messages name the operation and status.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

TIMEOUT_SECONDS = 10.0
DEFAULT_COST = 10.0  # a mutation's usual requested cost, until an answer tells


class ShopifyError(Exception):
    """A request Shopify did not carry out. `retry_after` is its own wish (429, throttle)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(slots=True)
class Bucket:
    """The cost bucket as Shopify last reported it."""

    available: float | None = None
    restore_rate: float = 50.0
    last_cost: float = DEFAULT_COST

    def wait_for(self, cost: float) -> float:
        if self.available is None or self.available >= cost:
            return 0.0
        return (cost - self.available) / self.restore_rate


class GraphqlApi:
    def __init__(
        self,
        *,
        endpoint: str,
        access_token: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = httpx.Client(
            headers={"X-Shopify-Access-Token": access_token}, timeout=TIMEOUT_SECONDS
        )
        self._endpoint = endpoint
        self.sleep = sleep  # how the throttle waits (a test records the waits)
        self.bucket = Bucket()

    def close(self) -> None:
        self._client.close()

    def call(self, name: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The `data` of a query or mutation named `name`, or a ShopifyError."""
        wait = self.bucket.wait_for(self.bucket.last_cost)
        if wait > 0:
            self.sleep(wait)
        try:
            response = self._client.post(
                self._endpoint, json={"query": query, "variables": variables}
            )
        except httpx.HTTPError as error:
            raise ShopifyError(f"shopify {name}: {type(error).__name__}", permanent=False) from None
        if response.status_code != 200:
            raise http_failure(f"shopify {name}", response)
        answer = response.json()
        self._note_cost(answer)
        errors = answer.get("errors")
        if errors:
            raise self._graphql_failure(f"shopify {name}", errors)
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    def _note_cost(self, answer: dict[str, Any]) -> None:
        cost = (answer.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if "currentlyAvailable" in status:
            self.bucket.available = float(status["currentlyAvailable"])
            self.bucket.restore_rate = float(status.get("restoreRate") or 50.0)
        if cost.get("requestedQueryCost") is not None:
            self.bucket.last_cost = float(cost["requestedQueryCost"])

    def _graphql_failure(self, what: str, errors: list[dict[str, Any]]) -> ShopifyError:
        codes = {str((error.get("extensions") or {}).get("code")) for error in errors}
        if "THROTTLED" in codes:
            wait = max(self.bucket.wait_for(self.bucket.last_cost), 1.0)
            return ShopifyError(f"{what}: throttled", permanent=False, retry_after=wait)
        messages = "; ".join(str(error.get("message")) for error in errors)
        return ShopifyError(f"{what}: {messages[:300]}", permanent=True)


def http_failure(what: str, response: httpx.Response) -> ShopifyError:
    status = response.status_code
    message = f"{what}: HTTP {status}"
    if status == 429:
        return ShopifyError(message, permanent=False, retry_after=_seconds(response))
    if status >= 500 or status == 408:
        return ShopifyError(message, permanent=False)
    return ShopifyError(f"{message} {response.text[:200]}", permanent=True)


def _seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def user_errors(payload: dict[str, Any] | None, field: str = "userErrors") -> str | None:
    """The userErrors of a mutation's payload as one reason, or None when there are none."""
    errors = (payload or {}).get(field) or []
    if not errors:
        return None
    return "; ".join(
        f"{'.'.join(error.get('field') or []) or 'input'}: {error.get('message')}"
        for error in errors
    )
