"""The dispute desk on the fixture shop (Shopify orders export, Shopify Payments and Stripe
disputes, tickets in JSON Lines): the desk's order and marks, the evidence pack checked
field by field against the order and tickets it came from, the agent's edits, and the
evidence staged with and submitted to a local server speaking Stripe's contract."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, select, update

from evenhand.actions.dispute_desk import desk_figures, dispute_desk
from evenhand.actions.evidence_pack import (
    evidence_pack,
    save_evidence,
    send_evidence,
    submit_evidence,
)
from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.reviews import review_decision
from evenhand.actions.stripe_evidence import TEXT_FIELDS
from evenhand.actions.triage import triage_tickets
from evenhand.actions.users import create_user
from evenhand.domain.disputes import EVIDENCE_FIELDS, Urgency
from evenhand.domain.guide import GuideSettings
from evenhand.domain.roles import Role
from evenhand.errors import AccessError, EvenhandError, InputError
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.database import alembic_config
from evenhand.store.orders import order_shown
from evenhand.store.privacy import Named, people_named, redact_people
from evenhand.store.tables import decisions, disputes, tickets
from evenhand.store.users import find_user
from evenhand.understand.model import Reader
from tests.conftest import FIXTURES, NOW
from tests.shopify_dispute_server import FakeShopifyDisputes, shopify_server
from tests.stripe_fake import FakeStripe, a_stripe_dispute, stripe_server

ANNA_STRIPE = "du_1QFixtureAnna0004"  # on #1004, product_unacceptable (13.3), needs_response
ANNA_TICKETS = [
    {
        "id": "d-1",
        "created_at": "2026-11-06T08:00:00Z",
        "channel": "email",
        "customer_email": "anna.svensson@example.se",
        "subject": "Kudden",
        "body": "Hej! Linnekudden i order #1004 kom trasig, sömmen är uppsprucken.",
        "order_name": "#1004",
    },
    {
        "id": "d-2",
        "created_at": "2026-11-10T09:30:00Z",
        "channel": "email",
        "customer_email": "anna.svensson@example.se",
        "subject": "Leverans",
        "body": "Var är min beställning #1002? Jag har väntat länge.",
        "order_name": "#1002",
    },
]


def _id_of(engine: Engine, external_id: str) -> int:
    with engine.connect() as connection:
        found: int = connection.execute(
            select(disputes.c.id).where(disputes.c.external_id == external_id)
        ).scalar_one()
    return found


@pytest.fixture
def shop(engine: Engine, settings: Settings, reader: Reader, tmp_path: Path) -> Engine:
    """The fixture shop's orders and disputes; Anna's two tickets decided, the first
    approved by an agent with an edited reply."""
    for kind, path in (
        (ImportKind.SHOPIFY_ORDERS, FIXTURES / "shopify" / "orders_export.csv"),
        (ImportKind.DISPUTES, FIXTURES / "shopify" / "disputes.json"),
        (ImportKind.DISPUTES, FIXTURES / "stripe" / "disputes_list.json"),
    ):
        import_file(engine, kind=kind, path=path, settings=settings, now=NOW)
    inbox = tmp_path / "tickets.jsonl"
    inbox.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in ANNA_TICKETS) + "\n")
    triage_tickets(
        engine,
        records=read_tickets(inbox),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    create_user(engine, email="agent@example.se", role=Role.AGENT, password="x" * 16, now=NOW)
    with engine.connect() as connection:
        agent = find_user(connection, "agent@example.se")
        first = connection.execute(
            select(decisions.c.id)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .where(tickets.c.ticket_key == "d-1")
        ).scalar_one()
    assert agent is not None
    review_decision(
        engine,
        decision_id=first,
        user=agent,
        remedy=None,
        reason="",
        reply_text="Hej Anna! Vi skickar en ny kudde eller återbetalar, du väljer.",
        now=NOW + timedelta(hours=2),
    )
    return engine


def test_the_desk_lists_open_disputes_most_urgent_first(shop: Engine) -> None:
    # Given the fixture shop at NOW (2026-11-24)
    # When the desk is listed
    entries = dispute_desk(shop, now=NOW, soon_days=8)
    # Then the three open disputes come, the earliest due date first, each marked
    listed = [(e.row.external_id, e.urgency) for e in entries]
    assert listed == [
        (ANNA_STRIPE, Urgency.OVERDUE),  # due 2025-12-06
        ("90011", Urgency.OVERDUE),  # due 2026-06-20
        ("90013", Urgency.DUE_SOON),  # due 2026-12-01 18:00 UTC, within 8 days
    ]
    stripe = entries[0].row
    assert (stripe.order_name, stripe.customer_email, stripe.customer_name) == (
        "#1004",
        "anna.svensson@example.se",
        "Anna Svensson",
    )
    assert (stripe.reason, stripe.network_reason_code, stripe.status) == (
        "product_unacceptable",
        "13.3",
        "needs_response",
    )
    assert str(entries[0].amount) == "548.00 SEK"
    assert entries[2].row.order_name is None  # 90013's order is not in the shop's data


def test_a_dispute_under_review_is_with_the_bank_and_listed_after_those_due(
    shop: Engine,
) -> None:
    # Given Anna's overdue Stripe dispute, once its evidence went in and it is under review
    with shop.begin() as connection:
        connection.execute(
            disputes.update()
            .where(disputes.c.external_id == ANNA_STRIPE)
            .values(status="under_review")
        )
    # When the desk is listed
    entries = dispute_desk(shop, now=NOW, soon_days=8)
    # Then it is not overdue but with the bank, after those awaiting the shop's evidence,
    # and not among those due within eight days
    assert [(e.row.external_id, e.urgency) for e in entries] == [
        ("90011", Urgency.OVERDUE),
        ("90013", Urgency.DUE_SOON),
        (ANNA_STRIPE, Urgency.WITH_BANK),
    ]
    due = dispute_desk(shop, now=NOW, soon_days=8, due_within=8)
    assert [e.row.external_id for e in due] == ["90011", "90013"]


def test_due_within_keeps_what_is_due_by_then(shop: Engine) -> None:
    later = NOW - timedelta(days=200)  # 2026-05-08: only 90011 (due 2026-06-20) is near
    near = dispute_desk(shop, now=later, soon_days=3, due_within=60)
    assert [e.row.external_id for e in near] == [ANNA_STRIPE, "90011"]
    assert [e.urgency for e in near] == [Urgency.OVERDUE, Urgency.OPEN]


def test_the_desk_figures(shop: Engine) -> None:
    figures = desk_figures(shop)
    assert (figures.open, figures.won, figures.lost) == (3, 1, 0)
    assert [str(money) for money in figures.at_stake.values()] == ["2494.70 SEK"]


def test_the_evidence_pack_field_by_field(shop: Engine) -> None:
    # Given Anna's Stripe dispute on #1004
    dispute_id = _id_of(shop, ANNA_STRIPE)
    # When its pack is drafted
    pack = evidence_pack(shop, dispute_id=dispute_id, guide=GuideSettings())
    fields = pack.fields
    # Then each field holds what the records hold
    with shop.connect() as connection:
        order = order_shown(connection, "#1004")
    assert order is not None
    assert fields["customer_name"] == "Anna Svensson"
    assert fields["customer_email_address"] == "anna.svensson@example.se"
    assert fields["product_description"].splitlines() == [
        f"{line.quantity} x {line.name} ({line.sku}), "
        f"{pack.money(line.unit_price_minor, 'SEK')} each"
        for line in order.lines
    ]
    assert len(order.lines) == 2
    assert fields["shipping_date"] == "2026-11-04"
    assert fields["shipping_carrier"] == fields["shipping_tracking_number"] == ""  # not held
    # Every ticket in order, with the reply an agent approved (and only that)
    communication = fields["customer_communication"]
    first, second = (communication.index(t["body"]) for t in ANNA_TICKETS)
    assert first < second
    assert "Vi skickar en ny kudde eller återbetalar, du väljer." in communication
    assert communication.count("the shop replied") == 1  # d-2's draft was never approved
    assert "2026-11-06 08:00 UTC, the customer wrote (email) about order #1004" in communication
    # The guide's policies and an argument for a product "not as described"
    assert "within 30 days of receipt" in fields["refund_policy"]
    assert "renew automatically" in fields["cancellation_policy"]
    argument = fields["uncategorized_text"]
    placed = order.created_at.date().isoformat()
    assert argument.startswith(f"The customer disputes 548.00 SEK for #1004, placed on {placed}.")
    assert "The customer reported a problem with the goods" in argument  # d-1 says "trasig"
    # Her orders with the shop: #1002 (disputed too) and #1004 (249.00 SEK refunded)
    assert "#1002, 2026-05-1" in argument and "1847.70 SEK" in argument
    assert "disputed" in argument.split("\n#1002", 1)[1].splitlines()[0]
    assert "249.00 SEK refunded" in argument.split("\n#1004, ", 1)[1].splitlines()[0]
    assert pack.edited == set()


def test_each_message_of_a_ticket_is_evidence_with_its_own_time(
    shop: Engine, settings: Settings, reader: Reader, tmp_path: Path
) -> None:
    # Given Anna writes again on d-1, after the approved reply: a thank-you, decided too
    _thanks_on_d1(shop, settings, reader, tmp_path)
    # When the pack is drafted
    pack = evidence_pack(shop, dispute_id=_id_of(shop, ANNA_STRIPE), guide=GuideSettings())
    communication = pack.fields["customer_communication"]
    # Then her first words stay, dated when she wrote them, with the reply that stood on them,
    # and her thanks follows with its own time, all oldest first
    reported = communication.index("2026-11-06 08:00 UTC, the customer wrote (email)")
    assert communication.index(ANNA_TICKETS[0]["body"]) > reported
    replied = communication.index("Vi skickar en ny kudde eller återbetalar, du väljer.")
    other = communication.index(ANNA_TICKETS[1]["body"])
    thanked = communication.index("2026-11-12 10:00 UTC, the customer wrote (email)")
    assert reported < replied < other < thanked < communication.index("Tack för hjälpen!")
    assert communication.count("the shop replied") == 1  # the thanks got no approved reply
    assert len(pack.exchanges) == 3 and {e.ticket_key for e in pack.exchanges} == {"d-1", "d-2"}


def _thanks_on_d1(shop: Engine, settings: Settings, reader: Reader, tmp_path: Path) -> None:
    """Anna writes again on d-1, after the approved reply: a thank-you, decided too."""
    thanks = ANNA_TICKETS[0] | {"created_at": "2026-11-12T10:00:00Z", "body": "Tack för hjälpen!"}
    inbox = tmp_path / "later.jsonl"
    inbox.write_text(json.dumps(thanks, ensure_ascii=False) + "\n")
    records = read_tickets(inbox)
    triage_tickets(
        shop, records=records, guide=load_guide(settings), reader=reader, settings=settings, now=NOW
    )


def test_a_message_decided_before_messages_were_dated_stays_before_the_next(
    shop: Engine, settings: Settings, reader: Reader, tmp_path: Path
) -> None:
    # Given Anna's tickets decided before decisions kept when their words were written
    with shop.begin() as connection:
        connection.execute(update(decisions).values(message_at=None))
    # When she thanks us on d-1 and the pack is drafted
    _thanks_on_d1(shop, settings, reader, tmp_path)
    pack = evidence_pack(shop, dispute_id=_id_of(shop, ANNA_STRIPE), guide=GuideSettings())
    communication = pack.fields["customer_communication"]
    # Then her report is kept with the reply approved on it, written before her thanks
    report = "Before 2026-11-12 10:00 UTC, the customer wrote (email) about order #1004:"
    assert f"{report}\nSubject: Kudden\n{ANNA_TICKETS[0]['body']}" in communication
    replied = communication.index("Vi skickar en ny kudde eller återbetalar, du väljer.")
    thanked = communication.index("\n\n2026-11-12 10:00 UTC, the customer wrote (email)")
    assert communication.index(report) < replied < thanked
    # and d-2, never dated, is shown as it always was
    assert "2026-11-10 09:30 UTC, the customer wrote (email) about order #1002:" in communication


def _zendesk_export(comments: list[tuple[int, str, str]]) -> str:
    """Anna's Zendesk ticket 7700 on #1004 as the API exports it, with her comments."""
    ticket = {
        "id": 7700,
        "created_at": "2026-11-06T08:00:00Z",
        "updated_at": comments[-1][1],
        "subject": "Kudden",
        "description": comments[0][2],
        "requester_id": 501,
        "submitter_id": 501,
        "via": {"channel": "email"},
        "comments": [
            {"id": key, "author_id": 501, "public": True, "plain_body": words, "created_at": at}
            for key, at, words in comments
        ],
    }
    anna = {"id": 501, "email": "anna.svensson@example.se", "name": "Anna Svensson"}
    return json.dumps({"tickets": [ticket], "users": [anna]}, ensure_ascii=False)


