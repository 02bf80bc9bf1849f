"""A signed-in site for the web tests: the app on a loopback port over a database with
three users, a clock the test moves, and helpers that sign in and post forms as a browser
does (the CSRF token read from the page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine, select

from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.settings import Settings
from evenhand.store.database import make_engine, upgrade
from evenhand.store.tables import audit_events
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from evenhand.web.service import Service
from tests.conftest import NOW, Clock
from tests.live import serving

LEAD, DEPUTY, AGENT = "lead@nordhem.example", "deputy@nordhem.example", "agent@nordhem.example"
PASSWORD = "a long enough password"


@dataclass
class Site:
    base: str
    engine: Engine
    clock: Clock = field(default_factory=Clock)

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)

    def sign_in(self, email: str, password: str = PASSWORD, **headers: str) -> httpx.Client:
        client = self.client(**headers)
        answer = try_sign_in(client, email, password)
        assert answer.status_code == 303, answer.text
        return client

    def events(self, action: str) -> list[tuple[str | None, dict[str, object]]]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(audit_events.c.subject, audit_events.c.details)
                .where(audit_events.c.action == action)
                .order_by(audit_events.c.id)
            )
            return [(subject, details) for subject, details in rows]


def csrf_of(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None, f"no form on {path}"
    return found.group(1)


def try_sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    data = {"email": email, "password": password, "csrf": csrf_of(client, "/login")}
    return client.post("/login", data=data)


def opens(client: httpx.Client, path: str, cookies: httpx.Cookies | None = None) -> bool:
    """Whether the path answers its page (not the way to the sign-in page)."""
    if cookies is not None:
        client.cookies = cookies
    answer = client.get(path)
    if answer.status_code == 303:
        assert answer.headers["location"] == "/login"
        return False
    assert answer.status_code == 200, answer.text
    return True


def admin_form(client: httpx.Client, change: str, **fields: str) -> httpx.Response:
    return client.post(f"/admin/users/{change}", data={"csrf": csrf_of(client, "/admin"), **fields})


def serve_site(db_url: str, reader: EmbeddedReader, **settings: object) -> Iterator[Site]:
    engine = make_engine(db_url)
    upgrade(engine)
    for email, role in ((LEAD, Role.MANAGER), (DEPUTY, Role.MANAGER), (AGENT, Role.AGENT)):
        create_user(engine, email=email, role=role, password=PASSWORD, now=NOW)
    given = Settings(db=db_url, session_secret="test-secret", **settings)  # type: ignore[arg-type]
    app = create_app(given, reader=reader, warm_reader=False)
    service: Service = app.state.service
    site = Site("", engine)
    service.now = site.clock
    with serving(app) as base:
        site.base = base
        yield site
    engine.dispose()
