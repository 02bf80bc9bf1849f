"""Real servers on loopback ports for the service tests: the app under uvicorn, and a
local helpdesk that speaks the documented Zendesk and Gorgias endpoints."""

from __future__ import annotations

import base64
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvicorn
from fastapi import FastAPI

from tests.json_server import Answer, json_server

# The helpdesks' credentials in the tests: a log or page showing one is a leak.
ZENDESK_TOKEN = "zd-api-token-never-logged"
GORGIAS_KEY = "gorgias-api-key-never-logged"


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None
    body: Any


@dataclass
class FakeHelpdesk:
    """Zendesk's and Gorgias's ticket endpoints, with their auth, in memory.

    `fail_next(status, headers)` makes the next request answer that failure (e.g. 429 with
    Retry-After, or 500) before it is carried out."""

    expected_auth: str
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    failures: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.append((status, headers or {}))

    def handle(self, method: str, path: str, auth: str | None, body: Any) -> Answer:
        self.requests.append(Seen(method, path, auth, body))
        if auth != self.expected_auth:
            return 401, {}, {"error": "Couldn't authenticate you"}
        if self.failures:
            status, headers = self.failures.popleft()
            return status, headers, {"error": "failure"}
        address = urlsplit(path)
        return self._route(method, address.path.rstrip("/"), body, parse_qs(address.query))

    def _route(  # noqa: PLR0911
        self, method: str, path: str, body: Any, query: dict[str, list[str]]
    ) -> Answer:
        parts = path.strip("/").split("/")
        # Zendesk
        if parts[:3] == ["api", "v2", "tickets"] and len(parts) == 5 and method == "GET":
            return self._zendesk_comments(parts, query)
        if parts[:3] == ["api", "v2", "tickets"] and len(parts) == 5 and parts[4] == "tags":
            ticket = self.tickets.setdefault(parts[3], {"tags": [], "comments": []})
            if method == "PUT":  # adds, never removes
                ticket["tags"] += [t for t in body["tags"] if t not in ticket["tags"]]
            return 200, {}, {"tags": ticket["tags"]}
        if parts[:3] == ["api", "v2", "tickets"] and len(parts) == 4 and method == "PUT":
            ticket = self.tickets.setdefault(
                parts[3].removesuffix(".json"), {"tags": [], "comments": []}
            )
            return self._zendesk_update(ticket, parts[3], body["ticket"])
        if parts[:3] == ["api", "v2", "users"] and method == "GET":
            user = self.users.get(parts[3].removesuffix(".json"))
            return (200, {}, {"user": user}) if user else (404, {}, {"error": "RecordNotFound"})
        # Gorgias
        if parts[:2] == ["api", "tickets"] and len(parts) == 3:
            found = self.tickets.get(parts[2])
            if found is None:
                return 404, {}, {"error": "not found"}
            if method == "PUT":
                found.update({key: body[key] for key in ("tags", "status") if key in body})
            return 200, {}, found
        if parts[:2] == ["api", "tickets"] and len(parts) == 4 and parts[3] == "messages":
            self.tickets[parts[2]].setdefault("messages", []).append(body)
            return 201, {}, body | {"id": 999}
        return 404, {}, {"error": f"no route {method} {path}"}

    def _zendesk_update(
        self, ticket: dict[str, Any], ticket_id: str, change: dict[str, Any]
    ) -> Answer:
        """A ticket update: a comment (public or not) and/or a new status."""
        if "comment" in change:
            ticket["comments"].append(change["comment"])
        if "status" in change:
            ticket["status"] = change["status"]
        return 200, {}, {"ticket": {"id": ticket_id}}

    def _zendesk_comments(self, parts: list[str], query: dict[str, list[str]]) -> Answer:
        if parts[4].removesuffix(".json") != "comments":
            return 404, {}, {"error": f"no route GET {'/'.join(parts)}"}
        comments = self.tickets.get(parts[3], {}).get("comments", [])
        newest_first = query.get("sort_order") == ["desc"]
        return 200, {}, {"comments": comments[::-1] if newest_first else comments}


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@contextmanager
def helpdesk_server(helpdesk: FakeHelpdesk) -> Iterator[str]:
    def handle(method: str, path: str, headers: Any, body: Any) -> Answer:
        return helpdesk.handle(method, path, headers.get("Authorization"), body)

    with json_server(handle) as base:
        yield base
