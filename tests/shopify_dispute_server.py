"""A local server that speaks the part of Shopify's GraphQL Admin API the dispute desk
uses: `dispute(id:) { disputeEvidence { id } }` and `disputeEvidenceUpdate(id:, input:)`,
behind the `X-Shopify-Access-Token` header."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.json_server import Answer, json_server


@dataclass
class FakeShopifyDisputes:
    token: str
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)  # gid -> evidence
    requests: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, path: str, token: str | None, body: dict[str, Any]) -> tuple[int, Any]:
        self.requests.append(body)
        if token != self.token:
            return 401, {"errors": "[API] Invalid API key or access token"}
        if not path.endswith("/graphql.json"):
            return 404, {"errors": "Not Found"}
        variables = body.get("variables") or {}
        if "disputeEvidenceUpdate" in body.get("query", ""):
            return 200, {"data": {"disputeEvidenceUpdate": self._update(variables)}}
        dispute = self.disputes.get(variables.get("id", ""))
        if dispute is None:
            return 200, {"data": {"dispute": None}}
        return 200, {
            "data": {"dispute": {"id": variables["id"], "disputeEvidence": {"id": dispute["id"]}}}
        }

    def _update(self, variables: dict[str, Any]) -> dict[str, Any]:
        for evidence in self.disputes.values():
            if evidence["id"] == variables.get("id"):
                evidence.update(variables["input"])
                return {"disputeEvidence": {"id": evidence["id"]}, "userErrors": []}
        return {
            "disputeEvidence": None,
            "userErrors": [{"field": ["id"], "message": "Dispute evidence not found"}],
        }


@contextmanager
def shopify_server(shopify: FakeShopifyDisputes) -> Iterator[str]:
    """The fake on a loopback port (the shared `json_server`); yields its base URL."""

    def handle(method: str, path: str, headers: Any, body: Any) -> Answer:
        if method != "POST":
            return 501, {}, {"errors": f"Unsupported method ({method!r})"}
        status, answer = shopify.handle(path, headers.get("X-Shopify-Access-Token"), body or {})
        return status, {}, answer

    with json_server(handle) as base:
        yield base
