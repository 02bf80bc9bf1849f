"""Write-back to the helpdesk, against a local server speaking the documented Zendesk and
Gorgias endpoints: tags, an internal note, 429 Retry-After, 500s with backoff, refusals."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from evenhand.actions import writeback as writeback_actions
from evenhand.actions.guide import load_guide
from evenhand.actions.inbox import Worker, process_inbox
from evenhand.actions.inbox_status import inbox_status, retry_failed
from evenhand.actions.service import receive_delivery
from evenhand.actions.triage import triage_tickets
from evenhand.actions.writeback import Helpdesks, send_due_writebacks
from evenhand.ingest.gorgias_tickets import gorgias_ticket
from evenhand.ingest.webhook_payloads import Source, TicketArrived, parse_payload
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.privacy import cancel_writebacks
from evenhand.store.tables import decisions, inbox, writebacks
from evenhand.store.writebacks import (
    WritebackStatus,
    claim_writeback,
    due_writebacks,
    record_attempt,
)
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW, Clock
from tests.live import GORGIAS_KEY, ZENDESK_TOKEN, FakeHelpdesk, basic_auth, helpdesk_server
from tests.senders import fixture


@dataclass
class Desk:
    helpdesk: FakeHelpdesk
    worker: Worker
    clock: Clock = field(default_factory=Clock)

    def deliver(self, source: str, name: str, *, topic: str, event_key: str | None = None) -> None:
        self.deliver_body(source, fixture(name).decode(), topic=topic, event_key=event_key or name)

    def deliver_payload(
        self, source: str, payload: dict[str, Any], *, topic: str, event_key: str
    ) -> None:
        self.deliver_body(source, json.dumps(payload), topic=topic, event_key=event_key)

    def deliver_body(self, source: str, body: str, *, topic: str, event_key: str) -> None:
        receive_delivery(
            self.worker.engine, source=source, event_key=event_key, topic=topic, body=body, now=NOW
        )
        process_inbox(self.worker, now=self.clock)

    def send(self) -> int:
        return send_due_writebacks(
            self.worker.engine,
            helpdesks=self.worker.helpdesks,
            settings=self.worker.settings,
            now=self.clock,
        )

    def writeback(self) -> dict[str, Any]:
        with self.worker.engine.connect() as connection:
            return dict(connection.execute(select(writebacks)).mappings().one())


def _desk(
    url: str, sqlite_url: str, reader: EmbeddedReader, helpdesk: FakeHelpdesk, **credentials: str
) -> Desk:
    settings = Settings(db=sqlite_url, writeback_max_attempts=4, **credentials)  # type: ignore[arg-type]
    engine = make_engine(sqlite_url)
    upgrade(engine)
    worker = Worker(
        engine=engine,
        reader=reader,
        guide=load_guide(settings),
        settings=settings,
        helpdesks=Helpdesks.from_settings(settings),
    )
    return Desk(helpdesk, worker)


@contextmanager
def _desk_at(
    sqlite_url: str, reader: EmbeddedReader, *, user: str, secret: str, provider: str
) -> Iterator[Desk]:
    """A helpdesk server that wants Basic `user:secret`, and a worker with its credentials."""
    helpdesk = FakeHelpdesk(expected_auth=basic_auth(user, secret))
    with helpdesk_server(helpdesk) as url:
        login = "agent@nordhem.example"
        credentials = (
            {"zendesk_url": url, "zendesk_email": login, "zendesk_api_token": secret}
            if provider == "zendesk"
            else {"gorgias_url": url, "gorgias_email": login, "gorgias_api_key": secret}
        )
        desk = _desk(url, sqlite_url, reader, helpdesk, **credentials)
        yield desk
        desk.worker.helpdesks.close()


@pytest.fixture
def zendesk(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Desk]:
    user = "agent@nordhem.example/token"  # Zendesk's API-token login
    with _desk_at(sqlite_url, reader, user=user, secret=ZENDESK_TOKEN, provider="zendesk") as desk:
        yield desk


@pytest.fixture
def gorgias(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Desk]:
    user = "agent@nordhem.example"
    with _desk_at(sqlite_url, reader, user=user, secret=GORGIAS_KEY, provider="gorgias") as desk:
        yield desk


def test_a_decided_zendesk_ticket_gets_its_tags_and_an_internal_note(zendesk: Desk) -> None:
    # given a Zendesk ticket decided by the worker
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    # when the write-back is sent
    assert zendesk.send() == 1
    # then the ticket carries the decision's tags and one private note with the draft
    with zendesk.worker.engine.connect() as connection:
        tags, reply = connection.execute(select(decisions.c.tags, decisions.c.reply_text)).one()
    ticket = zendesk.helpdesk.tickets["35436"]
    # (the shop has no orders here: the broken mug goes to a person, who asks for the order)
    assert ticket["tags"] == tags and "remedy:human_review" in tags
    [note] = ticket["comments"]
    assert note["public"] is False
    assert "human_review" in note["body"] and reply in note["body"]
    assert zendesk.writeback()["status"] == "done"
    assert [(r.method, r.path) for r in zendesk.helpdesk.requests] == [
        ("PUT", "/api/v2/tickets/35436/tags"),
        ("PUT", "/api/v2/tickets/35436.json"),
    ]


def test_a_429_waits_as_long_as_retry_after_and_tags_are_not_sent_twice(zendesk: Desk) -> None:
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    # given the tags go through but the note is refused with 429 Retry-After: 30
    zendesk.helpdesk.failures.clear()
    original = zendesk.helpdesk.handle
    calls: list[str] = []

    def second_call_limited(method: str, path: str, auth: str | None, body: Any) -> Any:
        calls.append(path)
        if len(calls) == 2:
            zendesk.helpdesk.fail_next(429, {"Retry-After": "30"})
        return original(method, path, auth, body)

    zendesk.helpdesk.handle = second_call_limited  # type: ignore[method-assign]
    zendesk.send()
    waiting = zendesk.writeback()
    assert (waiting["status"], waiting["attempts"], waiting["tags_done"]) == ("pending", 1, True)
    assert waiting["next_attempt_at"] == NOW + timedelta(seconds=30)
    assert "HTTP 429" in waiting["last_error"]
    # when it is not yet time, nothing is sent; when it is, only the note goes, after a look
    # at the ticket's comments for one an earlier try might have written after all
    zendesk.clock.advance(29)
    assert zendesk.send() == 0
    zendesk.clock.advance(1)
    assert zendesk.send() == 1
    assert zendesk.writeback()["status"] == "done"
    assert calls == [
        "/api/v2/tickets/35436/tags",
        "/api/v2/tickets/35436.json",
        "/api/v2/tickets/35436/comments.json?sort_order=desc",
        "/api/v2/tickets/35436.json",
    ]
    assert len(zendesk.helpdesk.tickets["35436"]["comments"]) == 1


def test_500s_back_off_then_fail_visibly_and_retry_requeues(zendesk: Desk) -> None:
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    waits = []
    for _ in range(4):  # writeback_max_attempts
        zendesk.helpdesk.fail_next(500)
        assert zendesk.send() == 1
        state = zendesk.writeback()
        waits.append((state["next_attempt_at"] - zendesk.clock()).total_seconds())
        zendesk.clock.advance(3600)
    assert waits[:3] == [1.0, 2.0, 4.0]
    assert zendesk.writeback()["status"] == "failed"
    status = inbox_status(zendesk.worker.engine, now=zendesk.clock(), silent_seconds=60).as_json()
    assert status["writebacks"] == {"zendesk": {"failed": 1}}
    assert "HTTP 500" in status["troubled_writebacks"][0]["last_error"]
    # when a person asks for a retry, it goes through
    assert retry_failed(zendesk.worker.engine, now=zendesk.clock()) == (0, 1)
    assert zendesk.send() == 1
    assert zendesk.writeback()["status"] == "done"


def test_a_refusal_fails_at_once_and_no_credential_is_kept(zendesk: Desk) -> None:
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    zendesk.helpdesk.fail_next(403)
    zendesk.send()
    assert zendesk.writeback()["status"] == "failed"
    assert zendesk.writeback()["attempts"] == 1
    status = inbox_status(zendesk.worker.engine, now=zendesk.clock(), silent_seconds=60)
    kept = json.dumps(status.as_json())
    assert "HTTP 403" in kept
    assert ZENDESK_TOKEN not in kept and ZENDESK_TOKEN not in str(zendesk.writeback())


def test_a_zendesk_event_is_completed_with_its_requester_from_the_api(zendesk: Desk) -> None:
    zendesk.helpdesk.users["9020002"] = {
        "id": 9020002,
        "email": "liv@example.com",
        "name": "Liv Ek",
    }
    zendesk.deliver(
        "zendesk", "zendesk_ticket_created_event.json", topic="zen:event-type:ticket.created"
    )
    with zendesk.worker.engine.connect() as connection:
        status, outcome = connection.execute(select(inbox.c.status, inbox.c.outcome)).one()
    assert status == "done"
    # delivered, not received, but the shop knows no order of hers: a person asks for it
    assert outcome["remedy"] == "human_review"


def test_a_zendesk_ticket_an_agent_opened_waits_for_the_customers_words(zendesk: Desk) -> None:
    # given a ticket an agent opened after a phone call, in the agent's words
    zendesk.helpdesk.users["9020002"] = {"id": 9020002, "email": "liv@example.com", "name": "Liv"}
    zendesk.deliver(
        "zendesk",
        "zendesk_ticket_created_by_agent_event.json",
        topic="zen:event-type:ticket.created",
    )
    # then nothing is decided on the agent's promise, and the delivery is done, not failed
    with zendesk.worker.engine.connect() as connection:
        status, outcome = connection.execute(select(inbox.c.status, inbox.c.outcome)).one()
        assert connection.execute(select(decisions.c.id)).first() is None
    assert status == "done" and outcome["ticket_id"] == "35450"
    assert "the customer has not written" in outcome["nothing_new"]
    assert zendesk.send() == 0


def test_a_gorgias_ticket_keeps_its_own_tags_and_gets_an_internal_note(gorgias: Desk) -> None:
    ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"]
    gorgias.helpdesk.tickets["88201"] = ticket
    gorgias.deliver("gorgias", "gorgias_ticket_created.json", topic="ticket-created")
    assert gorgias.send() == 1
    names = [tag["name"] for tag in gorgias.helpdesk.tickets["88201"]["tags"]]
    assert names[0] == "urgent" and "remedy:human_review" in names
    [note] = gorgias.helpdesk.tickets["88201"]["messages"][1:]
    assert note["channel"] == "internal-note" and note["from_agent"] is True
    assert "human_review" in note["body_text"]


def test_a_gorgias_delivery_with_only_the_ticket_id_is_fetched(gorgias: Desk) -> None:
    ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"] | {"id": 88202}
    gorgias.helpdesk.tickets["88202"] = ticket
    gorgias.deliver("gorgias", "gorgias_ticket_id_only.json", topic="ticket-message-created")
    with gorgias.worker.engine.connect() as connection:
        status, outcome = connection.execute(select(inbox.c.status, inbox.c.outcome)).one()
    assert (status, outcome["ticket_id"], outcome["writeback"]) == ("done", "88202", True)


def test_a_ticket_whose_newest_message_is_not_the_customers_is_not_decided_again(
    gorgias: Desk,
) -> None:
    # given a Gorgias ticket decided by the worker, and its internal note written back
    ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"] | {"id": 88202}
    gorgias.helpdesk.tickets["88202"] = ticket
    told = {"source": "gorgias", "name": "gorgias_ticket_id_only.json"}
    gorgias.deliver(**told, topic="ticket-message-created", event_key="first")
    assert gorgias.send() == 1
    assert [m["channel"] for m in ticket["messages"]] == ["email", "internal-note"]
    # when Gorgias tells of the ticket's newest message, Evenhand's own note
    gorgias.deliver(**told, topic="ticket-message-created", event_key="the note")
    # then it is done without a second decision, and nothing more is written back
    with gorgias.worker.engine.connect() as connection:
        outcomes = connection.execute(select(inbox.c.outcome).order_by(inbox.c.id)).scalars().all()
        assert len(connection.execute(select(decisions.c.id)).all()) == 1
    assert outcomes[1]["ticket_id"] == "88202" and "nothing_new" in outcomes[1]
    assert gorgias.send() == 0
    # and when the customer writes again, in the very same words, they are decided again
    again = ticket["messages"][0] | {"id": 402, "created_datetime": "2026-11-22T09:00:00+00:00"}
    ticket["messages"].append(again)
    gorgias.deliver(**told, topic="ticket-message-created", event_key="her reply")
    with gorgias.worker.engine.connect() as connection:
        assert len(connection.execute(select(decisions.c.id)).all()) == 2
    assert gorgias.send() == 1


def test_two_gorgias_events_telling_of_one_message_decide_it_once(gorgias: Desk) -> None:
    # given a shop whose Gorgias tells of new tickets and of new messages both
    ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"] | {"id": 88202}
    gorgias.helpdesk.tickets["88202"] = ticket
    # when its customer's first message arrives, told of by both events
    gorgias.deliver(
        "gorgias", "gorgias_ticket_id_only.json", topic="ticket-created", event_key="created"
    )
    gorgias.deliver(
        "gorgias", "gorgias_ticket_id_only.json", topic="ticket-message-created", event_key="msg"
    )
    # then it is decided once, and the second delivery names the decision it found
    with gorgias.worker.engine.connect() as connection:
        [decision_id] = connection.execute(select(decisions.c.id)).scalars().all()
        outcomes = connection.execute(select(inbox.c.outcome).order_by(inbox.c.id)).scalars().all()
    assert outcomes[0]["decision_id"] == decision_id
    assert outcomes[1] == {
        "ticket_id": "88202",
        "decision_id": decision_id,
        "decided_before": True,
        "writeback": True,
    }
    # and one internal note is written back, not two
    assert gorgias.send() == 1 and gorgias.send() == 0
    assert [m["channel"] for m in ticket["messages"]] == ["email", "internal-note"]


def test_two_zendesk_triggers_on_one_update_decide_it_once(zendesk: Desk) -> None:
    # given a Zendesk trigger (its placeholders carry no comment id), delivered and decided
    trigger = json.loads(fixture("zendesk_trigger.json"))
    zendesk.deliver_payload("zendesk", trigger, topic="ticket.trigger", event_key="1")
    # when a second trigger of the shop tells of the same update, in a body of its own
    second = trigger | {"ticket": trigger["ticket"] | {"status": "open"}}
    zendesk.deliver_payload("zendesk", second, topic="ticket.trigger", event_key="2")
    # then it is decided once, the second delivery naming the decision it found
    with zendesk.worker.engine.connect() as connection:
        [decision_id] = connection.execute(select(decisions.c.id)).scalars().all()
        outcomes = connection.execute(select(inbox.c.outcome).order_by(inbox.c.id)).scalars().all()
    assert {key: outcomes[1][key] for key in ("decision_id", "decided_before")} == {
        "decision_id": decision_id,
        "decided_before": True,
    }
    # and one internal note is written back, not two
    assert zendesk.send() == 1 and zendesk.send() == 0
    # and when the customer writes again, in the very same words, the update is decided
    later = trigger["ticket"] | {"updated_at": "2026-11-25T08:30:00Z"}
    zendesk.deliver_payload("zendesk", {"ticket": later}, topic="ticket.trigger", event_key="3")
    with zendesk.worker.engine.connect() as connection:
        assert len(connection.execute(select(decisions.c.id)).all()) == 2


def test_a_zendesk_trigger_s_words_are_dated_by_the_update_that_fired_it(tmp_path: Path) -> None:
    # given a trigger on the customer's reply (its description is the latest public comment)
    # and an event subscription's ticket (its description is the ticket's first comment)
    trigger = json.loads(fixture("zendesk_trigger.json"))
    later = {"ticket": trigger["ticket"] | {"updated_at": "2026-11-25T08:30:00Z"}}
    event = {"type": "zen:event-type:ticket.created", "detail": later["ticket"]}
    # when each is read
    read = [
        parse_payload(Source.ZENDESK, "ticket", json.dumps(body), where=tmp_path / "body.json")
        for body in (later, event)
    ]
    # then the trigger's words were written at the update, the event's when it was opened
    assert isinstance(read[0], TicketArrived) and isinstance(read[1], TicketArrived)
    assert read[0].ticket.message_at is not None and read[1].ticket.message_at is not None
    assert read[0].ticket.message_at.isoformat() == "2026-11-25T08:30:00+00:00"
    assert read[1].ticket.message_at.isoformat() == "2026-11-21T08:30:00+00:00"
    # and each is known by what its words are: the update's comment, the ticket's first
    assert read[0].ticket.message_key == "updated:2026-11-25T08:30:00Z"
    assert read[1].ticket.message_key == "opened:2026-11-21T08:30:00Z"


def test_a_message_decided_from_an_export_gets_its_note_when_the_webhook_tells_of_it(
    gorgias: Desk,
) -> None:
    # given a Gorgias ticket decided from the shop's export (no note owed by a file)
    ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"] | {"id": 88202}
    gorgias.helpdesk.tickets["88202"] = ticket
    settings = gorgias.worker.settings
    triage_tickets(
        gorgias.worker.engine,
        records=[gorgias_ticket(ticket, line=1)],
        guide=gorgias.worker.guide,
        reader=gorgias.worker.reader,
        settings=settings,
        now=NOW,
    )
    # when the webhook tells of the same message
    told = {"source": "gorgias", "name": "gorgias_ticket_id_only.json"}
    gorgias.deliver(**told, topic="ticket-message-created", event_key="msg")
    # then it is not decided again, and its note is written back once
    with gorgias.worker.engine.connect() as connection:
        assert len(connection.execute(select(decisions.c.id)).all()) == 1
    assert gorgias.send() == 1 and gorgias.send() == 0
    # and a second event for it owes nothing more
    gorgias.deliver(**told, topic="ticket-created", event_key="created")
    assert gorgias.send() == 0


def test_an_unreachable_helpdesk_leaves_the_delivery_pending(gorgias: Desk) -> None:
    gorgias.helpdesk.fail_next(503)
    body = fixture("gorgias_ticket_id_only.json").decode()
    engine = gorgias.worker.engine
    receive_delivery(engine, source="gorgias", event_key="k", topic="t", body=body, now=NOW)
    run = process_inbox(gorgias.worker, now=gorgias.clock)
    assert (run.taken, run.waiting_on_helpdesk) == (0, True)
    with engine.connect() as connection:
        assert connection.execute(select(inbox.c.status)).scalar_one() == "pending"


@pytest.mark.parametrize("provider", ["zendesk", "gorgias"])
def test_a_note_whose_answer_was_lost_is_not_written_twice(
    provider: str, request: pytest.FixtureRequest
) -> None:
    desk: Desk = request.getfixturevalue(provider)
    ticket_id = "35436" if provider == "zendesk" else "88201"
    if provider == "gorgias":
        ticket = json.loads(fixture("gorgias_ticket_created.json"))["ticket"]
        desk.helpdesk.tickets[ticket_id] = ticket
        desk.deliver("gorgias", "gorgias_ticket_created.json", topic="ticket-created")
    else:
        desk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    # given: the helpdesk writes the note but its answer is a 502 (a proxy timed out)
    original = desk.helpdesk.handle

    def lose_the_answer_to_the_note(method: str, path: str, auth: str | None, body: Any) -> Any:
        answer = original(method, path, auth, body)
        is_note = (body or {}).get("ticket", {}).get("comment") or path.endswith("/messages")
        return (502, {}, {"error": "Bad Gateway"}) if is_note else answer

    desk.helpdesk.handle = lose_the_answer_to_the_note  # type: ignore[method-assign]
    desk.send()
    assert (desk.writeback()["status"], desk.writeback()["attempts"]) == ("pending", 1)
    # when: the write-back is tried again, the helpdesk answering as it should
    desk.helpdesk.handle = original  # type: ignore[method-assign]
    desk.clock.advance(60)
    assert desk.send() == 1
    # then: it finds its note on the ticket and does not write a second one
    stored = desk.helpdesk.tickets[ticket_id]
    notes = stored["comments"] if provider == "zendesk" else stored["messages"][1:]
    assert len(notes) == 1 and desk.writeback()["status"] == "done"
    text = notes[0]["body"] if provider == "zendesk" else notes[0]["body_text"]
    with desk.worker.engine.connect() as connection:
        decision_id = connection.execute(select(decisions.c.id)).scalar_one()
    assert text.startswith(f"Evenhand decision {decision_id}: ")


def test_a_write_back_another_worker_is_sending_is_left_to_it(zendesk: Desk) -> None:
    # given: a decided Zendesk ticket, and a first worker in the middle of its tags call
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    in_call, go_on = threading.Event(), threading.Event()
    original = zendesk.helpdesk.handle

    def hold_the_first_call(method: str, path: str, auth: str | None, body: Any) -> Any:
        if not in_call.is_set():
            in_call.set()
            go_on.wait(timeout=10)
        return original(method, path, auth, body)

    zendesk.helpdesk.handle = hold_the_first_call  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(zendesk.send)
        assert in_call.wait(timeout=10)
        # when: a second worker sends what is due meanwhile
        second = zendesk.send()
        go_on.set()
        # then: it leaves the write-back to the first, which writes the tags and one note
        assert (second, first.result(timeout=10)) == (0, 1)
    paths = [seen.path for seen in zendesk.helpdesk.requests]
    assert paths == ["/api/v2/tickets/35436/tags", "/api/v2/tickets/35436.json"]
    assert len(zendesk.helpdesk.tickets["35436"]["comments"]) == 1
    assert zendesk.writeback()["status"] == "done"


class Killed(BaseException):
    """The worker process killed (not an error any code catches)."""


def test_a_worker_killed_after_the_note_is_retried_after_its_lease_without_a_second_note(
    zendesk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the worker is killed after Zendesk wrote the note, before the outcome is stored
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")

    def killed(*_: Any, **__: Any) -> None:
        raise Killed

    with monkeypatch.context() as patched, pytest.raises(Killed):
        patched.setattr(writeback_actions, "record_attempt", killed)
        zendesk.send()
    # when: workers look for due write-backs before the lease (120 s) is over, and after it
    zendesk.clock.advance(60)
    before = zendesk.send()
    zendesk.clock.advance(61)
    after = zendesk.send()
    # then: it waits for the lease, and the retry finds the note instead of writing another
    assert (before, after) == (0, 1)
    assert len(zendesk.helpdesk.tickets["35436"]["comments"]) == 1
    assert (zendesk.writeback()["status"], zendesk.writeback()["attempts"]) == ("done", 2)


def test_of_two_workers_that_saw_one_write_back_due_only_one_claims_it(zendesk: Desk) -> None:
    # given: a write-back both workers read as due before either claimed it
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    engine = zendesk.worker.engine
    with engine.connect() as connection:
        [seen] = due_writebacks(connection, now=NOW, limit=5)
    lease = NOW + timedelta(seconds=120)
    # when: each claims the try it saw
    claims = []
    for _ in range(2):
        with engine.begin() as connection:
            claims.append(claim_writeback(connection, seen.id, attempts=1, lease_until=lease))
    # then: the first has it, the second not
    assert claims == [True, False]
    assert (zendesk.writeback()["attempts"], zendesk.writeback()["next_attempt_at"]) == (1, lease)


def _cancelled_during_its_try(zendesk: Desk) -> None:
    """A write-back claimed by a worker, then cancelled by an erasure during the call."""
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    with zendesk.worker.engine.begin() as connection:
        assert claim_writeback(connection, zendesk.writeback()["id"], attempts=1, lease_until=NOW)
        cancel_writebacks(connection, None)


def _try_ends(zendesk: Desk, status: WritebackStatus, error: str | None) -> bool:
    with zendesk.worker.engine.begin() as connection:
        return record_attempt(
            connection,
            zendesk.writeback()["id"],
            status=status,
            tags_done=True,
            attempts=1,
            next_attempt_at=NOW,
            error=error,
            now=NOW,
        )


def test_a_try_that_ends_after_an_erasure_cancelled_its_write_back_keeps_it_cancelled(
    zendesk: Desk,
) -> None:
    # given: a write-back claimed by a worker, then cancelled by an erasure during the call
    _cancelled_during_its_try(zendesk)
    # when: the worker's try ends with a failure to try again
    kept = _try_ends(zendesk, WritebackStatus.PENDING, "zendesk PUT: HTTP 500")
    # then: its outcome is not kept, and the write-back stays cancelled (never requeued)
    assert not kept and zendesk.writeback()["status"] == "cancelled"
    assert retry_failed(zendesk.worker.engine, now=NOW)[1] == 0


def test_a_note_written_before_an_erasure_cancelled_its_write_back_is_recorded_as_written(
    zendesk: Desk,
) -> None:
    # given: a write-back claimed by a worker, then cancelled by an erasure during the call
    _cancelled_during_its_try(zendesk)
    # when: the worker's try ends with the note written after all
    kept = _try_ends(zendesk, WritebackStatus.DONE, None)
    # then: the record says what happened (the note is at the helpdesk), and it stays done
    assert kept and zendesk.writeback()["status"] == "done"
    assert retry_failed(zendesk.worker.engine, now=NOW)[1] == 0


def test_a_note_written_before_a_refusal_is_not_written_again_after_inbox_retry(
    zendesk: Desk,
) -> None:
    # given: Zendesk writes the note but answers 422 (a refusal: the write-back fails)
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    original = zendesk.helpdesk.handle

    def refuse_after_writing(method: str, path: str, auth: str | None, body: Any) -> Any:
        answer = original(method, path, auth, body)
        is_note = (body or {}).get("ticket", {}).get("comment")
        return (422, {}, {"error": "RecordInvalid"}) if is_note else answer

    zendesk.helpdesk.handle = refuse_after_writing  # type: ignore[method-assign]
    zendesk.send()
    assert zendesk.writeback()["status"] == "failed"
    # when: an agent runs `inbox retry` and the write-back is tried again
    zendesk.helpdesk.handle = original  # type: ignore[method-assign]
    retry_failed(zendesk.worker.engine, now=NOW)
    assert zendesk.send() == 1
    # then: the try looks for its note, finds it, and does not write a second one
    assert len(zendesk.helpdesk.tickets["35436"]["comments"]) == 1
    assert zendesk.writeback()["status"] == "done"


def test_a_success_whose_body_is_no_json_is_a_failure_with_its_reason(zendesk: Desk) -> None:
    # given: a proxy answers the tags call 200 with a page of its own
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    zendesk.helpdesk.handle = lambda *_: (200, {}, b"<html>Gateway</html>")  # type: ignore[method-assign]
    # when: the write-back is tried
    zendesk.send()
    # then: it fails at once with the reason (no retry mends a URL that is not the API), and
    # the worker goes on
    kept = zendesk.writeback()
    assert (kept["status"], kept["attempts"]) == ("failed", 1)
    assert kept["last_error"] == "zendesk PUT /api/v2/tickets/35436/tags: HTTP 200, not JSON"


def test_a_failed_write_back_of_an_erased_customer_is_not_sent_by_inbox_retry(
    zendesk: Desk,
) -> None:
    # given: a write-back Zendesk refused (failed), then the customer's data erased
    zendesk.deliver("zendesk", "zendesk_trigger.json", topic="ticket.trigger")
    zendesk.helpdesk.fail_next(422, {})
    zendesk.send()
    assert zendesk.writeback()["status"] == "failed"
    seen = len(zendesk.helpdesk.requests)
    with zendesk.worker.engine.begin() as connection:
        cancel_writebacks(connection, None)
    # when: an agent runs `inbox retry` and the worker sends what is due
    requeued = retry_failed(zendesk.worker.engine, now=NOW)[1]
    zendesk.clock.advance(60)
    sent = zendesk.send()
    # then: nothing is requeued or sent: the note would carry the erased words' blanks
    assert (requeued, sent, zendesk.writeback()["status"]) == (0, 0, "cancelled")
    assert len(zendesk.helpdesk.requests) == seen
