"""Zendesk Support API: add tags, add an internal note, look up a requester.

Auth is an API token: Basic `{email}/token:{token}`. `PUT /api/v2/tickets/{id}/tags` adds
to the ticket's tags (it never removes one); a comment with `public: false` is an internal
note agents see and customers do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evenhand.helpdesk.http import HelpdeskApi


class ZendeskClient:
    def __init__(self, *, base_url: str, email: str, api_token: str) -> None:
        self._api = HelpdeskApi("zendesk", base_url=base_url, auth=(f"{email}/token", api_token))

    def close(self) -> None:
        self._api.close()

    def add_tags(self, ticket_id: str, tags: Sequence[str]) -> None:
        self._api.call("PUT", f"/api/v2/tickets/{ticket_id}/tags", json={"tags": list(tags)})

    def add_internal_note(self, ticket_id: str, text: str) -> None:
        self._api.call(
            "PUT",
            f"/api/v2/tickets/{ticket_id}.json",
            json={"ticket": {"comment": {"body": text, "public": False}}},
        )

    def has_note(self, ticket_id: str, marker: str) -> bool:
        """Whether one of the ticket's newest comments (one page, newest first) has `marker`."""
        found = self._api.call("GET", f"/api/v2/tickets/{ticket_id}/comments.json?sort_order=desc")
        comments = found.get("comments") if isinstance(found, dict) else None
        return any(
            marker in str(comment.get("body") or "")
            for comment in comments or []
            if isinstance(comment, dict)
        )

    def user(self, user_id: int | str) -> dict[str, Any]:
        found = self._api.call("GET", f"/api/v2/users/{user_id}.json")
        user = found.get("user") if isinstance(found, dict) else None
        return user if isinstance(user, dict) else {}

    def send_public_reply(self, ticket_id: str, text: str) -> None:
        """A public comment: the requester gets it by e-mail (or the ticket's channel)."""
        self._api.call(
            "PUT",
            f"/api/v2/tickets/{ticket_id}.json",
            json={"ticket": {"comment": {"body": text, "public": True}}},
        )

    def has_public_reply(self, ticket_id: str, text: str) -> bool:
        """Whether one of the newest comments is a public one with this very text."""
        found = self._api.call("GET", f"/api/v2/tickets/{ticket_id}/comments.json?sort_order=desc")
        comments = found.get("comments") if isinstance(found, dict) else None
        return any(
            isinstance(comment, dict)
            and comment.get("public") is True
            and str(comment.get("body") or "").strip() == text.strip()
            for comment in comments or []
        )

    def set_status(self, ticket_id: str, status: str) -> None:
        self._api.call(
            "PUT", f"/api/v2/tickets/{ticket_id}.json", json={"ticket": {"status": status}}
        )
