"""Review webhooks from Trustpilot and Judge.me: verified as each platform documents it,
stored like an export (by platform and id: a replayed delivery updates the same review,
never adds one), read by the reader, answered 200 with what was stored.

- Trustpilot (service reviews: `service-review-created`, `-updated`) signs nothing; its
  subscription URL can carry basic-auth credentials (`https://evenhand:SECRET@host/
  webhooks/trustpilot`), so the password must be `trustpilot_webhook_secret`.
- Judge.me (`review/created`, `review/updated`) signs the raw body:
  `JUDGEME-HMAC-SHA256: hex(HMAC-SHA256(secret, body))`.

A bad signature or none is 401 and nothing is read; a body that is not JSON is 400; a
review with a bad field is 422 naming it; nothing is half-stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from evenhand.actions.public_reviews import ReviewImport, receive_public_reviews
from evenhand.errors import AccessError, EvenhandError
from evenhand.web.schemas import error_responses
from evenhand.web.service import Service, ServiceDep
from evenhand.web.signatures import basic_auth_password_valid, judgeme_valid
from evenhand.web.webhooks import _bad_signature, _described, _document, _ignored, _secrets

TRUSTPILOT_EVENTS = frozenset({"service-review-created", "service-review-updated"})
JUDGEME_EVENTS = frozenset({"review/created", "review/updated"})
JUDGEME_HEADER = "JUDGEME-HMAC-SHA256"

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Verified; the reviews stored (or a topic not acted on)."},
}
ANSWERS.update(error_responses(400, 401, 413, 422))


def _not_configured(platform: str) -> EvenhandError:
    return EvenhandError(
        AccessError.NOT_CONFIGURED, f"no {platform} webhook secret is set; nothing stored"
    )


async def _receive(service: Service, text: str, name: str) -> JSONResponse:
    def receive() -> ReviewImport:
        with service.write_lock:
            return receive_public_reviews(
                service.engine,
                text=text,
                source=Path(name),
                now=service.now(),
                reader=service.reader(),
            )

    done = await run_in_threadpool(receive)
    content = {"stored": done.records, "created": done.created, "updated": done.updated}
    return JSONResponse(status_code=200, content=content | {"duplicate": done.created == 0})


@router.post(
    "/trustpilot",
    status_code=200,
    response_model=None,
    responses=ANSWERS,
    openapi_extra=_described(
        'Trustpilot\'s `{"events": [{"eventName", "eventData"}]}`.',
        Authorization="Basic auth from the subscription URL; the password is the secret.",
    ),
)
async def trustpilot(request: Request, service: ServiceDep) -> JSONResponse:
    """Service reviews created or updated; other events are answered and ignored."""
    secrets = _secrets(service.settings.trustpilot_webhook_secret)
    if not secrets:
        raise _not_configured("trustpilot")
    if not basic_auth_password_valid(request.headers.get("Authorization"), secrets):
        raise _bad_signature()
    raw = await request.body()
    document = _document(raw)
    events = document.get("events")
    if not isinstance(events, list):
        raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "events: expected a list of events")
    kept = [e for e in events if isinstance(e, dict) and e.get("eventName") in TRUSTPILOT_EVENTS]
    if not kept:
        names = sorted({str(e.get("eventName")) for e in events if isinstance(e, dict)})
        return _ignored(",".join(names) or "no events")
    text = raw.decode("utf-8") if len(kept) == len(events) else _events_text(kept)
    return await _receive(service, text, "trustpilot webhook")


def _events_text(events: list[Any]) -> str:
    return json.dumps({"events": events}, ensure_ascii=False)


@router.post(
    "/judgeme",
    status_code=200,
    response_model=None,
    responses=ANSWERS,
    openapi_extra=_described(
        'Judge.me\'s `{"event", "review": {...}}`.',
        **{JUDGEME_HEADER: "hex(HMAC-SHA256(secret, raw body))."},
    ),
)
async def judgeme(request: Request, service: ServiceDep) -> JSONResponse:
    """Reviews created or updated; other events are answered and ignored."""
    secrets = _secrets(service.settings.judgeme_webhook_secret)
    if not secrets:
        raise _not_configured("judgeme")
    raw = await request.body()
    if not judgeme_valid(raw, request.headers.get(JUDGEME_HEADER), secrets):
        raise _bad_signature()
    document = _document(raw)
    event = str(document.get("event") or "")
    if event not in JUDGEME_EVENTS:
        return _ignored(event or "no event")
    if not isinstance(document.get("review"), dict):
        raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "review: expected a JSON object")
    return await _receive(service, raw.decode("utf-8"), "judgeme webhook")
