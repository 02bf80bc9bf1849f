"""How fast the VIP threshold advisor decides (target: a shop of 1,000,000 orders in under
10 s).

The advisor reads each customer's value figures (kept per customer by every import, so the
orders themselves are not read again) and each ticket's latest decision. This bench times
its decision part on a synthetic shop of that size, in memory: `--customers` customers
(300,000: a million orders at about 3.3 orders each) with net revenues spread like the
demo shop's, and `--tickets` stored decisions of the demo's kinds, each replayed once per
candidate threshold and once with nobody VIP.

    .venv/bin/python bench/advisor.py [--customers 300000] [--tickets 100000]
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from evenhand.actions.guide import default_guide_text
from evenhand.domain.costs import OrderCosts
from evenhand.domain.remedies import Remedy
from evenhand.domain.replay import StoredCase
from evenhand.domain.threshold import CustomerPoint, ShopHistory, advise_threshold
from evenhand.ingest.guide_file import parse_guide
from yardstick import print_yardstick

INTENTS = ("wrong_address", "delivered_not_received", "damaged_item", "return_request", "other")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    print_yardstick()
    rng = random.Random(25)
    revenues = [Decimal(round(rng.lognormvariate(7.3, 0.9))) for _ in range(args.customers)]
    customers = [
        CustomerPoint(value, (value * Decimal("0.35")).quantize(Decimal(1))) for value in revenues
    ]
    cases = [_case(rng, n, rng.choice(revenues)) for n in range(args.tickets)]
    history = ShopHistory(customers, cases, ticket_days=365, order_days=730)
    guide = parse_guide(default_guide_text(), source="default")
    started = time.perf_counter()
    advice = advise_threshold(guide, history, safety=Decimal(2))
    took = time.perf_counter() - started
    chosen = advice.recommended.threshold if advice.recommended else None
    print(
        f"{args.customers:,} customers, {args.tickets:,} tickets, {len(advice.options)} "
        f"candidate lines: advised in {took:.2f} s (recommended: {chosen})"
    )


def _case(rng: random.Random, number: int, revenue: Decimal) -> StoredCase:
    total = Decimal(rng.randrange(150, 2500))
    facts = {
        "intent": rng.choice(INTENTS),
        "customer": "known",
        "dispute": "none",
        "net_revenue": str(revenue),
        "order_value": str(total),
    }
    order = OrderCosts(total, total, Decimal(0), total)
    return StoredCase(f"t-{number}", facts, Remedy.HUMAN_REVIEW, "human-review", order)


if __name__ == "__main__":
    main()
