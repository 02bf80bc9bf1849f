"""The dispute desk as a signed-in agent gets it: the desk's rows and marks, a dispute's
evidence edited, sent to a local Stripe and submitted after the confirmation, the pack as
a page for the shop's files, and the link from a ticket about the disputed order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.guide import load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.triage import triage_tickets
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import AGENT, Site, csrf_of, serve_site
from tests.stripe_fake import FakeStripe, a_stripe_dispute, stripe_server

ANNA_STRIPE = "du_1QFixtureAnna0004"
TICKET = {
    "id": "p-1",
    "created_at": "2026-11-06T08:00:00Z",
    "channel": "email",
    "customer_email": "anna.svensson@example.se",
    "subject": "Kudden",
    "body": "Hej! Linnekudden i order #1004 kom trasig.",
    "order_name": "#1004",
}


@pytest.fixture
def stripe() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe(api_key="sk_test_pages")
    fake.disputes[ANNA_STRIPE] = a_stripe_dispute(ANNA_STRIPE)
    with stripe_server(fake) as url:
        yield fake, url


@pytest.fixture
def site(
    sqlite_url: str, reader: EmbeddedReader, stripe: tuple[FakeStripe, str], tmp_path: Path
) -> Iterator[Site]:
    options = {
        "stripe_api_url": stripe[1],
        "stripe_files_url": stripe[1],
        "stripe_api_key": "sk_test_pages",
    }
    for served in serve_site(sqlite_url, reader, **options):
        settings = Settings(db=sqlite_url)
        for kind, path in (
            (ImportKind.SHOPIFY_ORDERS, FIXTURES / "shopify" / "orders_export.csv"),
            (ImportKind.DISPUTES, FIXTURES / "shopify" / "disputes.json"),
            (ImportKind.DISPUTES, FIXTURES / "stripe" / "disputes_list.json"),
        ):
            import_file(served.engine, kind=kind, path=path, settings=settings, now=NOW)
        inbox = tmp_path / "tickets.jsonl"
        inbox.write_text(json.dumps(TICKET, ensure_ascii=False) + "\n")
        triage_tickets(
            served.engine,
            records=read_tickets(inbox),
            guide=load_guide(settings),
            reader=reader,
            settings=settings,
            now=NOW,
        )
        yield served


def _desk_rows(html: str) -> list[tuple[str, str]]:
    rows = LexborHTMLParser(html).css("table.disputes tbody tr")
    return [
        (str(row.attributes["data-urgency"]), row.css("td")[6].text(strip=True)) for row in rows
    ]


def _link_to(html: str, text: str) -> str:
    for link in LexborHTMLParser(html).css("a[href^='/disputes/']"):
        if text in link.text():
            return str(link.attributes["href"])
    raise AssertionError(f"no link {text!r}")


def test_an_agent_prepares_and_submits_a_stripe_evidence_pack(
    site: Site, stripe: tuple[FakeStripe, str]
) -> None:
    fake, _ = stripe
    agent = site.sign_in(AGENT)
    # Given the desk: three open disputes, the overdue ones first
    desk = agent.get("/disputes")
    assert desk.status_code == 200
    assert _desk_rows(desk.text) == [
        ("overdue", f"Stripe {ANNA_STRIPE}"),
        ("overdue", "Shopify 90011"),
        ("open", "Shopify 90013"),
    ]
    assert "2494.70 SEK" in desk.text and "1 won and 0 lost" in desk.text
    page = _link_to(desk.text, ANNA_STRIPE)
    # When the agent adds the carrier and tracking number and saves
    saved = agent.post(
        f"{page}/evidence",
        data={
            "csrf": csrf_of(agent, page),
            "shipping_carrier": "PostNord",
            "shipping_tracking_number": "00370712345678",
        },
    )
    assert saved.status_code == 303
    shown = LexborHTMLParser(agent.get(page).text)
    carrier = shown.css_first("#ev-shipping_carrier")
    assert carrier is not None and carrier.text() == "PostNord"
    # And sends the pack to Stripe, staged
    assert agent.post(f"{page}/send", data={"csrf": csrf_of(agent, page)}).status_code == 303
    staged = fake.requests[-1][2]
    assert staged["submit"] == "false"
    assert staged["evidence[shipping_carrier]"] == "PostNord"
    communication = fake.files[staged["evidence[customer_communication]"]]  # uploaded first
    assert "Linnekudden i order #1004 kom trasig.".encode("cp1252") in communication[2]
    # Then submitting without ticking the box is refused on the page, nothing sent
    refused = agent.post(f"{page}/submit", data={"csrf": csrf_of(agent, page)})
    assert refused.status_code == 422 and "tick the box" in refused.text
    assert [path for _, path, _ in fake.requests if path != "/v1/files"] == [fake.requests[-1][1]]
    # And with the box ticked, the evidence goes to the bank
    done = agent.post(f"{page}/submit", data={"csrf": csrf_of(agent, page), "confirm": "yes"})
    assert done.status_code == 303
    assert fake.requests[-1][2] == {"submit": "true"}
    assert "submitted" in agent.get(page).text
    assert [subject for subject, _ in site.events("dispute evidence submitted")] == [
        page.rsplit("/", 1)[1]
    ]
    # And the pack reads as a page for the shop's files
    pack = agent.get(f"{page}/pack")
    assert pack.status_code == 200 and "PostNord" in pack.text
    assert "evidence-stripe-du_1QFixtureAnna0004.html" in pack.headers["content-disposition"]


def test_a_ticket_about_the_disputed_order_links_to_the_dispute(site: Site) -> None:
    agent = site.sign_in(AGENT)
    queue = LexborHTMLParser(agent.get("/queue").text)
    link = queue.css_first("table.queue a[href^='/tickets/']")
    assert link is not None
    ticket = agent.get(str(link.attributes["href"])).text
    href = _link_to(ticket, ANNA_STRIPE)
    assert agent.get(href).status_code == 200
    assert "support offers nothing here" in ticket


def test_an_unknown_dispute_is_a_page_not_found(site: Site) -> None:
    agent = site.sign_in(AGENT)
    answer = agent.get("/disputes/999")
    assert answer.status_code == 404 and "no dispute 999" in answer.text


def test_the_dashboard_shows_the_disputes(site: Site) -> None:
    agent = site.sign_in(AGENT)
    figures = LexborHTMLParser(agent.get("/dashboard").text).css_first("dl.dispute-figures")
    assert figures is not None
    shown = dict(
        zip(
            [dt.text(strip=True) for dt in figures.css("dt")],
            [dd.text(strip=True) for dd in figures.css("dd")],
            strict=True,
        )
    )
    assert shown == {"Open": "3", "Money at stake": "2494.70 SEK", "Won": "1", "Lost": "0"}
