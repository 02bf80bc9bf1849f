"""A remedy's step that failed is settled from its ticket: an agent tries it again once its
cause is fixed, or marks it done by hand when they did it themselves, and the steps after
it go on; against the local Shopify and Zendesk servers, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.execute import execution_steps_of
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import Shop, shop_harness
from tests.sites import AGENT, serve_site

REASON = "Amount cannot be greater than the refundable amount"


@pytest.fixture
def shop(db_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(db_url, reader)


def refund_refused(shop: Shop) -> int:
    """Maja's refund approved, and refused by Shopify in a 200 answer (userErrors)."""
    decision_id = shop.decided()
    shop.approve(decision_id)
    shop.shopify.user_errors["refundCreate"] = [{"field": ["amount"], "message": REASON}]
    while shop.run():
        pass
    assert shop.steps(decision_id)[0] == ("refund", "failed")
    return decision_id


def settle_form(page_text: str) -> tuple[str, str]:
    """The ticket page's form for its failed step: (action, csrf)."""
    form = LexborHTMLParser(page_text).css_first("form.settle-step")
    assert form is not None
    field = form.css_first("input[name=csrf]")
    assert field is not None
    return str(form.attributes["action"]), str(field.attributes["value"])


def test_a_failed_refund_done_by_hand_lets_the_reply_go_out_once(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refund, refused by Shopify, and the reply behind it waiting
    decision_id = refund_refused(shop)
    path = f"/tickets/{decision_id}"
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        # when the agent refunds her in Shopify and marks the step done by hand
        action, csrf = settle_form(agent.get(path).text)
        answer = agent.post(action, data={"csrf": csrf, "how": "done_by_hand"})
        assert answer.status_code == 303 and answer.headers["location"].startswith(path)
        while shop.run():
            pass
        # then Shopify is asked for nothing more, and the reply and status go out once
        assert shop.shopify.refunds == {}
        assert shop.steps(decision_id) == [
            ("refund", "done"),
            ("send_reply", "done"),
            ("set_status", "done"),
        ]
        assert len(shop.helpdesk.tickets["35436"]["comments"]) == 1
        # and the page no longer alerts, and says who did the refund by hand
        page = LexborHTMLParser(agent.get(path).text)
        assert page.css_first("#steps-failed") is None and page.css_first(".settle-step") is None
        steps = page.css_first("section[aria-labelledby=h-steps]")
        assert steps is not None and f"done by hand by {AGENT}" in steps.text()
        # and the audit names the step, its last problem and the agent
        [(subject, details)] = site.events("execution step done by hand")
        assert subject == str(decision_id)
        assert details["step"] == "refund" and details["by"] == AGENT
        assert REASON in str(details["error"])


def test_a_failed_refund_tried_again_is_made_once(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refused refund, whose cause is then fixed at the shop
    decision_id = refund_refused(shop)
    shop.shopify.user_errors.clear()
    path = f"/tickets/{decision_id}"
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        # when the agent tries it again from the ticket, twice (a second tab)
        action, csrf = settle_form(agent.get(path).text)
        assert agent.post(action, data={"csrf": csrf, "how": "retry"}).status_code == 303
        again = agent.post(action, data={"csrf": csrf, "how": "retry"})
        # then the second is refused, saying why, and nothing more is owed
        assert again.status_code == 422
        error = LexborHTMLParser(again.text).css_first("p.error")
        assert error is not None and "no such failed step" in error.text()
        while shop.run():
            pass
        # and the refund is made once, then the reply goes out once
        assert len(shop.shopify.refunds) == 1
        assert len(shop.helpdesk.tickets["35436"]["comments"]) == 1
        assert all(s["state"] == "done" for s in execution_steps_of(shop.engine, decision_id))
        assert [details["by"] for _, details in site.events("execution step retried")] == [AGENT]


def test_a_step_is_settled_only_as_retry_or_done_by_hand(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refused refund
    decision_id = refund_refused(shop)
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        action, csrf = settle_form(agent.get(f"/tickets/{decision_id}").text)
        # when the form sends something else, then it is refused and the step stays failed
        answer = agent.post(action, data={"csrf": csrf, "how": "forget_it"})
        assert answer.status_code == 422 and "is not retry or done_by_hand" in answer.text
        assert shop.steps(decision_id)[0] == ("refund", "failed")
        # and another ticket's step cannot be settled through this one's page
        elsewhere = action.replace(f"/tickets/{decision_id}/", f"/tickets/{decision_id + 1}/")
        refused = agent.post(elsewhere, data={"csrf": csrf, "how": "done_by_hand"})
        assert refused.status_code in {404, 422}
        assert shop.steps(decision_id)[0] == ("refund", "failed")
