"""The pages an agent works from, as a browser gets them: the queue's rows (received time,
subject, snippet, customer, labels, a customer's other open tickets), the ticket page (HTML
mail made safe, the reply as last saved, choices kept after a refusal) and error pages with
a way back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import select

from evenhand.actions.guide import default_guide_text, load_guide
from evenhand.actions.import_file import import_file
from evenhand.actions.reviews import review_decision
from evenhand.actions.triage import triage_tickets
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.kinds import ImportKind
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.tables import reviews
from evenhand.store.users import User, find_user
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import AGENT, Site, csrf_of, serve_site

TICKETS = FIXTURES / "tickets" / "agent_day.jsonl"


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    """A site whose queue holds the three tickets of `agent_day.jsonl`, decided."""
    for served in serve_site(sqlite_url, reader):
        settings = Settings(db=sqlite_url)
        triage_tickets(
            served.engine,
            records=read_tickets(TICKETS),
            guide=load_guide(settings),
            reader=reader,
            settings=settings,
            now=NOW,
        )
        yield served


def _rows(html: str) -> list[list[str]]:
    table = LexborHTMLParser(html).css("table.queue tbody tr")
    return [[cell.text(separator=" ", strip=True) for cell in row.css("td")[1:]] for row in table]


def test_the_queue_shows_what_an_agent_needs_to_pick_a_ticket(site: Site) -> None:
    # given: an agent signed in
    agent = site.sign_in(AGENT)
    # when: the queue is opened, newest received first
    rows = _rows(agent.get("/queue").text)
    # then: each row has the ticket's own time, the customer's name, subject and snippet,
    # and labels instead of codes; the customer with two tickets is marked on each
    assert [row[0] for row in rows] == ["2026-11-30 09:40", "2026-11-30 08:12", "2026-11-29 17:05"]
    assert rows[0][1].startswith("Maja") and "+1 open" in rows[0][1]
    assert "Kvitto" in rows[0][2] and "kvitto på min senaste" in rows[0][2]
    assert "Tom" in rows[2][1] and "+1 open" not in rows[2][1]
    assert not any("_" in row[3] or "_" in row[4] for row in rows)  # no raw codes
    # and: oldest first reverses the order, and the choice stays in the page's links
    oldest = agent.get("/queue", params={"sort": "oldest"}).text
    assert _rows(oldest)[0][0] == "2026-11-29 17:05"


def test_the_queue_searches_the_message_text(site: Site) -> None:
    agent = site.sign_in(AGENT)
    # when: the agent searches for a word of one message, and for a ticket's id
    by_word = _rows(agent.get("/queue", params={"q": "TRACKING"}).text)
    by_id = _rows(agent.get("/queue", params={"q": "zd-5102"}).text)
    # then: each finds that ticket alone
    assert len(by_word) == 1 and "Where is my parcel" in by_word[0][2]
    assert len(by_id) == 1 and "Kvitto" in by_id[0][2]


def _the_vase_and_its_agent(site: Site) -> tuple[int, User]:
    """The broken vase's decision (as the agent's queue links it) and the agent."""
    agent = site.sign_in(AGENT)
    decision_id = int(_ticket_id(agent.get("/queue").text, "Trasig vas").rsplit("/", 1)[1])
    with site.engine.connect() as connection:
        user = find_user(connection, AGENT)
    assert user is not None
    return decision_id, user


def _ticket_id(agent_page: str, subject: str) -> str:
    for link in LexborHTMLParser(agent_page).css("table.queue a[href^='/tickets/']"):
        if subject in link.text():
            return str(link.attributes["href"])
    raise AssertionError(f"no ticket {subject!r} in the queue")


def test_an_html_mail_is_shown_rendered_and_safe(site: Site) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Trasig vas")
    # when: the ticket of an HTML e-mail is opened
    message = LexborHTMLParser(agent.get(path).text).css_first(".message")
    assert message is not None
    # then: it reads as text with its markup, entities decoded; no script, no remote image
    assert "Vasen kom fram i två delar idag." in message.text(separator="")
    assert message.css_first("b") is not None and "<div>" not in message.text()
    assert message.css_first("script") is None and message.css_first("img") is None


def test_the_reply_an_agent_saved_is_the_one_shown_and_a_refusal_keeps_the_choices(
    site: Site,
) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Where is my parcel")
    edited = "Hi Tom,\n\nWe have asked the carrier where the lamp is.\n\nBest regards,\nNordhem"
    # when: the agent approves with an edited reply, and later reopens the ticket
    saved = agent.post(f"{path}/review", data={"csrf": csrf_of(agent, path), "reply": edited})
    assert saved.status_code == 303
    page = LexborHTMLParser(agent.get(path).text)
    # then: the reply shown is the edited one
    reply = page.css_first("#reply")
    assert reply is not None and reply.text().replace("\r\n", "\n") == edited
    # when: an override is sent without a reason
    refused = agent.post(
        f"{path}/review",
        data={"csrf": csrf_of(agent, path), "remedy": "human_review", "reply": "draft 2"},
    )
    # then: it is refused with the reason, the chosen remedy and the reply kept as sent
    page = LexborHTMLParser(refused.text)
    chosen = page.css_first("#remedy-choice option[selected]")
    assert refused.status_code == 422 and "needs a reason" in refused.text
    assert chosen is not None and chosen.attributes["value"] == "human_review"
    assert page.css_first("#reply").text() == "draft 2"  # type: ignore[union-attr]


def test_error_pages_offer_a_way_back(site: Site) -> None:
    agent = site.sign_in(AGENT)
    # when: the agent opens an address that does not exist, and the managers' page
    missing, forbidden = agent.get("/no/such/page"), agent.get("/admin")
    # then: each answers its status with a page that names it and links to the queue
    for answer, status, heading in ((missing, 404, "Not found"), (forbidden, 403, "Not allowed")):
        page = LexborHTMLParser(answer.text)
        assert answer.status_code == status and heading in answer.text
        assert page.css_first("nav a[href='/queue']") is not None


def test_the_ticket_page_shows_the_orders_lines_and_links_out(
    sqlite_url: str, reader: EmbeddedReader
) -> None:
    # given: a shop with its orders imported, Zendesk and the Shopify domain configured,
    # and a ticket about one of the orders
    shop = {
        "zendesk_url": "https://nordhem.zendesk.com",
        "shopify_shop_domain": "nordhem.myshopify.com",
    }
    for site in serve_site(sqlite_url, reader, **shop):
        settings = Settings(db=sqlite_url)
        orders = FIXTURES / "shopify" / "orders_for_triage.csv"
        import_file(
            site.engine, kind=ImportKind.SHOPIFY_ORDERS, path=orders, settings=settings, now=NOW
        )
        records = read_tickets(FIXTURES / "zendesk" / "tickets_export.json")
        triage_tickets(
            site.engine,
            records=records,
            guide=load_guide(settings),
            reader=reader,
            settings=settings,
            now=NOW - timedelta(days=3),
        )
        agent = site.sign_in(AGENT)
        pages = [
            LexborHTMLParser(agent.get(link.attributes["href"] or "").text)
            for link in LexborHTMLParser(agent.get("/queue").text).css(
                "table.queue a[href^='/tickets/']"
            )
        ]
        # when: the tickets' pages are opened
        with_order = [page for page in pages if page.css_first("table.lines tbody tr")]
        # then: a ticket about a known order lists its lines; each links to its Zendesk ticket
        assert with_order, "some Zendesk ticket of the fixture names an imported order"
        for page in pages:
            hrefs = [a.attributes.get("href") or "" for a in page.css("#h-order ~ p a")]
            assert any(h.startswith("https://nordhem.zendesk.com/agent/tickets/") for h in hrefs)
        # and the customer's figures say they are today's (the site's 2026-11-24), not the
        # decision's day, three days before
        known = [page.css_first("#customer-as-of") for page in pages]
        assert any(known) and all("2026-11-21" in note.text() for note in known if note is not None)
        # and beside the reply: it is signed with the demo shop's name, and how to change it
        notices = [page.css_first("#demo-name") for page in pages]
        assert all(n is not None and "Replies are signed 'Nordhem'" in n.text() for n in notices)


def test_the_dashboards_charts_say_what_their_axes_measure(site: Site) -> None:
    agent = site.sign_in(AGENT)
    # when: the dashboard is opened over all time
    page = LexborHTMLParser(agent.get("/dashboard", params={"days": "all"}).text)
    daily = [
        svg for svg in page.css("svg.chart") if "per day" in (svg.attributes["aria-label"] or "")
    ]
    # then: each daily chart names its axes and the count its top stands for; bars use labels
    assert len(daily) == 2
    for svg in daily:
        texts = [text.text() for text in svg.css("text")]
        assert "tickets" in texts and "day the ticket came" in texts and "0" in texts
        assert any(text.isdigit() and int(text) >= 1 for text in texts if text != "0")
    assert "Damaged item" in page.text() and "damaged_item" not in page.text()


def _shown_reply(agent: Any, path: str) -> tuple[str, LexborHTMLParser]:
    page = LexborHTMLParser(agent.get(path).text)
    reply = page.css_first("#reply")
    assert reply is not None
    return reply.text().replace("\r\n", "\n"), page


def _override(agent: Any, path: str, remedy: str, reason: str, reply: str) -> Any:
    """The review form sent with another remedy than the guide's; the fixture's orders came
    from files without Shopify ids, so the agent ticks that they did the shop's part by
    hand."""
    data = {
        "csrf": csrf_of(agent, path),
        "remedy": remedy,
        "reason": reason,
        "reply": reply,
        "done_by_hand": "yes",
    }
    return agent.post(f"{path}/review", data=data)


def test_an_override_redrafts_the_reply_the_agent_left_as_drafted(site: Site) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Where is my parcel")
    drafted, _ = _shown_reply(agent, path)
    # when: the agent overrides to a free reship, sending the draft as the browser does
    # (its lines ended CRLF)
    sent = _override(
        agent,
        path,
        "reship_free",
        "the lamp is lost, we send another",
        drafted.replace("\n", "\r\n"),
    )
    assert sent.status_code == 303
    # then: the reply shown (and saved with the review) is the guide's for a free reship,
    # greeting Tom, in English; the page says it was redrafted
    reply, page = _shown_reply(agent, path)
    assert reply != drafted and reply.startswith("Hi Tom,")
    assert "We will send you a new parcel" in reply and "at no cost to you" in reply
    assert "Redrafted for" in page.css_first("#reply-note").text()  # type: ignore[union-attr]
    assert "(reply edited)" not in page.css_first("#h-reviews ~ ul").text()  # type: ignore[union-attr]
    # when: the agent overrides again, to human review, leaving the redraft as it is
    _override(agent, path, "human_review", "a colleague knows this customer", reply)
    # then: the reply is redrafted once more, for the new remedy
    again, _ = _shown_reply(agent, path)
    assert again.startswith("Hi Tom,") and "A colleague will look into it" in again


def test_an_override_keeps_a_reply_edited_by_hand_and_says_so(site: Site) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Where is my parcel")
    edited = "Hi Tom,\n\nA new lamp leaves us today.\n\nBest regards,\nNordhem"
    # when: the agent overrides with a reply of their own
    _override(agent, path, "reship_free", "lost in transit", edited)
    # then: their reply is kept and the page says so, with the guide's draft beside it
    reply, page = _shown_reply(agent, path)
    note = page.css_first("#reply-note")
    draft = page.css_first("#guide-draft")
    assert reply == edited
    assert note is not None and "edited by hand, so it was kept" in note.text()
    assert draft is not None and "We will send you a new parcel" in draft.text()
    assert page.css_first("#reply").attributes["data-drafted"] == "no"  # type: ignore[union-attr]
    assert "(reply edited)" in page.css_first("#h-reviews ~ ul").text()  # type: ignore[union-attr]


def test_the_draft_for_another_remedy_is_there_for_the_page_to_fetch(site: Site) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Trasig vas")
    # when: the page asks for the draft of another remedy, and of one that does not exist
    draft = agent.get(f"{path}/draft", params={"remedy": "reship_free"})
    unknown = agent.get(f"{path}/draft", params={"remedy": "free_money"})
    # then: the first is the guide's reply in the ticket's language (Swedish, greeting
    # Maja); the second is refused with the reason
    assert draft.status_code == 200
    assert draft.json()["language"] == "sv" and draft.json()["label"]
    assert draft.json()["text"].startswith("Hej Maja!")
    assert "Vi skickar ett nytt paket" in draft.json()["text"]
    assert unknown.status_code == 422 and "unknown remedy" in unknown.text


def test_the_guide_page_names_the_guide_and_shows_its_reply_templates(site: Site) -> None:
    agent = site.sign_in(AGENT)
    # when: the agent opens the guide in force (the default one)
    answer = agent.get("/guide")
    page = LexborHTMLParser(answer.text)
    # then: it is named by its title and version, its origin in words, not a placeholder
    heading = page.css_first("h1")
    assert heading is not None and heading.text() == "Nordhem resolution guide"
    version = page.css_first(".guide-version")
    assert version is not None and "from the default guide (default.yaml)" in version.text()
    assert "<default guide" not in answer.text and "&lt;default guide" not in answer.text
    # and: it says the replies are signed with the demo shop's name, and how to change it
    notice = page.css_first("#demo-name")
    assert notice is not None and "Replies are signed 'Nordhem'" in notice.text()
    # and: each rule links to its reply, and each reply shows both languages' templates,
    # with the rules that use it
    link = page.css_first("table a[href='#reply-reship_free_to_given_address']")
    assert link is not None
    reship = page.css_first("#reply-reship_free")
    assert reship is not None
    texts = {pre.attributes["lang"]: pre.text() for pre in reship.css("pre.template")}
    assert set(texts) == {"sv", "en"}
    assert "Vi skickar ett nytt paket" in texts["sv"] and "{{ first_name }}" in texts["en"]
    assert "used by" in reship.css_first("summary").text()  # type: ignore[union-attr]
    names = [section.attributes["id"] for section in page.css(".reply-template")]
    assert len(names) == len(set(names)) >= 20


def test_the_draft_follows_what_a_replace_or_refund_carries_out(site: Site) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Trasig vas")

    def drafted(**params: str) -> Any:
        return agent.get(f"{path}/draft", params={"remedy": "replace_or_refund", **params})

    # when: the page asks for the drafts of a replace or refund: as it stands (Maja said
    # nothing of what she wants, so she is asked), with a replacement, with a refund
    asked, replaced, refunded = drafted(), drafted(choice="replacement"), drafted(choice="refund")
    # then: each is the guide's reply for that choice, in Swedish, greeting Maja
    assert asked.json()["template"] == "replace_or_refund"
    assert "Vill du att vi skickar en ny vara" in asked.json()["text"]
    assert replaced.json()["template"] == "replacement_on_its_way"
    assert replaced.json()["label"] == "Replace or refund: Send a replacement"
    assert replaced.json()["text"].startswith("Hej Maja!")
    assert "En ny vara är på väg till dig utan kostnad" in replaced.json()["text"]
    assert refunded.json()["template"] == "refund_made"
    assert "på väg tillbaka till samma betalsätt" in refunded.json()["text"]
    assert "5 bankdagar innan" in refunded.json()["text"]
    for answer in (replaced, refunded):
        assert "inte skicka tillbaka något" in answer.json()["text"]
        assert "Vill du" not in answer.json()["text"]
    # and: a choice that does not exist is refused with the reason
    unknown = drafted(choice="store_credit")
    assert unknown.status_code == 422 and "unknown choice" in unknown.text


def test_an_override_to_replace_or_refund_with_a_replacement_says_so_and_records_it(
    site: Site,
) -> None:
    agent = site.sign_in(AGENT)
    path = _ticket_id(agent.get("/queue").text, "Trasig vas")
    drafted, page = _shown_reply(agent, path)
    # given: the choice is offered only once the remedy is a replace or refund
    assert "hidden" in page.css_first("#choice-row").attributes  # type: ignore[union-attr]
    options = [option.text() for option in page.css("#choice option")]
    assert options == ["Ask the customer", "Send a replacement", "Refund"]
    # when: the agent overrides to it, choosing a replacement, the reply left as drafted
    data = {
        "csrf": csrf_of(agent, path),
        "remedy": "replace_or_refund",
        "choice": "replacement",
        "reason": "a broken vase is our mistake; she wants a new one",
        "reply": drafted,
        "done_by_hand": "yes",  # no Shopify order: the agent sends the replacement by hand
    }
    assert agent.post(f"{path}/review", data=data).status_code == 303
    # then: the reply is the guide's for a replacement, and the history names the choice
    reply, page = _shown_reply(agent, path)
    assert "En ny vara är på väg till dig utan kostnad" in reply
    assert "Redrafted for" in page.css_first("#reply-note").text()  # type: ignore[union-attr]
    history = page.css_first("#h-reviews ~ ul").text()  # type: ignore[union-attr]
    assert "override to Replace or refund (send a replacement): a broken vase" in history
    assert "(reply edited)" not in history
    chosen = page.css_first("#choice option[selected]")
    assert chosen is not None and chosen.attributes["value"] == "replacement"


def test_a_guide_without_the_reply_for_a_choice_never_sends_the_question_with_it(
    site: Site,
) -> None:
    # given: a guide whose replies predate the choice (no refund_made)
    text = default_guide_text()
    start = text.index("  refund_made:\n")
    end = text.index("  reship_free_to_given_address:\n")
    older = parse_guide(text[:start] + text[end:], source="older.yaml")
    decision_id, user = _the_vase_and_its_agent(site)
    # when: the agent overrides to a replace or refund with a refund, the reply as drafted
    with pytest.raises(EvenhandError) as refused:
        review_decision(
            site.engine,
            decision_id=decision_id,
            user=user,
            remedy="replace_or_refund",
            reason="her money back",
            reply_text=None,
            now=NOW,
            guide=older,
            choice="refund",
        )
    # then: it is refused, saying the guide has no such reply and the agent writes one
    assert refused.value.code is InputError.MISSING_VALUE
    assert "refund_made" in refused.value.message and "write the reply" in refused.value.message


@pytest.mark.parametrize(
    ("written", "code", "said"),
    [
        ("   \n ", InputError.MISSING_VALUE, "a reply needs some text"),
        (
            "You may send it back within 14 days, unused and in its original packaging.",
            InputError.BAD_VALUE,
            '"unused"',
        ),
        ("As one of our VIP customers you get a new vase.", InputError.BAD_VALUE, "reveals"),
        ("Du kan skicka tillbaka den inom 7 dagar.", InputError.BAD_VALUE, "right of withdrawal"),
    ],
)
def test_a_reply_the_agent_writes_is_read_like_the_guides_own(
    site: Site, written: str, code: InputError, said: str
) -> None:
    # given: the broken vase's decision, and an agent who edits its reply
    decision_id, user = _the_vase_and_its_agent(site)
    # when: the approval carries a blank reply, a packaging condition on a return, a word
    # that says a tier, or a window under the law
    with pytest.raises(EvenhandError) as refused:
        _approve_with(site, decision_id, user, written)
    # then: it is refused, saying why, and nothing is approved
    assert refused.value.code is code and said in refused.value.message
    with site.engine.connect() as connection:
        kept = connection.execute(select(reviews).where(reviews.c.decision_id == decision_id))
        assert kept.first() is None


def _approve_with(site: Site, decision_id: int, user: User, written: str) -> None:
    """The agent approves the decision with a reply of their own, under the default guide."""
    review_decision(
        site.engine,
        decision_id=decision_id,
        user=user,
        remedy=None,
        reason="",
        reply_text=written,
        now=NOW,
        guide=parse_guide(default_guide_text(), source="default.yaml"),
        done_by_hand=True,
    )


def test_a_reply_the_agent_writes_in_ordinary_words_is_approved(site: Site) -> None:
    # given: the broken vase's decision
    decision_id, user = _the_vase_and_its_agent(site)
    # when: the agent's reply says what it did, asks for a photo of the box, and says the
    # original packaging is not needed
    written = (
        "Hej! Vi har granskat ditt ärende och skickar en ny vas. Skicka gärna en bild på "
        "kartongen. Du behöver inte spara originalförpackningen. We have reviewed your case."
    )
    _approve_with(site, decision_id, user, written)
    # then: it is approved with the agent's words
    with site.engine.connect() as connection:
        kept = connection.execute(
            select(reviews.c.reply_text).where(reviews.c.decision_id == decision_id)
        ).scalar_one()
    assert kept == written


def test_the_queue_filters_read_as_words_not_codes(site: Site) -> None:
    # when an agent opens the queue
    page = LexborHTMLParser(site.sign_in(AGENT).get("/queue").text)

    def shown(name: str) -> dict[str, str]:
        options = page.css(f"#f-{name} option")
        return {o.attributes.get("value") or "": o.text(strip=True) for o in options}

    # then no filter says "any" twice, and codes are said in words
    threat, tier, dispute = shown("threat"), shown("tier"), shown("dispute")
    assert threat[""] == "all" and threat["any"] == "some signal"
    assert threat["chargeback_threat"] == "a chargeback threat" and tier["vip"] == "VIP"
    assert threat["chargeback_filed"] == "a dispute said to be filed"
    assert dispute["this_order"] == "on this order"
    assert not [text for text in threat.values() if "_" in text]


def test_a_bad_address_on_a_page_answers_a_page_not_json(site: Site) -> None:
    agent = site.sign_in(AGENT)
    for path, field in (("/queue?before=abc", "before"), ("/tickets/abc", "decision_id")):
        # when a signed-in agent follows an address with a bad value
        answer = agent.get(path)
        # then a page names the field, and offers the way back (not sign-in again)
        assert answer.status_code == 422, path
        assert answer.headers["content-type"].startswith("text/html"), path
        page = LexborHTMLParser(answer.text)
        alert = page.css_first("[role=alert]")
        assert alert is not None and field in alert.text(), (path, alert)
        links = [a.attributes.get("href") for a in page.css("nav a")]
        assert "/queue" in links and "/login" not in links


def test_the_guide_page_lists_the_replies_of_each_choice(site: Site) -> None:
    page = LexborHTMLParser(site.sign_in(AGENT).get("/guide").text)
    for name, words in (
        ("replacement_on_its_way", "En ny vara är på väg"),
        ("refund_made", "på väg tillbaka"),
    ):
        section = page.css_first(f"#reply-{name}")
        assert section is not None, name
        texts = {pre.attributes["lang"]: pre.text() for pre in section.css("pre.template")}
        assert set(texts) == {"sv", "en"} and words in texts["sv"]


@pytest.mark.parametrize(("length", "pages"), [(2, 2), (3, 1)])
def test_the_queue_offers_a_next_page_only_when_there_is_one(
    site: Site, monkeypatch: pytest.MonkeyPatch, length: int, pages: int
) -> None:
    # given the three tickets, and pages of `length` rows
    monkeypatch.setattr("evenhand.actions.reviews.QUEUE_LENGTH", length)
    agent = site.sign_in(AGENT)
    # when the agent follows 'Next page' as long as it is offered
    seen, path = [], "/queue"
    while path:
        page = LexborHTMLParser(agent.get(path).text)
        seen.append(len(page.css("table.queue tbody tr")))
        link = next((a for a in page.css("nav.pages a") if a.text() == "Next page"), None)
        path = (link.attributes.get("href") or "") if link else ""
    # then every ticket is on a page and no page is empty (three rows on pages of three:
    # one page, with no link to an empty one)
    assert sum(seen) == 3 and len(seen) == pages and 0 not in seen


def _first_ticket(agent: Any) -> str:
    """The address of the queue's first ticket."""
    link = LexborHTMLParser(agent.get("/queue").text).css_first("table.queue a[href^='/tickets/']")
    assert link is not None
    return link.attributes["href"] or ""


