"""Review webhooks from Trustpilot and Judge.me: verified as each platform documents it,
checked, stored raw in the durable inbox and answered 202, like every other webhook; the
worker stores the reviews like an export (by platform and id: a replayed review updates
the same one, never adds one) and reads them.

- Trustpilot (service reviews: `service-review-created`, `-updated`) signs nothing; its
  subscription URL can carry basic-auth credentials (`https://evenhand:SECRET@host/
  webhooks/trustpilot`), so the password must be `trustpilot_webhook_secret`.
- Judge.me (`review/created`, `review/updated`) signs the raw body:
  `JUDGEME-HMAC-SHA256: hex(HMAC-SHA256(secret, body))`.

A bad signature or none is 401 and nothing is read; a body that is not JSON, or not the
platform's shape, is 400; a review with a bad field is 422 naming it, and nothing is
stored. The same body delivered again is counted, not stored again (`"duplicate": true`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from evenhand.ingest.webhook_payloads import Source, review_payload
from evenhand.web.schemas import DeliveryAccepted, error_responses
from evenhand.web.service import Service, ServiceDep
from evenhand.web.signatures import basic_auth_password_valid, judgeme_valid
from evenhand.web.webhooks import (
    DELIVERY_ANSWERS,
    Answer,
    _bad_signature,
    _described,
    _digest,
    _document,
    _ignored,
    _require,
    _secrets,
    _store,
)

JUDGEME_HEADER = "JUDGEME-HMAC-SHA256"

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
# Every webhook's answers; 400 also for a body not in the platform's shape, and 422.
REVIEW_ANSWERS: dict[int | str, dict[str, Any]] = DELIVERY_ANSWERS | error_responses(
    400,
    422,
    s400="The body cannot be read at all (not UTF-8, not JSON, not a JSON object), or is "
    "not the platform's shape: `events` not a list, `review` not an object "
    "(`malformed_payload`).",
    s422="A review with a bad or missing field, named (`bad_value`, `missing_value`): "
    "nothing is stored.",
)


async def _checked_and_stored(service: Service, source: Source, raw: bytes) -> Answer:
    """A verified delivery: ignored (200) if it holds no event acted on; refused (400,
    422 naming the field) if it cannot be stored as reviews; else into the inbox (202)."""
    document = _document(raw)  # 400 unless UTF-8 JSON: the text below decodes
    where = Path(f"{source} webhook")
    topic, reviews = review_payload(source, document, body=raw.decode("utf-8"), where=where)
    if reviews is None:
        return _ignored(topic)
    return await _store(service, source=source, event_key=_digest(raw), topic=topic, raw=raw)


@router.post(
    "/trustpilot",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=REVIEW_ANSWERS,
    openapi_extra=_described(
        'Trustpilot\'s `{"events": [{"eventName", "eventData"}]}`.',
        Authorization="Basic auth from the subscription URL; the password is the secret.",
    ),
)
async def trustpilot(request: Request, service: ServiceDep) -> Answer:
    """Service reviews created or updated; other events are answered and ignored."""
    secrets = _secrets(service.settings.trustpilot_webhook_secret)
    _require(secrets, Source.TRUSTPILOT)
    if not basic_auth_password_valid(request.headers.get("Authorization"), secrets):
        raise _bad_signature()
    return await _checked_and_stored(service, Source.TRUSTPILOT, await request.body())


@router.post(
    "/judgeme",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=REVIEW_ANSWERS,
    openapi_extra=_described(
        'Judge.me\'s `{"event", "review": {...}}`.',
        **{JUDGEME_HEADER: "hex(HMAC-SHA256(secret, raw body))."},
    ),
)
async def judgeme(request: Request, service: ServiceDep) -> Answer:
    """Reviews created or updated; other events are answered and ignored."""
    secrets = _secrets(service.settings.judgeme_webhook_secret)
    _require(secrets, Source.JUDGEME)
    raw = await request.body()
    if not judgeme_valid(raw, request.headers.get(JUDGEME_HEADER), secrets):
        raise _bad_signature()
    return await _checked_and_stored(service, Source.JUDGEME, raw)
