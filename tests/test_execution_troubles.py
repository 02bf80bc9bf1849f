"""Remedies whose steps fail are seen, and can be tried again: `evenhand inbox status` and
the dashboard count failed (and retried) steps by kind, with the oldest and its reason; a
retry (the CLI's or a manager's button) gives each one more try with its idempotency key,
against the local Shopify and Zendesk servers, and nothing is done twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.console import Console
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.execute import execution_steps_of
from evenhand.actions.inbox_status import inbox_status, retry_failed_steps
from evenhand.cli import render_service
from evenhand.domain.execution import StepKind, StepState
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import REFUND_REFUSED, Shop, shop_harness
from tests.sites import AGENT, LEAD, csrf_of, serve_site

REASON = REFUND_REFUSED


@pytest.fixture
def shop(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(sqlite_url, reader)


def test_inbox_status_counts_failed_steps_by_kind_with_the_oldest_and_why(shop: Shop) -> None:
    # given a refused refund (the reply behind it waits)
    decision_id = shop.refund_refused()
    # when the operator asks for the inbox's status
    status = inbox_status(shop.engine, now=shop.clock(), silent_seconds=60)
    # then the failed refund is counted, with its reason and its ticket; the waiting reply
    # is not a failure
    [trouble] = status.troubled_steps
    assert (trouble.kind, trouble.state, trouble.count) == (StepKind.REFUND, StepState.FAILED, 1)
    assert REASON in trouble.oldest_error and trouble.oldest_decision_id == decision_id
    assert trouble.retryable == 1
    shown = status.as_json()
    assert shown["failed_steps"] == 1
    assert shown["troubled_steps"][0]["kind"] == "refund"
    assert shown["troubled_steps"][0]["state"] == "failed"
    # and the terminal says so, and how to try again
    console = Console(record=True, width=200)
    render_service.inbox_status(console, status)
    text = console.export_text()
    assert "failed remedy steps: 1" in text
    assert "failed refund: 1, the oldest" in text and REASON in text
    assert "evenhand inbox retry" in text


def test_a_step_retried_after_an_error_shows_as_retrying(shop: Shop) -> None:
    # given Shopify answers 502 to the refund: the step waits to be tried again
    decision_id = shop.decided()
    shop.approve(decision_id)
    shop.shopify.fail_next(502)
    assert shop.run() == 1
    # then the status shows it retrying, not failed
    status = inbox_status(shop.engine, now=shop.clock(), silent_seconds=60)
    [trouble] = status.troubled_steps
    assert (trouble.kind, trouble.state, trouble.retryable) == (
        StepKind.REFUND,
        StepState.PENDING,
        0,
    )
    assert "HTTP 502" in trouble.oldest_error and status.failed_steps() == 0


def test_a_retry_tries_a_failed_step_once_more_and_nothing_twice(shop: Shop) -> None:
    # given a refused refund, whose cause is then fixed at the shop
    decision_id = shop.refund_refused()
    shop.shopify.user_errors.clear()
    # when the operator retries (`evenhand inbox retry`) and the worker runs, twice over
    assert retry_failed_steps(shop.engine, now=shop.clock(), by="test") == 1
    while shop.run():
        pass
    assert retry_failed_steps(shop.engine, now=shop.clock(), by="test") == 0
    while shop.run():
        pass
    # then the refund is made once, then the reply goes out once, and nothing is in trouble
    assert len(shop.shopify.refunds) == 1
    assert len(shop.helpdesk.tickets["35436"]["comments"]) == 1
    assert all(step["state"] == "done" for step in execution_steps_of(shop.engine, decision_id))
    assert inbox_status(shop.engine, now=shop.clock(), silent_seconds=60).troubled_steps == []


def test_the_dashboard_shows_failed_steps_and_a_manager_retries_them(
    shop: Shop, sqlite_url: str, reader: EmbeddedReader
) -> None:
    decision_id = shop.refund_refused()
    for site in serve_site(sqlite_url, reader):
        # when an agent opens the dashboard
        agent = site.sign_in(AGENT)
        page = LexborHTMLParser(agent.get("/dashboard").text)
        section = page.css_first("#remedy-steps")
        assert section is not None
        # then the failed refund is there: its kind, count, when and why, a link to its
        # ticket; the agent is told a manager retries
        [row] = [[c.text(strip=True) for c in r.css("td")] for r in section.css("tbody tr")]
        assert row[:3] == ["Refund in Shopify", "failed", "1"] and REASON in row[3]
        assert section.css_first(f"a[href='/tickets/{decision_id}']") is not None
        assert section.css_first("form") is None and "A manager can retry" in section.text()
        # and the agent may not retry
        refused = agent.post("/executions/retry", data={"csrf": csrf_of(agent, "/dashboard")})
        assert refused.status_code == 403
        # when the cause is fixed and a manager presses the button
        shop.shopify.user_errors.clear()
        lead = site.sign_in(LEAD)
        answer = lead.post("/executions/retry", data={"csrf": csrf_of(lead, "/dashboard")})
        assert answer.status_code == 303
        while shop.run():
            pass
        # then the remedy is carried out, once, and the dashboard has nothing to show
        assert len(shop.shopify.refunds) == 1
        assert "Every approved remedy" in lead.get("/dashboard").text
        assert site.events("execution steps retried")[0][1] == {"steps": 1, "by": LEAD}