def test_a_helpdesk_message_decided_before_messages_were_dated_is_within_its_bounds(
    shop: Engine, settings: Settings, reader: Reader, tmp_path: Path
) -> None:
    # Given Anna's Zendesk ticket decided on her complaint before messages were dated
    complaint = (1, "2026-11-06T08:00:00Z", "Kudden i order #1004 har en trasig söm.")
    export = tmp_path / "zendesk.json"
    guide = load_guide(settings)
    export.write_text(_zendesk_export([complaint]))
    triage_tickets(
        shop, records=read_tickets(export), guide=guide, reader=reader, settings=settings, now=NOW
    )
    with shop.begin() as connection:
        connection.execute(update(decisions).values(message_at=None))
    # When she writes again three days later, that is decided, and the pack is drafted
    export.write_text(_zendesk_export([complaint, (2, "2026-11-09T09:00:00Z", "Hallå?")]))
    triage_tickets(
        shop, records=read_tickets(export), guide=guide, reader=reader, settings=settings, now=NOW
    )
    pack = evidence_pack(shop, dispute_id=_id_of(shop, ANNA_STRIPE), guide=GuideSettings())
    communication = pack.fields["customer_communication"]
    # Then the complaint is between the ticket's opening and her next message, before it
    bounds = "Between 2026-11-06 08:00 UTC and 2026-11-09 09:00 UTC, the customer wrote (email)"
    assert f"{bounds} about order #1004:\nSubject: Kudden\n{complaint[2]}" in communication
    assert communication.index(bounds) < communication.index("2026-11-09 09:00 UTC, the cust")


