"""The agent's day end to end, in a real browser (Chromium driven by Playwright), the agent
using the keyboard alone.

The demo tickets here are ten Zendesk tickets (tests/agent_day.py) about ten orders of the
shop: three broken mugs (fulfilled orders: one refunded as the agent chose, two whose
customers are asked whether they want a new mug or their money back, their tickets left
waiting for the answer), three "where is my parcel" (the
tracking reply alone), two cancellations of orders not yet shipped (the order cancelled
with its refund) and one parcel delivered but not received (the guide's carrier
investigation, overridden to a new parcel on us). Each order is known to a local Shopify
(tests/shop_server.py) with its Shopify id, and each ticket comes from a local Zendesk
(tests/live.py), taken in and decided by the worker, so an approval runs the whole chain:
the remedy at Shopify, then the public reply and the status at Zendesk.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from evenhand.actions.execute import execution_steps_of
from evenhand.actions.guide import default_guide_text
from evenhand.store.tables import decisions, guide_adoptions, guide_versions, reviews, tickets
from evenhand.understand.reader import EmbeddedReader
from tests.agent_day import Day, Ticket, a_ticket, as_jsonl, the_day
from tests.execution_shop import SHOPIFY_TOKEN
from tests.json_server import Answer
from tests.shop_server import FakeShopify
from tests.sites import AGENT, PASSWORD

pytestmark = pytest.mark.browser

# The day's tickets, newest first: the queue's order, and "save and next"'s.
DAY = [
    a_ticket(10, "damaged", first_name="Maja"),  # approved with a refund (`c`, "R", Enter)
    a_ticket(9, "where", first_name="Tove"),  # approved with `n` (save and next)
    a_ticket(8, "cancel", first_name="Lars"),  # approved with `n`
    a_ticket(7, "lost", first_name="Sara"),  # overridden to a new parcel on us, with a reason
    a_ticket(6, "where", first_name="Olof"),  # the reply edited, then approved
    a_ticket(5, "where", first_name="Erik"),  # these five picked and approved at once
    a_ticket(4, "damaged", first_name="Anna"),
    a_ticket(3, "cancel", first_name="Nils"),
    a_ticket(2, "damaged", first_name="Elin"),
    a_ticket(1, "where", first_name="Karin"),
]
REFUNDED = {10}
ASKED = {4, 2}  # broken mugs approved in bulk: the customer is asked, nothing refunded yet
CANCELLED = {8, 3}
REPLACED = {7}
EDITED_PS = "PS. Spårningen uppdateras inom ett dygn."


@pytest.fixture
def day(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Day]:
    yield from the_day(sqlite_url, reader)


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/queue")
    page.get_by_label("E-mail").fill(AGENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    on_queue(page)


def press(page: Page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)


def on_ticket(page: Page, ticket: Ticket) -> None:
    """The page is the ticket's (its subject shown), its keys ready (the deferred script
    runs before DOMContentLoaded)."""
    expect(page.locator("#h-message ~ p strong")).to_have_text(ticket.subject)
    page.wait_for_load_state("domcontentloaded")


def on_queue(page: Page) -> None:
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")


def reviewed(page: Page, last: str) -> None:
    """The ticket page again, its review list ending with `last`, its keys ready."""
    expect(review_line(page).last).to_have_text(re.compile(f"{re.escape(last)}$"))
    page.wait_for_load_state("domcontentloaded")


def review_line(page: Page) -> Any:
    return page.locator("section[aria-labelledby=h-reviews] li")


def approve_with_a_refund(page: Page) -> None:
    """A broken mug approved with a refund by keyboard: `c` to what a replace or refund
    does, "R" for Refund (the reply redrafted for it), Tab out, Enter to save."""
    press(page, "c")
    expect(page.locator("#choice")).to_be_focused()
    page.keyboard.type("R")
    expect(page.locator("#choice")).to_have_value("refund")
    status = page.locator("#redraft-status")
    expect(status).to_have_text("Reply redrafted for Replace or refund: Refund.")
    press(page, "Tab")
    expect(page.locator("#reason")).to_be_focused()
    press(page, "Enter")
    reviewed(page, f"{AGENT}: approve (refund)")


def test_an_agent_works_through_ten_tickets_by_keyboard_and_each_remedy_is_done_once(
    day: Day, page: Page, shots: Path
) -> None:
    # given the day's ten tickets taken in from Zendesk and decided, and an agent on the queue
    decided = day.take_in(DAY)
    assert len(decided) == len(DAY)
    sign_in(page, day.site.base)
    expect(page.locator("table.queue tbody tr")).to_have_count(len(DAY))
    maja, tove, lars, sara, olof, *picked = DAY
    # when the agent opens the first row, a broken mug, and approves it with a refund
    # (Maja's choice), by keyboard
    press(page, "j", "o")
    on_ticket(page, maja)
    expect(page.locator("#reply")).to_have_value(re.compile("Vill du att vi skickar en ny vara"))
    approve_with_a_refund(page)
    refund_reply = page.locator("#reply").input_value()
    assert "på väg tillbaka" in refund_reply and "Vill du" not in refund_reply
    # and back on the queue, opens the second and saves-and-goes-on twice with `n`
    press(page, "q")
    on_queue(page)
    press(page, "j", "j", "o")
    on_ticket(page, tove)
    press(page, "n")
    on_ticket(page, lars)
    press(page, "n")
    on_ticket(page, sara)
    # and overrides Sara's carrier investigation to a new parcel on us: `o` to the remedy,
    # its first letters typed, Tab to the reason, typed, Enter to save
    press(page, "o")
    expect(page.locator("#remedy-choice")).to_be_focused()
    page.keyboard.type("New")
    expect(page.locator("#remedy-choice")).to_have_value("reship_free")
    expect(page.locator("#redraft-status")).to_have_text("Reply redrafted for New parcel on us.")
    press(page, "Tab")
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("the carrier lost it; a new parcel on us")
    page.screenshot(path=str(shots / "ticket-override.png"), full_page=True)
    press(page, "Enter")
    reviewed(page, "override to New parcel on us: the carrier lost it; a new parcel on us")
    redrafted = page.locator("#reply").input_value()
    assert "Vi skickar ett nytt paket" in redrafted
    # and on Olof's ticket edits the reply (`e`, a line added at its end), then saves
    press(page, "q")
    on_queue(page)
    press(page, "j", "j", "j", "j", "j", "o")
    on_ticket(page, olof)
    press(page, "e")
    expect(page.locator("#reply")).to_be_focused()
    press(page, "Control+End")
    page.keyboard.type(f"\n\n{EDITED_PS}")
    press(page, "Tab")  # out of the reply, onto "Copy reply": the keys work again
    press(page, "a")
    reviewed(page, "approve (reply edited)")
    # then the ticket, opened again, shows the reply as edited
    page.reload()
    edited = page.locator("#reply").input_value()
    assert edited.endswith(EDITED_PS) and edited.startswith("Hej Olof")
    # when the agent picks the other five on the queue with `x` and approves them with `A`
    press(page, "q")
    on_queue(page)
    press(page, *["j"] * 6, "x", *["j", "x"] * 4)
    picks = page.locator("table.queue tbody input[type=checkbox]:checked")
    expect(picks).to_have_count(5)
    labels = [box.get_attribute("aria-label") for box in picks.all()]
    assert labels == [f"Pick ticket {ticket.zendesk_id}" for ticket in picked]
    page.screenshot(path=str(shots / "queue-picked.png"), full_page=True)
    press(page, "A")
    # then every row of the queue is marked approved or overridden
    expect(page.locator("table.queue tbody .mark.ok")).to_have_count(9)
    expect(page.locator("table.queue tbody .mark.over")).to_have_count(1)
    on_queue(page)
    with day.site.engine.connect() as connection:
        actions = Counter(connection.execute(select(reviews.c.action)).scalars())
    assert actions == {"approve": 9, "override": 1}

    # when the worker carries out what was approved, and runs again with nothing due
    day.carry_out()
    assert day.carry_out() == 0
    # then Shopify refunded each broken mug's order once, each with its own key
    refunded = [refund["orderId"] for refund in day.shopify.refunds.values()]
    assert sorted(refunded) == sorted(a_ticket(n, "damaged").order_gid for n in REFUNDED)
    assert day.shopify.calls.count("refundCreate") == len(REFUNDED)
    # and cancelled each unshipped order once, and made Sara one replacement order
    cancelled = [cancel["orderId"] for cancel in day.shopify.cancels]
    assert sorted(cancelled) == sorted(a_ticket(n, "cancel").order_gid for n in CANCELLED)
    assert day.shopify.calls.count("orderCancel") == len(CANCELLED)
    [replacement] = day.shopify.drafts
    assert replacement["email"] == sara.email and replacement["status"] == "COMPLETED"
    assert day.shopify.calls.count("draftOrderComplete") == 1
    # and each Zendesk ticket got one public reply (the one the agent saw last) and was
    # solved, but for the broken mugs approved in bulk: their replies ask the customer which
    # they want, and their tickets wait for the answer (pending)
    comments = _zendesk_comments(day)
    for ticket in DAY:
        assert comments[ticket.zendesk_id] == 1, ticket
        [reply] = day.helpdesk.tickets[ticket.zendesk_id]["comments"]
        assert reply["public"] is True
        asked = ticket.zendesk_id in {a_ticket(n, "damaged").zendesk_id for n in ASKED}
        status = day.helpdesk.tickets[ticket.zendesk_id]["status"]
        assert status == ("pending" if asked else "solved"), ticket
        assert ("Vill du att vi skickar en ny vara" in reply["body"]) is asked, ticket
    assert day.helpdesk.tickets[olof.zendesk_id]["comments"][0]["body"] == edited
    assert day.helpdesk.tickets[maja.zendesk_id]["comments"][0]["body"] == refund_reply
    assert day.helpdesk.tickets[sara.zendesk_id]["comments"][0]["body"] == redrafted
    # and the ticket page shows each step done
    press(page, "j", "o")
    on_ticket(page, maja)
    expect(page.locator("table.steps td[class^=state-]")).to_have_count(3)
    for state in page.locator("table.steps td[class^=state-]").all():
        expect(state).to_have_class("state-done")


def _zendesk_comments(day: Day) -> Counter[str]:
    """How many public comments (replies to the customer) Zendesk received, by ticket; the
    write-back's internal note is not one."""
    found: Counter[str] = Counter()
    for seen in day.helpdesk.requests:
        update = seen.body.get("ticket", {}) if isinstance(seen.body, dict) else {}
        if seen.method == "PUT" and update.get("comment", {}).get("public"):
            found[seen.path.split("/")[4].removesuffix(".json")] += 1
    return found


