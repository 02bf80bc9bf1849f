"""Stripe's disputes API: stage a dispute's evidence, then submit it to the bank.

`POST /v1/disputes/{id}` takes a form-encoded body: `evidence[field]=text` for each field,
and `submit=false` to stage the evidence (visible in Stripe, not yet sent to the bank) or
`submit=true` to send what is staged. The evidence's file fields (`customer_communication`,
`shipping_documentation`, `uncategorized_file`, ...) take the id of a file uploaded first:
`POST /v1/files` on files.stripe.com, multipart, `purpose=dispute_evidence` (PDF, JPEG or
PNG). The secret key goes in the Authorization header and nowhere else: an error names
the method, the path and Stripe's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

TIMEOUT_SECONDS = 15.0
API_VERSION = "2024-06-20"  # the version the evidence fields were read against


class StripeRefusedError(Exception):
    """A request Stripe did not carry out, with its reason."""

    def __init__(self, message: str, *, status: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class StripeDisputes:
    def __init__(self, *, base_url: str, api_key: str, files_url: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}", "Stripe-Version": API_VERSION}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT_SECONDS
        )
        self._files = httpx.Client(
            base_url=(files_url or base_url).rstrip("/"), headers=headers, timeout=TIMEOUT_SECONDS
        )

    def close(self) -> None:
        self._client.close()
        self._files.close()

    def upload_evidence_file(self, name: str, content: bytes, mime: str) -> str:
        """Upload a file for a dispute's evidence; returns its id (`file_...`)."""
        path = "/v1/files"
        try:
            response = self._files.post(
                path, data={"purpose": "dispute_evidence"}, files={"file": (name, content, mime)}
            )
        except httpx.HTTPError as error:
            raise StripeRefusedError(
                f"stripe POST {path}: {type(error).__name__}", status=None
            ) from None
        answer = _checked(response, path)
        file_id = answer.get("id")
        if not isinstance(file_id, str):
            raise StripeRefusedError(f"stripe POST {path}: no file id in the answer", status=None)
        return file_id

    def stage_evidence(self, dispute_id: str, evidence: Mapping[str, str]) -> dict[str, Any]:
        """Put the evidence on the dispute without submitting it (`submit=false`)."""
        form = {f"evidence[{name}]": text for name, text in evidence.items()}
        return self._post(dispute_id, {**form, "submit": "false"})

    def submit_evidence(self, dispute_id: str) -> dict[str, Any]:
        """Submit the staged evidence to the bank (`submit=true`)."""
        return self._post(dispute_id, {"submit": "true"})

    def _post(self, dispute_id: str, form: dict[str, str]) -> dict[str, Any]:
        path = f"/v1/disputes/{dispute_id}"
        try:
            response = self._client.post(path, data=form)
        except httpx.HTTPError as error:
            raise StripeRefusedError(
                f"stripe POST {path}: {type(error).__name__}", status=None
            ) from None
        return _checked(response, path)


def _checked(response: httpx.Response, path: str) -> dict[str, Any]:
    answer = _json(response)
    if response.status_code >= 300:
        reason = answer.get("error", {}).get("message") if isinstance(answer, dict) else None
        raise StripeRefusedError(
            f"stripe POST {path}: HTTP {response.status_code} {reason or ''}".strip(),
            status=response.status_code,
        )
    return answer if isinstance(answer, dict) else {}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