def test_the_migration_dates_a_file_ticket_s_latest_decision_by_its_row(shop: Engine) -> None:
    # Given Anna's tickets from a file, decided
    # When the database goes back to before decisions kept when their words were written,
    # and is migrated
    config = alembic_config(shop)
    command.downgrade(config, "0023")
    command.upgrade(config, "head")
    # Then each decision is dated by its ticket's row
    with shop.connect() as connection:
        dated = dict(
            connection.execute(
                select(tickets.c.ticket_key, decisions.c.message_at).join(
                    tickets, tickets.c.id == decisions.c.ticket_id
                )
            ).all()
        )
    assert {key: when.isoformat() for key, when in dated.items()} == {
        "d-1": "2026-11-06T08:00:00+00:00",
        "d-2": "2026-11-10T09:30:00+00:00",
    }


def test_an_edit_is_kept_and_a_field_set_back_follows_the_records(shop: Engine) -> None:
    dispute_id = _id_of(shop, ANNA_STRIPE)
    edited = save_evidence(
        shop,
        dispute_id=dispute_id,
        fields={"shipping_carrier": "PostNord", "shipping_tracking_number": "00370712345678"},
        guide=GuideSettings(),
        by="agent@example.se",
        now=NOW,
    )
    assert edited.fields["shipping_carrier"] == "PostNord"
    assert edited.edited == {"shipping_carrier", "shipping_tracking_number"}
    again = save_evidence(
        shop,
        dispute_id=dispute_id,
        fields={"shipping_carrier": ""},
        guide=GuideSettings(),
        by="agent@example.se",
        now=NOW,
    )
    assert again.edited == {"shipping_tracking_number"}


