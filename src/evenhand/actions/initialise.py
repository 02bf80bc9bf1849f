"""`evenhand init`: create or migrate the database and write the default settings file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from evenhand.actions.settings_text import settings_file_text
from evenhand.settings import Settings, settings_file_path
from evenhand.store.audit import record_event
from evenhand.store.database import current_revision, upgrade
from evenhand.store.shop import set_shop_currency, shop_currency


@dataclass(frozen=True, slots=True)
class InitReport:
    database: str
    revision_before: str | None
    settings_file: Path
    settings_written: bool


def initialise(engine: Engine, *, settings: Settings, now: datetime) -> InitReport:
    before = current_revision(engine)
    upgrade(engine)
    path = settings_file_path()
    written = not path.exists()
    if written:
        path.write_text(settings_file_text(settings), encoding="utf-8")
    with engine.begin() as connection:
        if settings.currency and shop_currency(connection) is None:
            set_shop_currency(connection, settings.currency)
        record_event(
            connection,
            at=now,
            action="init",
            subject=None,
            details={"revision_before": before, "settings_written": written},
        )
    return InitReport(
        database=engine.url.render_as_string(hide_password=True),
        revision_before=before,
        settings_file=path,
        settings_written=written,
    )
