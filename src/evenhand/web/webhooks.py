"""Webhooks from Shopify, Stripe, Zendesk and Gorgias: verified, stored raw, answered 202.

Each delivery is checked exactly as its sender signs it, over the raw body, before
anything is parsed or stored: a bad signature, a stale timestamp or another shop is 401
and nothing is kept. A body that is not a JSON object is 400 with the reason. A verified
delivery goes into the durable inbox under the sender's event id (a retry is counted, not
stored again) and the worker does the rest.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from evenhand.actions.service import receive_delivery
from evenhand.errors import AccessError, EvenhandError
from evenhand.ingest.json_source import JsonError, parse_json
from evenhand.ingest.webhook_payloads import SHOPIFY_TOPICS, STRIPE_TOPICS, Source
from evenhand.store.inbox import Accepted
from evenhand.web.schemas import (
    WEBHOOK_401,
    DeliveryAccepted,
    DeliveryIgnored,
    delivery_accepted,
    error_responses,
)
from evenhand.web.service import Service, ServiceDep
from evenhand.web.signatures import (
    shared_secret_valid,
    shopify_valid,
    stripe_valid,
    zendesk_valid,
)

GORGIAS_SECRET_HEADER = "X-Evenhand-Secret"
ZENDESK_EVENT_PREFIX = "zen:event-type:"
ZENDESK_EVENT_TYPES = frozenset({"zen:event-type:ticket.created"})
GORGIAS_EVENTS = frozenset({"ticket-created", "ticket-message-created"})

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


def _secrets(*given: SecretStr | None) -> list[str]:
    return [each.get_secret_value() for each in given if each is not None]


def _require(secrets: list[str], source: Source) -> None:
    if not secrets:
        raise EvenhandError(
            AccessError.NOT_CONFIGURED, f"no {source} webhook secret is set; nothing stored"
        )


def _bad_signature() -> EvenhandError:
    return EvenhandError(AccessError.BAD_SIGNATURE, "signature does not verify; nothing stored")


def _document(raw: bytes) -> dict[str, Any]:
    try:
        document = parse_json(raw.decode("utf-8"))
    except (JsonError, UnicodeDecodeError) as error:
        raise EvenhandError(AccessError.MALFORMED_PAYLOAD, f"malformed JSON: {error}") from None
    if not isinstance(document, dict):
        raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "the body is not a JSON object")
    return document


def _digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


async def _store(
    service: Service,
    *,
    source: Source,
    event_key: str,
    topic: str,
    raw: bytes,
    replay_window: timedelta | None = None,
) -> DeliveryAccepted:
    """Into the inbox; with `replay_window`, the same topic and body stored within it is
    counted as a repeat (the event id it came under is not signed)."""

    def receive() -> Accepted:
        now = service.now()
        with service.write_lock:
            return receive_delivery(
                service.inbox_engine,
                source=source.value,
                event_key=event_key,
                topic=topic,
                body=raw.decode("utf-8"),
                now=now,
                body_sha256=hashlib.sha256(raw).hexdigest() if replay_window else None,
                replay_since=now - replay_window if replay_window else None,
            )

    accepted = await run_in_threadpool(receive)
    return delivery_accepted(accepted)


def _ignored(topic: str) -> JSONResponse:
    """200: a verified delivery of a topic not acted on (the route's model is the 202's)."""
    return JSONResponse(status_code=200, content=DeliveryIgnored(ignored=topic).model_dump())


# What every webhook answers: 202 stored (the route's `response_model`), 200 a topic not
# acted on, or a refusal with the error body.
DELIVERY_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"model": DeliveryAccepted, "description": "Verified and stored in the inbox."},
    200: {"model": DeliveryIgnored, "description": "Verified; a topic not acted on."},
}
DELIVERY_ANSWERS.update(error_responses(400, 401, 413, 503, s401=WEBHOOK_401))
Answer = DeliveryAccepted | JSONResponse  # 202, or 200 `DeliveryIgnored`


def _described(body: str, **headers: str) -> dict[str, Any]:
    """The OpenAPI of a webhook's request: the raw JSON body its sender signs, and the
    headers read (they are checked by hand, over the raw body, before anything is parsed)."""
    return {
        "requestBody": {
            "required": True,
            "description": body,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "parameters": [
            {"name": name, "in": "header", "description": meaning, "schema": {"type": "string"}}
            for name, meaning in headers.items()
        ],
    }


@router.post(
    "/shopify",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=DELIVERY_ANSWERS,
    openapi_extra=_described(
        "The webhook's JSON, as Shopify sends it.",
        **{
            "X-Shopify-Hmac-Sha256": "base64(HMAC-SHA256(secret, raw body)).",
            "X-Shopify-Topic": "orders/create, refunds/create, customers/redact, ...",
            "X-Shopify-Shop-Domain": "The shop; another than the one set is refused.",
            "X-Shopify-Event-Id": "The event's id: a repeat is counted, not stored again.",
        },
    ),
)
async def shopify(request: Request, service: ServiceDep) -> Answer:
    """Orders, refunds, disputes and the privacy topics; `X-Shopify-Hmac-Sha256`."""
    settings, headers = service.settings, request.headers
    secrets = _secrets(settings.shopify_webhook_secret, settings.shopify_webhook_secret_previous)
    _require(secrets, Source.SHOPIFY)
    if not headers.get("X-Shopify-Hmac-Sha256"):  # what the headers can refuse, before the body
        raise _bad_signature()
    shop = headers.get("X-Shopify-Shop-Domain", "")
    if settings.shopify_shop_domain and shop.lower() != settings.shopify_shop_domain.lower():
        raise EvenhandError(AccessError.UNKNOWN_SHOP, f"unknown shop {shop!r}; nothing stored")
    raw = await request.body()
    if not shopify_valid(raw, headers.get("X-Shopify-Hmac-Sha256"), secrets):
        raise _bad_signature()
    _document(raw)
    topic = headers.get("X-Shopify-Topic", "")
    if topic not in SHOPIFY_TOPICS:
        return _ignored(topic)
    event = headers.get("X-Shopify-Event-Id") or headers.get("X-Shopify-Webhook-Id")
    key = f"{topic}:{event}" if event else f"{topic}:{_digest(raw)}"
    hours = settings.shopify_replay_window_hours
    return await _store(
        service,
        source=Source.SHOPIFY,
        event_key=key,
        topic=topic,
        raw=raw,
        replay_window=timedelta(hours=hours) if hours else None,
    )


@router.post(
    "/stripe",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=DELIVERY_ANSWERS,
    openapi_extra=_described(
        "A Stripe event object.",
        **{"Stripe-Signature": "t=<unix time>,v1=<hex HMAC-SHA256 of 't.body'>[,v1=...]."},
    ),
)
async def stripe(request: Request, service: ServiceDep) -> Answer:
    """`charge.dispute.created|updated|closed`; `Stripe-Signature` with a timestamp."""
    raw, settings = await request.body(), service.settings
    secrets = _secrets(settings.stripe_webhook_secret, settings.stripe_webhook_secret_previous)
    _require(secrets, Source.STRIPE)
    header = request.headers.get("Stripe-Signature")
    tolerance = settings.webhook_tolerance_seconds
    if not stripe_valid(raw, header, secrets, now=service.now(), tolerance=tolerance):
        raise _bad_signature()
    document = _document(raw)
    topic = str(document.get("type", ""))
    if topic not in STRIPE_TOPICS:
        return _ignored(topic)
    event_id = document.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise EvenhandError(AccessError.MALFORMED_PAYLOAD, "the event has no id")
    return await _store(service, source=Source.STRIPE, event_key=event_id, topic=topic, raw=raw)


@router.post(
    "/zendesk",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=DELIVERY_ANSWERS,
    openapi_extra=_described(
        "A trigger's JSON or an event subscription's event.",
        **{
            "X-Zendesk-Webhook-Signature": "base64(HMAC-SHA256(secret, timestamp + body)).",
            "X-Zendesk-Webhook-Signature-Timestamp": "When it was signed (ISO 8601).",
        },
    ),
)
async def zendesk(request: Request, service: ServiceDep) -> Answer:
    """A new ticket, from a trigger webhook or an event subscription;
    `X-Zendesk-Webhook-Signature` over the timestamp and the body."""
    raw, settings, headers = await request.body(), service.settings, request.headers
    secrets = _secrets(settings.zendesk_webhook_secret, settings.zendesk_webhook_secret_previous)
    _require(secrets, Source.ZENDESK)
    signature = headers.get("X-Zendesk-Webhook-Signature")
    stamp = headers.get("X-Zendesk-Webhook-Signature-Timestamp")
    tolerance = settings.webhook_tolerance_seconds
    if not zendesk_valid(raw, signature, stamp, secrets, now=service.now(), tolerance=tolerance):
        raise _bad_signature()
    document = _document(raw)
    topic = str(document.get("type") or "ticket.trigger")
    if topic.startswith(ZENDESK_EVENT_PREFIX) and topic not in ZENDESK_EVENT_TYPES:
        return _ignored(topic)
    event_id = document.get("id") if topic.startswith(ZENDESK_EVENT_PREFIX) else None
    key = str(event_id) if event_id else _digest(raw)
    return await _store(service, source=Source.ZENDESK, event_key=key, topic=topic, raw=raw)


@router.post(
    "/gorgias",
    status_code=202,
    response_model=DeliveryAccepted,
    responses=DELIVERY_ANSWERS,
    openapi_extra=_described(
        "The HTTP integration's ticket JSON.",
        **{GORGIAS_SECRET_HEADER: "The shared secret (Gorgias does not sign)."},
    ),
)
async def gorgias(request: Request, service: ServiceDep) -> Answer:
    """The HTTP integration's `ticket-created` / `ticket-message-created`. Gorgias does not
    sign, so the integration sends the shared secret in `X-Evenhand-Secret`."""
    settings = service.settings
    secrets = _secrets(settings.gorgias_webhook_secret, settings.gorgias_webhook_secret_previous)
    _require(secrets, Source.GORGIAS)
    if not shared_secret_valid(request.headers.get(GORGIAS_SECRET_HEADER), secrets):
        raise _bad_signature()  # before the body is read: a stranger's is never taken in
    raw = await request.body()
    document = _document(raw)
    topic = str(document.get("event") or "ticket-created")
    if topic not in GORGIAS_EVENTS:
        return _ignored(topic)
    return await _store(
        service, source=Source.GORGIAS, event_key=_digest(raw), topic=topic, raw=raw
    )