def test_an_unknown_field_or_too_long_a_pack_is_refused(shop: Engine) -> None:
    dispute_id = _id_of(shop, ANNA_STRIPE)
    for fields, words in (
        ({"customer_ip": "1.2.3.4"}, "customer_ip: not an evidence field"),
        ({"uncategorized_text": "x" * 150_001}, "more than the 150,000 Stripe takes"),
    ):
        with pytest.raises(EvenhandError) as refused:
            save_evidence(
                shop,
                dispute_id=dispute_id,
                fields=fields,
                guide=GuideSettings(),
                by="a@example.se",
                now=NOW,
            )
        assert refused.value.code is InputError.BAD_VALUE and words in refused.value.message
    assert evidence_pack(shop, dispute_id=dispute_id, guide=GuideSettings()).saved is None


def test_evidence_is_staged_then_submitted_to_stripe(shop: Engine, settings: Settings) -> None:
    # Given a local Stripe that holds Anna's dispute
    stripe = FakeStripe(api_key="sk_test_local")
    stripe.disputes[ANNA_STRIPE] = a_stripe_dispute(ANNA_STRIPE)
    dispute_id = _id_of(shop, ANNA_STRIPE)
    guide = GuideSettings()
    with stripe_server(stripe) as url:
        local = Settings.model_validate(
            settings.model_dump()
            | {"stripe_api_url": url, "stripe_files_url": url, "stripe_api_key": "sk_test_local"}
        )
        # When the agent sends the pack
        sent = send_evidence(
            shop, dispute_id=dispute_id, settings=local, guide=guide, by="agent@example.se", now=NOW
        )
        # Then the files went first (PDF, purpose dispute_evidence), then the evidence,
        # staged, not submitted: text in Stripe's text fields, file ids in its file fields
        uploads = [request for request in stripe.requests if request[1] == "/v1/files"]
        assert {form["purpose"] for _, _, form in uploads} == {"dispute_evidence"}
        method, path, form = stripe.requests[-1]
        assert len(stripe.requests) == len(uploads) + 1
        assert (method, path, form["submit"]) == ("POST", f"/v1/disputes/{ANNA_STRIPE}", "false")
        evidence = stripe.disputes[ANNA_STRIPE]["evidence"]
        fields = sent.fields
        texts = {name: fields[name] for name in TEXT_FIELDS if fields[name]}
        assert texts and {name: evidence[name] for name in texts} == texts
        assert evidence["refund_policy_disclosure"] == fields["refund_policy"]
        assert evidence["cancellation_policy_disclosure"] == fields["cancellation_policy"]
        assert "refund_policy" not in evidence  # a file field in Stripe: never text
        communication = stripe.files[evidence["customer_communication"]]
        assert communication[1] == "application/pdf" and communication[2].startswith(b"%PDF-1.4")
        # The PDF holds the exchange (Swedish letters in WinAnsi)
        first_line = fields["customer_communication"].splitlines()[0]
        escaped = first_line.replace("(", "\\(").replace(")", "\\)")  # PDF string syntax
        assert escaped.encode("cp1252") in communication[2]
        assert "Kudden".encode("cp1252") in communication[2]
        shipped = any(fields[name] for name in ("shipping_carrier", "shipping_date"))
        assert shipped == ("shipping_documentation" in evidence)
        pack_file = stripe.files[evidence["uncategorized_file"]][2]
        assert fields["customer_email_address"].encode("cp1252") in pack_file
        assert stripe.disputes[ANNA_STRIPE]["evidence_details"]["submission_count"] == 0
        # And submitting without the confirmation is refused, nothing sent
        with pytest.raises(EvenhandError) as unconfirmed:
            submit_evidence(
                shop,
                dispute_id=dispute_id,
                settings=local,
                guide=guide,
                by="agent@example.se",
                now=NOW,
                confirmed=False,
            )
        assert unconfirmed.value.code is InputError.MISSING_VALUE
        assert len(stripe.requests) == len(uploads) + 1  # nothing more sent
        # When it is confirmed
        done = submit_evidence(
            shop,
            dispute_id=dispute_id,
            settings=local,
            guide=guide,
            by="agent@example.se",
            now=NOW + timedelta(minutes=5),
            confirmed=True,
        )
    # Then a second request carries submit=true alone, and the pack is closed to edits
    assert stripe.requests[-1][2] == {"submit": "true"}
    assert stripe.disputes[ANNA_STRIPE]["evidence_details"]["submission_count"] == 1
    assert done.saved is not None and done.saved.submitted_by == "agent@example.se"
    with pytest.raises(EvenhandError, match="already submitted"):
        save_evidence(
            shop,
            dispute_id=dispute_id,
            fields={"shipping_carrier": "DHL"},
            guide=guide,
            by="agent@example.se",
            now=NOW,
        )


