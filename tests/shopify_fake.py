"""A local server that speaks the part of Shopify's GraphQL Admin API the dispute desk
uses: `dispute(id:) { disputeEvidence { id } }` and `disputeEvidenceUpdate(id:, input:)`,
behind the `X-Shopify-Access-Token` header."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeShopify:
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
def shopify_server(shopify: FakeShopify) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = shopify.handle(
                self.path, self.headers.get("X-Shopify-Access-Token"), body
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

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
