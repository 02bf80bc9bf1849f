"""Demo public reviews: a Trustpilot webhook body with a few service reviews, some from
customers who threatened a review in a ticket (their order as the reference), the rest
from other recent customers."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from evenhand.demo.orders import DemoOrder
from evenhand.understand.corpus import threat_sentences

# (stars, language, title, text) of the reviews; the first ones go to threatening customers.
REVIEW_TEXTS = (
    (1, "sv", "Ingen hjälp", "Paketet kom aldrig och kundtjänsten gav mig ingenting."),
    (2, "en", "Slow to sort out", "The cushion arrived damaged and it took days to hear back."),
    (
        1,
        "en",
        "Not impressed",
        "Asked for a new parcel and was told to pay for it myself. I'll change this to five "
        "stars if you send it for free.",
    ),
    (2, "sv", "Krångligt", "Prenumerationen förnyades utan att jag förstod det."),
    (5, "sv", "Snabb leverans", "Fina handdukar och snabb leverans, tack!"),
    (4, "en", "Lovely mugs", "The mugs are lovely; one box was a bit dented."),
    (3, "sv", "Okej", "Bra produkter men leveransen tog en vecka."),
    (5, "en", "Great service", "They replaced a broken vase without any fuss."),
)
THREATENING_REVIEWS = 4


def demo_reviews(rng: random.Random, *, tickets: Path, orders: list[DemoOrder]) -> dict[str, Any]:
    latest = {order.person.email: order for order in sorted(orders, key=lambda o: o.created)}
    threatening = _threatening_senders(tickets)
    picked = [latest[email] for email in threatening if email in latest][:THREATENING_REVIEWS]
    others = [order for order in latest.values() if order.person.email not in threatening]
    picked += rng.sample(others[-500:], k=len(REVIEW_TEXTS) - len(picked))
    events = [
        _event(number, order, text, rng=rng)
        for number, (order, text) in enumerate(zip(picked, REVIEW_TEXTS, strict=False), 1)
    ]
    return {"events": events}


def _threatening_senders(tickets: Path) -> list[str]:
    """Who wrote a review threat in a demo ticket, in the order of their first one."""
    sentences = [
        t["text"]
        for t in threat_sentences()
        if t["signals"][0] in {"review_threat", "review_extortion"}
    ]
    senders: list[str] = []
    for line in tickets.read_text(encoding="utf-8").splitlines():
        ticket = json.loads(line)
        email = ticket["customer_email"]
        if email not in senders and any(sentence in ticket["body"] for sentence in sentences):
            senders.append(email)
    return senders


def _event(
    number: int, order: DemoOrder, text: tuple[int, str, str, str], *, rng: random.Random
) -> dict[str, Any]:
    stars, language, title, body = text
    written: datetime = order.created + timedelta(days=rng.randrange(5, 20))
    review_id = f"6{number:05d}c0ffee{order.number}"
    return {
        "eventName": "service-review-created",
        "version": "1",
        "eventData": {
            "id": review_id,
            "language": language,
            "title": title,
            "text": body,
            "referenceId": order.name,
            "stars": stars,
            "createdAt": written.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "isVerified": True,
            "locationId": None,
            "link": f"https://api.trustpilot.com/v1/reviews/{review_id}",
            "consumer": {"id": f"53bf{number:04d}", "name": order.person.first_name},
            "tags": [],
        },
    }
