"""The demo shop's support inbox: a few hundred tickets in Swedish and English, spread
over the demo's past year (so that "did being generous pay?" has tickets 90 and 180 days
old, and the customers' orders after them, to show).

Each ticket is written by a real demo customer about one of their orders, from the
corpus's hand-written messages, with greetings, order numbers and sign-offs as people
write them; some carry a threat, a few say a chargeback was already filed.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from evenhand.demo.orders import DemoOrder
from evenhand.understand.corpus import GREETINGS, ORDER_MENTIONS, seed_messages, threat_sentences

# How often each intent reaches a small shop's inbox (a share of all tickets).
INTENT_SHARES = {
    "where_is_my_order": 0.20,
    "delivered_not_received": 0.11,
    "damaged_item": 0.11,
    "return_request": 0.12,
    "wrong_address": 0.08,
    "subscription_unexpected_charge": 0.08,
    "cancel_subscription": 0.07,
    "wrong_item": 0.07,
    "missing_item": 0.07,
    "other": 0.09,
}
SUBSCRIPTION_INTENTS = frozenset({"subscription_unexpected_charge", "cancel_subscription"})
SWEDISH_SHARE = 0.65
THREAT_SHARE = 0.15
FILED_SHARE = 0.02
INBOX_DAYS = 365  # the tickets are about orders placed in this many days before the demo's end
SIGN_OFFS = {
    "sv": ("Mvh {name}", "Hälsningar\n{name}", "/{name}", ""),
    "en": ("Thanks, {name}", "Kind regards\n{name}", "- {name}", ""),
}


def write_demo_tickets(
    path: Path, rng: random.Random, *, orders: list[DemoOrder], end: datetime, count: int = 400
) -> int:
    """JSON Lines in the shape `evenhand triage` reads; returns how many were written."""
    writer = _TicketWriter(rng, orders=orders, end=end)
    tickets = sorted((writer.ticket() for _ in range(count)), key=lambda t: t["created_at"])
    with path.open("w", encoding="utf-8") as file:
        for number, ticket in enumerate(tickets, start=1):
            numbered = {"id": f"demo-{number:04d}"} | ticket
            file.write(json.dumps(numbered, ensure_ascii=False) + "\n")
    return len(tickets)


class _TicketWriter:
    def __init__(self, rng: random.Random, *, orders: list[DemoOrder], end: datetime) -> None:
        self.rng, self.end = rng, end
        recent = [order for order in orders if order.created > end - timedelta(days=INBOX_DAYS)]
        self.recent = [order for order in recent if order.person.email != "butik@nordhem.example"]
        self.subscriptions = [order for order in self.recent if order.subscription]
        self.seeds: dict[tuple[str, str], list[str]] = defaultdict(list)
        for seed in seed_messages():
            self.seeds[(seed["language"], seed["intent"])].append(seed["text"])
        self.threats: dict[tuple[str, str], list[str]] = defaultdict(list)
        for threat in threat_sentences():
            self.threats[(threat["language"], threat["signals"][0])].append(threat["text"])

    def ticket(self) -> dict[str, Any]:
        rng = self.rng
        intent = rng.choices(list(INTENT_SHARES), weights=list(INTENT_SHARES.values()))[0]
        pool = self.subscriptions if intent in SUBSCRIPTION_INTENTS else self.recent
        order = rng.choice(pool)
        language = "sv" if rng.random() < SWEDISH_SHARE else "en"
        after = timedelta(minutes=rng.randrange(120, 60 * 24 * 12))
        created = min(order.created + after, self.end).replace(microsecond=0)
        return {
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "channel": rng.choices(("email", "chat", "web"), weights=(0.7, 0.2, 0.1))[0],
            "customer_email": order.person.email,
            "subject": None,
            "body": self._body(language, intent, order=order),
        }

    def _body(self, language: str, intent: str, *, order: DemoOrder) -> str:
        rng = self.rng
        parts = [rng.choice(GREETINGS[language]), rng.choice(self.seeds[(language, intent)])]
        if rng.random() < 0.6:
            parts.append(rng.choice(ORDER_MENTIONS[language]).format(n=order.number))
        roll = rng.random()
        if roll < FILED_SHARE:
            parts.append(rng.choice(self.threats[(language, "chargeback_filed")]))
        elif roll < FILED_SHARE + THREAT_SHARE:
            kind = rng.choice(("review_threat", "review_extortion", "chargeback_threat"))
            parts.append(rng.choice(self.threats[(language, kind)]))
        parts.append(rng.choice(SIGN_OFFS[language]).format(name=order.person.first_name))
        return "\n\n".join(part for part in parts if part)
