"""The API's contract: the OpenAPI document describes every answer the service gives
(bodies, error statuses, request bodies), `evenhand triage --json` and the API show a
decision in one shape, and a bounded schemathesis run over a demo database finds no server
error and no answer that breaks the document."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, select

from evenhand.actions.service import create_token
from evenhand.ingest.webhook_payloads import SHOPIFY_TOPICS
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import customers
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from tests.conftest import FIXTURES, NOW
from tests.live import serving
from tests.senders import gorgias_headers, shopify_headers, stripe_headers, zendesk_headers
from tests.test_cli import evenhand
from tests.test_service import SECRETS

TICKETS = FIXTURES / "tickets" / "tickets.jsonl"
SHOP = FIXTURES / "shopify" / "orders_for_triage.csv"
WEBHOOK_SENDERS = ("shopify", "stripe", "zendesk", "gorgias", "trustpilot", "judgeme")
EXAMPLES = 25  # generated requests per operation and mode: a bounded run


@dataclass
class Api:
    base: str
    token: str
    engine: Engine

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base + path, headers=self.auth, timeout=30)

    def post(self, path: str, body: bytes, **headers: str) -> httpx.Response:
        return httpx.post(self.base + path, content=body, headers=self.auth | headers, timeout=30)


@contextmanager
def api_over(db_url: str, reader: EmbeddedReader) -> Iterator[Api]:
    """The service over this database, with the webhook secrets set and an API token."""
    engine = make_engine(db_url)
    upgrade(engine)
    token = create_token(engine, name="contract", now=NOW)
    app = create_app(Settings(db=db_url, **SECRETS), reader=reader, warm_reader=False)  # type: ignore[arg-type]
    with serving(app) as base:
        yield Api(base, token, engine)
    engine.dispose()


# --- the document ----------------------------------------------------------------------


@pytest.fixture
def api(sqlite_url: str, reader: EmbeddedReader) -> Iterator[Api]:
    """The service over an empty database."""
    with api_over(sqlite_url, reader) as served:
        yield served


def test_every_route_documents_its_answers_and_its_errors_with_the_error_body(api: Api) -> None:
    # given the service, when its OpenAPI document is read
    document = httpx.get(f"{api.base}/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    # then each route names every status it answers, each error with the error body
    expected = (
        {
            ("post", "/api/tickets"): {"200", "400", "401", "413", "422", "503"},
            ("get", "/api/decisions/{decision_id}"): {"200", "401", "404", "422", "503"},
            ("get", "/api/customers/{email}"): {"200", "401", "404", "422", "503"},
            ("post", "/api/imports/{kind}"): {"200", "401", "409", "413", "422", "503"},
            ("get", "/healthz"): {"200", "503"},
        }
        | {
            ("post", f"/webhooks/{sender}"): {"200", "202", "400", "401", "413", "503"}
            for sender in ("shopify", "stripe", "zendesk", "gorgias")
        }
        | {  # the review platforms' also refuse a review with a bad field
            ("post", f"/webhooks/{sender}"): {"200", "202", "400", "401", "413", "422", "503"}
            for sender in ("trustpilot", "judgeme")
        }
    )
    for (method, path), statuses in expected.items():
        responses = paths[path][method]["responses"]
        assert set(responses) == statuses, (method, path)
        for status in statuses - {"200", "202"}:
            body = responses[status]["content"]["application/json"]["schema"]
            if path == "/healthz":  # stale: the health itself; not ready: the error body
                refs = [{"$ref": f"#/components/schemas/{m}"} for m in ("Health", "ErrorOut")]
                assert body["anyOf"] == refs, (path, status)
                continue
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
    answers = {  # and each success with its resource's model
        ("post", "/api/tickets", "200"): "DecisionOut",
        ("get", "/api/decisions/{decision_id}", "200"): "DecisionOut",
        ("get", "/api/customers/{email}", "200"): "CustomerOut",
        ("post", "/api/imports/{kind}", "200"): "ImportOut",
        ("get", "/healthz", "200"): "Health",
    } | {  # every webhook: stored in the inbox (202), or a topic not acted on (200)
        ("post", f"/webhooks/{sender}", status): model
        for sender in WEBHOOK_SENDERS
        for status, model in (("202", "DeliveryAccepted"), ("200", "DeliveryIgnored"))
    }
    for (method, path, status), model in answers.items():
        body = paths[path][method]["responses"][status]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model}"}, (path, status)
    assert schemas["ErrorOut"]["required"] == ["error", "message"]
    assert "bad_value" in schemas["ErrorOut"]["properties"]["error"]["enum"]
    webhooks = {path for path in paths if path.startswith("/webhooks/")}
    assert webhooks == {f"/webhooks/{sender}" for sender in WEBHOOK_SENDERS}
    assert "HTTPValidationError" not in schemas  # FastAPI's own 422 body is never answered
    # and the two bodies the API reads are described: a ticket in each of its formats, a file
    ticket = paths["/api/tickets"]["post"]["requestBody"]["content"]["application/json"]
    formats = {each["$ref"].rsplit("/", 1)[1] for each in ticket["schema"]["oneOf"]}
    assert formats == {"JsonLinesTicket", "ZendeskTicket", "GorgiasTicket"}
    assert set(schemas["JsonLinesTicket"]["required"]) == {
        "id",
        "created_at",
        "channel",
        "customer_email",
        "body",
    }
    upload = paths["/api/imports/{kind}"]["post"]["requestBody"]["content"]
    assert set(upload) == {"text/csv", "application/json"}


# --- one shape for a decision ----------------------------------------------------------


@pytest.mark.process
def test_triage_json_and_the_api_show_a_decision_in_one_shape(
    tmp_path: Path, reader: EmbeddedReader
) -> None:
    # given a shop whose tickets `evenhand triage --json` decided
    assert evenhand("init", cwd=tmp_path).returncode == 0
    assert evenhand("import", "shopify-orders", str(SHOP), cwd=tmp_path).returncode == 0
    triaged = evenhand("triage", str(TICKETS), "--json", cwd=tmp_path)
    lines = [json.loads(line) for line in triaged.stdout.splitlines()]
    decided = [line for line in lines if "decision_id" in line]
    assert len(decided) == 6, triaged.stderr
    # when the API shows the same decisions
    with api_over(f"sqlite:///{tmp_path / 'evenhand.sqlite3'}", reader) as api:
        shown = [api.get(f"/api/decisions/{line['decision_id']}").json() for line in decided]
        ticket = TICKETS.read_text(encoding="utf-8").splitlines()[4]
        posted = api.post("/api/tickets", ticket.encode(), **{"Content-Type": "application/json"})
        again = api.get(f"/api/decisions/{posted.json()['decision_id']}").json()
    # then each is the line, field for field (the LTV of an unknown customer "0.00" in both)
    assert shown == decided
    unknown = next(line for line in decided if line["ticket_id"] == "t-5")
    assert unknown["ltv"] == {"metric_value": "0.00", "currency": "SEK"}
    # and a ticket posted to the API is answered in the shape it is later shown in
    assert posted.status_code == 200, posted.text
    assert posted.json() == again
    assert again.keys() == unknown.keys() and again["ltv"] == unknown["ltv"]


# --- bad requests are answered, not 500 -------------------------------------------------


def test_bad_requests_are_refused_with_the_error_body_and_the_reason(api: Api) -> None:
    ticket = json.loads(TICKETS.read_text(encoding="utf-8").splitlines()[0])
    json_body = {"Content-Type": "application/json"}

    def posted(changes: dict[str, Any]) -> httpx.Response:
        body = json.dumps(ticket | changes).encode()
        return api.post("/api/tickets", body, **json_body)

    cases = {
        # given each bad request, when it is sent, then its status, code and reason
        "an id past 64 bits": (
            api.get(f"/api/decisions/{2**70}"),
            422,
            "bad_value",
            "path.decision_id",
        ),
        "a body that is not JSON": (
            api.post("/api/tickets", b"{not json", **json_body),
            400,
            "malformed_payload",
            "not valid JSON",
        ),
        "a time past year 9999 in UTC": (
            posted({"created_at": "9999-12-31T23:59:59-01:00"}),
            422,
            "bad_value",
            "created_at",
        ),
        "a year before any order": (
            posted({"created_at": "0001-01-01T00:00:00+01:00"}),
            422,
            "bad_value",
            "created_at",
        ),
        "a lone surrogate": (
            posted({"body": "Where is my parcel \ud800?"}),
            422,
            "bad_value",
            "surrogate",
        ),
        "a requester id that is a list": (
            api.post(
                "/api/tickets",
                json.dumps(
                    {"id": 1, "created_at": "2026-11-20T10:00:00Z", "requester_id": [1]}
                ).encode(),
                **json_body,
            ),
            422,
            "bad_value",
            "requester_id",
        ),
        "an id longer than its column": (posted({"id": "x" * 200}), 422, "bad_value", "id"),
        "a Zendesk requester by name only": (
            api.post(
                "/api/tickets",
                json.dumps(
                    {
                        "id": 2,
                        "created_at": "2026-11-20T10:00:00Z",
                        "description": "Where is my parcel?",
                        "requester": {"name": "Ada Lind"},
                    }
                ).encode(),
                **json_body,
            ),
            422,
            "missing_value",
            "requester.email: missing",
        ),
        "a Zendesk requester with a bad address": (
            api.post(
                "/api/tickets",
                json.dumps(
                    {
                        "id": 3,
                        "created_at": "2026-11-20T10:00:00Z",
                        "description": "Where is my parcel?",
                        "requester": {"email": "ada at example.se"},
                    }
                ).encode(),
                **json_body,
            ),
            422,
            "bad_value",
            "requester.email: not an e-mail address",
        ),
        "an address the service lacks": (api.get("/api/nothing"), 404, "not_found", "Not Found"),
        "a Stripe timestamp in other digits": (
            httpx.post(
                f"{api.base}/webhooks/stripe",
                content=b"{}",
                headers={b"Stripe-Signature": "t=\u00b2,v1=00".encode("latin-1")},
            ),
            401,
            "bad_signature",
            "signature",
        ),
    }
    for name, (answer, status, code, reason) in cases.items():
        assert answer.status_code == status, (name, answer.text)
        assert answer.json()["error"] == code, (name, answer.text)
        assert reason in answer.json()["message"], (name, answer.text)


# --- a bounded schemathesis run --------------------------------------------------------


@dataclass
class Findings:
    answered: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status)
    failures: list[str] = field(default_factory=list)


CHECKS = (not_a_server_error, response_schema_conformance, status_code_conformance)


def _signed(path: str, raw: bytes) -> dict[str, str]:
    """The headers its sender would sign a webhook body with (a topic Evenhand acts on)."""
    if path.endswith("shopify"):
        topic = sorted(SHOPIFY_TOPICS)[len(raw) % len(SHOPIFY_TOPICS)]
        return shopify_headers(raw, SECRETS["shopify_webhook_secret"], topic=topic, event_id="e")
    if path.endswith("stripe"):
        return stripe_headers(raw, SECRETS["stripe_webhook_secret"])
    if path.endswith("zendesk"):
        return zendesk_headers(raw, SECRETS["zendesk_webhook_secret"])
    return gorgias_headers(SECRETS["gorgias_webhook_secret"])


def _send(api: Api, case: Any, mode: GenerationMode) -> Any:
    path = case.operation.path
    if path.startswith("/webhooks/") and mode.is_positive:  # signed, so the body is read
        raw = json.dumps({} if case.body is NOT_SET else case.body).encode()
        url = api.base + case.formatted_path
        return httpx.post(url, content=raw, headers=_signed(path, raw), timeout=30)
    return case.call(base_url=api.base, headers=api.auth, timeout=30)


def _run(api: Api, operation: Any, mode: GenerationMode, found: Findings) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def each(case: Any) -> None:
        answer = _send(api, case, mode)
        found.answered[operation.label, answer.status_code] += 1
        for check in CHECKS:
            try:
                case.validate_response(answer, checks=[check])
            except BaseExceptionGroup as failure:
                found.failures.append(
                    f"{operation.label} ({mode.value}) {check.__name__}: "
                    f"{answer.status_code} {answer.text[:200]!r} <- {failure.exceptions[0]}"
                )

    try:
        each()
    except Unsatisfiable:  # nothing in this operation can be made invalid
        assert mode.is_negative


@pytest.fixture
def demo_api(tmp_path: Path, demo_sqlite: Path, reader: EmbeddedReader) -> Iterator[Api]:
    """The service over a copy of the demo database (its orders, 90 decided tickets)."""
    shutil.copy(demo_sqlite, tmp_path / "demo.sqlite3")
    with api_over(f"sqlite:///{tmp_path / 'demo.sqlite3'}", reader) as api:
        yield api


@pytest.mark.slow
def test_generated_requests_find_no_server_error_and_no_answer_off_the_document(
    demo_api: Api,
) -> None:
    # given the service over the demo shop, and its own OpenAPI document
    schema = schemathesis.openapi.from_url(f"{demo_api.base}/openapi.json")
    found = Findings()
    # when every operation gets requests generated from the document, valid and invalid
    for result in schema.get_all_operations():
        assert isinstance(result, Ok)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(demo_api, result.ok(), mode, found)
    # and the resources the demo holds are asked for by name
    with demo_api.engine.connect() as connection:
        emails = connection.execute(select(customers.c.email).limit(5)).scalars().all()
    operation = schema["/api/customers/{email}"]["GET"]
    for email in emails:
        answer = demo_api.get(f"/api/customers/{email}")
        found.answered[operation.label, answer.status_code] += 1
        case = operation.Case(path_parameters={"email": email})
        case.validate_response(answer, checks=list(CHECKS))
    # then no answer is a server error, and every answer is one the document describes
    assert found.failures == [], "\n".join(found.failures[:20])
    assert not any(status >= 500 for _, status in found.answered)
    # and the run reached past the refusals: tickets decided, customers shown, deliveries kept
    for reached in ("POST /api/tickets", "GET /api/customers/{email}", "GET /healthz"):
        got = {status: n for (label, status), n in found.answered.items() if label == reached}
        assert found.answered[reached, 200] > 0, (reached, got)
    assert sum(n for (label, status), n in found.answered.items() if status == 202) > 0
    print(f"answered: {dict(sorted(found.answered.items()))}")
