"""Webhook throughput over loopback: N signed deliveries, duplicates mixed in, against
`evenhand serve` (app + worker) on a scratch SQLite database.

Prints the sustained deliveries/s, p50/p99 latency to the 202, p50/p99 latency from
arrival to processed (a ticket decided, an order stored), and the lost and duplicated
counts. Target on SQLite, 2 cores: >= 300 deliveries/s, p99 to 202 under 50 ms, 0 lost,
0 duplicated.

    .venv/bin/python bench/webhooks.py [--deliveries 3000] [--rate 300] [--concurrency 64]

BENCH_TRACE=1 prints every delivery answered after more than 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import decisions, inbox
from evenhand.understand.corpus import seed_messages
from yardstick import print_yardstick

SHOPIFY_SECRET = "shpss_bench"
ZENDESK_SECRET = "zendesk-bench"
DUPLICATE_SHARE = 0.10
TICKET_SHARE = 0.5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _order(number: int) -> dict[str, Any]:
    return {
        "id": 6_000_000_000 + number,
        "name": f"#{20000 + number}",
        "email": f"customer{number % 500}@example.se",
        "created_at": "2026-11-10T09:12:00+01:00",
        "currency": "SEK",
        "subtotal_price": "499.00",
        "total_price": "548.00",
        "total_tax": "99.80",
        "financial_status": "paid",
        "fulfillment_status": "fulfilled",
        "line_items": [{"id": number, "sku": "MUG-SKOG", "quantity": 2, "price": "249.50"}],
        "shipping_lines": [{"title": "PostNord", "price": "49.00"}],
    }


def _ticket(number: int, text: str) -> dict[str, Any]:
    return {
        "ticket": {
            "id": 700_000 + number,
            "created_at": "2026-11-21T08:30:00Z",
            "description": text,
            "via": {"channel": "email"},
            "requester": {"email": f"customer{number % 500}@example.se", "name": "Kim Berg"},
        }
    }


def deliveries(count: int, seed: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """(path, body, headers) for `count` distinct events, then repeats of some of them."""
    rng = random.Random(seed)
    texts = [message["text"] for message in seed_messages()]
    events: list[tuple[str, bytes, dict[str, str]]] = []
    for number in range(count):
        if rng.random() < TICKET_SHARE:
            body = json.dumps(_ticket(number, rng.choice(texts)), ensure_ascii=False).encode()
            events.append(("/webhooks/zendesk", body, {}))
        else:
            body = json.dumps(_order(number)).encode()
            events.append(("/webhooks/shopify", body, {"event": f"evt-{number}"}))
    repeats = rng.sample(events, int(count * DUPLICATE_SHARE))
    return [*events, *repeats]


def _signed(path: str, body: bytes, extra: dict[str, str]) -> dict[str, str]:
    """Signed at send time, as the providers do (a Zendesk retry is signed afresh)."""
    if path.endswith("shopify"):
        mac = hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()
        return {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": base64.b64encode(mac).decode(),
            "X-Shopify-Event-Id": extra["event"],
            "X-Shopify-Shop-Domain": "bench.myshopify.com",
        }
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    mac = hmac.new(ZENDESK_SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


async def send_all(
    port: int, items: list[tuple[str, bytes, dict[str, str]]], *, concurrency: int, rate: float
) -> tuple[list[float], list[int], float]:
    """Deliveries at a steady `rate` per second (as webhooks arrive: the sender does not wait
    for the last answer), over up to `concurrency` keep-alive connections.

    Latency runs from when a delivery was due, so a backlog on the sending side counts
    against the server. A small HTTP/1.1 client on asyncio streams: a general client spends
    more time than the server under test, and its own queueing would be measured too."""
    latencies: list[float] = []
    statuses: list[int] = []
    queue: asyncio.Queue[tuple[int, tuple[str, bytes, dict[str, str]]]] = asyncio.Queue()
    for number, item in enumerate(items):
        queue.put_nowait((number, item))
    began = time.perf_counter()

    async def sender() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not queue.empty():
            number, (path, body, extra) = queue.get_nowait()
            due = began + number / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            headers = _signed(path, body, extra) | {
                "Host": "127.0.0.1",
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
            }
            head = f"POST {path} HTTP/1.1\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in headers.items()
            )
            writer.write(head.encode() + b"\r\n" + body)
            statuses.append(await _response_status(reader))
            latencies.append(time.perf_counter() - due)
            if os.environ.get("BENCH_TRACE") and latencies[-1] > 0.05:
                print(f"slow {number} at {due - began:.2f}s: {latencies[-1] * 1000:.0f} ms {path}")
        writer.close()

    await asyncio.gather(*(sender() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - began


async def _response_status(reader: asyncio.StreamReader) -> int:
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in {b"\r\n", b""}:
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64, help="Connections at most.")
    parser.add_argument("--rate", type=float, default=300, help="Deliveries per second.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-worker", action="store_true", help="Measure receiving only.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keep the database here.")
    args = parser.parse_args()
    print_yardstick()
    with tempfile.TemporaryDirectory(prefix="evenhand-bench-") as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        run(
            folder,
            args.deliveries,
            args.concurrency,
            args.seed,
            rate=args.rate,
            worker=not args.no_worker,
        )


def run(
    folder: Path, count: int, concurrency: int, seed: int, *, rate: float, worker: bool
) -> None:
    db_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    engine = make_engine(db_url)
    upgrade(engine)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENHAND_")} | {
        "EVENHAND_DB": db_url,
        "EVENHAND_SETTINGS": str(folder / "evenhand.toml"),
        "EVENHAND_CURRENCY": "SEK",
        "EVENHAND_SHOPIFY_WEBHOOK_SECRET": SHOPIFY_SECRET,
        "EVENHAND_ZENDESK_WEBHOOK_SECRET": ZENDESK_SECRET,
    }
    command = [sys.executable, "-m", "evenhand", "serve", "--port", str(port)]
    command += [] if worker else ["--no-worker"]
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(command, env=env, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base)
        items = deliveries(count, seed)
        asyncio.run(send_all(port, items[:1], concurrency=1, rate=1))
        _wait_processed(engine, 1)  # the worker is up (it trains its reader first)
        items = items[1:]
        latencies, statuses, seconds = asyncio.run(
            send_all(port, items, concurrency=concurrency, rate=rate)
        )
        _report_receiving(items, latencies, statuses, seconds)
        if worker:
            _report_processing(engine, count)
    finally:
        server.terminate()
        server.wait(timeout=60)
        engine.dispose()
        sys.stderr.write((folder / "serve.log").read_text()[-3000:])


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the service did not start")


def _report_receiving(
    items: list[Any], latencies: list[float], statuses: list[int], seconds: float
) -> None:
    print(
        f"deliveries sent:        {len(items)} ({len(items) - len(set(map(str, items)))} repeats)"
    )
    accepted = statuses.count(202)
    print(f"answered 202:           {accepted} (other: {len(statuses) - accepted})")
    print(f"sustained:              {len(items) / seconds:.0f} deliveries/s")
    print(
        f"latency to 202:         p50 {1000 * statistics.median(latencies):.1f} ms, "
        f"p99 {1000 * _percentile(latencies, 0.99):.1f} ms"
    )


def _wait_processed(engine: Any, expected: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            done = connection.execute(
                select(func.count()).select_from(inbox).where(inbox.c.status != "pending")
            ).scalar_one()
        if done >= expected:
            return
        time.sleep(0.1)


def _report_processing(engine: Any, unique: int) -> None:
    _wait_processed(engine, unique)
    with engine.connect() as connection:
        rows = connection.execute(
            select(inbox.c.status, inbox.c.received_at, inbox.c.processed_at)
        ).all()
        tickets_decided_twice = connection.execute(
            select(func.count()).select_from(
                select(decisions.c.ticket_id)
                .group_by(decisions.c.ticket_id)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
    done = [row for row in rows if row.status == "done"]
    waits = [(row.processed_at - row.received_at).total_seconds() for row in done]
    print(
        f"processed:              {len(done)} of {unique} distinct events "
        f"(failed {sum(r.status == 'failed' for r in rows)})"
    )
    print(
        f"latency to processed:   p50 {1000 * statistics.median(waits):.0f} ms, "
        f"p99 {1000 * _percentile(waits, 0.99):.0f} ms"
    )
    print(f"lost:                   {unique - len(rows)}")
    print(f"duplicated:             {len(rows) - unique + tickets_decided_twice}")


if __name__ == "__main__":
    main()