def test_a_refusal_from_stripe_names_its_reason_and_marks_nothing(
    shop: Engine, settings: Settings
) -> None:
    stripe = FakeStripe(api_key="sk_test_local", refuse_next="This dispute is already closed")
    stripe.disputes[ANNA_STRIPE] = a_stripe_dispute(ANNA_STRIPE)
    dispute_id = _id_of(shop, ANNA_STRIPE)
    with stripe_server(stripe) as url:
        local = Settings.model_validate(
            settings.model_dump()
            | {"stripe_api_url": url, "stripe_files_url": url, "stripe_api_key": "sk_test_local"}
        )
        with pytest.raises(EvenhandError) as refused:
            send_evidence(
                shop,
                dispute_id=dispute_id,
                settings=local,
                guide=GuideSettings(),
                by="a@example.se",
                now=NOW,
            )
    assert refused.value.code is AccessError.PROVIDER_REFUSED
    assert "HTTP 400 This dispute is already closed" in refused.value.message
    assert "sk_test_local" not in refused.value.message
    assert evidence_pack(shop, dispute_id=dispute_id, guide=GuideSettings()).saved is None


def test_a_shopify_dispute_needs_the_admin_token(shop: Engine, settings: Settings) -> None:
    with pytest.raises(EvenhandError) as refused:
        send_evidence(
            shop,
            dispute_id=_id_of(shop, "90011"),
            settings=settings,
            guide=GuideSettings(),
            by="a@example.se",
            now=NOW,
        )
    assert refused.value.code is AccessError.PROVIDER_NOT_CONFIGURED
    assert "nothing was sent" in refused.value.message


