"""Malformed but correctly signed deliveries, and bad requests, against `evenhand serve`
(the app and its supervised worker) on a scratch SQLite database: does anything take the
worker down or answer 500?

Each delivery is a real webhook fixture with one value replaced by a poison one (a lone
surrogate, a Unicode digit, years 0001 and 9999 with an offset, 2**70, a 10,000-digit
number, a list where an object belongs, ...), signed as its sender signs. The bad requests
are API calls and webhooks with forged or odd headers, bodies over the limits, and values
out of range. Prints: answers by status (500s counted), worker deaths (the worker's exits
serve reported), tracebacks in serve's output, and what the inbox did with each delivery
(processed, failed with a reason, set aside, still pending). Target: 0 deaths, 0 answers
of 500, 0 tracebacks, 0 pending.

    .venv/bin/python bench/malformed_deliveries.py [--deliveries 300] [--seed 20]
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from evenhand.actions.service import create_token
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import inbox
from yardstick import print_yardstick

WEBHOOKS = Path(__file__).parent.parent / "tests/fixtures/webhooks"
SECRETS = {
    "SHOPIFY": "shpss_malformed",
    "STRIPE": "whsec_malformed",
    "ZENDESK": "zendesk-malformed",
    "GORGIAS": "gorgias-malformed",
}
BASES = [  # (sender, topic, fixture)
    ("shopify", "orders/create", "shopify_orders_create.json"),
    ("shopify", "refunds/create", "shopify_refunds_create.json"),
    ("shopify", "disputes/create", "shopify_disputes_create.json"),
    ("shopify", "customers/redact", "shopify_customers_redact.json"),
    ("shopify", "customers/data_request", "shopify_customers_data_request.json"),
    ("stripe", "charge.dispute.created", "stripe_charge_dispute_created.json"),
    ("zendesk", "ticket.trigger", "zendesk_trigger.json"),
    ("zendesk", "event", "zendesk_ticket_created_event.json"),
    ("gorgias", "ticket-created", "gorgias_ticket_created.json"),
]
POISON: list[Any] = [
    "\ud800",
    "Hej \udfff då",
    "①",
    "٣٤",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01 00:00:00 +0100",
    2**70,
    -(2**63) - 1,
    int("9" * 4000),
    1e308,
    -0.0,
    None,
    True,
    [],
    [[]],
    {},
    "",
    " ",
    "x" * 200_000,
    "a\x00b",
    "../../admin",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "12.345",
    "SEK",
    "-1",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _leaves(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document a value can be put: each key's value, each list item."""
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in items:
        yield (*path, key)
        if isinstance(value, dict | list) and value:
            yield from _leaves(value, (*path, key))


def _poisoned(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document with one value replaced by a poison one (or one key removed)."""
    changed = copy.deepcopy(document)
    path = rng.choice(list(_leaves(changed)))
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if rng.random() < 0.1 and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = rng.choice(POISON)
    return changed


def _signed(sender: str, topic: str, body: bytes, number: int) -> dict[str, str]:
    secret = SECRETS[sender.upper()]
    headers = {"Content-Type": "application/json"}
    if sender == "shopify":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        headers |= {
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": "nordhem.myshopify.com",
            "X-Shopify-Event-Id": f"malformed-{number}",
        }
    elif sender == "stripe":
        seconds = int(time.time())
        hex_mac = hmac.new(
            secret.encode(), f"{seconds}.".encode() + body, hashlib.sha256
        ).hexdigest()
        headers["Stripe-Signature"] = f"t={seconds},v1={hex_mac}"
    elif sender == "zendesk":
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
        headers["X-Zendesk-Webhook-Signature"] = base64.b64encode(digest).decode()
        headers["X-Zendesk-Webhook-Signature-Timestamp"] = timestamp
    else:
        headers["X-Evenhand-Secret"] = secret
    return headers


def malformed_deliveries(
    count: int, rng: random.Random
) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    """(path, body, headers) of `count` signed deliveries, each with one poison value."""
    bases = [(s, t, json.loads((WEBHOOKS / name).read_text("utf-8"))) for s, t, name in BASES]
    for number in range(count):
        sender, topic, document = rng.choice(bases)
        if sender == "stripe":
            document = document | {"id": f"evt_malformed_{number}"}
        changed = _poisoned(document, rng)
        body = json.dumps(changed, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        yield f"/webhooks/{sender}", body, _signed(sender, topic, body, number)


def bad_requests(token: str) -> Iterator[tuple[str, str, bytes, dict[str, str]]]:
    """(method, path, body, headers) of API calls and webhooks with odd values: refused 4xx
    where a value is invalid (a time out of range, `true` as an id, a forged signature); a
    poison string in a free-text field (an id, a channel, a body: "①", "<script>") is text,
    and the ticket is taken (200)."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ticket = {
        "id": "t-1",
        "created_at": "2026-11-14T09:30:00Z",
        "channel": "email",
        "customer_email": "a@example.se",
        "body": "Where is my parcel?",
    }
    for key in ticket:
        for value in POISON:
            body = json.dumps(ticket | {key: value}).encode("utf-8", "surrogatepass")
            yield "POST", "/api/tickets", body, auth
    for raw in (b"", b"[]", b"{", b"\xff\xfe", b"null", b'{"id": NaN}', b"[" * 100_000):
        yield "POST", "/api/tickets", raw, auth
    for decision in ("0", "-1", str(2**63), str(2**70), "abc", "1e3", "①"):
        yield "GET", f"/api/decisions/{decision}", b"", auth
    for email in ("%ED%A0%80", "x" * 400, "a@b", "%00"):
        yield "GET", f"/api/customers/{email}", b"", auth
    csv = b"Name,Email,Created at\n#1,a@example.se,0001-01-01 00:00:00 +0100\n"
    for upload in (csv, b"\x00\x01\x02" * 100, "Name,Email\nGr\xe5".encode("latin-1")):
        yield "POST", "/api/imports/shopify-orders", upload, auth
    yield "POST", "/api/tickets", json.dumps(ticket).encode(), {"Authorization": "Bearer eh_x"}
    stripe = (WEBHOOKS / "stripe_charge_dispute_created.json").read_bytes()
    for header in ("t=²,v1=00", "t=" + "9" * 5000, "v1=abc", "t=1,v1=", ""):
        yield "POST", "/webhooks/stripe", stripe, {"Stripe-Signature": header}
    far = int(time.time()) + 365 * 86400  # a year ahead, correctly signed
    mac = hmac.new(SECRETS["STRIPE"].encode(), f"{far}.".encode() + stripe, hashlib.sha256)
    yield "POST", "/webhooks/stripe", stripe, {"Stripe-Signature": f"t={far},v1={mac.hexdigest()}"}
    yield (
        "POST",
        "/webhooks/shopify",
        b"x" * (6 * 1024 * 1024),
        {"X-Shopify-Topic": "orders/create"},
    )
    yield "POST", "/webhooks/gorgias", b"{}", {"X-Evenhand-Secret": "wrong"}
    yield (
        "POST",
        "/webhooks/zendesk",
        b"{}",
        {"X-Zendesk-Webhook-Signature-Timestamp": "0001-01-01"},
    )


