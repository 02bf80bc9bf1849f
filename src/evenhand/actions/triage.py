"""`evenhand triage`: read tickets, decide each by the guide, store the decisions.

Reading (language, intent, signals) happens first, outside the transaction; then one
transaction looks up every customer and order at once, decides, stores the tickets and the
decisions (appended, never rewritten), and records one audit event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from evenhand.actions.customer_value import value_of
from evenhand.actions.value_model import clv_settings, fitted_model, with_predicted_clv
from evenhand.domain.clv import ValueModel
from evenhand.domain.costs import OrderCosts
from evenhand.domain.decision import Decision, Reading, decide_ticket
from evenhand.domain.facts import OrderMatch
from evenhand.domain.guide import Guide
from evenhand.domain.intents import THREAT_SIGNALS
from evenhand.domain.money import Money, to_minor
from evenhand.domain.ticket_facts import (
    OrderSnapshot,
    TicketContext,
    facts_for,
    is_subscription_order,
    reply_context,
)
from evenhand.domain.value import CustomerValue, LtvMetric
from evenhand.ingest.tickets import TicketIn, TicketProblem, TicketRecord
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.customers import CustomerRow
from evenhand.store.database import ensure_current
from evenhand.store.decisions import (
    StoredDecision,
    append_decisions,
    ensure_guide_version,
    stored_decision,
)
from evenhand.store.disputes import open_disputed_orders
from evenhand.store.llm_readings import append_llm_readings
from evenhand.store.shop import shop_currency
from evenhand.store.tickets import (
    OrderRow,
    customers_by_email,
    orders_by_name,
    orders_of_customers,
    save_tickets,
)
from evenhand.understand.model import LLM_STAGE, LlmUse, Message, Reader, Signal, Understanding
from evenhand.understand.order_reference import order_names_in
from evenhand.understand.requests import customer_words

NO_CURRENCY = "XXX"  # ISO 4217 "no currency": a shop with no orders imported yet


@dataclass(frozen=True, slots=True)
class Triaged:
    """A ticket decided: the decision, and the decision as stored (what is shown of it)."""

    ticket: TicketIn
    decision: Decision
    stored: StoredDecision

    @property
    def decision_id(self) -> int:
        return self.stored.decision_id

    @property
    def order_name(self) -> str | None:
        return self.stored.order_name


@dataclass(frozen=True, slots=True)
class TriageReport:
    outcomes: list[Triaged | TicketProblem]
    guide: Guide
    currency: str
    counts: dict[str, Counter[str]]

    @property
    def failed(self) -> list[TicketProblem]:
        return [outcome for outcome in self.outcomes if isinstance(outcome, TicketProblem)]

    @property
    def decided(self) -> list[Triaged]:
        return [outcome for outcome in self.outcomes if isinstance(outcome, Triaged)]


def read_all(
    records: Sequence[TicketRecord], *, reader: Reader, market: str
) -> list[Understanding | None]:
    """Every readable ticket read in one batch; None in place of a ticket that failed."""
    tickets = [record for record in records if isinstance(record, TicketIn)]
    readings = iter(
        reader.read_many([Message(body=t.body, subject=t.subject, market=market) for t in tickets])
    )
    return [next(readings) if isinstance(record, TicketIn) else None for record in records]


def triage_tickets(
    engine: Engine,
    *,
    records: Sequence[TicketRecord],
    guide: Guide,
    reader: Reader,
    settings: Settings,
    now: datetime,
    dry_run: bool = False,
) -> TriageReport:
    """Decide every readable ticket; tickets that could not be read stay in their place.
    A dry run decides the same way in a transaction it then rolls back: nothing is stored,
    no guide version is added, the queue is unchanged."""
    ensure_current(engine)
    readings = read_all(records, reader=reader, market=settings.market)
    with engine.connect() as connection, connection.begin() as transaction:
        report = decide_and_store(
            connection,
            records=records,
            readings=readings,
            guide=guide,
            settings=settings,
            now=now,
        )
        if dry_run:
            transaction.rollback()
            return report
        record_event(
            connection,
            at=now,
            action="triage",
            subject=guide.version,
            details={"decided": len(report.decided), "failed": len(report.failed)}
            | {name: dict(counter) for name, counter in report.counts.items()},
        )
    return report


def decide_and_store(
    connection: Connection,
    *,
    records: Sequence[TicketRecord],
    readings: Sequence[Understanding | None],
    guide: Guide,
    settings: Settings,
    now: datetime,
) -> TriageReport:
    """Decide tickets already read, inside the caller's transaction; store and report."""
    currency = shop_currency(connection) or settings.currency or NO_CURRENCY
    known = _Lookups.load(
        connection, [r for r in records if isinstance(r, TicketIn)], readings, guide=guide, now=now
    )
    decided = [
        _decide_or_keep(record, reading, guide=guide, known=known, currency=currency)
        for record, reading in zip(records, readings, strict=True)
    ]
    outcomes = _store(connection, decided, guide=guide, known=known, now=now)
    counts = summary_counts(outcomes)
    uses = [each.llm for each in decided if isinstance(each, _Decided) and each.llm]
    if uses:  # the LLM reader: "read" by it, or the reason the built-in reading was kept
        counts["llm"] = Counter(use.fallback or "read" for use in uses)
    return TriageReport(outcomes, guide, currency, counts)