def test_a_shopify_dispute_gets_its_evidence_through_the_admin_api(
    shop: Engine, settings: Settings
) -> None:
    # Given a local Shopify that holds dispute 90011 and its evidence object
    fake = FakeShopifyDisputes(token="shpat_local")
    fake.disputes["gid://shopify/ShopifyPaymentsDispute/90011"] = {
        "id": "gid://shopify/ShopifyPaymentsDisputeEvidence/5001"
    }
    dispute_id = _id_of(shop, "90011")
    with shopify_server(fake) as url:
        local = Settings.model_validate(
            settings.model_dump()
            | {"shopify_admin_url": url, "shopify_access_token": "shpat_local"}
        )
        arguments = {"settings": local, "guide": GuideSettings(), "by": "a@example.se"}
        # When the pack is sent, then submitted
        sent = send_evidence(shop, dispute_id=dispute_id, now=NOW, **arguments)  # type: ignore[arg-type]
        submit_evidence(
            shop,
            dispute_id=dispute_id,
            now=NOW,
            confirmed=True,
            **arguments,  # type: ignore[arg-type]
        )
    # Then the evidence carries the pack's fields, staged first and submitted second
    evidence = fake.disputes["gid://shopify/ShopifyPaymentsDispute/90011"]
    assert evidence["customerEmailAddress"] == "anna.svensson@example.se"
    assert (evidence["customerFirstName"], evidence["customerLastName"]) == ("Anna", "Svensson")
    assert evidence["refundPolicyDisclosure"] == sent.fields["refund_policy"]
    assert evidence["uncategorizedText"].startswith(sent.fields["uncategorized_text"])
    assert sent.fields["product_description"] in evidence["uncategorizedText"]
    updates = [
        r["variables"]["input"]["submitEvidence"]
        for r in fake.requests
        if "input" in r["variables"]
    ]
    assert updates == [False, True]


def test_every_field_is_drafted(shop: Engine) -> None:
    pack = evidence_pack(shop, dispute_id=_id_of(shop, "90011"), guide=GuideSettings())
    assert set(pack.fields) == set(EVIDENCE_FIELDS)
    assert pack.dispute.reason == "product_not_received"
    assert "The order was shipped on 2026-05-11" in pack.fields["uncategorized_text"]


def test_an_erasure_empties_the_agent_s_text_in_the_person_s_evidence(shop: Engine) -> None:
    # Given an edited pack naming Anna
    dispute_id = _id_of(shop, ANNA_STRIPE)
    save_evidence(
        shop,
        dispute_id=dispute_id,
        fields={"billing_address": "Anna Svensson, Storgatan 1, 111 22 Stockholm"},
        guide=GuideSettings(),
        by="agent@example.se",
        now=NOW,
    )
    # When Anna is redacted
    with shop.begin() as connection:
        people = people_named(connection, Named(email="anna.svensson@example.se"))
        counts = redact_people(connection, people)
    # Then the pack keeps none of the agent's text about her
    assert counts["dispute_evidence"] == 1
    pack = evidence_pack(shop, dispute_id=dispute_id, guide=GuideSettings())
    assert pack.saved is not None and pack.saved.fields == {}
    assert "Storgatan" not in " ".join(pack.fields.values())
