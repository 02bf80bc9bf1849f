"""What Evenhand shows of its resources, typed: one Pydantic model and one serializer per
resource, used by every edge that shows it (the API, `--json` of the CLI, the UI).

- a decision: `decision_out` (`POST /api/tickets`, `GET /api/decisions/{id}`, a line of
  `evenhand triage --json`), from the decision as stored, so every edge shows the same
  values in the same form;
- a ticket's outcome in a triage run: `outcome_out` (its decision, or why it failed);
- a customer: `customer_out` (`GET /api/customers/{email}`, `evenhand customer --json`);
- an import: `import_out` (`POST /api/imports/{kind}`, `evenhand import --json`).

Money is a decimal string with the currency's minor units ("5600.00", "0.00"); times are
ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from evenhand.domain.facts import LEGACY_OPEN_DISPUTE, DisputeState, Tier
from evenhand.domain.intents import Intent, SignalKind
from evenhand.domain.money import from_minor
from evenhand.domain.remedies import Remedy
from evenhand.domain.value import LtvMetric
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import TicketProblem

if TYPE_CHECKING:  # the serializers' inputs; the models need none of them
    from evenhand.actions.customer_value import CustomerReport
    from evenhand.actions.import_file import ImportReport
    from evenhand.actions.triage import Triaged
    from evenhand.domain.replay import ReplayReport
    from evenhand.domain.threshold import ThresholdAdvice
    from evenhand.store.decisions import StoredDecision
    from evenhand.store.disputes import DisputeRow

Amount = Decimal  # shown as a string with the currency's decimals
FactValue = str | int | bool | None


class _Shown(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- a decision ------------------------------------------------------------------------


class SignalSourceOut(_Shown):
    """Where a signal comes from: the reader's stage, the rule that decided, how sure."""

    stage: str = Field(
        description='"lexicon", "sentence-model", or "llm" (the LLM reader\'s: it only tags).'
    )
    rule: str | None = Field(
        description="The threat lexicon's entry that decided (for the sentence model, the "
        "entry that named what the threat is about; for the LLM, its model)."
    )
    score: float = Field(
        ge=0, le=1, description="1 for the lexicon and the LLM; the model's probability."
    )


class SignalOut(_Shown):
    kind: SignalKind
    evidence: str = Field(description="The sentence that shows it.")
    source: SignalSourceOut | None = Field(
        default=None,
        description="Where it comes from (absent on decisions made before it was recorded).",
    )


class LtvOut(_Shown):
    metric_value: Amount = Field(description="The guide's LTV metric, in the shop currency.")
    currency: str = Field(description="ISO 4217.")


class ReplyOut(_Shown):
    language: str = Field(description="ISO 639-1: the reply's language.")
    text: str


class CostOut(_Shown):
    amount: Amount
    currency: str
    computation: str = Field(description="How it was reached, in one line.")


class DecisionOut(_Shown):
    """A decision: what was read, the facts, the remedy and the rule that gave it, the
    guide's version, the tags and the reply draft, and why."""

    ticket_id: str = Field(description="The source's own id of the ticket.")
    decision_id: int
    decided_at: datetime
    language: str = Field(description="The message's language (ISO 639-1).")
    intent: Intent
    confidence: float = Field(ge=0, le=1, description="The reader's confidence in the intent.")
    runner_up: Intent
    signals: list[SignalOut] = Field(description="Threats and disputes the message mentions.")
    customer_email: str
    order_name: str | None
    tier: Tier
    ltv: LtvOut
    dispute: DisputeState | Literal["open"] = Field(
        description="A bank dispute on this order, claimed in the message, on another order "
        "(flagged), or none; `open` in decisions taken before disputes had a scope."
    )
    facts: dict[str, FactValue] = Field(
        description="Every fact the guide decided on, as recorded (docs/reference/guide.md)."
    )
    remedy: Remedy
    rule: str = Field(description="The id of the guide's rule that decided.")
    guide_version: str
    tags: list[str]
    reply: ReplyOut
    explanation: str
    expected_cost: CostOut | None = Field(
        default=None,
        description="The remedy's expected cost by the guide's cost model (null for "
        "decisions taken before costs were kept).",
    )


class TicketFailedOut(_Shown):
    """A ticket of a triage run that could not be read (a line of `triage --json`)."""

    ticket_id: str | None
    line: int | None
    error: str