@dataclass(frozen=True, slots=True)
class _Lookups:
    customers: dict[str, CustomerRow]
    named_orders: dict[str, OrderRow]
    orders_of: dict[int, list[OrderRow]]
    quoted: dict[str, list[str]]  # order names each ticket mentions
    disputed: dict[int, frozenset[str]]  # each customer's orders with an open dispute
    # The shop's predicted-CLV model, when the guide's metric is `predicted_clv`.
    value_model: ValueModel | None = None

    @classmethod
    def load(
        cls,
        connection: Connection,
        tickets: Sequence[TicketIn],
        readings: Sequence[Understanding | None],
        *,
        guide: Guide,
        now: datetime,
    ) -> _Lookups:
        quoted = {
            ticket.ticket_id: [ticket.order_name]
            if ticket.order_name
            else order_names_in(f"{ticket.subject or ''}\n{ticket.body}\n{ticket.history}")
            for ticket in tickets
        }
        people = customers_by_email(connection, [ticket.customer_email for ticket in tickets])
        names = [name for each in quoted.values() for name in each]
        ids = [row.id for row in people.values()]
        return cls(
            customers=people,
            named_orders=orders_by_name(connection, names),
            orders_of=orders_of_customers(connection, ids),
            quoted=quoted,
            disputed=open_disputed_orders(connection, ids),
            value_model=fitted_model(connection, now.date()) if _predicts(guide) else None,
        )

    def value(
        self, customer: CustomerRow, currency: str, guide: Guide, at: datetime
    ) -> CustomerValue:
        """The customer's value figures, with the predicted CLV where the guide reads it."""
        value = value_of(customer, currency)
        if not _predicts(guide):
            return value
        return with_predicted_clv(value, self.value_model, clv_settings(guide.settings), at)

    def order_for(
        self, ticket: TicketIn, customer: CustomerRow | None
    ) -> tuple[OrderRow | None, OrderMatch]:
        """The quoted order if it is the customer's own; with no number quoted, their latest
        before the ticket; a quoted number that is not theirs finds none (never a guess)."""
        if customer is None:
            return None, OrderMatch.NONE
        quoted = self.quoted.get(ticket.ticket_id, [])
        for name in quoted:
            order = self.named_orders.get(name)
            if order is not None and order.customer_id == customer.id:
                return order, OrderMatch.QUOTED
        if quoted:
            return None, OrderMatch.NONE
        earlier = [
            o for o in self.orders_of.get(customer.id, []) if o.created_at <= ticket.created_at
        ]
        standing = [order for order in earlier if order.cancelled_at is None]
        latest = standing or earlier
        return (latest[-1], OrderMatch.LATEST) if latest else (None, OrderMatch.NONE)


@dataclass(frozen=True, slots=True)
class _Decided:
    ticket: TicketIn
    decision: Decision
    order_name: str | None
    customer_id: int | None
    llm: LlmUse | None = None


def guide_signals(reading: Understanding) -> tuple[Signal, ...]:
    """The signals the facts may know of (a dispute said to be filed routes the ticket to
    the dispute process): the reader's own, never the LLM's, which only tag the ticket."""
    return tuple(signal for signal in reading.signals if signal.source.stage != LLM_STAGE)


