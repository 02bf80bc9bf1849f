"""What the dispute desk shows, typed: one model per open dispute, the same from
`evenhand disputes --json` and the desk page's data. Money is a decimal string with the
currency's minor units; times are ISO 8601 in UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from evenhand.actions.dispute_desk import DeskEntry
from evenhand.domain.disputes import Urgency
from evenhand.domain.money import from_minor


class DisputeOut(BaseModel):
    id: int
    provider: str
    external_id: str
    status: str
    kind: str | None
    reason: str | None
    network_reason_code: str | None
    amount: Decimal
    currency: str
    evidence_due_by: datetime | None
    urgency: Urgency
    order_name: str | None
    customer_email: str | None
    customer_name: str | None
    evidence_sent_at: datetime | None
    evidence_submitted_at: datetime | None


def dispute_out(entry: DeskEntry) -> DisputeOut:
    row = entry.row
    return DisputeOut(
        id=row.id,
        provider=row.provider,
        external_id=row.external_id,
        status=row.status,
        kind=row.kind,
        reason=row.reason,
        network_reason_code=row.network_reason_code,
        amount=from_minor(row.amount_minor, row.currency),
        currency=row.currency,
        evidence_due_by=row.evidence_due_by,
        urgency=entry.urgency,
        order_name=row.order_name,
        customer_email=row.customer_email,
        customer_name=row.customer_name,
        evidence_sent_at=row.sent_at,
        evidence_submitted_at=row.submitted_at,
    )