def stored_dispute(value: str) -> DisputeState | Literal["open"]:
    return "open" if value == LEGACY_OPEN_DISPUTE else DisputeState(value)


def _signal_out(stored: dict[str, Any]) -> SignalOut:
    source = stored.get("source")
    return SignalOut(
        kind=SignalKind(stored["kind"]),
        evidence=stored["evidence"],
        source=SignalSourceOut(**source) if isinstance(source, dict) else None,
    )


def decision_out(stored: StoredDecision) -> DecisionOut:
    """The one serializer of a decision, from the decision as stored."""
    return DecisionOut(
        ticket_id=stored.ticket_key,
        decision_id=stored.decision_id,
        decided_at=stored.decided_at.astimezone(UTC),
        language=stored.language,
        intent=Intent(stored.intent),
        confidence=round(stored.confidence, 4),
        runner_up=Intent(stored.runner_up),
        signals=[_signal_out(signal) for signal in stored.signals],
        customer_email=stored.customer_email,
        order_name=stored.order_name,
        tier=Tier(stored.tier),
        ltv=LtvOut(
            metric_value=from_minor(stored.ltv_minor, stored.currency), currency=stored.currency
        ),
        dispute=stored_dispute(stored.dispute),
        facts=stored.facts,
        remedy=Remedy(stored.remedy),
        rule=stored.rule_id,
        guide_version=stored.guide_version,
        tags=stored.tags,
        reply=ReplyOut(language=stored.reply_language, text=stored.reply_text),
        explanation=stored.explanation,
        expected_cost=_cost_out(stored),
    )


def _cost_out(stored: StoredDecision) -> CostOut | None:
    if stored.expected_cost_minor is None:
        return None
    return CostOut(
        amount=from_minor(stored.expected_cost_minor, stored.currency),
        currency=stored.currency,
        computation=stored.cost_computation or "",
    )


def outcome_out(outcome: Triaged | TicketProblem) -> DecisionOut | TicketFailedOut:
    """A ticket's outcome in a triage run: its decision, or why it could not be read."""
    if isinstance(outcome, TicketProblem):
        return TicketFailedOut(ticket_id=outcome.ticket_id, line=outcome.line, error=outcome.error)
    return decision_out(outcome.stored)


# --- a customer ------------------------------------------------------------------------


class DisputeOut(_Shown):
    provider: str = Field(description="shopify (Shopify Payments) or stripe.")
    id: str = Field(description="The provider's id of the dispute.")
    status: str
    kind: str | None
    reason: str | None
    amount: Amount
    currency: str
    order: str | None = Field(description="The order's name, when the dispute is linked.")
    evidence_due_by: datetime | None


class CustomerOut(_Shown):
    """A customer's value figures (over their paid orders), open disputes, and the method."""

    email: str
    first_name: str | None
    last_name: str | None
    currency: str
    orders: int = Field(description="Counted orders.")
    gross_sales: Amount
    refunds: Amount
    net_revenue: Amount
    gross_margin: Amount
    average_order_value: Amount
    first_order_at: datetime | None
    last_order_at: datetime | None
    open_disputes: int
    ltv_metric: LtvMetric
    ltv: Amount
    disputes: list[DisputeOut]
    method: list[str] = Field(description="How the figures are computed, in sentences.")


def customer_out(report: CustomerReport) -> CustomerOut:
    """The one serializer of a customer."""
    value = report.value
    return CustomerOut(
        email=report.email,
        first_name=report.first_name,
        last_name=report.last_name,
        currency=value.currency,
        orders=value.orders,
        gross_sales=value.gross_sales.amount,
        refunds=value.refunds.amount,
        net_revenue=value.net_revenue.amount,
        gross_margin=value.gross_margin.amount,
        average_order_value=value.average_order_value.amount,
        first_order_at=value.first_order_at,
        last_order_at=value.last_order_at,
        open_disputes=value.open_disputes,
        ltv_metric=report.ltv_metric,
        ltv=value.ltv(report.ltv_metric).amount,
        disputes=[_dispute_out(dispute) for dispute in report.disputes],
        method=report.method,
    )


def _dispute_out(dispute: DisputeRow) -> DisputeOut:
    return DisputeOut(
        provider=dispute.provider,
        id=dispute.external_id,
        status=dispute.status,
        kind=dispute.kind,
        reason=dispute.reason,
        amount=from_minor(dispute.amount_minor, dispute.currency),
        currency=dispute.currency,
        order=dispute.order_name,
        evidence_due_by=dispute.evidence_due_by,
    )


