"""A dispute's evidence pack: drafted from what Evenhand holds (the order and its lines,
the customer's orders and refunds, every ticket and approved reply in order, the guide's
policies, an argument by reason code), with the agent's edits on top; then staged with
Stripe and, as a separate confirmed step, submitted to the bank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from evenhand.actions.stripe_evidence import stripe_evidence
from evenhand.domain.disputes import (
    EVIDENCE_FIELDS,
    EVIDENCE_TEXT_LIMIT,
    CaseFacts,
    cancellation_policy,
    draft_argument,
    refund_policy,
)
from evenhand.domain.guide import GuideSettings
from evenhand.domain.money import Money
from evenhand.errors import AccessError, EvenhandError, InputError, LookupFailure
from evenhand.payments.shopify_disputes import ShopifyDisputes, ShopifyRefusedError
from evenhand.payments.stripe_disputes import StripeDisputes, StripeRefusedError
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.dispute_desk import (
    DeskRow,
    EvidenceRow,
    Exchange,
    PastOrder,
    customer_of_dispute,
    desk_row,
    evidence_row,
    exchanges_with,
    order_history,
    order_ids_disputed,
    save_evidence_row,
)
from evenhand.store.orders import OrderShown, order_shown

# Words in a ticket about the disputed order that say the goods were not right.
_FAULT_WORDS = ("damaged", "broken", "wrong", "missing", "trasig", "fel ", "saknas", "skadad")


@dataclass(frozen=True, slots=True)
class EvidencePack:
    dispute: DeskRow
    order: OrderShown | None
    history: list[PastOrder]  # the customer's orders, oldest first
    disputed: set[str]  # names of the customer's orders with a dispute
    exchanges: list[Exchange]  # the customer's messages and approved replies, oldest first
    drafted: dict[str, str]  # each evidence field as drafted from the records
    fields: dict[str, str]  # ... with the agent's edits
    saved: EvidenceRow | None

    @property
    def edited(self) -> set[str]:
        return {name for name in EVIDENCE_FIELDS if self.fields[name] != self.drafted[name]}

    def money(self, minor: int, currency: str) -> str:
        return str(Money.of_minor(minor, currency))


def evidence_pack(engine: Engine, *, dispute_id: int, guide: GuideSettings) -> EvidencePack:
    with engine.connect() as connection:
        dispute = desk_row(connection, dispute_id)
        if dispute is None:
            raise EvenhandError(LookupFailure.DISPUTE_NOT_FOUND, f"no dispute {dispute_id}")
        order = order_shown(connection, dispute.order_name) if dispute.order_name else None
        customer_id = customer_of_dispute(connection, dispute_id)
        history = order_history(connection, customer_id) if customer_id is not None else []
        disputed_ids = order_ids_disputed(connection)
        exchanges = exchanges_with(
            connection, email=dispute.customer_email, customer_id=customer_id
        )
        saved = evidence_row(connection, dispute_id)
    disputed = {past.name for past in history if past.id in disputed_ids}
    drafted = _draft(
        dispute=dispute,
        order=order,
        history=history,
        disputed=disputed,
        exchanges=exchanges,
        guide=guide,
    )
    edits = saved.fields if saved else {}
    fields = {name: edits.get(name, drafted[name]) for name in EVIDENCE_FIELDS}
    return EvidencePack(dispute, order, history, disputed, exchanges, drafted, fields, saved)


def _draft(
    *,
    dispute: DeskRow,
    order: OrderShown | None,
    history: list[PastOrder],
    disputed: set[str],
    exchanges: list[Exchange],
    guide: GuideSettings,
) -> dict[str, str]:
    facts = _facts(
        dispute=dispute, order=order, history=history, disputed=disputed, exchanges=exchanges
    )
    argument = draft_argument(dispute.reason, facts)
    return {
        "customer_name": dispute.customer_name or "",
        "customer_email_address": dispute.customer_email or "",
        "billing_address": "",  # Evenhand holds no addresses; the agent adds them
        "product_description": _lines(order),
        "shipping_carrier": "",
        "shipping_tracking_number": "",
        "shipping_date": order.fulfilled_at.date().isoformat()
        if order and order.fulfilled_at
        else "",
        "customer_communication": _communication(exchanges),
        "refund_policy": refund_policy(guide),
        "cancellation_policy": cancellation_policy(guide),
        "uncategorized_text": f"{argument}\n\n{_history_text(history, disputed)}".strip(),
    }


def _facts(
    *,
    dispute: DeskRow,
    order: OrderShown | None,
    history: list[PastOrder],
    disputed: set[str],
    exchanges: list[Exchange],
) -> CaseFacts:
    about_order = [e for e in exchanges if order and e.order_name == order.name]
    return CaseFacts(
        order_name=dispute.order_name,
        placed_on=order.created_at.date().isoformat() if order else None,
        shipped_on=order.fulfilled_at.date().isoformat() if order and order.fulfilled_at else None,
        fulfillment_status=order.fulfillment_status if order else None,
        refunded=str(Money.of_minor(order.refunded_minor, order.currency))
        if order and order.refunded_minor
        else None,
        amount=str(Money.of_minor(dispute.amount_minor, dispute.currency)),
        undisputed_orders=sum(
            1 for past in history if past.name != dispute.order_name and past.name not in disputed
        ),
        tickets=len(exchanges),
        mentions_fault=any(
            word in f"{e.subject or ''} {e.body}".lower()
            for e in about_order
            for word in _FAULT_WORDS
        ),
    )


def _lines(order: OrderShown | None) -> str:
    if order is None:
        return ""
    return "\n".join(
        f"{line.quantity} x {line.name}{f' ({line.sku})' if line.sku else ''}, "
        f"{Money.of_minor(line.unit_price_minor, order.currency)} each"
        for line in order.lines
    )


def _communication(exchanges: list[Exchange]) -> str:
    parts: list[str] = []
    for exchange in exchanges:
        about = f" about order {exchange.order_name}" if exchange.order_name else ""
        heading = f"{_written(exchange)}, the customer wrote ({exchange.channel}){about}:"
        subject = f"Subject: {exchange.subject}\n" if exchange.subject else ""
        parts.append(f"{heading}\n{subject}{exchange.body.strip()}")
        if exchange.reply_text and exchange.replied_at:
            parts.append(
                f"{_stamp(exchange.replied_at)}, the shop replied:\n{exchange.reply_text.strip()}"
            )
    return "\n\n".join(parts)


def _written(exchange: Exchange) -> str:
    """When the message was written: its time, or, decided before times were kept, the
    bounds known ("Before ...", "Between ... and ...")."""
    by = exchange.written_by
    if by is None:
        return _stamp(exchange.created_at)
    if exchange.created_at < by:
        return f"Between {_stamp(exchange.created_at)} and {_stamp(by)}"
    return f"Before {_stamp(by)}"


def _history_text(history: list[PastOrder], disputed: set[str]) -> str:
    if not history:
        return ""
    lines = [_past_line(past, disputed) for past in history]
    return "The customer's orders with the shop:\n" + "\n".join(lines)


def _past_line(past: PastOrder, disputed: set[str]) -> str:
    money = Money.of_minor(past.total_minor, past.currency)
    parts = [f"{past.name}, {past.created_at.date().isoformat()}: {money}"]
    parts.append(past.financial_status or "payment unknown")
    if past.fulfilled_at:
        parts.append(f"shipped {past.fulfilled_at.date().isoformat()}")
    if past.cancelled_at:
        parts.append(f"cancelled {past.cancelled_at.date().isoformat()}")
    if past.refunded_minor:
        parts.append(f"{Money.of_minor(past.refunded_minor, past.currency)} refunded")
    if past.name in disputed:
        parts.append("disputed")
    return ", ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def save_evidence(
    engine: Engine,
    *,
    dispute_id: int,
    fields: Mapping[str, str],
    guide: GuideSettings,
    by: str,
    now: datetime,
) -> EvidencePack:
    """Keep the agent's text for each field that differs from the draft (a field set back
    to the draft follows the records again)."""
    unknown = sorted(set(fields) - set(EVIDENCE_FIELDS))
    if unknown:
        raise EvenhandError(InputError.BAD_VALUE, f"{unknown[0]}: not an evidence field")
    pack = evidence_pack(engine, dispute_id=dispute_id, guide=guide)
    _refuse_after_submission(pack)
    merged = {name: _clean(fields.get(name, pack.fields[name])) for name in EVIDENCE_FIELDS}
    size = sum(len(text) for text in merged.values())
    if size > EVIDENCE_TEXT_LIMIT:
        raise EvenhandError(
            InputError.BAD_VALUE,
            f"evidence: {size:,} characters, more than the {EVIDENCE_TEXT_LIMIT:,} Stripe takes",
        )
    edits = {name: text for name, text in merged.items() if text != pack.drafted[name]}
    with engine.begin() as connection:
        save_evidence_row(
            connection, dispute_id, {"fields": edits, "edited_by": by, "edited_at": now}
        )
        record_event(
            connection,
            at=now,
            action="dispute evidence edited",
            subject=str(dispute_id),
            details={"by": by, "fields": sorted(edits)},
        )
    return evidence_pack(engine, dispute_id=dispute_id, guide=guide)


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _refuse_after_submission(pack: EvidencePack) -> None:
    if pack.saved and pack.saved.submitted_at:
        raise EvenhandError(
            InputError.BAD_VALUE, "evidence: already submitted to the bank; it cannot change"
        )


def _provider_call(
    settings: Settings, pack: EvidencePack, *, submit: bool, shop: str = "Customer service"
) -> None:
    """The pack to the provider of its dispute: staged (`submit` False) or submitted."""
    if pack.dispute.provider == "shopify":
        _to_shopify(settings, pack, submit=submit)
        return
    if settings.stripe_api_key is None:
        raise EvenhandError(
            AccessError.PROVIDER_NOT_CONFIGURED, "stripe_api_key is not set: nothing was sent"
        )
    client = StripeDisputes(
        base_url=settings.stripe_api_url,
        api_key=settings.stripe_api_key.get_secret_value(),
        files_url=settings.stripe_files_url,
    )
    dispute_id = pack.dispute.external_id
    try:
        if submit:
            client.submit_evidence(dispute_id)
        else:
            evidence = stripe_evidence(
                pack.fields,
                dispute_id=dispute_id,
                shop=shop,
                upload=client.upload_evidence_file,
            )
            client.stage_evidence(dispute_id, evidence)
    except StripeRefusedError as refused:
        raise EvenhandError(AccessError.PROVIDER_REFUSED, refused.message) from None
    finally:
        client.close()


def _to_shopify(settings: Settings, pack: EvidencePack, *, submit: bool) -> None:
    shop_url = settings.shopify_admin_url or (
        f"https://{settings.shopify_shop_domain}" if settings.shopify_shop_domain else None
    )
    if settings.shopify_access_token is None or shop_url is None:
        raise EvenhandError(
            AccessError.PROVIDER_NOT_CONFIGURED,
            "shopify_access_token and the shop's domain are needed: nothing was sent",
        )
    client = ShopifyDisputes(
        shop_url=shop_url, access_token=settings.shopify_access_token.get_secret_value()
    )
    try:
        client.update_evidence(pack.dispute.external_id, shopify_evidence(pack), submit=submit)
    except ShopifyRefusedError as refused:
        raise EvenhandError(AccessError.PROVIDER_REFUSED, refused.message) from None
    finally:
        client.close()


def shopify_evidence(pack: EvidencePack) -> dict[str, str]:
    """The pack in Shopify's evidence input: its text fields, and what has no field of its
    own there (what was bought, the shipment, the communication) in the uncategorized text."""
    fields = pack.fields
    first, _, last = fields["customer_name"].partition(" ")
    extra = [
        ("What was bought", fields["product_description"]),
        (
            "Shipping",
            " ".join(
                part
                for part in (
                    fields["shipping_date"],
                    fields["shipping_carrier"],
                    fields["shipping_tracking_number"],
                )
                if part
            ),
        ),
        ("Communication with the customer", fields["customer_communication"]),
    ]
    text = "\n\n".join(
        [fields["uncategorized_text"], *(f"{title}:\n{body}" for title, body in extra if body)]
    )
    evidence = {
        "customerEmailAddress": fields["customer_email_address"],
        "customerFirstName": first,
        "customerLastName": last,
        "refundPolicyDisclosure": fields["refund_policy"],
        "cancellationPolicyDisclosure": fields["cancellation_policy"],
        "uncategorizedText": text.strip(),
    }
    return {name: value for name, value in evidence.items() if value}


def send_evidence(
    engine: Engine,
    *,
    dispute_id: int,
    settings: Settings,
    guide: GuideSettings,
    by: str,
    now: datetime,
) -> EvidencePack:
    """Stage the pack's fields on the Stripe dispute (`submit=false`): visible in Stripe,
    not yet with the bank."""
    pack = evidence_pack(engine, dispute_id=dispute_id, guide=guide)
    _refuse_after_submission(pack)
    _provider_call(settings, pack, submit=False, shop=guide.shop_name)
    _mark(
        engine,
        dispute_id,
        {"sent_by": by, "sent_at": now},
        action="dispute evidence sent",
        by=by,
        now=now,
    )
    return evidence_pack(engine, dispute_id=dispute_id, guide=guide)


def submit_evidence(
    engine: Engine,
    *,
    dispute_id: int,
    settings: Settings,
    guide: GuideSettings,
    by: str,
    now: datetime,
    confirmed: bool,
) -> EvidencePack:
    """Submit the staged evidence to the bank (`submit=true`): once, confirmed, after the
    pack as it stands was sent."""
    if not confirmed:
        raise EvenhandError(
            InputError.MISSING_VALUE, "confirm: tick the box to submit the evidence to the bank"
        )
    pack = evidence_pack(engine, dispute_id=dispute_id, guide=guide)
    _refuse_after_submission(pack)
    saved = pack.saved
    if (
        saved is None
        or saved.sent_at is None
        or (saved.edited_at is not None and saved.edited_at > saved.sent_at)
    ):
        provider = "Shopify" if pack.dispute.provider == "shopify" else "Stripe"
        raise EvenhandError(
            InputError.BAD_VALUE, f"evidence: send the pack as it stands to {provider} first"
        )
    _provider_call(settings, pack, submit=True)
    values = {"submitted_by": by, "submitted_at": now}
    _mark(engine, dispute_id, values, action="dispute evidence submitted", by=by, now=now)
    return evidence_pack(engine, dispute_id=dispute_id, guide=guide)


def _mark(
    engine: Engine,
    dispute_id: int,
    values: dict[str, object],
    *,
    action: str,
    by: str,
    now: datetime,
) -> None:
    with engine.begin() as connection:
        save_evidence_row(connection, dispute_id, values)
        record_event(connection, at=now, action=action, subject=str(dispute_id), details={"by": by})
