"""Agents' corrections of a decision's intent (issue 23): recorded beside the decision like
an override (its own table, an audit event), shown in the ticket's history, refused with the
field and the reason, taken from the ticket page and the API, and joined to the shop's
labelled history at the next `reader learn`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from alembic import command
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Engine, select, update

from evenhand.actions.guide import load_guide
from evenhand.actions.intent_corrections import (
    Correction,
    correct_intent,
    corrected_tickets,
    intent_corrections_of,
)
from evenhand.actions.shop_reader import read_history, with_corrections
from evenhand.actions.triage import Triaged, triage_tickets
from evenhand.errors import EvenhandError, InputError, LookupFailure
from evenhand.ingest.ticket_fields import TicketIn
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.database import alembic_config, make_engine, upgrade
from evenhand.store.tables import audit_events, decisions, tickets
from evenhand.understand.model import Intent
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES, NOW
from tests.sites import AGENT, Site, csrf_of, serve_site
from tests.test_api_contract import api_over

TICKETS = FIXTURES / "tickets" / "agent_day.jsonl"


def decided(engine: Engine, reader: EmbeddedReader) -> dict[str, tuple[int, str]]:
    """The agent's day triaged: each ticket's key -> (its decision's id, the intent read)."""
    settings = Settings(db=str(engine.url))
    triage_tickets(
        engine,
        records=read_tickets(TICKETS),
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(tickets.c.ticket_key, decisions.c.id, decisions.c.intent).join(
                decisions, decisions.c.ticket_id == tickets.c.id
            )
        )
        return {key: (decision_id, intent) for key, decision_id, intent in rows}


def record_of(key: str) -> TicketIn:
    """The agent's day's ticket of this key, as read from the file."""
    [record] = [r for r in read_tickets(TICKETS) if isinstance(r, TicketIn) and r.ticket_id == key]
    return record


def another_intent(than: str, *choices: str) -> str:
    """The first of the choices (feedback, other) that is not the intent read."""
    return next(each for each in (*choices, "feedback", "other") if each != than)


def a_correction(decision_id: int, **overrides: str) -> Correction:
    values = {"intent": Intent.WRONG_ITEM.value, "note": "", "by": "agent@nordhem.example"}
    values.update(overrides)
    return Correction(decision_id, values["intent"], values["note"], values["by"])


def test_a_correction_is_recorded_beside_the_decision_with_an_audit_event(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a decided ticket
    decision_id, read_as = next(iter(decided(engine, reader).values()))
    intent = another_intent(read_as)
    # When an agent corrects its intent, with a note
    out = correct_intent(
        engine, a_correction(decision_id, intent=intent, note=" the size, not the colour "), now=NOW
    )
    # Then the correction is stored, typed, with the reading it corrects
    assert (out.read_as.value, out.intent.value, out.note) == (
        read_as,
        intent,
        "the size, not the colour",
    )
    (stored,) = intent_corrections_of(engine, decision_id)
    assert (stored["intent"], stored["corrected_by"]) == (intent, "agent@nordhem.example")
    # and the decision itself is not rewritten
    with engine.connect() as connection:
        assert (
            connection.execute(
                select(decisions.c.intent).where(decisions.c.id == decision_id)
            ).scalar_one()
            == read_as
        )
        (event,) = connection.execute(
            select(audit_events.c.subject, audit_events.c.details).where(
                audit_events.c.action == "decision intent"
            )
        ).all()
    assert event.subject == str(decision_id)
    assert event.details == {
        "by": "agent@nordhem.example",
        "from": read_as,
        "intent": intent,
        "reason": "the size, not the colour",
    }


def test_a_bad_correction_is_refused_with_the_field_and_nothing_is_stored(
    engine: Engine, reader: EmbeddedReader
) -> None:
    decision_id, read_as = next(iter(decided(engine, reader).values()))
    refusals = [
        (a_correction(decision_id, intent="where_is_my_yarn"), "intent: 'where_is_my_yarn'"),
        (a_correction(decision_id, intent=read_as), "intent: the message is already read as"),
        (a_correction(decision_id, note="x" * 2_001), "note: at most 2,000"),
        (a_correction(decision_id, note="a\x00b"), "note:"),
    ]
    for correction, reason in refusals:
        with pytest.raises(EvenhandError) as refused:
            correct_intent(engine, correction, now=NOW)
        assert refused.value.code is InputError.BAD_VALUE and reason in str(refused.value)
    with pytest.raises(EvenhandError) as missing:
        correct_intent(engine, a_correction(10**9), now=NOW)
    assert missing.value.code is LookupFailure.DECISION_NOT_FOUND
    assert intent_corrections_of(engine, decision_id) == []


def test_the_latest_correction_of_each_ticket_is_what_learn_gets(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given two tickets, one corrected twice (the second an agent's change of mind)
    (first, read_first), (second, read_second) = list(decided(engine, reader).values())[:2]
    correct_intent(engine, a_correction(first, intent=another_intent(read_first)), now=NOW)
    then = another_intent(read_first, "product_question", "account_login")
    correct_intent(engine, a_correction(first, intent=then), now=NOW)
    cancel = another_intent(read_second, "cancel_order", "change_order")
    correct_intent(engine, a_correction(second, intent=cancel), now=NOW)
    # When the corrections are read for learning
    found = corrected_tickets(engine)
    # Then each ticket comes once, with its latest correction and its message
    assert len(found) == 2
    assert (found[0].intent, found[1].intent) == (then, cancel) and found[0].body


def test_a_correction_is_learnt_with_the_words_its_decision_was_taken_on(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a ticket's message as a helpdesk gives it (with the message's id), decided
    key = next(iter(decided(engine, reader)))
    record = record_of(key)
    first = replace(record, message_key="m1")
    decision = triaged_again(engine, reader, first)
    # And corrected by an agent
    said = another_intent(decision.decision.facts.intent.value)
    correct_intent(engine, a_correction(decision.decision_id, intent=said), now=NOW)
    # When the same message is decided again (a re-triage)
    triaged_again(engine, reader, first)
    # Then its correction still counts, with its words
    assert learnt(engine, key) == [(said, record.body)]
    # When the customer writes again on the ticket, and the new message is decided
    again = replace(record, body="Tack, nu har paketet kommit! Allt är bra.", message_key="m2")
    latest = triaged_again(engine, reader, again)
    # Then learn is given the old message's words under its correction, not the new words
    assert learnt(engine, key) == [(said, record.body)]
    # And once an agent corrects the new message, both are given, each with its own words
    now_said = another_intent(latest.decision.facts.intent.value, "feedback", "product_question")
    correct_intent(engine, a_correction(latest.decision_id, intent=now_said), now=NOW)
    assert learnt(engine, key) == [(said, record.body), (now_said, again.body)]


def test_a_message_without_an_id_keeps_its_own_words_too(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a ticket from a file (its messages have no id), decided and corrected
    key, (decision_id, read) = next(iter(decided(engine, reader).items()))
    said = another_intent(read)
    correct_intent(engine, a_correction(decision_id, intent=said), now=NOW)
    record = record_of(key)
    # When the ticket is decided again on other words
    triaged_again(engine, reader, replace(record, body="Tack, nu har paketet kommit!"))
    # Then the correction is learnt with the words it was about
    assert learnt(engine, key) == [(said, record.body)]


def test_a_correction_from_before_decisions_kept_their_words_counts_while_the_latest(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a decision taken before decisions kept the words they were taken on, corrected
    key, (decision_id, read) = next(iter(decided(engine, reader).items()))
    with engine.begin() as connection:
        connection.execute(update(decisions).values(message_body=None))
    said = another_intent(read)
    correct_intent(engine, a_correction(decision_id, intent=said), now=NOW)
    record = record_of(key)
    assert learnt(engine, key) == [(said, record.body)]
    # When the ticket is decided again, on words that cannot be told from a new message
    triaged_again(engine, reader, replace(record, body="Tack, nu har paketet kommit!"))
    # Then its correction is not learnt with the ticket's new words
    assert learnt(engine, key) == []


def test_a_correction_from_before_decisions_kept_their_words_stays_on_its_message_by_id(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a helpdesk message (with its id) decided before decisions kept their words, and
    # corrected
    key = next(iter(decided(engine, reader)))
    record = record_of(key)
    first = replace(record, message_key="m1")
    decision = triaged_again(engine, reader, first)
    with engine.begin() as connection:
        connection.execute(update(decisions).values(message_body=None))
    said = another_intent(decision.decision.facts.intent.value)
    correct_intent(engine, a_correction(decision.decision_id, intent=said), now=NOW)
    # When the same message is decided again by its id (a re-triage), its words lost too
    triaged_again(engine, reader, first)
    with engine.begin() as connection:
        connection.execute(update(decisions).values(message_body=None))
    # Then the correction still counts, with the ticket's words, which are that message's
    assert learnt(engine, key) == [(said, record.body)]


def test_the_migration_gives_each_ticket_s_latest_decision_the_words_it_holds(
    engine: Engine, reader: EmbeddedReader
) -> None:
    # Given a day's tickets decided, one of them twice (its customer wrote again)
    key, (older, _) = next(iter(decided(engine, reader).items()))
    record = record_of(key)
    newer = triaged_again(engine, reader, replace(record, body="Tack, nu har paketet kommit!"))
    # When the database goes back to before decisions kept their words, and is migrated
    config = alembic_config(engine)
    command.downgrade(config, "0022")
    command.upgrade(config, "head")
    # Then each ticket's latest decision has the words the ticket holds; the older has none
    with engine.connect() as connection:
        kept = dict(
            connection.execute(
                select(decisions.c.id, decisions.c.message_body).join(
                    tickets, tickets.c.id == decisions.c.ticket_id
                )
            ).all()
        )
        bodies = dict(connection.execute(select(tickets.c.id, tickets.c.body)).all())
        latest = connection.execute(
            select(decisions.c.id, decisions.c.ticket_id).where(decisions.c.id != older)
        ).all()
    assert kept[older] is None and kept[newer.decision_id] == "Tack, nu har paketet kommit!"
    assert all(kept[decision_id] == bodies[ticket_id] for decision_id, ticket_id in latest)


def test_an_erased_message_is_not_learnt(engine: Engine, reader: EmbeddedReader) -> None:
    # Given a corrected decision whose words were erased (the customer asked to be forgotten)
    key, (decision_id, read) = next(iter(decided(engine, reader).items()))
    correct_intent(engine, a_correction(decision_id, intent=another_intent(read)), now=NOW)
    with engine.begin() as connection:
        connection.execute(update(decisions).values(message_body=""))
        connection.execute(update(tickets).values(body=""))
    # Then learn is given nothing of it: no empty text under an intent
    assert learnt(engine, key) == []


def learnt(engine: Engine, key: str) -> list[tuple[str, str]]:
    """What `learn` is given of one ticket: (intent, words) per corrected message."""
    return [(c.intent, c.body) for c in corrected_tickets(engine) if c.ticket_key == key]


def triaged_again(engine: Engine, reader: EmbeddedReader, record: TicketIn) -> Triaged:
    """One ticket triaged (again), as the worker or `evenhand triage` does."""
    settings = Settings(db=str(engine.url))
    report = triage_tickets(
        engine,
        records=[record],
        guide=load_guide(settings),
        reader=reader,
        settings=settings,
        now=NOW,
    )
    return report.decided[0]


def test_corrections_join_the_file_and_relabel_its_copy_of_a_corrected_message(
    sqlite_url: str, reader: EmbeddedReader, tmp_path: Path
) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    (first, read_first), (second, read_second) = list(decided(engine, reader).values())[:2]
    damaged = another_intent(read_first, "damaged_item", "wrong_item")
    cancel = another_intent(read_second, "cancel_order", "change_order")
    correct_intent(engine, a_correction(first, intent=damaged), now=NOW)
    correct_intent(engine, a_correction(second, intent=cancel), now=NOW)
    corrected = {c.intent: c for c in corrected_tickets(engine)}
    # Given a history file holding the first corrected message, labelled otherwise
    path = tmp_path / "history.csv"
    body = corrected[damaged].body.replace('"', '""')
    subject = corrected[damaged].subject or ""
    path.write_text(
        f'text,label,subject\nWhere is it?,where_is_my_order,\n"{body}",feedback,"{subject}"\n',
        "utf-8",
    )
    _, history = read_history(path)
    # When the corrections are joined
    joined = with_corrections(history, engine)
    # Then the file's copy takes the agent's intent, and the other ticket is added
    assert (joined.added, joined.replaced) == (1, 1)
    assert [row.intent.value for row in joined.history.rows] == [
        "where_is_my_order",
        damaged,
        cancel,
    ]


# --- the ticket page and the API ----------------------------------------------------------


@pytest.fixture
def site(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Site]:
    yield from serve_site(sqlite_url, reader)


def test_an_agent_corrects_the_intent_on_the_ticket_page_and_sees_it_in_the_history(
    site: Site, reader: EmbeddedReader
) -> None:
    decision_id, read_as = next(iter(decided(site.engine, reader).values()))
    agent = site.sign_in(AGENT)
    page = f"/tickets/{decision_id}"
    # Given the ticket page: a select of the 22 intents with their labels, the reading chosen
    html = LexborHTMLParser(agent.get(page).text)
    options = html.css("#intent-choice option")
    assert len(options) == len(Intent)
    assert "Where is my order" in [option.text() for option in options]
    chosen = html.css_first("#intent-choice option[selected]")
    assert chosen is not None
    assert chosen.attributes["value"] == read_as
    # When the agent picks another intent with a note
    intent = another_intent(read_as)
    answer = agent.post(
        f"{page}/intent",
        data={"csrf": csrf_of(agent, page), "intent": intent, "note": "asks about sizes"},
    )
    # Then the ticket's history shows it, and the select now stands on it
    assert answer.status_code == 303
    html = LexborHTMLParser(agent.get(page).text)
    corrections = html.css_first("#intent-corrections")
    assert corrections is not None
    history = corrections.text()
    assert "agent@nordhem.example" in history and "asks about sizes" in history
    chosen = html.css_first("#intent-choice option[selected]")
    assert chosen is not None
    assert chosen.attributes["value"] == intent
    assert site.events("decision intent")[0][0] == str(decision_id)
    # and a refusal says why, keeping the note; a stale form is refused
    refused = agent.post(
        f"{page}/intent", data={"csrf": csrf_of(agent, page), "intent": intent, "note": "again"}
    )
    assert refused.status_code == 422 and "already read as" in refused.text
    assert 'value="again"' in refused.text
    stale = agent.post(f"{page}/intent", data={"csrf": "stale", "intent": "other"})
    assert stale.status_code == 403


def test_the_api_takes_a_correction_and_answers_it_typed(
    sqlite_url: str, reader: EmbeddedReader
) -> None:
    with api_over(sqlite_url, reader) as api:
        decision_id, read_as = next(iter(decided(api.engine, reader).values()))
        url = f"{api.base}/api/decisions/{decision_id}/intent"
        intent = another_intent(read_as)
        answer = httpx.post(url, json={"intent": intent, "note": "n"}, headers=api.auth)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert (body["read_as"], body["intent"], body["corrected_by"]) == (
            read_as,
            intent,
            "api:contract",
        )
        bad = httpx.post(url, json={"intent": "yarn"}, headers=api.auth)
        assert bad.status_code == 422 and bad.json()["error"] == "bad_value"
        again = httpx.post(url, json={"intent": intent}, headers=api.auth)
        assert again.status_code == 422 and "already read as" in again.json()["message"]
        missing = httpx.post(
            f"{api.base}/api/decisions/999999/intent", json={"intent": "other"}, headers=api.auth
        )
        assert missing.status_code == 404
        assert httpx.post(url, json={"intent": "other"}).status_code == 401
        schema = httpx.get(f"{api.base}/openapi.json").json()
        operation = schema["paths"]["/api/decisions/{decision_id}/intent"]["post"]
        assert set(operation["responses"]) == {"201", "400", "401", "404", "413", "422", "503"}
        ref = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert ref == {"$ref": "#/components/schemas/IntentCorrectionOut"}