def _decide_or_keep(
    record: TicketRecord,
    reading: Understanding | None,
    *,
    guide: Guide,
    known: _Lookups,
    currency: str,
) -> _Decided | TicketProblem:
    if isinstance(record, TicketProblem):
        return record
    if reading is None:
        raise ValueError(f"ticket {record.ticket_id} was not read")
    return _decide(record, reading, guide=guide, known=known, currency=currency)


def _decide(
    ticket: TicketIn, reading: Understanding, *, guide: Guide, known: _Lookups, currency: str
) -> _Decided:
    customer = known.customers.get(ticket.customer_email)
    order, match = known.order_for(ticket, customer)
    settings = guide.settings
    own = guide_signals(reading)
    context = TicketContext(
        intent=reading.intent,
        confidence=reading.confidence,
        channel=ticket.channel,
        language=reading.language,
        created_at=ticket.created_at,
        signals=tuple(signal.kind for signal in own),
        words=customer_words(
            ticket.body,
            subject=ticket.subject,
            history=ticket.history,
            leave_out=[s.evidence for s in own if s.kind in THREAT_SIGNALS],
        ),
    )
    value = known.value(customer, currency, guide, ticket.created_at) if customer else None
    disputed = known.disputed.get(customer.id, frozenset()) if customer else frozenset()
    facts = facts_for(
        context,
        value=value,
        order=_snapshot(order, match, currency),
        settings=settings,
        disputed_orders=disputed,
    )
    quoted = known.quoted.get(ticket.ticket_id) or []
    order_name = order.name if order else (quoted[0] if quoted else None)
    first_name = ticket.first_name or (customer.first_name if customer else None)
    decision = decide_ticket(
        guide,
        ticket_id=ticket.ticket_id,
        facts=facts,
        reading=Reading(
            language=reading.language,
            intent_confidence=reading.confidence,
            runner_up=reading.runner_up.value,
            runner_up_confidence=reading.runner_up_confidence,
            signals=reading.signals,
            intent_source=reading.intent_source,
            reader=reading.reader,
        ),
        context=reply_context(
            facts, settings=settings, first_name=first_name, order_name=order_name
        ),
        currency=currency,
        order_costs=order_costs(order, currency),
        disputed_orders=tuple(sorted(disputed)),
    )
    return _Decided(
        ticket, decision, order_name, customer.id if customer else None, llm=reading.llm
    )


def order_costs(order: OrderRow | None, currency: str) -> OrderCosts | None:
    """The order as the cost model prices it."""
    if order is None:
        return None

    def amount(minor: int) -> Decimal:
        return Money.of_minor(minor, currency).amount

    return OrderCosts(
        total=amount(order.total_minor),
        merchandise=amount(order.subtotal_minor),
        cost_known=amount(order.cost_known_minor),
        uncosted=amount(order.uncosted_minor),
    )


def _snapshot(order: OrderRow | None, match: OrderMatch, currency: str) -> OrderSnapshot | None:
    if order is None:
        return None
    return OrderSnapshot(
        match=match,
        name=order.name,
        created_at=order.created_at,
        total=Money.of_minor(order.total_minor, currency).amount,
        fulfilment_status=order.fulfillment_status,
        fulfilled_at=order.fulfilled_at,
        subscription=is_subscription_order(order.tags),
        delivered_at=order.delivered_at,
    )


def _store(
    connection: Connection,
    decided: Sequence[_Decided | TicketProblem],
    *,
    guide: Guide,
    known: _Lookups,
    now: datetime,
) -> list[Triaged | TicketProblem]:
    ensure_guide_version(
        connection, version=guide.version, source=guide.source, text=guide.text, now=now
    )
    done = [each for each in decided if isinstance(each, _Decided)]
    ticket_ids = save_tickets(connection, [_ticket_row(each, now) for each in done])
    rows = [
        _decision_row(each.decision, ticket_ids[(each.ticket.source, each.ticket.ticket_id)], now)
        | {
            "message_key": each.ticket.message_key,
            "message_body": each.ticket.body,
            "message_at": each.ticket.message_at,
        }
        for each in done
    ]
    ids = append_decisions(connection, rows)
    append_llm_readings(
        connection,
        [
            llm_row(each.llm, decision_id=decision_id, at=now)
            for each, decision_id in zip(done, ids, strict=True)
            if each.llm is not None
        ],
    )
    stored = iter(
        [
            stored_decision(
                row,
                decision_id=decision_id,
                ticket_key=each.ticket.ticket_id,
                customer_email=each.ticket.customer_email,
                order_name=each.order_name,
            )
            for each, row, decision_id in zip(done, rows, ids, strict=True)
        ]
    )
    return [
        Triaged(each.ticket, each.decision, next(stored)) if isinstance(each, _Decided) else each
        for each in decided
    ]


