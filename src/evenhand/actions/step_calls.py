"""One step of a remedy, carried out at its provider: Shopify's Admin API (a refund, an
order cancelled, a replacement, a subscription cancelled or paused, an invoice for a paid
reship's shipping), Recharge (subscriptions cancelled or paused there) or the helpdesk (the
public reply, the ticket's status). Each call is safe to repeat with the step's key (see
`actions.execute`, which claims, records and audits the steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine

from evenhand.actions.writeback import Helpdesks
from evenhand.domain.execution import StepKind
from evenhand.domain.money import from_minor
from evenhand.settings import Settings
from evenhand.shopify.admin import RefundChoices, ReplacementLine, ShopifyAdmin, gid
from evenhand.shopify.recharge import RechargeApi
from evenhand.store.executions import DueStep, decision_context, lines_of_shopify_order

SUBSCRIPTION_STEPS = frozenset({StepKind.CANCEL_SUBSCRIPTION, StepKind.PAUSE_SUBSCRIPTION})
HELPDESK_STEPS = frozenset({StepKind.SEND_REPLY, StepKind.SET_STATUS, StepKind.AWAIT_CUSTOMER})
# A helpdesk's status for a ticket that waits for the customer's answer (Gorgias has none:
# its ticket is left open).
WAITING_STATUS = {"zendesk": "pending"}


@dataclass(slots=True)
class Carriers:
    """Who carries out the steps: the shop's Admin API and the helpdesks."""

    shop: ShopifyAdmin | None
    helpdesks: Helpdesks
    recharge: RechargeApi | None = None  # set: subscriptions are Recharge's, not Shopify's

    @classmethod
    def from_settings(cls, settings: Settings, helpdesks: Helpdesks) -> Carriers:
        recharge = (
            RechargeApi(
                base_url=settings.recharge_url,
                access_token=settings.recharge_api_token.get_secret_value(),
            )
            if settings.recharge_api_token
            else None
        )
        token = settings.shopify_access_token
        base = settings.shopify_admin_url or (
            f"https://{settings.shopify_shop_domain}" if settings.shopify_shop_domain else None
        )
        if token is None or base is None:
            return cls(None, helpdesks, recharge)
        endpoint = f"{base.rstrip('/')}/admin/api/{settings.shopify_api_version}/graphql.json"
        shop = ShopifyAdmin(endpoint=endpoint, access_token=token.get_secret_value())
        return cls(shop, helpdesks, recharge)

    def close(self) -> None:
        for client in (self.shop, self.recharge):
            if client is not None:
                client.close()