def test_save_and_next_says_the_review_was_saved_on_the_next_ticket(site: Site) -> None:
    # given the agent on the first ticket of the queue
    agent = site.sign_in(AGENT)
    first = _first_ticket(agent)
    # when they approve it with 'Save and next'
    form = {"csrf": csrf_of(agent, first), "then": "next"}
    answer = agent.post(f"{first}/review", data=form)
    # then the next ticket says the previous review is saved, with a link back to it
    assert answer.status_code == 303 and not answer.headers["location"].startswith(first + "?")
    saved = LexborHTMLParser(agent.get(answer.headers["location"]).text).css_first("#saved")
    assert saved is not None and "previous ticket" in saved.text()
    assert saved.css_first(f"a[href='{first}']") is not None


def test_after_an_override_the_ticket_page_shows_the_remedy_in_force(site: Site) -> None:
    # given an agent who overrides the first ticket to a person's review
    agent = site.sign_in(AGENT)
    first = _first_ticket(agent)
    form = {"csrf": csrf_of(agent, first), "remedy": "human_review", "reason": "unclear"}
    assert agent.post(f"{first}/review", data=form).status_code == 303
    # when the page is opened again
    page = LexborHTMLParser(agent.get(first).text)
    # then it says the remedy in force, and 'keep' keeps that one
    shown = page.css_first("#remedy-in-force")
    assert shown is not None and "overridden to" in shown.text()
    keep = page.css_first("#remedy-choice option[value='']")
    assert keep is not None and shown.text().split("overridden to ")[1].rstrip(")") in keep.text()
