"""Which steps carry out a remedy (pure): the shop's first, then the reply and status."""

from __future__ import annotations

from evenhand.domain.execution import (
    Choice,
    ManualStep,
    NotAtShop,
    OrderState,
    StepKind,
    default_choice,
    idempotency_key,
    manual_steps,
    money_given_minor,
    not_at_shop,
    plan_steps,
)
from evenhand.domain.remedies import Remedy

SHIPPED = OrderState(shopify_id=1, unfulfilled=False, refundable_minor=100_00, total_minor=125_00)


def test_a_refund_on_an_order_not_yet_shipped_cancels_it_instead() -> None:
    waiting = OrderState(
        shopify_id=1, unfulfilled=True, refundable_minor=125_00, total_minor=125_00
    )
    steps = plan_steps(
        Remedy.REPLACE_OR_REFUND,
        order=waiting,
        helpdesk_ticket=True,
        set_status=True,
        choice=Choice.REFUND,
    )
    assert steps == [StepKind.CANCEL_ORDER, StepKind.SEND_REPLY, StepKind.SET_STATUS]
    assert money_given_minor(steps, waiting) == 125_00


def test_what_each_remedy_does_at_the_shop() -> None:
    def shop_steps(remedy: Remedy) -> list[StepKind]:
        return plan_steps(remedy, order=SHIPPED, helpdesk_ticket=False, set_status=False)

    assert shop_steps(Remedy.REPLACE_OR_REFUND) == []  # by default the customer is asked
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


def test_replace_or_refund_asks_the_customer_and_waits_for_their_answer() -> None:
    # given Maja's broken mug on a shipped order, from a helpdesk with a waiting status
    # when replace_or_refund is approved as it stands (to ask which she wants)
    steps = plan_steps(
        Remedy.REPLACE_OR_REFUND,
        order=SHIPPED,
        helpdesk_ticket=True,
        set_status=True,
        choice=Choice.ASK,
        waiting_status=True,
    )
    # then nothing is done at the shop: the reply asks, and the ticket waits for her answer
    # instead of being solved; nothing is given away yet
    assert steps == [StepKind.SEND_REPLY, StepKind.AWAIT_CUSTOMER]
    assert money_given_minor(steps, SHIPPED) == 0
    # and a helpdesk with no waiting status (Gorgias) leaves the ticket open
    gorgias = plan_steps(
        Remedy.REPLACE_OR_REFUND,
        order=SHIPPED,
        helpdesk_ticket=True,
        set_status=True,
        choice=Choice.ASK,
        waiting_status=False,
    )
    assert gorgias == [StepKind.SEND_REPLY]


def test_replace_or_refund_sends_the_replacement_or_refunds_as_the_agent_chose() -> None:
    # given the same order, and the customer's answer read by an agent
    def chosen(choice: Choice) -> list[StepKind]:
        return plan_steps(
            Remedy.REPLACE_OR_REFUND,
            order=SHIPPED,
            helpdesk_ticket=True,
            set_status=True,
            choice=choice,
            waiting_status=True,
        )

    # when the agent approves with a replacement, then with a refund
    replaced, refunded = chosen(Choice.REPLACEMENT), chosen(Choice.REFUND)
    # then the replacement is made (the order's goods again) and the ticket solved
    assert replaced == [StepKind.REPLACEMENT, StepKind.SEND_REPLY, StepKind.SET_STATUS]
    assert money_given_minor(replaced, SHIPPED) == 125_00
    # and the refund gives back what is still refundable, and the ticket is solved
    assert refunded == [StepKind.REFUND, StepKind.SEND_REPLY, StepKind.SET_STATUS]
    assert money_given_minor(refunded, SHIPPED) == 100_00
    # and other remedies do not depend on the choice
    for choice in Choice:
        assert plan_steps(
            Remedy.RESHIP_FREE,
            order=SHIPPED,
            helpdesk_ticket=False,
            set_status=False,
            choice=choice,
        ) == [StepKind.REPLACEMENT]


def test_the_default_is_to_ask_unless_the_customer_said_which() -> None:
    assert default_choice("none") is Choice.ASK
    assert default_choice(None) is Choice.ASK
    assert default_choice("refund") is Choice.REFUND
    assert default_choice("replacement") is Choice.REPLACEMENT


def test_a_shop_step_without_a_shopify_order_is_named_for_an_agent_to_do_by_hand() -> None:
    # given an order imported from a file without Shopify ids
    blocked = not_at_shop(shopify_id=None, cancelled=False)
    # when a free reship, a refund (the customer's choice) and a cancel are planned for it
    reship = manual_steps(Remedy.RESHIP_FREE, blocked=blocked)
    refund = manual_steps(Remedy.REPLACE_OR_REFUND, blocked=blocked, choice=Choice.REFUND)
    cancel = manual_steps(Remedy.CANCEL_UNSHIPPED_ORDER, blocked=blocked)
    # then each names the shop step Evenhand will not carry out, and why
    assert blocked is NotAtShop.NO_SHOPIFY_ORDER
    assert reship == (ManualStep(StepKind.REPLACEMENT, NotAtShop.NO_SHOPIFY_ORDER),)
    assert refund == (ManualStep(StepKind.REFUND, NotAtShop.NO_SHOPIFY_ORDER),)
    assert cancel == (ManualStep(StepKind.CANCEL_ORDER, NotAtShop.NO_SHOPIFY_ORDER),)
    # and the plan itself holds the reply alone
    unknown = OrderState(shopify_id=None, unfulfilled=False, refundable_minor=1, total_minor=1)
    steps = plan_steps(Remedy.RESHIP_FREE, order=unknown, helpdesk_ticket=True, set_status=False)
    assert steps == [StepKind.SEND_REPLY]


def test_a_cancelled_order_leaves_its_shop_steps_to_an_agent() -> None:
    # given an order cancelled in Shopify already
    blocked = not_at_shop(shopify_id=1, cancelled=True)
    # when a refund on the renewal, and a paid reship with its invoice, are planned
    refund = manual_steps(Remedy.REFUND_RENEWAL, blocked=blocked)
    invoice = manual_steps(Remedy.OFFER_PAID_RESHIP, blocked=blocked, invoice_paid_reship=True)
    # then both are the agent's, because the order is cancelled
    assert refund == (ManualStep(StepKind.REFUND, NotAtShop.ORDER_CANCELLED),)
    assert invoice == (ManualStep(StepKind.SHIPPING_INVOICE, NotAtShop.ORDER_CANCELLED),)


def test_nothing_is_left_to_an_agent_when_the_shop_can_do_it_or_nothing_is_done_there() -> None:
    # given an order Shopify knows, and one it does not
    known = not_at_shop(shopify_id=1, cancelled=False)
    unknown = not_at_shop(shopify_id=None, cancelled=False)
    # then the known order's refund is the shop's
    assert known is None
    assert manual_steps(Remedy.REFUND_RENEWAL, blocked=known) == ()
    # and asking the customer, talking, or a subscription's step needs no order at all
    assert manual_steps(Remedy.REPLACE_OR_REFUND, blocked=unknown, choice=Choice.ASK) == ()
    assert manual_steps(Remedy.SEND_TRACKING_STATUS, blocked=unknown) == ()
    assert manual_steps(Remedy.OFFER_PAID_RESHIP, blocked=unknown) == ()  # no invoice
    assert manual_steps(Remedy.CANCEL_SUBSCRIPTION, blocked=unknown) == ()
