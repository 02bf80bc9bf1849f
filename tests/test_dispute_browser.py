"""The dispute desk and the reviews in a real browser (Chromium driven by Playwright): an
agent prepares and submits a Stripe evidence pack against a local Stripe (its files
uploaded first), then edits, approves and posts a reply to a review through a local
Trustpilot."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import import_public_reviews
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.json_server import json_server
from tests.review_platforms_fake import TRUSTPILOT_TOKEN, FakeReviewPlatforms
from tests.sites import AGENT, PASSWORD, Site, serve_site
from tests.stripe_fake import FakeStripe, a_stripe_dispute, stripe_server

pytestmark = pytest.mark.browser
ANNA_STRIPE = "du_1QFixtureAnna0004"


@pytest.fixture
def stripe() -> Iterator[tuple[FakeStripe, str]]:
    fake = FakeStripe(api_key="sk_test_browser")
    fake.disputes[ANNA_STRIPE] = a_stripe_dispute(ANNA_STRIPE)
    with stripe_server(fake) as url:
        yield fake, url


@pytest.fixture
def platforms() -> Iterator[tuple[FakeReviewPlatforms, str]]:
    fake = FakeReviewPlatforms()
    with json_server(fake.handle) as base:
        yield fake, base


@pytest.fixture
def site(
    sqlite_url: str,
    reader: EmbeddedReader,
    stripe: tuple[FakeStripe, str],
    platforms: tuple[FakeReviewPlatforms, str],
) -> Iterator[Site]:
    options = {
        "stripe_api_url": stripe[1],
        "stripe_files_url": stripe[1],
        "stripe_api_key": "sk_test_browser",
        "trustpilot_api_url": platforms[1],
        "trustpilot_access_token": TRUSTPILOT_TOKEN,
        "trustpilot_business_user_id": "bu-browser",
    }
    for served in serve_site(sqlite_url, reader, **options):
        settings = Settings(db=sqlite_url)
        for kind, path in (
            (ImportKind.SHOPIFY_ORDERS, FIXTURES / "shopify" / "orders_export.csv"),
            (ImportKind.DISPUTES, FIXTURES / "shopify" / "disputes.json"),
            (ImportKind.DISPUTES, FIXTURES / "stripe" / "disputes_list.json"),
        ):
            import_file(served.engine, kind=kind, path=path, settings=settings, now=NOW)
        path = FIXTURES / "reviews" / "trustpilot_webhook.json"
        import_public_reviews(served.engine, path=path, now=NOW, reader=reader)
        yield served


def test_an_agent_submits_evidence_to_stripe_and_replies_to_a_review(
    site: Site,
    page: Page,
    stripe: tuple[FakeStripe, str],
    platforms: tuple[FakeReviewPlatforms, str],
) -> None:
    fake, _ = stripe
    page.goto(f"{site.base}/login")
    page.get_by_label("E-mail").fill(AGENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The desk, most urgent first; the agent opens the Stripe dispute
    page.get_by_role("link", name="Disputes", exact=True).click()
    expect(page.locator("table.disputes tbody tr").first).to_contain_text("overdue")
    page.get_by_role("link", name=f"Stripe {ANNA_STRIPE}").click()
    # Adds the carrier and tracking number, saves, sends to Stripe
    page.get_by_label("Carrier").fill("PostNord")
    page.get_by_label("Tracking number").fill("00370712345678")
    page.get_by_role("button", name="Save the evidence").click()
    expect(page.get_by_label("Carrier")).to_have_value("PostNord")
    page.get_by_role("button", name="Send to Stripe (staged)").click()
    expect(page.get_by_text("Sent to Stripe (staged, not yet with the bank)")).to_be_visible()
    # Submitting needs the box ticked
    page.get_by_role("button", name="Submit the evidence").click()
    expect(page.get_by_role("alert")).to_contain_text("tick the box")
    page.get_by_label("I have read the evidence as sent").check()
    page.get_by_role("button", name="Submit the evidence").click()
    expect(page.get_by_text("to the bank by")).to_be_visible()
    to_dispute = [form for _, path, form in fake.requests if path != "/v1/files"]
    assert [form.get("submit") for form in to_dispute] == ["false", "true"]
    assert to_dispute[0]["evidence[shipping_tracking_number]"] == "00370712345678"
    assert to_dispute[0]["evidence[uncategorized_file]"] in fake.files  # the pack as a PDF
    # Then a review: the calm draft approved as it stands
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name="draft a reply").first.click()
    reply = page.get_by_role("textbox", name="Reply")
    expect(reply).to_have_value(re.compile(r"^Hi \w+, thank you"))
    expect(page.locator("p.reading")).to_contain_text("Read as en")
    # ... edits it, approves it, and posts it to Trustpilot (the local one)
    edited = reply.input_value().replace("thank you", "thank you so much")
    reply.fill(edited)
    page.get_by_role("button", name="Approve the reply").click()
    expect(page.get_by_text("approved", exact=True)).to_be_visible()
    page.get_by_role("button", name="Post the approved reply to Trustpilot").click()
    expect(page.locator("p.review-post")).to_contain_text("posted to Trustpilot")
    expect(page.get_by_role("button", name="Post the approved reply to Trustpilot")).to_have_count(
        0
    )
    assert platforms[0].replies == {("trustpilot", "66a1c0ffee0002"): edited}
