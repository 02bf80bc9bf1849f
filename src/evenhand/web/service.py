"""The one object the routes share: settings, engine, guide, and the reader (built once)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from evenhand.actions.guide import active_guide, guide_changed
from evenhand.domain.guide import Guide
from evenhand.settings import Settings
from evenhand.understand.model import Reader


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Service:
    settings: Settings
    engine: Engine
    guide: Guide
    build_reader: Callable[[], Reader]
    # Webhook deliveries are written through an engine that does not sleep on SQLite's
    # lock (see `evenhand.store.database.retry_while_locked`).
    inbox_engine: Engine
    now: Callable[[], datetime] = utc_now
    _reader: Reader | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # One writer at a time from this process: SQLite would otherwise make the others wait
    # in its busy handler, which sleeps in steps of up to 100 ms.
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    def current_guide(self) -> Guide:
        """The guide in force: reloaded when a manager has adopted another one."""
        if guide_changed(self.engine, self.guide):
            self.guide = active_guide(self.engine, self.settings)
        return self.guide

    def reader(self) -> Reader:
        """The reader, built on first use (it trains in a few seconds) and shared after."""
        with self._lock:
            if self._reader is None:
                self._reader = self.build_reader()
            return self._reader

    def forget_reader(self) -> None:
        """After an adoption: the next request builds the reader in force again."""
        with self._lock:
            self._reader = None


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(_service)]
