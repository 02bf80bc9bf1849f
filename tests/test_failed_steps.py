"""A remedy's step that failed is settled from its ticket: an agent tries it again once its
cause is fixed, or marks it done by hand when they did it themselves, and the steps after
it go on; against the local Shopify and Zendesk servers, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selectolax.lexbor import LexborHTMLParser

from evenhand.actions.execute import execution_steps_of
from evenhand.store.executions import erase_executions
from evenhand.understand.reader import EmbeddedReader
from tests.execution_shop import REFUND_REFUSED, Shop, shop_harness
from tests.sites import AGENT, LEAD, csrf_of, serve_site

REASON = REFUND_REFUSED


@pytest.fixture
def shop(db_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    yield from shop_harness(db_url, reader)


def refund_refused(shop: Shop) -> int:
    """Maja's refund approved, and refused by Shopify (the reply behind it waits)."""
    decision_id = shop.refund_refused()
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
        done = {"csrf": csrf, "how": "done_by_hand", "confirmed": "yes"}
        answer = agent.post(action, data=done)
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
        assert REASON in str(details["error"]) and details["currency"] == "SEK"
        assert float(str(details["amount"])) > 0


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


def test_a_step_is_settled_only_as_retry_or_done_by_hand_and_by_hand_only_when_ticked(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refused refund
    decision_id = refund_refused(shop)
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        action, csrf = settle_form(agent.get(f"/tickets/{decision_id}").text)
        # when the form sends something else
        answer = agent.post(action, data={"csrf": csrf, "how": "forget_it"})
        # then it is refused, and the step stays failed
        assert answer.status_code == 422 and "is not retry or done_by_hand" in answer.text
        assert shop.steps(decision_id)[0] == ("refund", "failed")
        # when the agent presses 'done by hand' without ticking that they did it
        unticked = agent.post(action, data={"csrf": csrf, "how": "done_by_hand"})
        # then it is refused, saying so, and nothing goes on
        assert unticked.status_code == 422 and "tick that you did the step" in unticked.text
        assert shop.steps(decision_id)[0] == ("refund", "failed")
        # when another ticket's number is put in the form's address
        elsewhere = action.replace(f"/tickets/{decision_id}/", f"/tickets/{decision_id + 1}/")
        ticked = {"csrf": csrf, "how": "done_by_hand", "confirmed": "yes"}
        refused = agent.post(elsewhere, data=ticked)
        # then that ticket is not found, and this one's step is left as it was
        assert refused.status_code == 404
        assert shop.steps(decision_id)[0] == ("refund", "failed")
        assert site.events("execution step done by hand") == []


def test_a_refund_above_the_agent_limit_is_done_by_hand_by_a_manager(
    db_url: str, reader: EmbeddedReader
) -> None:
    for shop in shop_harness(db_url, reader, agent_refund_limit="100"):
        # given Maja's refund (above the agents' limit of 100), approved and refused
        decision_id = refund_refused(shop)
        path = f"/tickets/{decision_id}"
        for site in serve_site(db_url, reader, agent_refund_limit="100"):
            agent = site.sign_in(AGENT)
            action, csrf = settle_form(agent.get(path).text)
            ticked = {"csrf": csrf, "how": "done_by_hand", "confirmed": "yes"}
            # when an agent marks it done by hand, then it is refused, saying why
            refused = agent.post(action, data=ticked)
            assert refused.status_code == 422 and "above the agent limit of 100" in refused.text
            assert shop.steps(decision_id)[0] == ("refund", "failed")
            # when a manager does, then it is done and the reply goes on
            lead = site.sign_in(LEAD)
            action, csrf = settle_form(lead.get(path).text)
            answer = lead.post(action, data=ticked | {"csrf": csrf})
            assert answer.status_code == 303
            assert shop.steps(decision_id)[:2] == [("refund", "done"), ("send_reply", "pending")]


def test_a_reply_held_back_for_an_erased_customer_cannot_be_settled(
    shop: Shop, db_url: str, reader: EmbeddedReader
) -> None:
    # given Maja's refused refund, her data then erased, and the refund done by hand
    decision_id = refund_refused(shop)
    with shop.engine.begin() as connection:
        erase_executions(connection, [decision_id])
    path = f"/tickets/{decision_id}"
    for site in serve_site(db_url, reader):
        agent = site.sign_in(AGENT)
        action, csrf = settle_form(agent.get(path).text)
        ticked = {"csrf": csrf, "how": "done_by_hand", "confirmed": "yes"}
        assert agent.post(action, data=ticked).status_code == 303
        while shop.run():
            pass
        # when the reply step fails, held back (it is never sent)
        assert shop.steps(decision_id)[1] == ("send_reply", "failed")
        page = agent.get(path).text
        # then the page offers nothing to settle it with
        assert LexborHTMLParser(page).css_first("form.settle-step") is None
        # and a form sent for it anyway is refused, and it stays held back
        [reply] = [
            s for s in execution_steps_of(shop.engine, decision_id) if s["kind"] == "send_reply"
        ]
        again = action.rsplit("/", 1)[0] + f"/{reply['step_id']}"
        refused = agent.post(again, data=ticked | {"csrf": csrf_of(agent, path)})
        assert refused.status_code == 422 and "no such failed step" in refused.text
        assert shop.steps(decision_id)[1] == ("send_reply", "failed")
        assert shop.helpdesk.tickets.get("35436", {}).get("comments", []) == []
