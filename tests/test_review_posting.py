"""Posting approved review replies to the platforms' reply APIs, each against a local
server speaking its documented endpoint: Trustpilot's private reply API, Judge.me's
replies, Google Business Profile's updateReply. Each post is recorded with its state,
exactly once: a retry of a posted reply sends nothing; a failure is kept with the
platform's reason and can be retried; without credentials the reply is to be copied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine

from evenhand.actions.import_file import import_file
from evenhand.actions.public_reviews import approve_reply, import_public_reviews, review_board
from evenhand.actions.review_posting import post_reply
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.kinds import ImportKind
from evenhand.settings import Settings
from evenhand.store.review_posts import claim_post
from tests.conftest import FIXTURES, NOW
from tests.json_server import json_server
from tests.review_platforms_fake import (
    GOOGLE_TOKEN,
    JUDGEME_TOKEN,
    TRUSTPILOT_TOKEN,
    FakeReviewPlatforms,
)
from tests.sites import AGENT, csrf_of, serve_site

CALM = "Hej Anna, tack för att du berättar. Skriv till vår kundtjänst så hjälper vi dig."


@pytest.fixture
def platforms() -> Iterator[tuple[FakeReviewPlatforms, str]]:
    fake = FakeReviewPlatforms()
    with json_server(fake.handle) as base:
        yield fake, base


@pytest.fixture
def shop(engine: Engine, settings: Settings) -> Engine:
    path = FIXTURES / "shopify" / "orders_export.csv"
    import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=path, settings=settings, now=NOW)
    for name in ("trustpilot_webhook.json", "judgeme_reviews.json", "google_reviews.json"):
        import_public_reviews(engine, path=FIXTURES / "reviews" / name, now=NOW)
    return engine


def _configured(settings: Settings, base: str) -> Settings:
    return settings.model_copy(
        update={
            "trustpilot_access_token": SecretStr(TRUSTPILOT_TOKEN),
            "trustpilot_business_user_id": "bu-1",
            "trustpilot_api_url": base,
            "judgeme_api_token": SecretStr(JUDGEME_TOKEN),
            "judgeme_shop_domain": "nordhem.myshopify.com",
            "judgeme_api_url": base,
            "google_business_access_token": SecretStr(GOOGLE_TOKEN),
            "google_business_location": "accounts/11/locations/22",
            "google_business_api_url": base,
        }
    )


def _approved(engine: Engine, external_id: str) -> int:
    [review_id] = [row.id for row in review_board(engine).rows if row.external_id == external_id]
    approve_reply(engine, review_id=review_id, text=CALM, by="agent@example.se", now=NOW)
    return review_id


@pytest.mark.parametrize(
    "case",
    [
        ("66a1c0ffee0001", "trustpilot", ("POST", "/v1/private/reviews/66a1c0ffee0001/reply")),
        ("41001", "judgeme", ("POST", "/api/v1/replies")),
        ("g-777", "google", ("PUT", "/v4/accounts/11/locations/22/reviews/g-777/reply")),
    ],
)
def test_an_approved_reply_is_posted_once(
    shop: Engine,
    settings: Settings,
    platforms: tuple[FakeReviewPlatforms, str],
    case: tuple[str, str, tuple[str, str]],
) -> None:
    fake, base = platforms
    external_id, platform, request_made = case
    review_id = _approved(shop, external_id)
    configured = _configured(settings, base)
    post = post_reply(
        shop, review_id=review_id, settings=configured, by="agent@example.se", now=NOW
    )
    assert (post.state, post.platform, post.attempts) == ("posted", platform, 1)
    assert fake.replies == {(platform, external_id): CALM}
    assert fake.requests == [request_made]
    again = post_reply(shop, review_id=review_id, settings=configured, by="b@example.se", now=NOW)
    assert (again.state, again.attempts, again.posted_by) == ("posted", 1, "agent@example.se")
    assert len(fake.requests) == 1  # the retry sent nothing


def test_a_failure_is_kept_with_its_reason_and_retried(
    shop: Engine, settings: Settings, platforms: tuple[FakeReviewPlatforms, str]
) -> None:
    fake, base = platforms
    review_id = _approved(shop, "66a1c0ffee0001")
    configured = _configured(settings, base)
    fake.fail_next = 503
    failed = post_reply(shop, review_id=review_id, settings=configured, by="a@example.se", now=NOW)
    assert failed.state == "failed" and "HTTP 503 Service unavailable" in (failed.detail or "")
    assert TRUSTPILOT_TOKEN not in (failed.detail or "")
    done = post_reply(shop, review_id=review_id, settings=configured, by="a@example.se", now=NOW)
    assert (done.state, done.attempts) == ("posted", 2)
    assert fake.replies == {("trustpilot", "66a1c0ffee0001"): CALM}


def test_bad_credentials_are_a_failure_naming_the_status(
    shop: Engine, settings: Settings, platforms: tuple[FakeReviewPlatforms, str]
) -> None:
    _, base = platforms
    review_id = _approved(shop, "g-777")
    wrong = _configured(settings, base).model_copy(
        update={"google_business_access_token": SecretStr("expired")}
    )
    post = post_reply(shop, review_id=review_id, settings=wrong, by="a@example.se", now=NOW)
    assert post.state == "failed" and "HTTP 401 Request had invalid credentials." in (
        post.detail or ""
    )


def test_without_credentials_the_reply_is_to_be_copied(shop: Engine, settings: Settings) -> None:
    review_id = _approved(shop, "66a1c0ffee0001")
    post = post_reply(shop, review_id=review_id, settings=settings, by="a@example.se", now=NOW)
    assert (post.state, post.attempts) == ("copy", 0)


def test_a_reply_must_be_approved_before_it_is_posted(shop: Engine, settings: Settings) -> None:
    review_id = review_board(shop).rows[0].id
    with pytest.raises(EvenhandError) as refused:
        post_reply(shop, review_id=review_id, settings=settings, by="a@example.se", now=NOW)
    assert refused.value.code is InputError.MISSING_VALUE


def test_two_requests_at_once_claim_the_post_once(shop: Engine) -> None:
    review_id = _approved(shop, "66a1c0ffee0001")
    stale = NOW - timedelta(minutes=5)
    with shop.begin() as connection:
        first = claim_post(
            connection,
            review_id,
            platform="trustpilot",
            text=CALM,
            by="a",
            at=NOW,
            stale_before=stale,
        )
        second = claim_post(
            connection,
            review_id,
            platform="trustpilot",
            text=CALM,
            by="b",
            at=NOW,
            stale_before=stale,
        )
        # A claim that never came back (a crash) may be taken again once it is stale
        later = claim_post(
            connection,
            review_id,
            platform="trustpilot",
            text=CALM,
            by="c",
            at=NOW + timedelta(minutes=6),
            stale_before=NOW + timedelta(minutes=1),
        )
    assert first is not None and first.state == "posting" and second is None
    assert later is not None and later.attempts == 2


def test_an_agent_approves_and_posts_from_the_review_page(
    sqlite_url: str, reader: object, platforms: tuple[FakeReviewPlatforms, str]
) -> None:
    fake, base = platforms
    configured = {
        "trustpilot_access_token": TRUSTPILOT_TOKEN,
        "trustpilot_business_user_id": "bu-1",
        "trustpilot_api_url": base,
    }
    for site in serve_site(sqlite_url, reader, **configured):  # type: ignore[arg-type]
        settings = Settings(db=sqlite_url)
        orders = FIXTURES / "shopify" / "orders_export.csv"
        import_file(
            site.engine, kind=ImportKind.SHOPIFY_ORDERS, path=orders, settings=settings, now=NOW
        )
        path = FIXTURES / "reviews" / "trustpilot_webhook.json"
        import_public_reviews(site.engine, path=path, now=NOW)
        [review_id] = [r.id for r in review_board(site.engine).rows if r.rating == 1]
        page = f"/reviews/{review_id}"
        agent = site.sign_in(AGENT)
        assert "post-reply" not in agent.get(page).text  # nothing approved yet
        agent.post(f"{page}/reply", data={"csrf": csrf_of(agent, page), "reply": CALM})
        html = LexborHTMLParser(agent.get(page).text)
        assert html.css_first("#post-reply") is not None
        done = agent.post(f"{page}/post", data={"csrf": csrf_of(agent, page)})
        assert done.status_code == 303
        shown = LexborHTMLParser(agent.get(page).text)
        state = shown.css_first("p.review-post")
        assert state is not None and state.attributes["data-state"] == "posted"
        assert shown.css_first("#post-reply") is None
        assert fake.replies == {("trustpilot", "66a1c0ffee0001"): CALM}