class RefusedError(Exception):
    """A step that cannot be carried out as things are (kept as failed, with why)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def status_after_reply(settings: Settings, source: str) -> str:
    if source == "zendesk":
        return settings.zendesk_status_after_reply.strip()
    if source == "gorgias":
        return settings.gorgias_status_after_reply.strip()
    return ""


def carry_out(
    engine: Engine, step: DueStep, carriers: Carriers, settings: Settings
) -> dict[str, Any]:
    if step.kind in HELPDESK_STEPS:
        return _helpdesk_step(step, carriers.helpdesks, settings)
    if step.kind in SUBSCRIPTION_STEPS and carriers.recharge is not None:
        return _in_recharge(engine, step, carriers.recharge, settings)
    shop = carriers.shop
    if shop is None:
        raise RefusedError("no Shopify credentials in the settings (shopify_access_token)")
    if step.kind is StepKind.CANCEL_SUBSCRIPTION:
        return shop.cancel_subscriptions(_customer(step, shop))
    if step.kind is StepKind.PAUSE_SUBSCRIPTION:
        return shop.pause_subscriptions(_customer(step, shop))
    return _order_step(engine, step, shop, settings)


def _order_step(
    engine: Engine, step: DueStep, shop: ShopifyAdmin, settings: Settings
) -> dict[str, Any]:
    order_id = _order_id(step)
    choices = RefundChoices(notify=settings.refund_notify_customer, restock=settings.refund_restock)
    if step.kind is StepKind.REFUND:
        amount = str(from_minor(step.amount_minor, step.currency or "SEK"))
        note = f"Evenhand decision {step.decision_id}"
        return shop.refund(
            order_id, amount=amount, key=step.idempotency_key, choices=choices, note=note
        )
    if step.kind is StepKind.CANCEL_ORDER:
        return shop.cancel_order(order_id, key=step.idempotency_key, choices=choices)
    email, lines = _lines(engine, order_id)
    if step.kind is StepKind.SHIPPING_INVOICE:
        price = settings.paid_reship_shipping_price
        return shop.shipping_invoice(
            email=email,
            lines=lines,
            key=step.idempotency_key,
            shipping_price=str(price),
            note=f"A new parcel at the customer's cost, for decision {step.decision_id}",
        )
    note = f"Replacement for decision {step.decision_id}"
    return shop.replacement(email=email, lines=lines, key=step.idempotency_key, note=note)


def _in_recharge(
    engine: Engine, step: DueStep, recharge: RechargeApi, settings: Settings
) -> dict[str, Any]:
    with engine.connect() as connection:
        context = decision_context(connection, step.decision_id)
    if context is None:
        raise RefusedError("the decision is gone")
    if step.kind is StepKind.PAUSE_SUBSCRIPTION:
        # From the approval, not the try: every try asks for the same date.
        until = (step.approved_at + timedelta(days=settings.subscription_pause_days)).date()
        return recharge.pause_subscriptions(context.customer_email, until=until)
    return recharge.cancel_subscriptions(
        context.customer_email,
        reason=f"At the customer's request (Evenhand decision {step.decision_id})",
        send_email=settings.refund_notify_customer,
    )


def _customer(step: DueStep, shop: ShopifyAdmin) -> str:
    """The customer's GID: theirs as imported, else the order's customer."""
    if step.customer_shopify_id is not None:
        return gid("Customer", step.customer_shopify_id)
    if step.order_shopify_id is None:
        raise RefusedError("neither the customer nor an order is known to Shopify")
    return shop.customer_of_order(step.order_shopify_id)


def _order_id(step: DueStep) -> int:
    if step.order_shopify_id is None:
        raise RefusedError("the ticket's order has no Shopify id")
    return step.order_shopify_id


def _lines(engine: Engine, order_id: int) -> tuple[str | None, list[ReplacementLine]]:
    """The order's e-mail and its lines, to send again."""
    with engine.connect() as connection:
        rows = lines_of_shopify_order(connection, order_id)
    if not rows:
        raise RefusedError("the order's lines are not known: no new parcel to send")
    lines = [
        ReplacementLine(
            title=row["name"],
            sku=row["sku"],
            quantity=row["quantity"],
            unit_price=str(from_minor(row["unit_price_minor"], row["currency"])),
        )
        for row in rows
    ]
    return rows[0]["email"], lines


def _helpdesk_step(step: DueStep, helpdesks: Helpdesks, settings: Settings) -> dict[str, Any]:
    client = helpdesks.zendesk if step.provider == "zendesk" else helpdesks.gorgias
    if client is None or step.ticket_ref is None:
        raise RefusedError(f"no {step.provider} credentials in the settings")
    if step.kind in {StepKind.SET_STATUS, StepKind.AWAIT_CUSTOMER}:
        status = (
            WAITING_STATUS.get(step.provider or "", "")
            if step.kind is StepKind.AWAIT_CUSTOMER
            else status_after_reply(settings, step.provider or "")
        )
        client.set_status(step.ticket_ref, status)
        return {"status": status}
    if step.attempts > 0 and client.has_public_reply(step.ticket_ref, step.reply_text):
        return {"reply": "already on the ticket"}  # an earlier try's answer was lost
    client.send_public_reply(step.ticket_ref, step.reply_text)
    return {"reply": "sent"}