@dataclass
class HeldShopify(FakeShopify):
    """Shopify whose first refundCreate is held, once it has arrived, until released: the
    worker that sent it can be killed while it is in flight. Released, it is carried out
    (Shopify refunded; the dead worker never heard)."""

    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, token: str | None, body: dict[str, Any]) -> Answer:
        if "refundCreate" in body.get("query", "") and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(60)
        return super().handle(token, body)


@pytest.fixture
def held_day(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Day]:
    yield from the_day(sqlite_url, reader, HeldShopify(token=SHOPIFY_TOKEN))


def _worker(day: Day) -> subprocess.Popen[bytes]:
    """`evenhand worker` over the day's database, reaching its Shopify and Zendesk; a step
    it took is left to it for one second (then it is taken for dead)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVENHAND_")}
    env |= {f"EVENHAND_{name.upper()}": str(value) for name, value in day.reach.items()}
    env |= {"EVENHAND_DB": day.settings.db, "EVENHAND_EXECUTION_LEASE_SECONDS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "evenhand", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.process
def test_a_worker_killed_mid_refund_is_restarted_and_nothing_is_done_twice(
    held_day: Day, page: Page
) -> None:
    day = held_day
    assert isinstance(day.shopify, HeldShopify)
    # given Maja's broken mug, taken in from Zendesk and decided, approved by keyboard with
    # a refund
    maja = a_ticket(1, "damaged")
    [decision_id] = day.take_in([maja]).values()
    sign_in(page, day.site.base)
    press(page, "j", "o")
    on_ticket(page, maja)
    approve_with_a_refund(page)
    expect(page.locator("table.steps td[class^=state-]")).to_have_text(["pending"] * 3)
    # when the worker is killed (SIGKILL) while Shopify holds its refund, which Shopify then
    # carries out
    first = _worker(day)
    assert day.shopify.arrived.wait(120), "the worker never sent the refund"
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    day.shopify.release.set()
    assert [s["state"] for s in execution_steps_of(day.site.engine, decision_id)] == [
        "pending"
    ] * 3  # the refund's outcome was never recorded
    # and a new worker is started and runs until every step is done
    second = _worker(day)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and second.poll() is None:
        steps = execution_steps_of(day.site.engine, decision_id)
        if all(step["state"] != "pending" for step in steps):
            break
        time.sleep(0.1)
    second.send_signal(signal.SIGTERM)
    _, errors = second.communicate(timeout=60)
    # then the refund was sent again with the same key, and Shopify refunded once
    assert day.shopify.calls.count("refundCreate") == 2, errors.decode()
    [refund] = day.shopify.refunds.values()
    assert list(day.shopify.refunds) == [f"evenhand-d{decision_id}-refund"]
    assert refund["orderId"] == maja.order_gid
    # and Zendesk got one public reply, and the ticket was solved
    assert _zendesk_comments(day) == {maja.zendesk_id: 1}
    assert day.helpdesk.tickets[maja.zendesk_id]["status"] == "solved"
    # and the ticket page shows each step done, the refund on its second try
    page.reload()
    states = page.locator("table.steps td[class^=state-]")
    expect(states).to_have_count(3)
    for state in states.all():
        expect(state).to_have_class("state-done")
    expect(page.locator("table.steps tbody tr").first.locator("td").nth(3)).to_have_text("2")


def _stored(day: Day) -> dict[str, object]:
    """What a dry run must leave as it was: the queue's tickets, decisions and reviews, the
    guide's versions and adoptions."""
    with day.site.engine.connect() as connection:
        counted = {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (tickets, decisions, reviews, guide_versions, guide_adoptions)
        }
        versions = connection.execute(select(guide_versions.c.version)).scalars().all()
        last = connection.execute(select(func.max(decisions.c.id))).scalar_one()
    return counted | {"versions": sorted(versions), "last decision": last}


