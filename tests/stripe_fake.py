"""A local server that speaks Stripe's dispute update contract: `POST /v1/disputes/{id}`
with a form-encoded body (`evidence[field]=...`, `submit=true|false`) and a Bearer secret
key; it answers the dispute object, or Stripe's error body."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class FakeStripe:
    api_key: str
    disputes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    refuse_next: str | None = None  # the message of a 400 for the next request

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


@contextmanager
def stripe_server(stripe: FakeStripe) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            assert not raw or self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"
            )
            form = dict(parse_qsl(raw, keep_blank_values=True))
            status, answer = stripe.handle(
                self.command, self.path, self.headers.get("Authorization"), form
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
