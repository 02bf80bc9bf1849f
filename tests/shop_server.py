"""A local Shopify Admin GraphQL endpoint for the execution tests: the documented
mutations (refundCreate with its `@idempotent` key, orderCancel, draftOrderCreate,
draftOrderComplete, draftOrderInvoiceSend, subscriptionContractCancel,
subscriptionContractPause), its queries, the access-token header, userErrors in a 200, the
cost throttle, 429 with Retry-After and 5xx; and Recharge's REST API (customers,
subscriptions, cancel, set_next_charge_date)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.json_server import Answer, json_server

ROOT_FIELDS = re.compile(
    r"\b(refundCreate|orderCancel|draftOrderCreate|draftOrderComplete|draftOrderInvoiceSend|"
    r"subscriptionContractCancel|subscriptionContractPause|draftOrders|customer|order)\s*\("
)
IDEMPOTENT = re.compile(r'@idempotent\(key:\s*"([^"]+)"\)')


@dataclass
class FakeShopify:
    token: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    contracts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    drafts: list[dict[str, Any]] = field(default_factory=list)
    cancels: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)  # draft orders whose invoice went
    calls: list[str] = field(default_factory=list)  # root fields, in order
    failures: deque[Answer] = field(default_factory=deque)
    user_errors: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    available: float = 1000.0

    def fail_next(
        self, status: int, headers: dict[str, str] | None = None, body: Any = None
    ) -> None:
        self.failures.append((status, headers or {}, body or {"errors": "failure"}))

    def throttle_next(self) -> None:
        """The next request is THROTTLED in a 200, with the bucket nearly empty."""
        body = {
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": _cost(10, 0.0)},
        }
        self.failures.append((200, {}, body))

    def handle(self, token: str | None, body: dict[str, Any]) -> Answer:
        if token != self.token:
            return 401, {}, {"errors": "[API] Invalid API key or access token"}
        if self.failures:
            return self.failures.popleft()
        query, variables = body["query"], body.get("variables") or {}
        root = ROOT_FIELDS.search(query.split("{", 1)[1])
        name = root.group(1) if root else "?"
        self.calls.append(name)
        if name in self.user_errors:
            data = {name: {"userErrors": self.user_errors.pop(name), "orderCancelUserErrors": []}}
        else:
            data = {name: getattr(self, f"_{name}")(query, variables)}
        return 200, {}, {"data": data, "extensions": {"cost": _cost(10, self.available)}}

    def _order(self, _: str, variables: dict[str, Any]) -> Any:
        return self.orders.get(variables["id"])

    def _refundCreate(self, query: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        key = IDEMPOTENT.search(query)
        if key is None:
            return {
                "refund": None,
                "userErrors": [{"field": None, "message": "idempotency key required"}],
            }
        if key.group(1) not in self.refunds:  # a key seen before returns the first refund
            refund = {"id": f"gid://shopify/Refund/{len(self.refunds) + 1}", **variables["input"]}
            self.refunds[key.group(1)] = refund
        return {"refund": {"id": self.refunds[key.group(1)]["id"]}, "userErrors": []}

    def _orderCancel(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        self.cancels.append(variables)
        self.orders[variables["orderId"]]["cancelledAt"] = "2026-12-03T10:00:00Z"
        return {"job": {"id": "gid://shopify/Job/1", "done": False}, "orderCancelUserErrors": []}

    def _draftOrders(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        tag = variables["query"].removeprefix("tag:")
        return {"nodes": [draft for draft in self.drafts if tag in draft["tags"]][:1]}

    def _draftOrderCreate(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        draft = {
            "id": f"gid://shopify/DraftOrder/{len(self.drafts) + 1}",
            "status": "OPEN",
            "order": None,
            **variables["input"],
        }
        self.drafts.append(draft)
        return {"draftOrder": {"id": draft["id"], "status": "OPEN"}, "userErrors": []}

    def _draftOrderComplete(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        [draft] = [each for each in self.drafts if each["id"] == variables["id"]]
        draft["status"] = "COMPLETED"
        draft["order"] = {"id": f"gid://shopify/Order/9{len(self.drafts)}", "name": "#9001"}
        return {"draftOrder": draft, "userErrors": []}

    def _draftOrderInvoiceSend(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        [draft] = [each for each in self.drafts if each["id"] == variables["id"]]
        if not draft.get("email"):
            return {"draftOrder": None, "userErrors": [{"field": ["id"], "message": "no email"}]}
        draft["status"] = "INVOICE_SENT"
        self.invoices.append(draft["id"])
        shown = {"id": draft["id"], "status": "INVOICE_SENT", "invoiceUrl": "https://pay/1"}
        return {"draftOrder": shown, "userErrors": []}

    def _customer(self, _: str, variables: dict[str, Any]) -> Any:
        return {"subscriptionContracts": {"nodes": self.contracts.get(variables["id"], [])}}

    def _subscriptionContractCancel(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        for contracts in self.contracts.values():
            for contract in contracts:
                if contract["id"] == variables["id"]:
                    contract["status"] = "CANCELLED"
        return {"contract": {"id": variables["id"], "status": "CANCELLED"}, "userErrors": []}

    def _subscriptionContractPause(self, _: str, variables: dict[str, Any]) -> Any:  # noqa: N802
        for contracts in self.contracts.values():
            for contract in contracts:
                if contract["id"] == variables["id"]:
                    if contract["status"] != "ACTIVE":
                        error = {"field": ["subscriptionContractId"], "message": "not active"}
                        return {"contract": None, "userErrors": [error]}
                    contract["status"] = "PAUSED"
        return {"contract": {"id": variables["id"], "status": "PAUSED"}, "userErrors": []}


def _cost(requested: float, available: float) -> dict[str, Any]:
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": requested if available else None,
        "throttleStatus": {
            "maximumAvailable": 2000.0,
            "currentlyAvailable": available,
            "restoreRate": 100.0,
        },
    }


@contextmanager
def shopify_server(shop: FakeShopify) -> Iterator[str]:
    """The fake on a loopback port; yields the base URL (the shop's https://{domain})."""

    def handle(method: str, path: str, headers: Any, body: Any) -> Answer:
        if method != "POST" or not path.endswith("/graphql.json") or "/admin/api/" not in path:
            return 404, {}, {"errors": "Not Found"}
        return shop.handle(headers.get("X-Shopify-Access-Token"), body or {})

    with json_server(handle) as base:
        yield base


@dataclass
class FakeRecharge:
    """Recharge's REST API (2021-11): customers by e-mail, subscriptions, cancel, and the
    next charge moved (`set_next_charge_date`, what a pause is there)."""

    token: str
    customers: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    moved: list[tuple[int, str]] = field(default_factory=list)  # (subscription, date)

    def handle(self, method: str, path: str, headers: Any, body: Any) -> Answer:
        if headers.get("X-Recharge-Access-Token") != self.token:
            return 401, {}, {"errors": "Invalid token"}
        if headers.get("X-Recharge-Version") != "2021-11":
            return 400, {}, {"errors": "version"}
        address = urlsplit(path)
        query = {key: values[0] for key, values in parse_qs(address.query).items()}
        parts = address.path.strip("/").split("/")
        if method == "GET" and parts == ["customers"]:
            found = [c for c in self.customers if c["email"] == query.get("email")]
            return 200, {}, {"customers": found}
        if method == "GET" and parts == ["subscriptions"]:
            found = [
                s
                for s in self.subscriptions
                if str(s["customer_id"]) == query.get("customer_id")
                and s["status"] == query.get("status")
            ]
            return 200, {}, {"subscriptions": found}
        if method == "POST" and len(parts) == 3 and parts[0] == "subscriptions":
            return self._subscription_action(parts[1], parts[2], body)
        return 404, {}, {"errors": "Not Found"}

    def _subscription_action(self, number: str, action: str, body: Any) -> Answer:
        [subscription] = [s for s in self.subscriptions if str(s["id"]) == number]
        if action == "set_next_charge_date":
            if not isinstance(body, dict) or not re.fullmatch(r"\d{4}-\d\d-\d\d", body["date"]):
                return 422, {}, {"errors": {"date": "YYYY-MM-DD"}}
            subscription["next_charge_scheduled_at"] = f"{body['date']}T00:00:00"
            self.moved.append((subscription["id"], body["date"]))
            return 200, {}, {"subscription": subscription}
        if action == "cancel":
            subscription["status"] = "cancelled"
            self.cancelled.append((subscription["id"], body))
            return 200, {}, {"subscription": subscription}
        return 404, {}, {"errors": "Not Found"}


@contextmanager
def recharge_server(recharge: FakeRecharge) -> Iterator[str]:
    with json_server(recharge.handle) as base:
        yield base
