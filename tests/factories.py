"""Factories with sensible defaults: override only what a test is about."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from evenhand.domain.clv_models import History
from evenhand.domain.models import Dispute, DisputeProvider, LineItem, Order


def a_line_item(**overrides: Any) -> LineItem:
    values: dict[str, Any] = {
        "name": "Linnekudde 50x50 - Grå",
        "sku": "LIN-KUD-50-GRA",
        "quantity": 1,
        "unit_price": Decimal("299.00"),
    }
    values.update(overrides)
    return LineItem(**values)


def an_order(**overrides: Any) -> Order:
    values: dict[str, Any] = {
        "name": "#1001",
        "currency": "SEK",
        "created_at": datetime(2026, 11, 1, 9, tzinfo=UTC),
        "total": Decimal("299.00"),
        "subtotal": Decimal("299.00"),
        "email": "anna@example.se",
        "financial_status": "paid",
        "line_items": (a_line_item(),),
    }
    values.update(overrides)
    return Order(**values)


def a_dispute(**overrides: Any) -> Dispute:
    values: dict[str, Any] = {
        "provider": DisputeProvider.STRIPE,
        "external_id": "du_1",
        "status": "needs_response",
        "amount": Decimal("299.00"),
        "currency": "SEK",
    }
    values.update(overrides)
    return Dispute(**values)


def simulated_histories(count: int, seed: int) -> list[History]:
    """Customers drawn from BG/NBD itself (r 0.8, alpha 40, a 1, b 4, in days; spends
    uniform from 50 to 150): for the CLV fit's tests and its bench."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        rate, drop = rng.gammavariate(0.8, 1 / 40), rng.betavariate(1.0, 4.0)
        age, moment, bought, last = rng.randrange(1, 730), 0.0, 0, 0.0
        while (moment := moment + rng.expovariate(rate)) <= age:
            bought, last = bought + 1, moment
            if rng.random() < drop:
                break
        spend = 50.0 + rng.random() * 100 if bought else 0.0
        found.append(History(bought, float(int(last)), float(age), spend))
    return found
