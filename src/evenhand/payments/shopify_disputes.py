"""Shopify Payments dispute evidence through the GraphQL Admin API.

`POST {shop}/admin/api/{version}/graphql.json` with the `X-Shopify-Access-Token` header:
the dispute's evidence id is read with `dispute(id:) { disputeEvidence { id } }`, then
`disputeEvidenceUpdate(id:, input:)` sets the text fields (`submitEvidence: false` stages
them, `true` submits them to the bank). Shopify's `userErrors` are a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

API_VERSION = "2025-01"
TIMEOUT_SECONDS = 15.0
EVIDENCE_ID = """query DisputeEvidenceId($id: ID!) {
  dispute(id: $id) { id disputeEvidence { id } }
}"""
UPDATE = """mutation UpdateEvidence($id: ID!, $input: ShopifyPaymentsDisputeEvidenceUpdateInput!) {
  disputeEvidenceUpdate(id: $id, input: $input) {
    disputeEvidence { id }
    userErrors { field message }
  }
}"""


class ShopifyRefusedError(Exception):
    """A request Shopify did not carry out, with its reason."""

    def __init__(self, message: str, *, status: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ShopifyDisputes:
    def __init__(self, *, shop_url: str, access_token: str) -> None:
        self._path = f"/admin/api/{API_VERSION}/graphql.json"
        self._client = httpx.Client(
            base_url=shop_url.rstrip("/"),
            headers={"X-Shopify-Access-Token": access_token},
            timeout=TIMEOUT_SECONDS,
        )

    def close(self) -> None:
        self._client.close()

    def update_evidence(
        self, dispute_id: str, evidence: Mapping[str, str], *, submit: bool
    ) -> dict[str, Any]:
        """Set the evidence's text fields on the dispute; with `submit`, send it to the bank."""
        found = self._query(
            EVIDENCE_ID, {"id": f"gid://shopify/ShopifyPaymentsDispute/{dispute_id}"}
        )
        dispute = found.get("dispute") or {}
        evidence_id = (dispute.get("disputeEvidence") or {}).get("id")
        if not evidence_id:
            raise ShopifyRefusedError(f"shopify: no dispute {dispute_id} in the shop", status=404)
        answer = self._query(
            UPDATE, {"id": evidence_id, "input": {**evidence, "submitEvidence": submit}}
        )
        payload = answer.get("disputeEvidenceUpdate") or {}
        errors = payload.get("userErrors") or []
        if errors:
            reasons = "; ".join(str(error.get("message")) for error in errors)
            raise ShopifyRefusedError(f"shopify disputeEvidenceUpdate: {reasons}", status=200)
        return dict(payload)

    def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._client.post(self._path, json={"query": query, "variables": variables})
        except httpx.HTTPError as error:
            raise ShopifyRefusedError(
                f"shopify POST {self._path}: {type(error).__name__}", status=None
            ) from None
        if response.status_code >= 300:
            raise ShopifyRefusedError(
                f"shopify POST {self._path}: HTTP {response.status_code}",
                status=response.status_code,
            )
        body = response.json()
        if body.get("errors"):
            reasons = "; ".join(str(error.get("message")) for error in body["errors"])
            raise ShopifyRefusedError(f"shopify: {reasons}", status=response.status_code)
        data = body.get("data")
        return data if isinstance(data, dict) else {}
