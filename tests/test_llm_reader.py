"""The optional LLM reader (issue 23) against a local server that speaks the
chat-completions contract (`tests/llm_fake.py`): good answers, 429 with Retry-After, 5xx,
answers past the timeout, malformed and schema-breaking JSON, the day's budget, the
second-opinion mode, what is sent (the message only), what is recorded per decision, and
that the LLM's signals only tag: the guide never sees them. Nothing reaches the internet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from rich.console import Console
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine, select

from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, drain
from evenhand.actions.inbox_status import inbox_status
from evenhand.actions.llm import with_llm
from evenhand.actions.reader import load_reader
from evenhand.actions.service import receive_delivery
from evenhand.actions.triage import TriageReport, triage_tickets
from evenhand.actions.writeback import Helpdesks
from evenhand.cli import render_decisions, render_service
from evenhand.errors import EvenhandError, SettingsError
from evenhand.ingest.tickets import TicketIn, read_tickets
from evenhand.settings import Settings
from evenhand.store.tables import decisions, llm_readings
from evenhand.understand.llm_reader import LlmReader, estimated_tokens
from evenhand.understand.llm_schema import Fallback, LlmMode, request_body
from evenhand.understand.model import LLM_STAGE, Intent, Message, SignalKind
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.json_server import Answer
from tests.llm_fake import (
    BROKEN,
    MODEL,
    Llm,
    a_reading,
    completion,
    llm_endpoint,
    payload,
    read,
)
from tests.sites import LEAD, serve_site
from tests.test_triage import TICKETS, a_shop
from tests.test_worker_failures import zendesk_ticket

WHERE = "Hej, var är mitt paket? Jag beställde för två veckor sedan och har inte fått något."
VAGUE = "Hello, a question about my thing"
# No threat the built-in reader sees; an LLM may call it one.
HINT = "Honestly my cousin works at a bank and knows how these things go."


@pytest.fixture
def llm() -> Iterator[Llm]:
    with llm_endpoint(NOW) as endpoint:
        yield endpoint


# Good answers


def test_a_good_answer_gives_the_language_and_intent_and_what_it_took(
    llm: Llm, reader: EmbeddedReader
) -> None:
    # Given an endpoint that reads the message as a wrong item, in Swedish
    llm.fake.reading = a_reading("wrong_item", language="sv", confidence=0.81)
    # When the LLM reader reads it
    [reading] = read(llm.reader(reader), BROKEN)
    # Then its reading is the LLM's, the built-in one is the runner-up, and the use is kept
    assert (reading.intent, reading.confidence, reading.language) == (Intent.WRONG_ITEM, 0.81, "sv")
    assert (reading.runner_up, reading.intent_source) == (Intent.DAMAGED_ITEM, LLM_STAGE)
    assert reading.reader == f"llm:{MODEL}"
    assert reading.llm is not None
    assert (reading.llm.prompt_tokens, reading.llm.completion_tokens) == (412, 31)
    assert (reading.llm.attempts, reading.llm.fallback) == (1, None)


def test_the_request_is_structured_output_over_the_message_text_alone(
    llm: Llm, reader: EmbeddedReader
) -> None:
    read(llm.reader(reader), f"<p>{BROKEN}</p>\n\nSent from my iPhone")
    [body] = llm.fake.requests
    assert set(body) == {"model", "messages", "temperature", "max_tokens", "response_format"}
    assert body["model"] == MODEL
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert llm.fake.texts == [BROKEN]  # cleaned: no markup, no signature
    schema = body["response_format"]["json_schema"]
    assert body["response_format"]["type"] == "json_schema" and schema["strict"] is True
    properties = schema["schema"]["properties"]
    assert set(properties["intent"]["enum"]) == {intent.value for intent in Intent}
    assert len(properties["intent"]["enum"]) == 22
    kinds = properties["signals"]["items"]["properties"]["kind"]["enum"]
    assert set(kinds) == {kind.value for kind in SignalKind}


def test_triage_sends_no_customer_order_value_or_tier(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given a shop with customers and orders, and tickets of theirs
    settings = a_shop(engine, db_url)
    records = read_tickets(TICKETS)
    # When they are triaged with every message sent to the LLM
    report = _triage(engine, settings, llm.reader(reader, db=db_url), records)
    # Then each request holds the instructions and the message's own text, nothing else
    tickets = [record for record in records if isinstance(record, TicketIn)]
    assert len(llm.fake.requests) == len(tickets) == len(report.decided)
    for ticket, body, text in zip(tickets, llm.fake.requests, llm.fake.texts, strict=True):
        assert text == reader.intent_text(ticket.body, ticket.subject)
        sent = json.dumps(body).casefold()
        assert ticket.customer_email.casefold() not in sent
        assert '"vip"' not in sent and "ltv" not in sent and "tier" not in sent


# The budget and the modes


def test_over_the_days_budget_nothing_is_sent(llm: Llm, reader: EmbeddedReader) -> None:
    [reading] = read(llm.reader(reader, llm_budget_tokens_per_day=100), BROKEN)
    assert reading.llm is not None and reading.llm.fallback == Fallback.OVER_BUDGET
    assert llm.fake.requests == [] and reading.llm.tokens == 0


def test_the_budget_counts_what_was_used_today_and_starts_again_tomorrow(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given a budget for about two requests a day, and one day's triage that used two
    settings = a_shop(engine, db_url)
    records = [record for record in read_tickets(TICKETS) if isinstance(record, TicketIn)]
    budget: dict[str, Any] = {"llm_budget_tokens_per_day": 10_500, "db": db_url}
    big: Answer = (200, {}, completion(json.dumps(a_reading()), prompt_tokens=5000))
    llm.fake.script.extend([big, big])
    first = _triage(engine, settings, llm.reader(reader, **budget), records[:2])
    assert [d.stored.decision_id for d in first.decided]
    # When a new process reads more the same day
    again = llm.reader(reader, **budget)
    readings = again.read_many([Message(body=BROKEN), Message(body=BROKEN)])
    # Then the day's stored tokens count: nothing more is sent
    assert [r.llm.fallback for r in readings if r.llm] == ["over_budget", "over_budget"]
    # And the next day it is sent again
    tomorrow = with_llm(
        reader,
        llm.settings(**budget),
        clock=lambda: NOW + timedelta(days=1),
        sleep=llm.waits.append,
    )
    [next_day] = tomorrow.read_many([Message(body=BROKEN)])
    assert next_day.llm is not None and next_day.llm.fallback is None


def test_second_opinion_asks_only_when_the_built_in_reader_is_unsure_or_says_other(
    llm: Llm, reader: EmbeddedReader
) -> None:
    # Given the built-in reader is sure of two messages and not of the third (other)
    sure, vague = reader.read_many([Message(body=WHERE)]), reader.read_many([Message(body=VAGUE)])
    assert sure[0].confidence > 0.9 and vague[0].intent is Intent.OTHER
    llm.fake.reading = a_reading("product_question", confidence=0.7)
    # When the LLM reader reads them in second_opinion mode
    second = llm.reader(reader, llm_mode=LlmMode.SECOND_OPINION)
    readings = read(second, WHERE, VAGUE, BROKEN)
    # Then only the unsure one went to the LLM, and only it was read by it
    assert llm.fake.texts == [VAGUE]
    assert [r.llm is not None for r in readings] == [False, True, False]
    assert readings[1].intent is Intent.PRODUCT_QUESTION
    assert readings[0] == sure[0]
    # And below a higher line the sure-but-not-that-sure ones go too
    pickier = llm.reader(reader, llm_mode=LlmMode.SECOND_OPINION, llm_second_opinion_below=1.0)
    read(pickier, BROKEN)
    assert llm.fake.texts[-1] == BROKEN


def test_requests_sent_at_once_keep_each_reading_with_its_message(
    llm: Llm, reader: EmbeddedReader
) -> None:
    # Given an endpoint whose answer depends on the message, and eight messages
    intents = ["damaged_item", "wrong_item", "missing_item", "feedback"]
    bodies = [f"{BROKEN} ({n})" for n in range(8)]
    llm.fake.reading_of = lambda text: a_reading(intents[int(text[-2]) % 4])
    # When four requests go at once, under a budget that reserves for four at a time
    body = request_body(model=MODEL, text=bodies[0], max_tokens=300)
    budget = 4 * estimated_tokens(body, 300)  # each uses 443 of its estimate
    many = llm.reader(reader, llm_concurrency=4, llm_budget_tokens_per_day=budget)
    readings = read(many, *bodies)
    # Then each reading is its own message's, and the budget held
    used = [r for r in readings if r.llm and r.llm.fallback is None]
    assert 4 <= len(used) < 8 and sum(r.llm.tokens for r in used if r.llm) <= budget
    assert {r.llm.fallback for r in readings if r.llm} == {None, "over_budget"}
    for n, reading in enumerate(readings):
        if reading.llm and reading.llm.fallback is None:
            assert reading.intent.value == intents[n % 4]


def test_with_the_mode_off_the_reader_is_the_built_in_one(reader: EmbeddedReader) -> None:
    assert with_llm(reader, Settings(llm_mode=LlmMode.OFF, llm_base_url="http://x")) is reader


def test_a_mode_without_an_endpoint_is_refused_naming_the_setting(reader: EmbeddedReader) -> None:
    with pytest.raises(EvenhandError) as refused:
        with_llm(reader, Settings(llm_mode=LlmMode.ALL, llm_model=MODEL))
    assert refused.value.code is SettingsError.BAD_SETTINGS
    assert "llm_base_url (EVENHAND_LLM_BASE_URL)" in str(refused.value)


def test_load_reader_puts_the_llm_reader_around_the_reader_in_force(
    llm: Llm, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENHAND_LLM_MODE", "second_opinion")
    monkeypatch.setenv("EVENHAND_LLM_BASE_URL", llm.base_url)
    monkeypatch.setenv("EVENHAND_LLM_MODEL", MODEL)
    loaded = load_reader(Settings(db=sqlite_url))
    assert isinstance(loaded, LlmReader) and loaded.config.mode is LlmMode.SECOND_OPINION
    assert loaded.base.name == "built-in"


# The guide never sees the LLM's signals


def test_the_llms_signals_only_tag_they_never_reach_the_facts_or_the_remedy(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given a ticket with a sentence only an LLM calls a threat (a dispute filed, even)
    settings = a_shop(engine, db_url)
    [ticket] = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:1]
    ticket = _with_body(ticket, f"{BROKEN} {HINT}")
    plain = a_reading("damaged_item")
    claims = [
        {"kind": "chargeback_filed", "evidence": HINT},
        {"kind": "review_threat", "evidence": HINT.upper()},  # case and spaces do not matter
        {"kind": "chargeback_threat", "evidence": "I will call my bank tomorrow."},  # not there
    ]
    # When it is decided once with the LLM seeing no threat and once with it seeing them
    llm.fake.reading = plain
    without = _triage(engine, settings, llm.reader(reader, db=db_url), [ticket]).decided[0]
    llm.fake.reading = plain | {"signals": claims}
    with_them = _triage(
        engine, settings, llm.reader(reader, db=db_url), [ticket], now=NOW + timedelta(hours=1)
    ).decided[0]
    # Then the facts, the rule and the remedy are the same; the signals are tags beside them
    assert with_them.decision.facts == without.decision.facts
    assert (with_them.decision.rule_id, with_them.decision.remedy) == (
        without.decision.rule_id,
        without.decision.remedy,
    )
    added = with_them.decision.reading.signals
    assert [(s.kind.value, s.source.stage) for s in added] == [
        ("chargeback_filed", LLM_STAGE),
        ("review_threat", LLM_STAGE),
    ]  # the evidence the message does not hold is dropped
    tags = set(with_them.decision.tags) - set(without.decision.tags)
    assert tags == {"threat:chargeback_filed", "threat:review_threat"}
    assert with_them.decision.facts.dispute.value == "none"
    assert with_them.decision.reply_text == without.decision.reply_text


def test_a_dispute_the_built_in_reader_reads_still_routes_the_ticket(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    settings = a_shop(engine, db_url)
    [ticket] = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:1]
    filed = "I got the wrong colour. I have already asked my bank to reverse the payment."
    llm.fake.reading = a_reading("wrong_item")
    decided = _triage(
        engine, settings, llm.reader(reader, db=db_url), [_with_body(ticket, filed)]
    ).decided[0]
    assert decided.decision.facts.dispute.value == "claimed"  # the built-in reader's signal


# Recorded per decision, shown in `inbox status`


def test_each_decision_records_tokens_latency_and_fallback_and_status_sums_them(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given three tickets: one read by the LLM, one past a 429 twice, one malformed
    settings = a_shop(engine, db_url)
    records = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:3]
    llm.fake.script.extend(
        [
            (200, {}, completion(json.dumps(a_reading()), prompt_tokens=400, completion_tokens=30)),
            (429, {"Retry-After": "1"}, payload("rate_limited.json")),
            (429, {"Retry-After": "1"}, payload("rate_limited.json")),
            (200, {}, completion("{", prompt_tokens=390, completion_tokens=1)),
        ]
    )
    report = _triage(engine, settings, llm.reader(reader, db=db_url), records)
    # Then each decision has its row
    with engine.connect() as connection:
        rows = connection.execute(select(llm_readings).order_by(llm_readings.c.id)).all()
    ids = [d.stored.decision_id for d in report.decided]
    assert [row.decision_id for row in rows] == ids
    assert [(r.prompt_tokens, r.completion_tokens, r.attempts, r.fallback) for r in rows] == [
        (400, 30, 1, None),
        (0, 0, 2, "rate_limited"),
        (390, 1, 1, "malformed"),
    ]
    assert all(row.latency_ms >= 0 and row.model == MODEL for row in rows)
    # And `inbox status` sums today's, priced
    priced = llm.settings(
        db=db_url,
        llm_price_per_1k_prompt_tokens="0.15",
        llm_price_per_1k_completion_tokens="0.60",
    )
    status = inbox_status(engine, now=NOW, silent_seconds=60, settings=priced).as_json()
    today = status["llm_reader"]["today"]
    assert (today["asked"], today["used"]) == (3, 1)
    assert (today["prompt_tokens"], today["completion_tokens"]) == (790, 31)
    assert today["fallbacks"] == {"malformed": 1, "rate_limited": 1}
    assert today["cost"] == "0.1371"  # 790 x 0.15/1k + 31 x 0.60/1k
    tomorrow = inbox_status(
        engine, now=NOW + timedelta(days=1), silent_seconds=60, settings=priced
    ).as_json()
    assert tomorrow["llm_reader"]["today"]["asked"] == 0
    assert tomorrow["llm_reader"]["last_30_days"]["asked"] == 3


def test_status_leaves_the_llm_out_when_it_is_off_and_unused(engine: Engine) -> None:
    status = inbox_status(engine, now=NOW, silent_seconds=60, settings=Settings())
    assert status.as_json()["llm_reader"] is None


# Helpers


def _triage(
    engine: Engine,
    settings: Settings,
    reader: LlmReader,
    records: list[Any],
    *,
    now: datetime = NOW,
) -> TriageReport:
    return triage_tickets(
        engine,
        records=records,
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=now,
    )


def _with_body(ticket: TicketIn, body: str) -> TicketIn:
    return replace(ticket, body=body, subject=None, order_name=None, history="")


def test_the_dashboard_shows_tokens_cost_and_fallbacks(
    llm: Llm, sqlite_url: str, reader: EmbeddedReader
) -> None:
    # Given the service with the LLM reader on, and two tickets read today: one by the LLM,
    # one after its answer came malformed
    priced = {
        "llm_mode": LlmMode.ALL,
        "llm_base_url": llm.base_url,
        "llm_model": MODEL,
        "llm_price_per_1k_prompt_tokens": "0.15",
        "llm_price_per_1k_completion_tokens": "0.60",
    }
    for site in serve_site(sqlite_url, reader, **priced):
        settings = a_shop(site.engine, sqlite_url)
        records = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:2]
        llm.fake.script.extend(
            [
                (200, {}, completion(json.dumps(a_reading()), prompt_tokens=6000)),
                (200, {}, completion("[]", prompt_tokens=1000, completion_tokens=2)),
            ]
        )
        _triage(site.engine, settings, llm.reader(reader, db=sqlite_url), records)
        # When a manager opens the dashboard
        page = LexborHTMLParser(site.sign_in(LEAD).get("/dashboard").text)
        # Then the LLM reader's card shows today's tokens, their cost and the fallback
        card = page.css_first("table.llm-figures")
        assert card is not None
        rows = {
            row.css("th")[0].text(): [cell.text() for cell in row.css("td")]
            for row in card.css("tbody tr")
        }
        assert rows["Asked"] == ["2", "2"] and rows["Its reading used"] == ["1", "1"]
        assert rows["Tokens"] == ["7,033", "7,033"]
        assert rows["Cost (USD)"] == ["1.07", "1.07"]  # 7,000 x 0.15/1k + 33 x 0.60/1k
        assert rows["Fell back: invalid"] == ["1", "1"]


def test_inbox_status_prints_the_llm_readers_day(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    settings = a_shop(engine, db_url)
    records = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:2]
    llm.fake.slow_next(30.0)
    _triage(engine, settings, llm.reader(reader, db=db_url, llm_timeout_seconds=0.3), records)
    status = inbox_status(engine, now=NOW, silent_seconds=60, settings=llm.settings(db=db_url))
    console = Console(record=True, width=200)
    render_service.inbox_status(console, status)
    text = console.export_text()
    assert "LLM reader (all): budget 1,000,000 tokens a day, 999,557 left today" in text
    assert "today: 2 asked, 1 used; 412 prompt + 31 completion tokens, 0.0000 USD" in text
    assert "fell back: timeout 1" in text


def test_the_worker_reads_webhook_tickets_through_the_llm_reader_and_records_each(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # Given two Zendesk tickets delivered, and an endpoint that answers the first and is
    # late for the second
    tickets = [zendesk_ticket(1, BROKEN), zendesk_ticket(2, f"{BROKEN} Again.")]
    for number, body in enumerate(tickets):
        receive_delivery(
            engine,
            source="zendesk",
            event_key=f"k{number}",
            topic="ticket.trigger",
            body=body,
            now=NOW,
        )
    llm.fake.script.extend([(200, {}, completion(json.dumps(a_reading("wrong_item")))), 30.0])
    settings = llm.settings(db=db_url, llm_timeout_seconds=0.3)
    worker = Worker(
        engine=engine,
        reader=llm.reader(reader, db=db_url, llm_timeout_seconds=0.3),
        guide=load_guide(settings),
        settings=settings,
        helpdesks=Helpdesks(),
    )
    # When the worker runs
    drain(worker, now=lambda: NOW)
    # Then both are decided, one by the LLM's reading, one by the built-in after the timeout
    with engine.connect() as connection:
        rows = connection.execute(
            select(decisions.c.intent, decisions.c.reader, llm_readings.c.fallback)
            .join(llm_readings, llm_readings.c.decision_id == decisions.c.id)
            .order_by(decisions.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("wrong_item", f"llm:{MODEL}", None),
        ("damaged_item", "built-in", "timeout"),
    ]


def test_the_triage_summary_counts_what_the_llm_read_and_why_it_did_not(
    llm: Llm, engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    settings = a_shop(engine, db_url)
    records = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn)][:3]
    llm.fake.fail_next(500)
    llm.fake.fail_next(500)
    report = _triage(engine, settings, llm.reader(reader, db=db_url), records)
    assert report.counts["llm"] == {"server_error": 1, "read": 2}
    console = Console(record=True, width=200)
    render_decisions.triage_summary(console, report)
    assert "llm: read 2, server_error 1" in console.export_text()
