"""Webhook senders that sign as the providers document it (../shared/reference), written
here independently of Evenhand's verifier, so a test shows the two agree."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import FIXTURES

WEBHOOKS = FIXTURES / "webhooks"
SHOP_DOMAIN = "nordhem.myshopify.com"


def fixture(name: str) -> bytes:
    return (WEBHOOKS / name).read_bytes()


def shopify_headers(body: bytes, secret: str, *, topic: str, event_id: str) -> dict[str, str]:
    mac = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": mac,
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": f"wh-{event_id}-{time.monotonic_ns()}",
        "X-Shopify-Event-Id": event_id,
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }


def stripe_headers(body: bytes, *secrets: str, age_seconds: int = 0) -> dict[str, str]:
    stamp = int(time.time()) - age_seconds
    signed = f"{stamp}.".encode() + body
    parts = [f"t={stamp}"] + [
        f"v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}" for secret in secrets
    ]
    return {"Content-Type": "application/json", "Stripe-Signature": ",".join(parts)}


def zendesk_headers(body: bytes, secret: str, *, age_seconds: int = 0) -> dict[str, str]:
    stamp = (datetime.now(UTC) - timedelta(seconds=age_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Zendesk-Webhook-Id": "01JD3V0ZK8WEBHOOK",
        "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def gorgias_headers(secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Evenhand-Secret": secret}


def post(base: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(base + path, content=body, headers=headers, timeout=10)
