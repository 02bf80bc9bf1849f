"""The web UI in a real browser (Debian's Chromium driven by Playwright): sign in, filter
the queue, open a ticket, override with a reason, see the override in the queue."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import Engine, func, select

from evenhand.actions.guide import default_guide_text, load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.triage import triage_tickets
from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import (
    customers,
    decisions,
    guide_adoptions,
    orders,
    reviews,
    tickets,
)
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from evenhand.web.charts import SERIES_COLOURS
from tests.conftest import FIXTURES, NOW
from tests.live import serving
from tests.test_replay import a_candidate

pytestmark = pytest.mark.browser

MANAGER, PASSWORD = "lead@nordhem.example", "a long enough password"


@dataclass
class Shop:
    base: str
    engine: Engine


@pytest.fixture
def shop(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Shop]:
    settings = Settings(db=sqlite_url, session_secret="ui-test-secret")
    engine = make_engine(sqlite_url)
    upgrade(engine)
    orders = FIXTURES / "shopify" / "orders_for_triage.csv"
    import_file(engine, kind=ImportKind.SHOPIFY_ORDERS, path=orders, settings=settings, now=NOW)
    triage_tickets(
        engine,
        records=read_tickets(FIXTURES / "tickets" / "tickets.jsonl"),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    create_user(engine, email=MANAGER, role=Role.MANAGER, password=PASSWORD, now=NOW)
    with serving(create_app(settings, reader=reader, warm_reader=False)) as base:
        yield Shop(base, engine)
    engine.dispose()


def sign_in(page: Page, base: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/queue")  # not signed in: sent to the sign-in page
    page.get_by_label("E-mail").fill(MANAGER)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_filter_open_override_and_see_it_in_the_queue(
    shop: Shop, page: Page, shots: Path
) -> None:
    # given a wrong password, the sign-in page says so
    sign_in(page, shop.base, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("wrong e-mail or password")
    page.screenshot(path=str(shots / "sign-in.png"))
    # when the manager signs in and filters the queue to damaged items
    sign_in(page, shop.base)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.get_by_label("Intent").select_option("damaged_item")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row.locator("td").nth(4)).to_contain_text("Damaged item")
    page.screenshot(path=str(shots / "queue.png"), full_page=True)
    # and opens the first ticket and overrides it, first without a reason
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    original = page.locator("#remedy").get_attribute("data-code")
    page.get_by_label("New remedy").select_option("complaint_claim")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("alert")).to_contain_text("an override needs a reason")
    expect(page.get_by_label("New remedy")).to_have_value("complaint_claim")  # kept
    page.get_by_label("Reason (needed to override)").fill("photo shows wear, not transit damage")
    page.get_by_role("button", name="Save review").click()
    expect(
        page.get_by_text(re.compile(r"override to Complaint \(reklamation\): photo shows wear"))
    ).to_be_visible()
    page.screenshot(path=str(shots / "ticket.png"), full_page=True)
    # then the queue shows the override, and the decision itself is unchanged
    page.goto(f"{shop.base}/queue?overridden=yes")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr .mark.over")).to_have_text("overridden")
    with shop.engine.connect() as connection:
        remedies = {remedy for (remedy,) in connection.execute(select(decisions.c.remedy))}
        [(action, remedy, reason)] = connection.execute(
            select(reviews.c.action, reviews.c.remedy, reviews.c.reason)
        ).all()
    assert original in remedies and (action, remedy) == ("override", "complaint_claim")
    assert reason == "photo shows wear, not transit damage"
    # and the dashboard counts the override against its rule
    page.get_by_role("link", name="Dashboard").click()
    overridden = page.locator("tr", has_text="no-order")  # the unknown sender's broken vase
    expect(overridden.locator("td").nth(2)).to_have_text("1")
    expect(page.get_by_text("none changed a remedy")).to_be_visible()
    expect(page.get_by_role("link", name="the last 30 days")).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    # and over all time, which here holds the same tickets, it counts the same
    page.get_by_role("link", name="all time").click()
    expect(page.get_by_role("link", name="all time")).to_have_attribute("aria-current", "page")
    expect(page.locator("tr", has_text="no-order").locator("td").nth(2)).to_have_text("1")


def test_a_manager_uploads_an_invalid_guide_reads_why_then_adopts_a_valid_one(
    shop: Shop, page: Page, tmp_path: Path, shots: Path
) -> None:
    default = default_guide_text()
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(
        default.replace(
            "      intent: return_request\n",
            "      intent: return_request\n      review_threat: true\n",
            1,
        )
    )
    sign_in(page, shop.base)
    page.get_by_role("link", name="Guide").click()
    heading = page.get_by_role("heading", name=re.compile("resolution guide", re.IGNORECASE))
    expect(heading).to_be_visible()
    page.get_by_label("Guide file (YAML)").set_input_files(str(invalid))
    page.get_by_role("button", name="Check and replay").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The guide was refused")
    expect(alert).to_contain_text("threat signals are not inputs")
    page.screenshot(path=str(shots / "guide-refused.png"), full_page=True)
    # when a valid change (return shipping paid by the shop, VIP from 100) is uploaded, it is
    # replayed first: Sam's wrong address (t-3) and the renewal (t-4) would change, and
    # nothing is adopted yet
    valid = tmp_path / "valid.yaml"
    valid.write_text(
        a_candidate(100, default.replace("return_shipping: customer", "return_shipping: shop", 1))
    )
    page.get_by_label("Guide file (YAML)").set_input_files(str(valid))
    page.get_by_role("button", name="Check and replay").click()
    expect(page.get_by_text("2 would change")).to_be_visible()
    changes = page.get_by_label("changes by rule")
    expect(changes.locator("tr", has_text="wrong-address-vip")).to_contain_text("t-3")
    expect(changes).to_contain_text("offer_paid_reship → reship_free")
    expect(page.locator("#from option")).to_have_count(1)
    page.screenshot(path=str(shots / "guide-replay.png"), full_page=True)
    # and adopted from the replay, which the adoption records
    page.get_by_role("button", name=re.compile("Adopt version")).click()
    expect(page.get_by_text("return shipping paid by the shop")).to_be_visible()
    with shop.engine.connect() as connection:
        [recorded] = connection.execute(select(guide_adoptions.c.replay)).scalars().all()
    assert (recorded["decisions"], recorded["changed"]) == (6, 2)
    versions = page.locator("#from option")
    expect(versions).to_have_count(2)
    before = parse_guide(default, source="default").version
    after = parse_guide(valid.read_text(), source="valid").version
    page.get_by_label("Compare").select_option(before)
    page.get_by_label("with").select_option(after)
    page.get_by_role("button", name="Show the difference").click()
    difference = page.get_by_label("difference")
    expect(difference).to_contain_text("-  return_shipping: customer")
    expect(difference).to_contain_text("+  return_shipping: shop")
    page.screenshot(path=str(shots / "guide.png"), full_page=True)


def test_the_vip_threshold_advice_is_drawn_and_says_when_the_data_are_thin(
    shop: Shop, page: Page, shots: Path
) -> None:
    # given the triage shop (three customers, six tickets over a week)
    sign_in(page, shop.base)
    # when the manager follows the dashboard's link to the advice
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="Where the VIP line should be").click()
    # then the candidates are charted and tabled, the line in force among them, and nothing
    # is recommended on so little data
    expect(page.get_by_role("status")).to_contain_text("Too little data to recommend")
    expect(page.get_by_role("img", name=re.compile("VIP customers and extra"))).to_be_visible()
    table = page.get_by_role("table", name="candidate thresholds")
    expect(table.locator("tr", has_text="5,000.00")).to_be_visible()
    page.screenshot(path=str(shots / "vip-threshold.png"), full_page=True)


def test_the_outcomes_page_shows_what_followed_the_tickets(shop: Shop, page: Page) -> None:
    # given the triage shop (its tickets are days old, its customers made few threats)
    sign_in(page, shop.base)
    # when the manager follows the dashboard's link
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="did being generous pay?").click()
    # then no ticket is old enough for follow-ups, the VIP line's sides are tabled with
    # their caveat, and the threateners' disputes are counted beside the others'
    expect(page.get_by_role("status")).to_contain_text("No decided ticket is 90 days old yet")
    line = page.get_by_role("table", name="at the VIP line")
    expect(line).to_contain_text("too few tickets to compare")
    threats = page.get_by_role("table", name="disputes after threats")
    expect(threats.locator("tr", has_text="who threatened")).to_be_visible()


def test_a_form_without_the_session_csrf_token_is_refused(shop: Shop) -> None:
    with httpx.Client(base_url=shop.base) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token is not None
        data = {"email": MANAGER, "password": PASSWORD}
        assert client.post("/login", data=data | {"csrf": "forged"}).status_code == 403
        signed_in = client.post("/login", data=data | {"csrf": token.group(1)})
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        review = client.post("/tickets/1/review", data={"csrf": "forged", "remedy": ""})
        assert review.status_code == 403
    with shop.engine.connect() as connection:
        assert connection.execute(select(reviews.c.id)).first() is None


def test_pages_need_a_signed_in_user(shop: Shop) -> None:
    for path in ("/queue", "/tickets/1"):
        answer = httpx.get(f"{shop.base}{path}", follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_colour_pair_in_the_stylesheet_has_a_contrast_of_4_5_or_more() -> None:
    css = (Path(__file__).parent.parent / "src/evenhand/web/static/evenhand.css").read_text()
    pairs = re.findall(r"background: #([0-9a-f]{6}); color: #([0-9a-f]{6})", css)
    assert len(pairs) >= 7
    pairs += [(colour.lstrip("#"), "ffffff") for colour in SERIES_COLOURS]  # chart legends
    for background, colour in pairs:
        lighter, darker = sorted((_luminance(background), _luminance(colour)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (background, colour)


def test_the_customer_card_charts_their_orders(shop: Shop) -> None:
    # given a ticket from a customer with orders in the shop
    with shop.engine.connect() as connection:
        decision_id, email = connection.execute(
            select(decisions.c.id, tickets.c.customer_email)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .join(customers, customers.c.email == tickets.c.customer_email)
            .order_by(decisions.c.id)
        ).first()  # type: ignore[misc]
        their_orders = connection.execute(
            select(func.count())
            .select_from(orders)
            .join(customers, customers.c.id == orders.c.customer_id)
            .where(customers.c.email == email)
        ).scalar_one()
    assert their_orders > 0
    # when its page is opened, then the card has one column per order, with its total
    with httpx.Client(base_url=shop.base) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        data = {"email": MANAGER, "password": PASSWORD, "csrf": token.group(1)}
        assert client.post("/login", data=data).status_code == 303
        page = client.get(f"/tickets/{decision_id}").text
    chart = page[page.index('aria-label="Order history') :].split("</svg>")[0]
    assert chart.count("<rect") == min(their_orders, 24)
    assert re.search(r"<title>#\d+ \d{4}-\d\d-\d\d: [\d.]+ SEK", chart)


def test_a_manager_adds_an_agent_and_a_token_which_the_agent_cannot(
    shop: Shop, page: Page, shots: Path
) -> None:
    # given the manager on the users-and-tokens page
    sign_in(page, shop.base)
    page.get_by_role("link", name="Users and tokens").click()
    # when they add an agent and create an API token
    page.get_by_label("New user's e-mail").fill("agent@nordhem.example")
    page.get_by_label("Role", exact=True).select_option("agent")
    page.get_by_label("Password (10 characters or more)").fill("agent password 1")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("cell", name="agent@nordhem.example", exact=True)).to_be_visible()
    page.get_by_label("New token's name").fill("helpdesk-bridge")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    page.screenshot(path=str(shots / "users-and-tokens.png"), full_page=True)
    # then the token opens the API, until it is revoked
    api = f"{shop.base}/api/decisions/1"
    assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.get_by_role("button", name="Revoke helpdesk-bridge").click()
    expect(page.get_by_role("cell", name=re.compile("^revoked"))).to_be_visible()
    assert httpx.get(api, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # and the agent signs in, cannot open the page, and sees no guide upload
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail").fill("agent@nordhem.example")
    page.get_by_label("Password").fill("agent password 1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Users and tokens")).to_have_count(0)
    assert page.goto(f"{shop.base}/admin").status == 403  # type: ignore[union-attr]
    page.goto(f"{shop.base}/guide")
    expect(page.get_by_label("Guide file (YAML)")).to_have_count(0)


def test_every_page_keeps_to_its_content_security_policy_and_the_copy_button_copies(
    shop: Shop, page: Page
) -> None:
    # given Chromium reporting every message a page logs (a CSP violation logs one)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shop.base)
    # when the manager opens every page
    sign_in(page, shop.base)
    for path in ("/queue", "/tickets/1", "/guide", "/dashboard", "/admin"):
        answer = page.goto(f"{shop.base}{path}")
        assert answer is not None and answer.status == 200
        assert "script-src 'self'; style-src 'self'" in answer.headers["content-security-policy"]
        expect(page.locator("header")).to_have_css("background-color", "rgb(29, 53, 87)")
    # then none broke the policy, and the stylesheet applied (the header's colour above)
    assert [m for m in messages if "Content Security Policy" in m] == []
    # and on a ticket, the copy button (a script from /static) copies the reply draft
    page.goto(f"{shop.base}/tickets/1")
    page.get_by_role("textbox", name="Reply").fill("Hej! Vi skickar en ny vara.")
    page.get_by_role("button", name="Copy reply").click()
    assert page.evaluate("navigator.clipboard.readText()") == "Hej! Vi skickar en ny vara."


def test_an_agent_works_through_the_queue_with_the_keyboard_alone(
    shop: Shop, page: Page, shots: Path
) -> None:
    # given: a signed-in manager on the queue, no ticket reviewed yet
    sign_in(page, shop.base)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    expect(page.locator("#keys")).to_be_visible()
    # when: they move to the first row and open it, then save and go on twice, with keys
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    first = page.url
    page.keyboard.press("n")
    expect(page).not_to_have_url(first)
    second = page.url
    page.keyboard.press("n")
    expect(page).not_to_have_url(second)
    # and: copy the reply (with feedback whether or not the clipboard API is allowed)
    page.get_by_role("button", name="Copy reply").click()
    expect(page.locator("[data-copy-status=reply]")).not_to_have_text("")
    page.screenshot(path=str(shots / "ticket-keys.png"), full_page=True)
    # and: back in the queue of unreviewed tickets, pick two rows and approve them at once
    page.keyboard.press("q")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    page.goto(f"{shop.base}/queue?reviewed=no")
    left = page.locator("tbody tr").count()
    for key in ("j", "x", "j", "x", "A"):
        page.keyboard.press(key)
    expect(page.locator("tbody tr")).to_have_count(left - 2)
    # then: four approvals are recorded, two saved one by one and two in bulk
    with shop.engine.connect() as connection:
        actions = [action for (action,) in connection.execute(select(reviews.c.action))]
    assert actions == ["approve"] * 4


def test_picking_another_remedy_redrafts_an_untouched_reply_and_keeps_an_edited_one(
    shop: Shop, page: Page
) -> None:
    # given: a ticket open, its reply as the guide drafted it
    sign_in(page, shop.base)
    page.goto(f"{shop.base}/tickets/1")
    reply = page.get_by_role("textbox", name="Reply")
    drafted = reply.input_value()
    # when: the agent picks another remedy
    page.get_by_label("New remedy").select_option("human_review")
    # then: the reply is the guide's draft for it, and the page says so
    expect(page.locator("#redraft-status")).to_contain_text("Reply redrafted for")
    redrafted = reply.input_value()
    assert redrafted != drafted
    assert any(word in redrafted.lower() for word in ("a colleague", "en kollega"))
    # when: the agent edits the reply and picks yet another remedy
    reply.fill(redrafted + "\n\nPS. Tack för tålamodet.")
    page.get_by_label("New remedy").select_option("reship_free")
    # then: their text is kept, and the page says so
    expect(page.locator("#redraft-status")).to_contain_text("Your edited reply is kept")
    assert reply.input_value().endswith("Tack för tålamodet.")


PHONE: ViewportSize = {"width": 390, "height": 844}  # an iPhone 12-15's CSS pixels


def test_every_page_fits_a_phone_without_sideways_scrolling(
    shop: Shop, page: Page, shots: Path
) -> None:
    # given a manager signed in on a phone-sized screen
    page.set_viewport_size(PHONE)
    sign_in(page, shop.base)
    for path in ("/queue", "/tickets/1", "/guide", "/dashboard", "/disputes", "/reviews", "/admin"):
        # when each page is opened
        answer = page.goto(f"{shop.base}{path}")
        assert answer is not None and answer.status == 200
        # then nothing is wider than the screen: the page never scrolls sideways
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths == [PHONE["width"], PHONE["width"]], path
    # and the queue's rows are cards: no header row, each row a block
    page.goto(f"{shop.base}/queue")
    expect(page.locator("table.queue thead")).to_be_hidden()
    expect(page.locator("table.queue tbody tr").first).to_have_css("display", "block")
    page.screenshot(path=str(shots / "queue-phone.png"), full_page=True)


def test_a_rules_reply_link_opens_its_template_on_the_guide_page(shop: Shop, page: Page) -> None:
    # given the guide page, every template closed
    sign_in(page, shop.base)
    page.goto(f"{shop.base}/guide")
    template = page.locator("#reply-paid_reship_to_given_address")
    expect(template).not_to_have_attribute("open", "")
    # when the manager follows a rule's reply
    page.locator("table a[href='#reply-paid_reship_to_given_address']").click()
    # then its template is open, Swedish and English side by side
    expect(template).to_have_attribute("open", "")
    expect(template.locator("pre.template[lang=sv]")).to_contain_text("betalar du frakten")
    expect(template.locator("pre.template[lang=en]")).to_be_visible()
