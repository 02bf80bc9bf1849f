"""What a remedy is expected to cost the shop: a cost model the manager reads and sets
(the guide's `costs:` section), and one pure function from a remedy, the ticket's facts
and its order to an amount and the one line that says how it was reached.

Amounts are in the shop's currency. The cost is what the remedy adds to the shop's costs
or takes from its revenue: goods sent again at their cost, money refunded (with the
payment fee the processor keeps), shipping paid, a dispute's expected loss and fee, and the
agent's time. A returned item that can be resold gives back a share of its cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from evenhand.domain.facts import Facts
from evenhand.domain.remedies import Remedy

CENT = Decimal("0.01")

# Minutes of an agent's time each remedy takes, unless the guide says otherwise.
DEFAULT_HANDLING_MINUTES: Mapping[Remedy, int] = {
    Remedy.ROUTE_TO_DISPUTE: 20,
    Remedy.REPLACE_OR_REFUND: 8,
    Remedy.RESHIP_FREE: 8,
    Remedy.OFFER_PAID_RESHIP: 6,
    Remedy.CARRIER_INVESTIGATION: 10,
    Remedy.REFUND_RENEWAL: 5,
    Remedy.EXPLAIN_AND_CANCEL: 4,
    Remedy.STANDARD_RETURN: 6,
    Remedy.SEND_TRACKING_STATUS: 3,
    Remedy.CANCEL_SUBSCRIPTION: 3,
    Remedy.PAUSE_SUBSCRIPTION: 3,
    # The rest of an inbox: an agent's time (a complaint claim's outcome is a person's call).
    Remedy.CANCEL_UNSHIPPED_ORDER: 4,
    Remedy.CHANGE_UNSHIPPED_ORDER: 5,
    Remedy.COMPLAINT_CLAIM: 10,
    Remedy.REFUND_STATUS_REPLY: 3,
    Remedy.ANSWER_QUESTION: 4,
    Remedy.HUMAN_REVIEW: 12,
}


@dataclass(frozen=True, slots=True)
class CostModel:
    """The guide's `costs:` section; every field has a documented default (in SEK)."""

    margin_rate: Decimal = Decimal("0.40")  # where a line's Cost per item is unknown
    outbound_shipping: Decimal = Decimal(59)  # a parcel sent again
    return_shipping: Decimal = Decimal(59)  # a return label, when the shop pays returns
    payment_fee_rate: Decimal = Decimal("0.029")  # kept by the processor on a refund
    refund_fee: Decimal = Decimal(0)  # per refund
    chargeback_fee: Decimal = Decimal(150)  # the bank's, per dispute
    dispute_loss_share: Decimal = Decimal("0.6")  # share of disputes the shop loses
    resale_share: Decimal = Decimal("0.7")  # share of a returned item's cost recovered
    replacement_share: Decimal = Decimal("0.5")  # of replace-or-refund, share replaced
    hourly_cost: Decimal = Decimal(300)  # an agent's hour, all in
    handling_minutes: Mapping[Remedy, int] = field(
        default_factory=lambda: dict(DEFAULT_HANDLING_MINUTES)
    )

    def minutes(self, remedy: Remedy) -> int:
        return self.handling_minutes.get(remedy, DEFAULT_HANDLING_MINUTES[remedy])


@dataclass(frozen=True, slots=True)
class OrderCosts:
    """The ticket's order as the cost model needs it (kept with the decision, so a replay
    prices a remedy without reading the order again)."""

    total: Decimal  # what the customer paid
    merchandise: Decimal  # the lines' prices after discounts
    cost_known: Decimal  # the lines' Cost per item, where the products export gave it
    uncosted: Decimal  # the price of the lines without a known cost

    def goods_cost(self, model: CostModel) -> Decimal:
        return self.cost_known + self.uncosted * (1 - model.margin_rate)

    def as_json(self) -> dict[str, str]:
        return {
            "total": str(self.total),
            "merchandise": str(self.merchandise),
            "cost_known": str(self.cost_known),
            "uncosted": str(self.uncosted),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, str]) -> OrderCosts:
        return cls(**{name: Decimal(raw[name]) for name in _ORDER_FIELDS})


_ORDER_FIELDS = ("total", "merchandise", "cost_known", "uncosted")


@dataclass(frozen=True, slots=True)
class RemedyCost:
    amount: Decimal
    computation: str  # one line: the terms and their sum

    def explained(self, currency: str) -> str:
        return f"Expected cost {self.amount:,.2f} {currency}: {self.computation}."


