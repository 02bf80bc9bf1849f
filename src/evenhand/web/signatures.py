"""Webhook signatures, verified exactly as each provider signs, over the raw body.

Every comparison is constant-time (`hmac.compare_digest`), and each check takes a list of
secrets so that a rotated secret and its successor are accepted side by side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _any_equal(expected: Sequence[str], given: str) -> bool:
    # No short cut: every expected value is compared, whatever the first gave.
    found = False
    for each in expected:
        found |= hmac.compare_digest(each.encode(), given.encode())
    return found


def shopify_valid(raw: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """`X-Shopify-Hmac-Sha256`: base64(HMAC-SHA256(client secret, raw body))."""
    if not header or not secrets:
        return False
    expected = [base64.b64encode(_hmac_sha256(secret, raw)).decode() for secret in secrets]
    return _any_equal(expected, header.strip())


def stripe_valid(
    raw: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    now: datetime,
    tolerance: int,
) -> bool:
    """`Stripe-Signature: t=...,v1=...[,v1=...]`: hex HMAC of "t.body", t within tolerance
    of now, in the past or the future (a stamp from the future is a replay made ready)."""
    if not header or not secrets:
        return False
    stamp, signatures = _stripe_parts(header)
    if stamp is None or not signatures or abs(stamp - now.timestamp()) > tolerance:
        return False
    signed = f"{stamp}.".encode() + raw
    expected = [_hmac_sha256(secret, signed).hex() for secret in secrets]
    return any(_any_equal(expected, signature) for signature in signatures)


_STAMP_DIGITS = 12  # seconds since 1970, for the next 30,000 years; "²" and 5000 digits are not


def _stripe_parts(header: str) -> tuple[int | None, list[str]]:
    stamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= _STAMP_DIGITS:
            stamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    return stamp, signatures


def zendesk_valid(
    raw: bytes,
    signature: str | None,
    timestamp: str | None,
    secrets: Sequence[str],
    *,
    now: datetime,
    tolerance: int,
) -> bool:
    """`X-Zendesk-Webhook-Signature`: base64(HMAC-SHA256(secret, timestamp + body))."""
    if not signature or not timestamp or not secrets:
        return False
    try:
        signed_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return False
    if signed_at.tzinfo is None or abs((now - signed_at).total_seconds()) > tolerance:
        return False
    message = timestamp.encode() + raw
    expected = [base64.b64encode(_hmac_sha256(secret, message)).decode() for secret in secrets]
    return _any_equal(expected, signature.strip())


def shared_secret_valid(header: str | None, secrets: Sequence[str]) -> bool:
    """Gorgias does not sign: the HTTP integration sends a shared secret in a header."""
    if not header or not secrets:
        return False
    return _any_equal(list(secrets), header.strip())


def judgeme_valid(raw: bytes, header: str | None, secrets: Sequence[str]) -> bool:
    """`JUDGEME-HMAC-SHA256`: hex(HMAC-SHA256(secret, raw body)); the secret is the OAuth
    app's secret key, or the private API token for a webhook made with it."""
    if not header or not secrets:
        return False
    expected = [_hmac_sha256(secret, raw).hex() for secret in secrets]
    return _any_equal(expected, header.strip().lower())


def basic_auth_password_valid(header: str | None, secrets: Sequence[str]) -> bool:
    """`Authorization: Basic base64(user:password)`, the password one of the secrets (any
    user): what a subscription URL `https://user:password@host/...` sends."""
    if not header or not secrets or not header.startswith("Basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    _, separator, password = decoded.partition(":")
    return bool(separator) and _any_equal(list(secrets), password)