def _ticket_row(decided: _Decided, now: datetime) -> dict[str, Any]:
    ticket = decided.ticket
    return {
        "ticket_key": ticket.ticket_id,
        "source": ticket.source,
        "created_at": ticket.created_at,
        "channel": ticket.channel,
        "customer_email": ticket.customer_email,
        "customer_id": decided.customer_id,
        "first_name": ticket.first_name,
        "subject": ticket.subject,
        "body": ticket.body,
        "order_name": decided.order_name,
        "received_at": now,
    }


def llm_row(use: LlmUse, *, decision_id: int, at: datetime) -> dict[str, Any]:
    """What the LLM reader took for a decision, as stored."""
    return {
        "decision_id": decision_id,
        "at": at,
        "model": use.model[:128],
        "prompt_tokens": use.prompt_tokens,
        "completion_tokens": use.completion_tokens,
        "latency_ms": use.latency_ms,
        "attempts": use.attempts,
        "fallback": use.fallback,
    }


def _signal_row(signal: Signal) -> dict[str, Any]:
    """A signal as stored: its kind, the sentence, and where it comes from."""
    source = signal.source
    return {
        "kind": signal.kind.value,
        "evidence": signal.evidence,
        "source": {"stage": source.stage, "rule": source.rule, "score": source.score},
    }


def _decision_row(decision: Decision, ticket_id: int, now: datetime) -> dict[str, Any]:
    facts, reading = decision.facts, decision.reading
    return {
        "ticket_id": ticket_id,
        "decided_at": now,
        "language": reading.language,
        "intent": facts.intent.value,
        "confidence": reading.intent_confidence,
        "runner_up": reading.runner_up,
        "runner_up_confidence": reading.runner_up_confidence,
        "signals": [_signal_row(signal) for signal in reading.signals],
        "tier": facts.tier.value,
        "ltv_minor": to_minor(facts.ltv, decision.currency),
        "order_value_minor": (
            None if facts.order_value is None else to_minor(facts.order_value, decision.currency)
        ),
        "currency": decision.currency,
        "dispute": facts.dispute.value,
        "facts": facts.as_json(),
        "remedy": decision.remedy.value,
        "rule_id": decision.rule_id,
        "guide_version": decision.guide_version,
        "reader": decision.reading.reader,
        "tags": list(decision.tags),
        "reply_language": decision.reply_language,
        "reply_text": decision.reply_text,
        "explanation": decision.explanation,
        **cost_columns(decision),
    }


def cost_columns(decision: Decision) -> dict[str, Any]:
    """The remedy's expected cost, its computation and the order's costs, as stored."""
    cost, priced = decision.cost, decision.order_costs
    return {
        "expected_cost_minor": None if cost is None else to_minor(cost.amount, decision.currency),
        "cost_computation": None if cost is None else cost.computation,
        "order_costs": None if priced is None else priced.as_json(),
    }


def summary_counts(outcomes: Sequence[Triaged | TicketProblem]) -> dict[str, Counter[str]]:
    decided = [outcome.decision for outcome in outcomes if isinstance(outcome, Triaged)]
    return {
        "remedy": Counter(d.remedy.value for d in decided),
        "intent": Counter(d.facts.intent.value for d in decided),
        "tier": Counter(d.facts.tier.value for d in decided),
        "language": Counter(d.reading.language for d in decided),
        "threat": Counter(s.kind.value for d in decided for s in d.reading.signals),
    }


def _predicts(guide: Guide) -> bool:
    return guide.settings.ltv_metric is LtvMetric.PREDICTED_CLV