@pytest.mark.process
def test_a_dry_run_leaves_the_queue_as_it_was(day: Day, page: Page, tmp_path: Path) -> None:
    # given the day's tickets decided, one approved by keyboard, and the queue as it stands
    day.take_in(DAY)
    sign_in(page, day.site.base)
    press(page, "j", "o")
    on_ticket(page, DAY[0])
    press(page, "a")
    reviewed(page, f"{AGENT}: approve (ask the customer)")
    page.goto(f"{day.site.base}/queue")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(len(DAY))
    before, shown = _stored(day), rows.all_text_contents()
    # when the same tickets are triaged again with --dry-run, and by another guide
    tickets_file = tmp_path / "day.jsonl"
    tickets_file.write_text(as_jsonl(DAY), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(
        default_guide_text().replace("return_shipping: customer", "return_shipping: shop", 1)
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("EVENHAND_")}
    env["EVENHAND_DB"] = day.settings.db
    runs = [
        subprocess.run(
            [sys.executable, "-m", "evenhand", "triage", str(tickets_file), *extra, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        for extra in (["--dry-run"], ["--guide", str(other)])
    ]
    # then each decided all ten and said it stored nothing
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "dry run" in run.stderr and run.stdout.count("\n") == len(DAY)
    # and the queue is as it was: the same rows and marks, in the browser and the database
    page.reload()
    expect(rows).to_have_text(shown)
    assert _stored(day) == before
