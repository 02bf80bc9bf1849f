"""Demo payment disputes: Shopify Payments disputes and Stripe dispute events."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from evenhand.demo.orders import DemoOrder, demo_end, local_time

# (status, reason, network reason code) for the Shopify Payments disputes of the demo.
SHOPIFY_CASES = (
    ("needs_response", "product_not_received", "13.1"),
    ("needs_response", "fraudulent", "10.4"),
    ("under_review", "product_unacceptable", "13.3"),
    ("won", "product_not_received", "13.1"),
    ("won", "credit_not_processed", "13.6"),
    ("lost", "fraudulent", "10.4"),
    ("accepted", "duplicate", "12.6.1"),
)
# Stripe disputes on subscription renewals: the statuses each one went through.
STRIPE_CASES = (
    ("subscription_canceled", "13.2", ("needs_response",)),
    ("subscription_canceled", "13.2", ("needs_response", "under_review")),
    ("product_not_received", "13.1", ("needs_response", "under_review", "won")),
    ("unrecognized", "10.4", ("needs_response", "under_review", "lost")),
    ("general", None, ("warning_needs_response",)),
)


def _iso(moment: datetime) -> str:
    return local_time(moment).replace(" ", "T", 1).replace(" ", "")[:-2] + ":00"


def shopify_disputes(rng: random.Random, orders: list[DemoOrder]) -> dict[str, Any]:
    settled = demo_end() - timedelta(days=50)
    candidates = [
        o
        for o in orders
        if o.gateway == "Shopify Payments" and o.cancelled_at is None and o.created < settled
    ]
    picked = rng.sample(candidates[-2000:], k=len(SHOPIFY_CASES))
    disputes = []
    for number, (order, (status, reason, code)) in enumerate(
        zip(picked, SHOPIFY_CASES, strict=True)
    ):
        opened = order.created + timedelta(days=rng.randrange(12, 40))
        disputes.append(
            {
                "id": 90_011_000 + number,
                "order_id": order.shopify_id,
                "type": "chargeback",
                "amount": str(order.total),
                "currency": "SEK",
                "reason": reason,
                "network_reason_code": code,
                "status": status,
                "evidence_due_by": _iso(opened + timedelta(days=21)),
                "evidence_sent_on": _iso(opened + timedelta(days=5))
                if status != "needs_response"
                else None,
                "finalized_on": _iso(opened + timedelta(days=60))
                if status in {"won", "lost", "accepted"}
                else None,
                "initiated_at": _iso(opened),
            }
        )
    return {"disputes": disputes}


def stripe_dispute_events(rng: random.Random, orders: list[DemoOrder]) -> dict[str, Any]:
    """A Stripe list of `charge.dispute.*` events, newest first as the API lists them."""
    settled = demo_end() - timedelta(days=50)
    renewals = [
        o for o in orders if o.subscription and o.cancelled_at is None and o.created < settled
    ]
    picked = rng.sample(renewals[-1500:], k=len(STRIPE_CASES))
    events: list[dict[str, Any]] = []
    for number, (order, case) in enumerate(zip(picked, STRIPE_CASES, strict=True)):
        events.extend(
            _events_of(rng, order, number=number, payment_intent=order.reference, case=case)
        )
    lost_order = _events_of(
        rng,
        picked[0],
        number=99,
        payment_intent="pi_3UnknownToThisExport0001",
        case=STRIPE_CASES[0],
    )
    events.extend(lost_order)  # a dispute on a payment the orders export does not contain
    events.sort(key=lambda event: event["created"], reverse=True)
    return {"object": "list", "url": "/v1/events", "has_more": False, "data": events}


def _events_of(
    rng: random.Random,
    order: DemoOrder,
    *,
    number: int,
    payment_intent: str,
    case: tuple[str, str | None, tuple[str, ...]],
) -> list[dict[str, Any]]:
    reason, code, statuses = case
    opened = int((order.created + timedelta(days=rng.randrange(20, 45))).timestamp())
    dispute_id = f"du_1Q{number:04d}Nordhem{rng.randrange(10**9, 10**10)}"
    events = []
    for step, status in enumerate(statuses):
        kind = "created" if step == 0 else "closed" if status in {"won", "lost"} else "updated"
        dispute = _stripe_dispute(
            order,
            dispute_id=dispute_id,
            payment_intent=payment_intent,
            opened=opened,
            status=status,
            reason=reason,
            code=code,
        )
        events.append(
            {
                "id": f"evt_1Q{number:04d}{step}{rng.randrange(10**11, 10**12)}",
                "object": "event",
                "api_version": "2024-06-20",
                "created": opened + step * 6 * 86400,
                "data": {"object": dispute},
                "livemode": False,
                "pending_webhooks": 0,
                "request": {"id": None, "idempotency_key": None},
                "type": f"charge.dispute.{kind}",
            }
        )
    return events


def _stripe_dispute(
    order: DemoOrder,
    *,
    dispute_id: str,
    payment_intent: str,
    opened: int,
    status: str,
    reason: str,
    code: str | None,
) -> dict[str, Any]:
    inquiry = status.startswith("warning_")
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": int(order.total * 100),
        "balance_transactions": [],
        "charge": f"ch_3{payment_intent[4:]}",
        "created": opened,
        "currency": "sek",
        "evidence": {
            "customer_email_address": order.person.email,
            "customer_name": order.person.full_name,
        },
        "evidence_details": {
            "due_by": opened + 21 * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": inquiry,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "payment_method_details": {
            "type": "card",
            "card": {
                "brand": "visa",
                "case_type": "inquiry" if inquiry else "chargeback",
                "network_reason_code": code,
            },
        },
        "reason": reason,
        "status": status,
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
