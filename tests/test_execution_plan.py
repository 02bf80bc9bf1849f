"""Which steps carry out a remedy (pure): the shop's first, then the reply and status."""

from __future__ import annotations

from evenhand.domain.execution import (
    OrderState,
    StepKind,
    idempotency_key,
    money_given_minor,
    plan_steps,
)
from evenhand.domain.remedies import Remedy

SHIPPED = OrderState(shopify_id=1, unfulfilled=False, refundable_minor=100_00, total_minor=125_00)


def test_a_refund_on_an_order_not_yet_shipped_cancels_it_instead() -> None:
    waiting = OrderState(
        shopify_id=1, unfulfilled=True, refundable_minor=125_00, total_minor=125_00
    )
    steps = plan_steps(
        Remedy.REPLACE_OR_REFUND, order=waiting, helpdesk_ticket=True, set_status=True
    )
    assert steps == [StepKind.CANCEL_ORDER, StepKind.SEND_REPLY, StepKind.SET_STATUS]
    assert money_given_minor(steps, waiting) == 125_00


def test_what_each_remedy_does_at_the_shop() -> None:
    def shop_steps(remedy: Remedy) -> list[StepKind]:
        return plan_steps(remedy, order=SHIPPED, helpdesk_ticket=False, set_status=False)

    assert shop_steps(Remedy.REPLACE_OR_REFUND) == [StepKind.REFUND]
    assert shop_steps(Remedy.REFUND_RENEWAL) == [StepKind.REFUND]
    assert shop_steps(Remedy.RESHIP_FREE) == [StepKind.REPLACEMENT]
    assert shop_steps(Remedy.CANCEL_SUBSCRIPTION) == [StepKind.CANCEL_SUBSCRIPTION]
    assert shop_steps(Remedy.EXPLAIN_AND_CANCEL) == [StepKind.CANCEL_SUBSCRIPTION]
    for talk_only in (Remedy.SEND_TRACKING_STATUS, Remedy.HUMAN_REVIEW, Remedy.OFFER_PAID_RESHIP):
        assert shop_steps(talk_only) == []
    # a refund gives what is still refundable, a replacement the order's total
    assert money_given_minor([StepKind.REFUND], SHIPPED) == 100_00
    assert money_given_minor([StepKind.REPLACEMENT], SHIPPED) == 125_00


def test_without_the_orders_shopify_id_only_the_reply_goes() -> None:
    unknown = OrderState(shopify_id=None, unfulfilled=False, refundable_minor=1, total_minor=1)
    steps = plan_steps(Remedy.RESHIP_FREE, order=unknown, helpdesk_ticket=True, set_status=False)
    assert steps == [StepKind.SEND_REPLY]


def test_the_key_is_the_decisions_and_the_steps() -> None:
    assert idempotency_key(42, StepKind.CANCEL_ORDER) == "evenhand-d42-cancel-order"
    assert idempotency_key(42, StepKind.REFUND) != idempotency_key(43, StepKind.REFUND)


def test_an_approved_cancel_of_an_unshipped_order_cancels_it_at_the_shop() -> None:
    # given an order not yet shipped, and one already shipped
    waiting = OrderState(
        shopify_id=1, unfulfilled=True, refundable_minor=125_00, total_minor=125_00
    )
    # when the guide's "cancel the unshipped order" is planned for each
    unshipped = plan_steps(
        Remedy.CANCEL_UNSHIPPED_ORDER, order=waiting, helpdesk_ticket=True, set_status=False
    )
    shipped = plan_steps(
        Remedy.CANCEL_UNSHIPPED_ORDER, order=SHIPPED, helpdesk_ticket=True, set_status=False
    )
    # then the first is cancelled (and paid back) before the reply; the shipped one cannot
    # be stopped, so only the reply goes
    assert unshipped == [StepKind.CANCEL_ORDER, StepKind.SEND_REPLY]
    assert money_given_minor(unshipped, waiting) == 125_00
    assert shipped == [StepKind.SEND_REPLY]