def start_service(folder: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    db_url = f"sqlite:///{folder / 'malformed.sqlite3'}"
    upgrade(make_engine(db_url))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "EVENHAND_DB": db_url,
        "EVENHAND_SETTINGS": str(folder / "evenhand.toml"),
        "EVENHAND_SHOPIFY_SHOP_DOMAIN": "nordhem.myshopify.com",
    }
    env |= {f"EVENHAND_{name}_WEBHOOK_SECRET": secret for name, secret in SECRETS.items()}
    command = [sys.executable, "-m", "evenhand", "serve", "--port", str(port)]
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code in {200, 503}:
                return server, base, db_url
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("serve did not start: see its log")


def _send(
    client: httpx.Client, method: str, path: str, body: bytes, headers: dict[str, str]
) -> int:
    try:
        # Values as UTF-8 bytes so a non-ASCII one ("t=²") goes out as is (httpx encodes a
        # str value as ASCII and would raise); the names are all ASCII.
        raw = {name.encode("ascii"): value.encode("utf-8") for name, value in headers.items()}
        return client.request(method, path, content=body, headers=raw).status_code
    except httpx.HTTPError:
        return 0  # the connection closed on us (a 413 sent before the body was read)


def wait_for_inbox(db_url: str, *, seconds: float) -> tuple[Counter[str], Counter[str]]:
    """The inbox's deliveries by state once none is pending (or `seconds` passed), and the
    reasons of those not done, by their first words."""
    engine = make_engine(db_url)
    deadline = time.monotonic() + seconds
    while True:
        with engine.connect() as connection:
            rows = connection.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))
            states = Counter({status: count for status, count in rows})
            refused = inbox.c.status.in_(["failed", "set_aside"])
            reasons = connection.execute(select(inbox.c.error).where(refused))
            kinds = Counter((reason or "").split(":")[0][:50] for reason in reasons.scalars())
        if not states["pending"] or time.monotonic() > deadline:
            engine.dispose()
            return states, kinds
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20)
    options = parser.parse_args()
    print_yardstick()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        server, base, db_url = start_service(folder)
        try:
            token = create_token(make_engine(db_url), name="bench", now=datetime.now(UTC))
            delivered: Counter[int] = Counter()
            refused: Counter[int] = Counter()
            started = time.perf_counter()
            with httpx.Client(base_url=base, timeout=60) as client:
                for path, body, headers in malformed_deliveries(options.deliveries, rng):
                    delivered[_send(client, "POST", path, body, headers)] += 1
                for method, path, body, headers in bad_requests(token):
                    refused[_send(client, method, path, body, headers)] += 1
            sent_in = time.perf_counter() - started
            states, reasons = wait_for_inbox(db_url, seconds=300)
            processed_in = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        log = (folder / "serve.log").read_text("utf-8", "replace")
    deaths = log.count("the inbox worker exited")  # serve's supervisor says so each time
    tracebacks = log.count("Traceback")  # a worker that died unsupervised leaves only this
    errors = sum(n for status, n in (delivered + refused).items() if status >= 500)
    answered = dict(sorted(delivered.items()))
    print(f"signed malformed deliveries: {sum(delivered.values())}, answered {answered}")
    print(f"bad requests: {sum(refused.values())}, answered {dict(sorted(refused.items()))}")
    print(f"answers of 500 or more: {errors}")
    print(f"worker deaths: {deaths}; tracebacks in serve's output: {tracebacks}")
    without = reasons[""]
    print(
        f"inbox: processed {states['done']}, failed with a reason {states['failed'] - without}, "
        f"failed without one {without}, set aside {states['set_aside']}, "
        f"still pending {states['pending']}"
    )
    print("reasons, by their first words:", dict(reasons.most_common(10)))
    print(f"sent in {sent_in:.1f} s; inbox settled {processed_in:.1f} s after the first")


if __name__ == "__main__":
    main()
