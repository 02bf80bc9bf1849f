"""The reviews page as a signed-in agent gets it: the reviews and their figures, a calm
reply approved, and a reply offering anything for the review refused on the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import import_public_reviews
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import AGENT, Site, csrf_of, serve_site


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    for served in serve_site(sqlite_url, reader):
        settings = Settings(db=sqlite_url)
        path = FIXTURES / "shopify" / "orders_export.csv"
        import_file(
            served.engine, kind=ImportKind.SHOPIFY_ORDERS, path=path, settings=settings, now=NOW
        )
        for name in ("trustpilot_webhook.json", "google_reviews.json"):
            import_public_reviews(served.engine, path=FIXTURES / "reviews" / name, now=NOW)
        yield served


def test_an_agent_replies_to_a_review(site: Site) -> None:
    agent = site.sign_in(AGENT)
    listing = agent.get("/reviews")
    assert listing.status_code == 200 and "3 review(s); 0 % replied" in listing.text
    rows = LexborHTMLParser(listing.text).css("table.reviews tbody tr")
    assert [row.css("td")[1].text(strip=True) for row in rows] == ["2★", "5★", "1★"]
    link = rows[2].css_first("a[href^='/reviews/']")
    assert link is not None
    page = str(link.attributes["href"])
    drafted = LexborHTMLParser(agent.get(page).text).css_first("#reply")
    assert drafted is not None and drafted.text().startswith("Hej Anna, tack för att du berättar")
    # An offer for changing the review is refused, the agent's text kept on the page
    offer = "Hej Anna! Om du ändrar ditt omdöme får du ett presentkort."
    refused = agent.post(f"{page}/reply", data={"csrf": csrf_of(agent, page), "reply": offer})
    assert refused.status_code == 422 and "never" in refused.text
    kept = LexborHTMLParser(refused.text).css_first("#reply")
    assert kept is not None and kept.text() == offer
    # A calm reply is approved
    calm = drafted.text()
    done = agent.post(f"{page}/reply", data={"csrf": csrf_of(agent, page), "reply": calm})
    assert done.status_code == 303
    assert "approved" in agent.get(page).text
    assert "33 % replied" in agent.get("/reviews").text


def test_the_dashboard_shows_reviews_by_week_and_rating(site: Site) -> None:
    agent = site.sign_in(AGENT)
    page = LexborHTMLParser(agent.get("/dashboard").text)
    weeks = page.css("table.review-weeks tbody tr")
    shown = [[cell.text(strip=True) for cell in row.css("td")] for row in weeks]
    # Trustpilot 1★ on 2026-11-12 and 5★ on 11-13 (week of 11-09), Google 2★ on 11-16
    assert shown == [
        ["2026-11-09", "1", "0", "0", "0", "1"],
        ["2026-11-16", "0", "1", "0", "0", "0"],
    ]


def test_the_review_page_shows_the_reading_and_the_customer_s_tickets(
    site: Site, reader: EmbeddedReader
) -> None:
    path = FIXTURES / "reviews" / "trustpilot_demand.json"
    import_public_reviews(site.engine, path=path, now=NOW, reader=reader)
    agent = site.sign_in(AGENT)
    listing = LexborHTMLParser(agent.get("/reviews").text)
    marked = [
        row for row in listing.css("table.reviews tbody tr") if "tied to a demand" in row.text()
    ]
    assert len(marked) == 2 and "sv · damaged item" in marked[0].text() + marked[1].text()
    link = marked[0].css_first("a[href^='/reviews/']")
    assert link is not None
    page = LexborHTMLParser(agent.get(str(link.attributes["href"])).text)
    reading = page.css_first("p.reading")
    assert reading is not None and "tied to a demand" in reading.text()
    assert "review extortion" in reading.text()


def test_the_dashboard_counts_the_reviews_tied_to_a_demand(
    site: Site, reader: EmbeddedReader
) -> None:
    path = FIXTURES / "reviews" / "trustpilot_demand.json"
    import_public_reviews(site.engine, path=path, now=NOW, reader=reader)
    page = LexborHTMLParser(site.sign_in(AGENT).get("/dashboard").text)
    demands = page.css_first("span.review-demands")
    assert demands is not None and demands.text() == "2"