# --- an import -------------------------------------------------------------------------


class RejectionOut(_Shown):
    """A record left out (with `skip_invalid`), and why."""

    line: int
    record: str | None
    column: str | None
    reason: str
    code: str = Field(description="The error code (errors.py).")


class ImportOut(_Shown):
    """What an import did: records read, orders created, updated or unchanged, and so on."""

    kind: ImportKind
    file: str
    records: int
    created: int
    updated: int
    unchanged: int
    stale: int = Field(description="Records older than the stored ones, left as they were.")
    rejected: int
    disputes_linked: int
    unlinked_disputes: list[str] = Field(description="Disputes whose order is not known yet.")
    rejections: list[RejectionOut]


def import_out(report: ImportReport, *, file: str | None = None) -> ImportOut:
    """The one serializer of an import's report (`file`: the name to show for the file)."""
    return ImportOut(
        kind=report.kind,
        file=str(report.path) if file is None else file,
        records=report.records,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        stale=report.stale,
        rejected=len(report.rejections),
        disputes_linked=report.disputes_linked,
        unlinked_disputes=[dispute.external_id for dispute in report.unlinked_disputes],
        rejections=[
            RejectionOut(
                line=r.line, record=r.record, column=r.column, reason=r.reason, code=r.code.value
            )
            for r in report.rejections
        ],
    )


class ChangeOut(_Shown):
    old_rule: str
    old_remedy: Remedy
    new_rule: str
    new_remedy: Remedy
    tickets: int
    examples: list[str]


class TierCostOut(_Shown):
    tier: Tier
    old_cost: Amount
    new_cost: Amount
    difference: Amount


class ReplayOut(_Shown):
    """A candidate guide replayed over the stored decisions (`evenhand guide replay --json`,
    the guide page): what would change and what it would cost."""

    candidate: str
    currency: str
    decisions: int
    changed: int
    old_cost: Amount
    new_cost: Amount
    cost_difference: Amount
    changes: list[ChangeOut]
    by_tier: list[TierCostOut]


def replay_out(report: ReplayReport) -> ReplayOut:
    changes = sorted(report.changes.items(), key=lambda item: (-item[1], str(item[0])))
    return ReplayOut(
        candidate=report.candidate,
        currency=report.currency,
        decisions=report.decisions,
        changed=report.changed,
        old_cost=report.old_cost,
        new_cost=report.new_cost,
        cost_difference=report.cost_difference,
        changes=[
            ChangeOut(
                old_rule=change.old_rule,
                old_remedy=Remedy(change.old_remedy),
                new_rule=change.new_rule,
                new_remedy=Remedy(change.new_remedy),
                tickets=count,
                examples=report.examples[change],
            )
            for change, count in changes
        ],
        by_tier=[
            TierCostOut(tier=Tier(tier), old_cost=old, new_cost=new, difference=new - old)
            for tier, (old, new) in report.cost_by_tier.items()
        ],
    )


class ThresholdOptionOut(_Shown):
    threshold: Amount
    vip_customers: int
    vip_tickets: int
    extra_cost_a_year: Amount
    vip_margin_a_year: Amount
    margin_after_concessions: Amount
    covered: bool = Field(description="The VIPs' margin covers their concessions `safety` times.")


class ThresholdAdviceOut(_Shown):
    """`evenhand advise threshold --json`: candidate VIP lines and the recommendation."""

    metric: LtvMetric
    currency: str
    safety: Decimal
    options: list[ThresholdOptionOut]
    recommended: Amount | None
    too_thin: str = Field(description="Why nothing is recommended; empty when the data suffice.")


def threshold_advice_out(
    advice: ThresholdAdvice, *, currency: str, metric: LtvMetric
) -> ThresholdAdviceOut:
    return ThresholdAdviceOut(
        metric=metric,
        currency=currency,
        safety=advice.safety,
        options=[
            ThresholdOptionOut(
                threshold=option.threshold,
                vip_customers=option.vip_customers,
                vip_tickets=option.vip_tickets,
                extra_cost_a_year=option.extra_cost_a_year,
                vip_margin_a_year=option.vip_margin_a_year,
                margin_after_concessions=option.margin_after_concessions,
                covered=option.covers(advice.safety),
            )
            for option in advice.options
        ],
        recommended=advice.recommended.threshold if advice.recommended else None,
        too_thin=advice.too_thin,
    )
