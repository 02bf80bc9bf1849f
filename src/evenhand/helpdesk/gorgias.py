"""Gorgias REST API: fetch a ticket, add tags, add an internal-note message.

Auth is HTTP Basic with the user's e-mail and REST API key. Tags are set with
`PUT /api/tickets/{id}` (which replaces the set), so the ticket's own tags are read first
and kept. A message on the `internal-note` channel is a note agents see, never sent.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from evenhand.helpdesk.http import HelpdeskApi


class GorgiasClient:
    def __init__(self, *, base_url: str, email: str, api_key: str) -> None:
        self._api = HelpdeskApi("gorgias", base_url=base_url, auth=(email, api_key))
        self._email = email

    def close(self) -> None:
        self._api.close()

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        found = self._api.call("GET", f"/api/tickets/{ticket_id}")
        return found if isinstance(found, dict) else {}

    def add_tags(self, ticket_id: str, tags: Sequence[str]) -> None:
        current = self.ticket(ticket_id).get("tags") or []
        names = [tag["name"] for tag in current if isinstance(tag, dict) and tag.get("name")]
        merged = names + [tag for tag in tags if tag not in names]
        self._api.call(
            "PUT", f"/api/tickets/{ticket_id}", json={"tags": [{"name": n} for n in merged]}
        )

    def has_note(self, ticket_id: str, marker: str) -> bool:
        """Whether one of the ticket's messages (it lists them) has `marker`."""
        messages = self.ticket(ticket_id).get("messages") or []
        return any(
            marker in str(message.get("body_text") or "")
            for message in messages
            if isinstance(message, dict)
        )

    def add_internal_note(self, ticket_id: str, text: str) -> None:
        body_html = "<br>".join(html.escape(line) for line in text.splitlines())
        self._api.call(
            "POST",
            f"/api/tickets/{ticket_id}/messages",
            json={
                "channel": "internal-note",
                "via": "api",
                "from_agent": True,
                "public": False,
                "sender": {"email": self._email},
                "source": {"type": "internal-note", "from": {"address": self._email}},
                "body_text": text,
                "body_html": body_html,
            },
        )

    def send_public_reply(self, ticket_id: str, text: str) -> None:
        """An outgoing message from the agent on the ticket's channel, to its customer."""
        ticket = self.ticket(ticket_id)
        channel = str(ticket.get("channel") or "email")
        customer = ticket.get("customer") if isinstance(ticket.get("customer"), dict) else {}
        address = str((customer or {}).get("email") or "")
        self._api.call(
            "POST",
            f"/api/tickets/{ticket_id}/messages",
            json={
                "channel": channel,
                "via": "api",
                "from_agent": True,
                "public": True,
                "sender": {"email": self._email},
                "receiver": {"email": address},
                "source": {
                    "type": channel,
                    "from": {"address": self._email},
                    "to": [{"address": address}],
                },
                "body_text": text,
                "body_html": "<br>".join(html.escape(line) for line in text.splitlines()),
            },
        )

    def has_public_reply(self, ticket_id: str, text: str) -> bool:
        messages = self.ticket(ticket_id).get("messages") or []
        return any(
            isinstance(message, dict)
            and message.get("from_agent")
            and message.get("public", True)
            and str(message.get("body_text") or "").strip() == text.strip()
            for message in messages
        )

    def set_status(self, ticket_id: str, status: str) -> None:
        self._api.call("PUT", f"/api/tickets/{ticket_id}", json={"status": status})
