"""Posting a public reply to a review, as each platform documents it.

- Trustpilot (service reviews): `POST /v1/private/reviews/{reviewId}/reply` with a
  business user's OAuth token (`Authorization: Bearer`) and the JSON body `{"message",
  "authorBusinessUserId"}`; 201 on success. A review has one reply: posting again
  replaces it.
- Judge.me: `POST /api/v1/replies?api_token=...&shop_domain=...` with the JSON body
  `{"review_id", "send_reply_email", "reply": {"content"}}`.
- Google Business Profile: `PUT /v4/{accounts/*/locations/*/reviews/*}/reply` with an
  OAuth token and `{"comment"}` (`accounts.locations.reviews.updateReply`: creates the
  reply or updates it).

Tokens go in the headers or the query the platform asks for, never into an error: a
failure names the method, the path and the platform's status.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

TIMEOUT_SECONDS = 15.0


class ReplyRefusedError(Exception):
    """A reply the platform did not take, with its reason; `status` None: no answer."""

    def __init__(self, message: str, *, status: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class ReplyPoster(Protocol):
    platform: str

    def post_reply(self, review_id: str, text: str) -> str:
        """Post the reply; returns what the platform answered, in a few words."""
        ...

    def close(self) -> None: ...


class _Client:
    platform = ""

    def __init__(self, base_url: str, **headers: str) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT_SECONDS
        )

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ReplyRefusedError(
                f"{self.platform} {method} {path}: {type(error).__name__}", status=None
            ) from None
        if response.status_code >= 300:
            raise ReplyRefusedError(
                f"{self.platform} {method} {path}: HTTP {response.status_code} "
                f"{_reason(response)}".strip(),
                status=response.status_code,
            )
        answer = _json(response)
        return answer if isinstance(answer, dict) else {}


class TrustpilotReplies(_Client):
    platform = "trustpilot"

    def __init__(self, *, base_url: str, access_token: str, business_user_id: str) -> None:
        super().__init__(base_url, Authorization=f"Bearer {access_token}")
        self._author = business_user_id

    def post_reply(self, review_id: str, text: str) -> str:
        path = f"/v1/private/reviews/{review_id}/reply"
        self._send("POST", path, json={"message": text, "authorBusinessUserId": self._author})
        return "posted to Trustpilot"


class JudgemeReplies(_Client):
    platform = "judgeme"

    def __init__(self, *, base_url: str, api_token: str, shop_domain: str) -> None:
        super().__init__(base_url)
        self._query = {"api_token": api_token, "shop_domain": shop_domain}

    def post_reply(self, review_id: str, text: str) -> str:
        body = {
            "review_id": int(review_id) if review_id.isdigit() else review_id,
            "send_reply_email": False,
            "reply": {"content": text},
        }
        self._send("POST", "/api/v1/replies", params=self._query, json=body)
        return "posted to Judge.me"


class GoogleReplies(_Client):
    platform = "google"

    def __init__(self, *, base_url: str, access_token: str, location: str) -> None:
        super().__init__(base_url, Authorization=f"Bearer {access_token}")
        self._location = location.strip("/")

    def post_reply(self, review_id: str, text: str) -> str:
        path = f"/v4/{self._location}/reviews/{review_id}/reply"
        self._send("PUT", path, json={"comment": text})
        return "posted to Google"


def _reason(response: httpx.Response) -> str:
    answer = _json(response)
    if not isinstance(answer, dict):
        return ""
    error = answer.get("error") or answer.get("message") or answer.get("errors") or ""
    if isinstance(error, dict):
        error = error.get("message") or ""
    return str(error)[:200]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
