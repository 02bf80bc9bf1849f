"""The API and the webhooks on the real app: a value out of bounds is a 4xx with its reason
(the domain and the readers refuse it), never a 500, and nothing is stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from evenhand.actions.service import create_token
from evenhand.store.tables import decisions, intent_corrections, orders, tickets
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.schemas import ID_MAX, ZendeskUserId
from tests.conftest import FIXTURES, NOW
from tests.senders import post, stripe_headers
from tests.test_service import SECRETS, Live, live_service

TICKET = {
    "id": "t-bounds",
    "created_at": "2026-11-14T09:30:00Z",
    "channel": "email",
    "customer_email": "vera.vip@example.se",
    "body": "Hi, where is my parcel?",
}


@pytest.fixture
def live(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Live]:
    yield from live_service(sqlite_url, reader)


@pytest.fixture
def auth(live: Live) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(live.engine, name='t', now=NOW)}"}


def _ticket(live: Live, auth: dict[str, str], body: str) -> httpx.Response:
    headers = auth | {"Content-Type": "application/json"}
    return httpx.post(f"{live.base}/api/tickets", content=body, headers=headers, timeout=30)


@pytest.mark.parametrize(
    ("ticket", "named"),
    [
        (TICKET | {"created_at": "0001-01-01T00:00:00+01:00"}, "created_at"),
        (TICKET | {"created_at": "9999-12-31T23:59:59-01:00"}, "created_at"),
        (TICKET | {"body": "Hi \ud800"}, "lone surrogate"),
        (TICKET | {"id": 2**70}, "9223372036854775807"),
        (TICKET | {"id": 7.5}, "id"),  # no whole number (`true`: the test below)
        (
            {
                "id": 35436,
                "created_at": "2026-11-14T09:30:00Z",
                "description": "My parcel never came.",
                "requester_id": [9001],
            },
            "requester_id",
        ),
    ],
)
def test_a_ticket_out_of_bounds_is_a_4xx_with_its_reason(
    live: Live, auth: dict[str, str], ticket: dict[str, Any], named: str
) -> None:
    # given: a ticket the API answered 500 to (OverflowError, TypeError, UnicodeEncodeError)
    answer = _ticket(live, auth, json.dumps(ticket))
    # then: a 4xx that says why, and nothing stored
    assert 400 <= answer.status_code < 500, answer.text
    assert named in answer.json()["message"]
    assert live.count(tickets) == 0 and live.count(decisions) == 0


# A Zendesk ticket whose requester wrote twice (the first public comment, then the second),
# with a private note between by an agent: the words read are the requester's latest.
ZENDESK = {
    "id": 35436,
    "created_at": "2026-11-20T09:12:44Z",
    "description": "Hi, I ordered the grey cushion and got a green one.",
    "requester_id": 9001,
    "via": {"channel": "email", "source": {"from": {"address": "sam@example.com"}}},
}
COMMENTS: list[dict[str, Any]] = [
    {"author_id": 9001, "public": True, "body": "Hi, I ordered the grey cushion."},
    {"author_id": 7001, "public": False, "body": "Note: refund him, no questions."},
]
GORGIAS = {
    "id": 88201,
    "created_datetime": "2026-11-21T10:00:00+00:00",
    "customer": {"email": "maja.lind@example.se"},
}
MESSAGES: list[dict[str, Any]] = [
    {"from_agent": False, "public": True, "stripped_text": "My parcel never came."},
    {"from_agent": True, "public": False, "stripped_text": "VIP? check"},
]


def _comment(index: int, **changed: object) -> dict[str, Any]:
    comments = [dict(each) for each in COMMENTS]
    comments[index] |= changed
    return ZENDESK | {"comments": comments}


def _message(index: int, **changed: object) -> dict[str, Any]:
    messages = [dict(each) for each in MESSAGES]
    messages[index] |= changed
    return GORGIAS | {"messages": messages}


@pytest.mark.parametrize(
    ("ticket", "named"),
    [
        # a flag is JSON true or false: lax mode read "false", "no", 0 as false (and the
        # agent's private note as the customer's words), where `evenhand triage` reads any
        # non-empty string as true
        (_comment(1, public="yes"), "comments.1.public: Input should be a valid boolean"),
        (_comment(1, public=1), "comments.1.public: Input should be a valid boolean"),
        (_message(1, from_agent="false"), "messages.1.from_agent: Input should be a valid bool"),
        (_message(1, from_agent=0), "messages.1.from_agent: Input should be a valid boolean"),
        (_message(1, public="no"), "messages.1.public: Input should be a valid boolean"),
        # a user id is a whole number (or Zendesk's digits): lax mode made `true` user 1,
        # 9001.5 user 9001 and "9_001" user 9001, so whose comment it is could change
        (ZENDESK | {"requester_id": True}, "requester_id: Input should be a valid integer"),
        (ZENDESK | {"requester_id": 9001.5}, "requester_id: Input should be a valid integer"),
        (ZENDESK | {"requester_id": "9_001"}, "requester_id: Input should be a valid integer"),
        (ZENDESK | {"requester_id": " 9001"}, "requester_id: Input should be a valid integer"),
        (ZENDESK | {"requester_id": "9" * 30}, "requester_id: Input should be less than or"),
        (_comment(1, author_id=9001.5), "comments.1.author_id: Input should be a valid integer"),
        (_comment(1, author_id=True), "comments.1.author_id: Input should be a valid integer"),
        # the ticket's own id (f80ac9f), now named once, not as "id.constrained-int"
        (TICKET | {"id": True}, "id: Input should be a valid string; id: Input should be a"),
    ],
)
def test_a_value_lax_mode_would_have_coerced_is_a_422_naming_the_field(
    live: Live, auth: dict[str, str], ticket: dict[str, Any], named: str
) -> None:
    # given: a ticket with a flag, a user id or an id in a form its field does not take
    answer = _ticket(live, auth, json.dumps(ticket))
    # then: 422 naming the field and the reason, and nothing stored
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "bad_value"
    assert answer.json()["message"].startswith(named), answer.json()["message"]
    assert live.count(tickets) == 0 and live.count(decisions) == 0


def _stored_body(live: Live) -> str:
    with live.engine.connect() as connection:
        return str(connection.execute(select(tickets.c.body)).scalar_one())


@pytest.mark.parametrize(
    ("ticket", "words"),
    [
        (_comment(0), "Hi, I ordered the grey cushion."),
        # Zendesk's event subscriptions send the ids as digits: the same user
        (
            ZENDESK
            | {"id": "35436", "requester_id": "9001"}
            | {"comments": [c | {"author_id": str(c["author_id"])} for c in COMMENTS]},
            "Hi, I ordered the grey cushion.",
        ),
        (_comment(0, author_id="9001"), "Hi, I ordered the grey cushion."),
        # JSON has one kind of number: 9001.0 is 9001, as the service's own document says
        (
            ZENDESK | {"id": 35436.0, "requester_id": 9001.0},
            "Hi, I ordered the grey cushion and got a green one.",
        ),
        (_comment(0, public=None), "Hi, I ordered the grey cushion and got a green one."),
        (_message(0), "My parcel never came."),
        (_message(1, from_agent=None, public=None), "My parcel never came."),
        (
            json.loads((FIXTURES / "webhooks" / "gorgias_ticket_created.json").read_text())[
                "ticket"
            ],
            "Hej, jag beställde linneduken i natur men fick en grå. Order #2101.",
        ),
    ],
)
def test_the_forms_the_helpdesks_send_are_still_taken(
    live: Live, auth: dict[str, str], ticket: dict[str, Any], words: str
) -> None:
    # given: a ticket as Zendesk or Gorgias sends it (numbers, digits, JSON true/false/null)
    answer = _ticket(live, auth, json.dumps(ticket))
    # then: decided, from the customer's words (not the agent's note)
    assert answer.status_code == 200, answer.text
    assert _stored_body(live) == words


@pytest.mark.parametrize("decision_id", [2**63, 2**63 - 1, 10**30])
def test_a_decision_id_no_column_holds_is_no_decision(
    live: Live, auth: dict[str, str], decision_id: int
) -> None:
    answer = httpx.get(f"{live.base}/api/decisions/{decision_id}", headers=auth, timeout=10)
    assert answer.status_code in {404, 422}, answer.text


@pytest.mark.parametrize("written", ["1_0", "1.0", "+1", "-0", " 1", "1 ", "\uff11"])
def test_a_decision_id_not_written_in_digits_is_a_422_naming_it(
    live: Live, auth: dict[str, str], written: str
) -> None:
    # given: a decided ticket (decision 1), and its id written another way ("1_0" was
    # decision 10, "1.0" and "+1" decision 1: a correction could land on another decision)
    assert _ticket(live, auth, json.dumps(TICKET)).json()["decision_id"] == 1
    url = f"{live.base}/api/decisions/{quote(written)}"
    # when: the decision is asked for, or its intent corrected, by that id
    answers = [
        httpx.get(url, headers=auth, timeout=10),
        httpx.post(f"{url}/intent", json={"intent": "other"}, headers=auth, timeout=10),
    ]
    # then: 422 naming the id, nothing corrected; the digits still find it
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["message"].startswith("path.decision_id: "), answer.text
    assert live.count(intent_corrections) == 0
    found = httpx.get(f"{live.base}/api/decisions/1", headers=auth, timeout=10)
    assert found.status_code == 200 and found.json()["decision_id"] == 1


def test_an_upload_in_latin_1_is_refused_naming_its_encoding(
    live: Live, auth: dict[str, str]
) -> None:
    # given: the orders export as older Excel saves it
    body = (FIXTURES / "shopify" / "orders_export.csv").read_text("utf-8-sig").encode("latin-1")
    answer = httpx.post(
        f"{live.base}/api/imports/shopify-orders", content=body, headers=auth, timeout=30
    )
    # then: refused with the upload's line and its likely encoding, nothing imported
    assert 400 <= answer.status_code < 500
    message = answer.json()["message"]
    assert message.startswith("upload, line 2: not UTF-8") and "Latin-1" in message
    assert live.count(orders) == 0


def test_an_upload_with_a_year_python_cannot_read_back_is_refused(
    live: Live, auth: dict[str, str]
) -> None:
    text = (FIXTURES / "shopify" / "orders_export.csv").read_text("utf-8-sig")
    body = text.replace("2026-10-20 18:00:00 +0200", "0001-01-01 00:00:00 +0100").encode()
    answer = httpx.post(
        f"{live.base}/api/imports/shopify-orders", content=body, headers=auth, timeout=30
    )
    assert 400 <= answer.status_code < 500
    assert "upload, line 5, column 'Created at'" in answer.json()["message"]
    assert live.count(orders) == 0


def test_a_stripe_signature_with_a_unicode_digit_timestamp_is_refused(live: Live) -> None:
    # given: `t=²` ("²".isdigit() is true, int("²") raises): a 500 before any check
    event = b'{"id": "evt_1", "object": "event"}'
    header = "t=²,v1=abc".encode("latin-1")  # as HTTP carries it
    answer = httpx.post(
        f"{live.base}/webhooks/stripe",
        content=event,
        headers={b"Content-Type": b"application/json", b"Stripe-Signature": header},
        timeout=10,
    )
    assert answer.status_code == 401


@pytest.mark.parametrize("body", [b'{"id": ' + b"1" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000])
def test_a_signed_body_json_cannot_hold_is_a_400(live: Live, body: bytes) -> None:
    # given: a correctly signed Stripe body with a 5000-digit number, or nested 100,000 deep
    headers = stripe_headers(body, SECRETS["stripe_webhook_secret"])
    answer = post(live.base, "/webhooks/stripe", body, headers)
    # then: malformed, not a server error
    assert answer.status_code == 400, answer.text
    assert "malformed JSON" in answer.json()["message"]


@pytest.mark.parametrize(
    "digits",
    [
        "0",
        "9001",
        "0009001",
        "999999999999999999",  # 18 digits
        "9223372036854775806",
        "9223372036854775807",  # the largest id a column stores
        "0923372036854775808",
        "9223372036854775808",
        "9223372036854775810",
        "9300000000000000000",
        "9999999999999999999",  # 19 digits, once allowed by the document alone
        "10000000000000000000",
    ],
)
def test_the_document_allows_a_zendesk_user_id_string_exactly_when_the_service_does(
    digits: str,
) -> None:
    # given: the pattern the OpenAPI document gives a Zendesk user id written as digits
    schema = TypeAdapter(ZendeskUserId).json_schema()
    pattern = next(part["pattern"] for part in schema["anyOf"] if part["type"] == "string")
    # when: the service reads the same string
    try:
        accepted = TypeAdapter(ZendeskUserId).validate_python(digits) == int(digits)
    except ValidationError:
        accepted = False
    # then: both say yes exactly when the number fits a column
    assert (re.fullmatch(pattern, digits) is not None) == accepted == (int(digits) <= ID_MAX)
