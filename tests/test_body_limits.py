"""Request bodies are bounded by the settings and refused 413 before the rest is read;
what the headers alone can refuse (Gorgias's shared secret) is refused before the body."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from evenhand.actions.service import create_token
from evenhand.store.tables import inbox
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.test_service import Live, live_service

LIMITS = {"webhook_max_bytes": 4096, "upload_max_bytes": 8192, "request_max_bytes": 2048}


@pytest.fixture
def live(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(sqlite_url, reader, **LIMITS)


def _headers_only(base: str, path: str, headers: dict[str, str]) -> bytes:
    """Send a request's headers and none of the body it declares; what comes back within
    five seconds (a server that waited for the body would answer nothing)."""
    address = urlsplit(base)
    lines = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            return connection.recv(65536)
        except TimeoutError:
            return b""


def test_a_declared_200_mb_webhook_is_413_before_any_of_it_is_read(live: Live) -> None:
    # given an unauthenticated POST declaring 200 MB, of which nothing is sent
    answer = _headers_only(
        live.base,
        "/webhooks/shopify",
        {"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)},
    )
    # then it is answered 413 at once, with the reason
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"body_too_large" in answer and b"4,096 bytes" in answer
    assert live.count(inbox) == 0


def test_a_chunked_body_over_the_limit_is_413(live: Live) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1024

    answer = httpx.post(f"{live.base}/webhooks/stripe", content=chunks(), timeout=10)
    assert answer.status_code == 413
    assert answer.json()["error"] == "body_too_large"


def test_an_api_upload_over_its_limit_is_413_and_one_within_is_read(live: Live) -> None:
    token = create_token(live.engine, name="limits", now=NOW)
    auth = {"Authorization": f"Bearer {token}"}
    big = httpx.post(
        f"{live.base}/api/imports/shopify-orders", content=b"x" * 9000, headers=auth, timeout=10
    )
    assert (big.status_code, big.json()["error"]) == (413, "body_too_large")
    # a ticket, under `request_max_bytes`, is not refused for its size
    ticket = httpx.post(f"{live.base}/api/tickets", content=b"{}", headers=auth, timeout=10)
    assert ticket.status_code != 413
    larger = httpx.post(f"{live.base}/api/tickets", content=b" " * 3000, headers=auth, timeout=10)
    assert larger.status_code == 413


def test_a_wrong_gorgias_secret_is_refused_before_the_body_is_read(live: Live) -> None:
    # given a request with a wrong secret that declares a body and does not send it
    answer = _headers_only(
        live.base,
        "/webhooks/gorgias",
        {
            "Content-Type": "application/json",
            "Content-Length": "1000",
            "X-Evenhand-Secret": "not-the-secret",
        },
    )
    # then it is refused 401 without waiting for the body
    assert answer.startswith(b"HTTP/1.1 401")
    assert b"bad_signature" in answer
