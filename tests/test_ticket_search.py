"""The queue's search: the tickets' subject and text by full-text search (SQLite FTS5, a
PostgreSQL tsvector with a GIN index), kept in step with every write to `tickets`, filled
for the tickets stored before its migration; e-mail, name, order name and ticket id still
found as typed. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import Engine, delete, select, update

from evenhand.store.database import alembic_config
from evenhand.store.privacy import Named, people_named, redact_people
from evenhand.store.reviews import Search
from evenhand.store.tables import tickets
from evenhand.store.ticket_search import MAX_WORDS, search_words
from evenhand.store.tickets import save_tickets
from tests.conftest import NOW

MESSAGES = {
    "zd-101": ("Paketet har inte kommit", "Hej! Min leverans är försenad, order #1042."),
    "zd-102": ("Refund please", "The mug arrived broken. I want my money back."),
    "zd-103": (None, "Kan ni pausa min kaffeprenumeration i två månader?"),
    "zd-104": ("Fråga", "Var är mitt paket? Spårningen står still sedan måndag."),
}


def _ticket(key: str, subject: str | None, body: str, **overrides: Any) -> dict[str, Any]:
    return {
        "ticket_key": key,
        "source": "zendesk",
        "created_at": NOW,
        "channel": "email",
        "customer_email": f"{key.replace('-', '')}@example.se",
        "customer_id": None,
        "first_name": "Åsa" if key == "zd-101" else "Ben",
        "subject": subject,
        "body": body,
        "order_name": "#1042" if key == "zd-101" else None,
        "received_at": NOW,
    } | overrides


def _store(engine: Engine, messages: dict[str, tuple[str | None, str]] = MESSAGES) -> None:
    with engine.begin() as connection:
        save_tickets(connection, [_ticket(key, *text) for key, text in messages.items()])


def _found(engine: Engine, typed: str) -> set[str]:
    with engine.connect() as connection:
        search = Search(connection.dialect.name, typed)
        rows = connection.execute(select(tickets.c.ticket_key).where(search.condition()))
        return {key for (key,) in rows}


def test_a_word_of_the_text_or_subject_finds_its_tickets(engine: Engine) -> None:
    # given: four tickets, Swedish and English
    _store(engine)
    # then: a word of a message finds it, in any case, and so does a word of a subject
    assert _found(engine, "FÖRSENAD") == {"zd-101"}
    assert _found(engine, "broken") == {"zd-102"}
    assert _found(engine, "refund") == {"zd-102"}
    # ... the start of a word finds the word (`paket` finds `Paketet` and `paket`)
    assert _found(engine, "paket") == {"zd-101", "zd-104"}
    assert _found(engine, "kaffepren") == {"zd-103"}
    # ... every word must be there, in any order
    assert _found(engine, "paket spårningen") == {"zd-104"}
    assert _found(engine, "mug money") == {"zd-102"}
    assert _found(engine, "mug leverans") == set()
    # ... å, ä and ö are letters of their own: `var` is not `vår`, `tva` is not `två`
    assert _found(engine, "tva") == set()
    assert _found(engine, "två") == {"zd-103"}


def test_e_mail_name_order_and_ticket_id_are_found_as_typed(engine: Engine) -> None:
    _store(engine)
    assert _found(engine, "ZD103@EXAMPLE") == {"zd-103"}
    assert _found(engine, "åsa") == {"zd-101"}
    assert _found(engine, "#1042") == {"zd-101"}  # the order, and the word 1042 of its text
    assert _found(engine, "zd-104") == {"zd-104"}
    # ... each on its own: the end of one and the start of the next find nothing
    assert _found(engine, "example.se#1042") == set()
    assert _found(engine, "example.se\x1f#1042") == set()
    # a pattern's characters and a full-text query's syntax are only text
    assert _found(engine, "%") == set()
    assert _found(engine, '"') == set()
    assert _found(engine, "paket OR mug") == set()
    assert _found(engine, "NEAR(paket mug)") == set()
    assert _found(engine, "mug*") == {"zd-102"}
    assert _found(engine, "body:mug") == set()  # no ticket holds the word `body`


def test_the_index_follows_every_write_to_the_tickets(engine: Engine) -> None:
    # given: the tickets stored
    _store(engine)
    # when: a ticket is refreshed by its helpdesk with a new text, one is erased, one deleted
    _store(engine, {"zd-102": ("Refund please", "Sorry, the saucer is broken too.")})
    with engine.begin() as connection:
        connection.execute(
            update(tickets).where(tickets.c.ticket_key == "zd-104").values(subject=None, body="")
        )
        connection.execute(delete(tickets).where(tickets.c.ticket_key == "zd-103"))
    # then: the old text is not found, the new one is, and nothing of the erased or deleted
    assert _found(engine, "mug") == set()
    assert _found(engine, "saucer") == {"zd-102"}
    assert _found(engine, "spårningen") == _found(engine, "fråga") == set()
    assert _found(engine, "kaffeprenumeration") == set()
    # and a ticket stored later is found
    _store(engine, {"gg-7": ("Ny adress", "Jag har flyttat till Umeå.")})
    assert _found(engine, "umeå") == {"gg-7"}


def test_the_migration_fills_the_index_with_the_tickets_already_stored(engine: Engine) -> None:
    # given: tickets stored before the full-text index existed
    config = alembic_config(engine)
    command.downgrade(config, "0018")
    _store(engine)
    # when: the database is migrated
    command.upgrade(config, "head")
    # then: their words are found
    assert _found(engine, "försenad") == {"zd-101"}
    assert _found(engine, "broken refund") == {"zd-102"}


def test_an_erasure_leaves_no_word_of_the_text_in_the_index(engine: Engine) -> None:
    # given: Åsa's ticket, its text naming her street
    _store(engine, {"zd-9": ("Min adress", "Jag bor på Storgatan 12 i Sundsvall.")})
    with engine.begin() as connection:
        # when: she is erased
        redact_people(connection, people_named(connection, Named(email="zd9@example.se")))
    # then: no word of her text finds anything
    assert _found(engine, "storgatan") == _found(engine, "sundsvall") == set()
    if engine.dialect.name == "sqlite":  # nor is any word left among the index's terms
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, tickets_fts, row)"
            )
            terms = connection.exec_driver_sql("SELECT term FROM temp.words").scalars().all()
        assert not {"storgatan", "sundsvall"} & set(terms)


def test_a_search_counts_its_first_words_only() -> None:
    words = " ".join(f"word{n}" for n in range(20))
    assert search_words(words) == [f"word{n}" for n in range(MAX_WORDS)]
    assert search_words("Leverans_försenad! #1042 x" + "y" * 100) == [
        "leverans",
        "försenad",
        "1042",
        "x" + "y" * 63,
    ]
