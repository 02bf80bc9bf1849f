"""The demo shop in the browser: what a support lead sees after `make demo` (the README's
screenshot of the outcomes comes from here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evenhand.actions.demo import run_demo
from evenhand.actions.users import create_user
from evenhand.domain.roles import Role
from evenhand.settings import Settings
from evenhand.store.database import make_engine
from evenhand.understand.reader import EmbeddedReader
from evenhand.web.app import create_app
from tests.conftest import NOW
from tests.live import serving
from tests.test_ui import MANAGER, PASSWORD, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(sqlite_url: str, reader: EmbeddedReader, tmp_path: Path) -> Iterator[str]:
    settings = Settings(db=sqlite_url, session_secret="demo-test-secret")
    engine = make_engine(sqlite_url)
    run_demo(engine, settings=settings, folder=tmp_path / "demo", now=NOW, reader=reader)
    create_user(engine, email=MANAGER, role=Role.MANAGER, password=PASSWORD, now=NOW)
    with serving(create_app(settings, reader=reader, warm_reader=False)) as base:
        yield base
    engine.dispose()


def test_the_demo_shows_what_followed_its_tickets(demo: str, page: Page, shots: Path) -> None:
    # given the demo shop, whose tickets came in over the past year
    sign_in(page, demo)
    # when the manager opens "did being generous pay?" from the dashboard
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="did being generous pay?").click()
    # then the tickets old enough are tabled by window, tier and remedy, with intervals
    groups = page.get_by_role("table", name="after the ticket")
    expect(groups.locator("tbody tr", has_text="180").first).to_be_visible()
    expect(groups.locator("tbody tr", has_text="90").first).to_be_visible()
    expect(groups).to_contain_text(" to ")  # a mean's 95 % interval
    expect(page.get_by_text("No decided ticket is 90 days old yet")).to_have_count(0)
    # and the VIP line's two sides are counted for both windows
    line = page.get_by_role("table", name="at the VIP line")
    expect(line.get_by_role("cell", name="above", exact=True)).to_have_count(2)
    expect(line.get_by_role("cell", name="below", exact=True)).to_have_count(2)
    page.screenshot(path=str(shots / "outcomes.png"), full_page=True)
