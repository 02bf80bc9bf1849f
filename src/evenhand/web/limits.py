"""Request bodies bounded by the settings, before they are read: a declared length over the
limit of its address is answered 413 at once, and a body sent without one (chunked) is cut
off with 413 as soon as it passes the limit. Nothing larger is ever held in memory."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from evenhand.errors import AccessError, EvenhandError
from evenhand.settings import Settings


def body_limit(settings: Settings) -> Callable[[str], int]:
    """The largest body each address takes: webhooks, API uploads, everything else."""

    def limit(path: str) -> int:
        if path.startswith("/webhooks/"):
            return settings.webhook_max_bytes
        if path.startswith("/api/imports/"):
            return settings.upload_max_bytes
        return settings.request_max_bytes

    return limit


def too_large(limit: int) -> EvenhandError:
    return EvenhandError(
        AccessError.BODY_TOO_LARGE,
        f"the body is larger than this address takes ({limit:,} bytes); nothing stored",
    )


class BodyLimit:
    """ASGI middleware: the body limit of each address (`limit_for(path)`), enforced before
    the body is read."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, too_large(limit))
            return
        await self.app(scope, _bounded(receive, limit), send)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def _bounded(receive: Receive, limit: int) -> Receive:
    """`receive`, raising 413 (an EvenhandError, answered by the app's handler) once the
    body passes `limit` bytes."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(limit)
        return message

    return bounded


async def _refuse(send: Send, error: EvenhandError) -> None:
    body = json.dumps({"error": error.code.value, "message": error.message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
