"""Local servers speaking the review platforms' documented reply endpoints (on
`json_server.json_server`):

- Trustpilot `POST /v1/private/reviews/{reviewId}/reply`, Bearer business user token,
  `{"message", "authorBusinessUserId"}`, 201 (a review has one reply: a new one replaces it);
- Judge.me `POST /api/v1/replies?api_token&shop_domain`, `{"review_id", "reply": {"content"}}`;
- Google Business Profile `PUT /v4/accounts/*/locations/*/reviews/*/reply`, `{"comment"}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.json_server import Answer

TRUSTPILOT_TOKEN = "tp-business-user-token"
JUDGEME_TOKEN = "jdgm-private-token"
GOOGLE_TOKEN = "ya29.google-token"


@dataclass
class FakeReviewPlatforms:
    replies: dict[tuple[str, str], str] = field(default_factory=dict)  # (platform, id) -> text
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    fail_next: int | None = None  # the status of the next request's failure

    def handle(self, method: str, path: str, headers: Any, document: Any) -> Answer:
        address = urlsplit(path)
        self.requests.append((method, address.path))
        body = document if isinstance(document, dict) else {}
        if self.fail_next:
            status, self.fail_next = self.fail_next, None
            return status, {}, {"message": "Service unavailable, try again"}
        parts = address.path.strip("/").split("/")
        if parts[:3] == ["v1", "private", "reviews"] and parts[-1] == "reply":
            return self._trustpilot(method, parts[3], headers, body)
        if address.path == "/api/v1/replies":
            return self._judgeme(method, parse_qs(address.query), body)
        if parts[:2] == ["v4", "accounts"] and parts[-1] == "reply":
            return self._google(method, parts, headers, body)
        return 404, {}, {"message": "Not Found"}

    def _trustpilot(self, method: str, review: str, headers: Any, body: Any) -> Answer:
        if headers.get("Authorization") != f"Bearer {TRUSTPILOT_TOKEN}":
            return 401, {}, {"message": "Unauthorized"}
        if method != "POST" or not body.get("message") or not body.get("authorBusinessUserId"):
            return 400, {}, {"message": "message and authorBusinessUserId are required"}
        self.replies[("trustpilot", review)] = body["message"]
        return 201, {}, {}

    def _judgeme(self, method: str, query: dict[str, list[str]], body: Any) -> Answer:
        if query.get("api_token") != [JUDGEME_TOKEN] or not query.get("shop_domain"):
            return 401, {}, {"error": "Unauthorized"}
        content = (body.get("reply") or {}).get("content")
        if method != "POST" or not isinstance(body.get("review_id"), int) or not content:
            return 422, {}, {"error": "review_id and reply.content are required"}
        self.replies[("judgeme", str(body["review_id"]))] = content
        return 200, {}, {"reply": {"content": content}}

    def _google(self, method: str, parts: list[str], headers: Any, body: Any) -> Answer:
        if headers.get("Authorization") != f"Bearer {GOOGLE_TOKEN}":
            return 401, {}, {"error": {"message": "Request had invalid credentials."}}
        if method != "PUT" or len(parts) != 8 or not body.get("comment"):
            return 400, {}, {"error": {"message": "Invalid request"}}
        self.replies[("google", parts[6])] = body["comment"]
        return 200, {}, {"comment": body["comment"], "updateTime": "2026-12-04T10:00:00Z"}
