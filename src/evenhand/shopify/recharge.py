"""Recharge's REST API (version 2021-11), for shops whose subscriptions Recharge runs.

`X-Recharge-Access-Token` and `X-Recharge-Version: 2021-11` on each request. The customer
is found by e-mail (`GET /customers?email=`), their active subscriptions listed
(`GET /subscriptions?customer_id=&status=active`) and each cancelled
(`POST /subscriptions/{id}/cancel` with a `cancellation_reason`). A subscription already
cancelled is no longer listed as active, so a retry cancels nothing twice. A pause moves each
active subscription's next charge to a date (`POST /subscriptions/{id}/set_next_charge_date`
with `{"date": "YYYY-MM-DD"}`, as Recharge's customer portal pauses); one whose next
charge is on or after that date already is left alone, so a retry moves nothing twice.
A 429 waits for its `Retry-After`; 5xx and timeouts pass; other 4xx are refusals
(ShopifyError, as the rest of the shop's steps).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from evenhand.shopify.graphql import TIMEOUT_SECONDS, ShopifyError, http_failure

RECHARGE_VERSION = "2021-11"


class RechargeApi:
    def __init__(self, *, base_url: str, access_token: str) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={
                "X-Recharge-Access-Token": access_token,
                "X-Recharge-Version": RECHARGE_VERSION,
            },
            timeout=TIMEOUT_SECONDS,
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, **options: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, path, **options)
        except httpx.HTTPError as error:
            raise ShopifyError(
                f"recharge {method} {path}: {type(error).__name__}", permanent=False
            ) from None
        if response.status_code >= 300:
            raise http_failure(f"recharge {method} {path}", response)
        found = response.json() if response.content else {}
        return found if isinstance(found, dict) else {}

    def _active_subscriptions(self, email: str) -> list[dict[str, Any]]:
        customers = self._call("GET", "/customers", params={"email": email}).get("customers") or []
        if not customers:
            raise ShopifyError("recharge: no customer with this e-mail", permanent=True)
        customer_id = customers[0]["id"]
        listed = self._call(
            "GET", "/subscriptions", params={"customer_id": customer_id, "status": "active"}
        ).get("subscriptions")
        return [each for each in listed or [] if isinstance(each, dict)]

    def pause_subscriptions(self, email: str, *, until: date) -> dict[str, Any]:
        """Each active subscription's next charge moved to `until` (not earlier)."""
        moved = []
        for subscription in self._active_subscriptions(email):
            scheduled = str(subscription.get("next_charge_scheduled_at") or "")[:10]
            if scheduled and scheduled >= until.isoformat():
                continue  # an earlier try moved it, or it was due later anyway
            self._call(
                "POST",
                f"/subscriptions/{subscription['id']}/set_next_charge_date",
                json={"date": until.isoformat()},
            )
            moved.append(subscription["id"])
        return {"recharge_paused": moved, "next_charge": until.isoformat()}

    def cancel_subscriptions(self, email: str, *, reason: str, send_email: bool) -> dict[str, Any]:
        listed = self._active_subscriptions(email)
        cancelled = []
        for subscription in listed:
            self._call(
                "POST",
                f"/subscriptions/{subscription['id']}/cancel",
                json={"cancellation_reason": reason, "send_email": send_email},
            )
            cancelled.append(subscription["id"])
        return {"recharge_cancelled": cancelled}