@dataclass(frozen=True, slots=True)
class _Term:
    label: str
    amount: Decimal


def remedy_cost(
    remedy: Remedy,
    *,
    facts: Facts,
    order: OrderCosts | None,
    model: CostModel,
    shop_pays_returns: bool = False,
) -> RemedyCost:
    """The remedy's expected cost for this ticket. Without an order only the agent's time
    is priced (and, for a dispute, the fee); the line says so."""
    pricing = _Pricing(model, shop_pays_returns)
    terms = [*_order_terms(remedy, order, pricing, facts), _handling(remedy, model)]
    shown = " + ".join(_shown(term) for term in terms)
    if order is None and remedy in _PRICED_ON_ORDER:
        shown = f"no order known, so goods are not priced; {shown}"
    amount = sum((term.amount for term in terms), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    return RemedyCost(amount, shown)


@dataclass(frozen=True, slots=True)
class _Pricing:
    model: CostModel
    shop_pays_returns: bool


def _shown(term: _Term) -> str:
    if term.amount < 0:
        return f"{term.label} -{-term.amount:,.2f}"
    return f"{term.label} {term.amount:,.2f}"


def _handling(remedy: Remedy, model: CostModel) -> _Term:
    minutes = model.minutes(remedy)
    label = f"{minutes} min handling at {model.hourly_cost:,.0f}/h"
    return _Term(label, model.hourly_cost * minutes / 60)


def _refund(amount: Decimal, model: CostModel) -> Decimal:
    """Money sent back, the payment fee the processor keeps, and the refund fee."""
    return amount * (1 + model.payment_fee_rate) + model.refund_fee


def _order_terms(
    remedy: Remedy, order: OrderCosts | None, pricing: _Pricing, facts: Facts
) -> list[_Term]:
    if remedy is Remedy.ROUTE_TO_DISPUTE:
        return _dispute_terms(order, pricing.model, facts)
    if order is None or remedy not in _PRICED_ON_ORDER:
        return []
    return _PRICED_ON_ORDER[remedy](order, pricing)


def _dispute_terms(order: OrderCosts | None, model: CostModel, facts: Facts) -> list[_Term]:
    at_stake = order.total if order else (facts.order_value or Decimal(0))
    share = model.dispute_loss_share
    return [
        _Term(f"{share:.0%} of disputes lost x {at_stake:,.2f}", at_stake * share),
        _Term("chargeback fee", model.chargeback_fee),
    ]


def _reship(order: OrderCosts, pricing: _Pricing) -> list[_Term]:
    return [
        _Term("goods at cost", order.goods_cost(pricing.model)),
        _Term("outbound shipping", pricing.model.outbound_shipping),
    ]


def _replace_or_refund(order: OrderCosts, pricing: _Pricing) -> list[_Term]:
    model = pricing.model
    share = model.replacement_share
    replaced = order.goods_cost(model) + model.outbound_shipping
    refunded = _refund(order.merchandise, model)
    return [
        _Term(
            f"{share:.0%} replaced (goods at cost and shipping {replaced:,.2f})", replaced * share
        ),
        _Term(f"{1 - share:.0%} refunded ({refunded:,.2f} with fees)", refunded * (1 - share)),
    ]


def _refund_renewal(order: OrderCosts, pricing: _Pricing) -> list[_Term]:
    return [_Term("renewal refunded with fees", _refund(order.total, pricing.model))]


def _standard_return(order: OrderCosts, pricing: _Pricing) -> list[_Term]:
    model = pricing.model
    recovered = order.goods_cost(model) * model.resale_share
    label = "return shipping" if pricing.shop_pays_returns else "return shipping (customer pays)"
    return [
        _Term("merchandise refunded with fees", _refund(order.merchandise, model)),
        _Term(label, model.return_shipping if pricing.shop_pays_returns else Decimal(0)),
        _Term(f"resold at {model.resale_share:.0%} of cost", -recovered),
    ]


_PRICED_ON_ORDER: dict[Remedy, Callable[[OrderCosts, _Pricing], list[_Term]]] = {
    Remedy.REPLACE_OR_REFUND: _replace_or_refund,
    Remedy.RESHIP_FREE: _reship,
    Remedy.REFUND_RENEWAL: _refund_renewal,
    Remedy.STANDARD_RETURN: _standard_return,
}
