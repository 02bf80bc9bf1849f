"""A local server that speaks Stripe's dispute update contract: `POST /v1/disputes/{id}`
with a form-encoded body (`evidence[field]=...`, `submit=true|false`) and a Bearer secret
key; it answers the dispute object, or Stripe's error body. It also takes file uploads,
`POST /v1/files` (multipart, `purpose=dispute_evidence`, PDF/JPEG/PNG), and, as Stripe
does, refuses an evidence file field that names no uploaded file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from tests.json_server import Answer, raw_server

# Stripe's evidence fields that take a file's id, and those that take text.
FILE_FIELDS = frozenset(
    {
        "cancellation_policy",
        "customer_communication",
        "customer_signature",
        "duplicate_charge_documentation",
        "receipt",
        "refund_policy",
        "service_documentation",
        "shipping_documentation",
        "uncategorized_file",
    }
)
TEXT_FIELDS = frozenset(
    {
        "access_activity_log",
        "billing_address",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "customer_email_address",
        "customer_name",
        "customer_purchase_ip",
        "duplicate_charge_explanation",
        "duplicate_charge_id",
        "product_description",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "service_date",
        "shipping_address",
        "shipping_carrier",
        "shipping_date",
        "shipping_tracking_number",
        "uncategorized_text",
    }
)
EVIDENCE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@dataclass
class FakeStripe:
    api_key: str
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    refuse_next: str | None = None  # the message of a 400 for the next request
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # id -> name, type, data

    def upload(
        self, auth: str | None, purpose: str | None, name: str, mime: str, data: bytes
    ) -> tuple[int, Any]:
        self.requests.append(("POST", "/v1/files", {"purpose": purpose or "", "file": name}))
        if auth != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}
        if purpose != "dispute_evidence" or mime not in EVIDENCE_TYPES or not data:
            message = f"Invalid file: purpose {purpose!r}, type {mime!r}"
            return 400, {"error": {"type": "invalid_request_error", "message": message}}
        file_id = f"file_{len(self.files) + 1:04d}"
        self.files[file_id] = (name, mime, data)
        return 200, {"id": file_id, "object": "file", "purpose": purpose, "size": len(data)}

    def _evidence_problem(self, form: dict[str, str]) -> str | None:
        for key, value in form.items():
            if not (key.startswith("evidence[") and key.endswith("]")):
                continue
            name = key[9:-1]
            if name not in FILE_FIELDS | TEXT_FIELDS:
                return f"Received unknown parameter: evidence[{name}]"
            if name in FILE_FIELDS and value not in self.files:
                return f"No such file upload: '{value[:40]}'"
        return None

    def handle(
        self, method: str, path: str, auth: str | None, form: dict[str, str]
    ) -> tuple[int, Any]:
        self.requests.append((method, path, form))
        if auth != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}
        parts = path.strip("/").split("/")
        if method != "POST" or parts[:2] != ["v1", "disputes"] or len(parts) != 3:
            return 404, {
                "error": {"type": "invalid_request_error", "message": "Unrecognized request URL"}
            }
        dispute = self.disputes.get(parts[2])
        if dispute is None:
            return 404, {
                "error": {
                    "type": "invalid_request_error",
                    "message": f"No such dispute: '{parts[2]}'",
                }
            }
        if self.refuse_next:
            message, self.refuse_next = self.refuse_next, None
            return 400, {"error": {"type": "invalid_request_error", "message": message}}
        problem = self._evidence_problem(form)
        if problem:
            return 400, {"error": {"type": "invalid_request_error", "message": problem}}
        for key, value in form.items():
            if key.startswith("evidence[") and key.endswith("]"):
                dispute["evidence"][key[9:-1]] = value
        dispute["evidence_details"]["has_evidence"] = True
        if form.get("submit") == "true":
            dispute["status"] = "under_review"
            dispute["evidence_details"]["submission_count"] += 1
        return 200, dispute


def a_stripe_dispute(dispute_id: str) -> dict[str, Any]:
    return {
        "id": dispute_id,
        "object": "dispute",
        "status": "needs_response",
        "evidence": {},
        "evidence_details": {"has_evidence": False, "submission_count": 0},
    }


def _multipart(kind: str, body: bytes) -> tuple[str | None, str, str, bytes]:
    """(purpose, file name, its type, its bytes) of a multipart/form-data body."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + body
    )
    purpose, name, mime, data = None, "", "", b""
    for part in message.iter_parts():
        field_name = part.get_param("name", header="content-disposition")
        if field_name == "purpose":
            purpose = str(part.get_content()).strip()
        elif field_name == "file":
            name = part.get_filename() or ""
            mime = part.get_content_type()
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
    return purpose, name, mime, data


@contextmanager
def stripe_server(stripe: FakeStripe) -> Iterator[str]:
    """The fake on a loopback port (the shared `raw_server`: its bodies are form-encoded or
    multipart, not JSON); yields its base URL."""

    def handle(method: str, path: str, headers: Any, body: bytes) -> Answer:
        if method not in ("GET", "POST"):
            return 501, {}, {"error": {"message": f"Unsupported method ({method!r})"}}
        kind = headers.get("Content-Type", "")
        auth = headers.get("Authorization")
        if path == "/v1/files" and kind.startswith("multipart/form-data"):
            status, answer = stripe.upload(auth, *_multipart(kind, body))
        else:
            raw = body.decode()
            assert not raw or kind.startswith("application/x-www-form-urlencoded")
            form = dict(parse_qsl(raw, keep_blank_values=True))
            status, answer = stripe.handle(method, path, auth, form)
        return status, {}, answer

    with raw_server(handle) as base:
        yield base
