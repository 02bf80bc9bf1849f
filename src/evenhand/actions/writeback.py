"""Write decisions back onto helpdesk tickets: tags, then an internal note.

Each write-back is tried when due; a 429 waits as long as the helpdesk asks, any other
passing failure backs off exponentially, and a refusal (or too many tries) is kept as
failed, visible in `evenhand inbox status` and requeued by `evenhand inbox retry`.
The tags step is remembered, so a retry after a failed note does not tag again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from evenhand.helpdesk.gorgias import GorgiasClient
from evenhand.helpdesk.http import HelpdeskError
from evenhand.helpdesk.zendesk import ZendeskClient
from evenhand.settings import Settings
from evenhand.store.writebacks import (
    Writeback,
    WritebackStatus,
    claim_writeback,
    due_writebacks,
    record_attempt,
)

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MOST_SECONDS = 3600.0


class Helpdesk(Protocol):
    def add_tags(self, ticket_id: str, tags: list[str]) -> None: ...

    def add_internal_note(self, ticket_id: str, text: str) -> None: ...

    def has_note(self, ticket_id: str, marker: str) -> bool: ...


@dataclass(slots=True)
class Helpdesks:
    """The helpdesk accounts the settings give credentials for."""

    zendesk: ZendeskClient | None = None
    gorgias: GorgiasClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Helpdesks:
        found = cls()
        if settings.zendesk_url and settings.zendesk_email and settings.zendesk_api_token:
            found.zendesk = ZendeskClient(
                base_url=settings.zendesk_url,
                email=settings.zendesk_email,
                api_token=settings.zendesk_api_token.get_secret_value(),
            )
        if settings.gorgias_url and settings.gorgias_email and settings.gorgias_api_key:
            found.gorgias = GorgiasClient(
                base_url=settings.gorgias_url,
                email=settings.gorgias_email,
                api_key=settings.gorgias_api_key.get_secret_value(),
            )
        return found

    def configured(self, provider: str) -> bool:
        return self.client(provider) is not None

    def client(self, provider: str) -> Helpdesk | None:
        return {"zendesk": self.zendesk, "gorgias": self.gorgias}.get(provider)

    def close(self) -> None:
        for client in (self.zendesk, self.gorgias):
            if client is not None:
                client.close()


def note_marker(writeback: Writeback) -> str:
    """What names the note of this decision, so a retry can see it was already written."""
    return f"Evenhand decision {writeback.decision_id}:"


def internal_note(writeback: Writeback) -> str:
    """The note agents read on the ticket: what was decided, by which rule, why, the draft."""
    return "\n".join(
        [
            f"{note_marker(writeback)} {writeback.remedy} (rule {writeback.rule_id}, "
            f"guide {writeback.guide_version})",
            f"Tags: {', '.join(writeback.tags)}",
            "",
            writeback.explanation,
            "",
            "Reply draft:",
            writeback.reply_text,
        ]
    )


def send_due_writebacks(
    engine: Engine,
    *,
    helpdesks: Helpdesks,
    settings: Settings,
    now: Callable[[], datetime],
    limit: int = 20,
) -> int:
    """Try every write-back that is due, each claimed first (another worker's is left to
    it); each outcome is stored at once. Returns how many were tried."""
    with engine.connect() as connection:
        due = due_writebacks(connection, now=now(), limit=limit)
    tried = 0
    for writeback in due:
        attempts = writeback.attempts + 1
        lease = now() + timedelta(seconds=settings.writeback_lease_seconds)
        with engine.begin() as connection:
            if not claim_writeback(connection, writeback.id, attempts=attempts, lease_until=lease):
                continue
        tags_done, failure = _attempt(writeback, helpdesks)
        tried += 1
        moment = now()
        status, wait = _next_step(failure, attempts=attempts, settings=settings)
        with engine.begin() as connection:
            kept = record_attempt(
                connection,
                writeback.id,
                status=status,
                tags_done=tags_done,
                attempts=attempts,
                next_attempt_at=moment + timedelta(seconds=wait),
                error=None if failure is None else failure.message,
                now=moment,
            )
        if not kept:
            print(
                f"worker: write-back {writeback.id} moved on during its try (erased, or taken "
                "by another worker after its lease); this try's outcome is not kept",
                file=sys.stderr,
            )
    return tried


def _attempt(writeback: Writeback, helpdesks: Helpdesks) -> tuple[bool, HelpdeskError | None]:
    client = helpdesks.client(writeback.provider)
    if client is None:
        message = f"no {writeback.provider} credentials in the settings"
        return writeback.tags_done, HelpdeskError(message, permanent=True)
    tags_done = writeback.tags_done
    try:
        if not tags_done:
            client.add_tags(writeback.ticket_ref, writeback.tags)
            tags_done = True
        if not _note_already_there(writeback, client):
            client.add_internal_note(writeback.ticket_ref, internal_note(writeback))
    except HelpdeskError as failure:
        return tags_done, failure
    return tags_done, None


def _note_already_there(writeback: Writeback, client: Helpdesk) -> bool:
    """On a retry, whether an earlier try's note arrived after all (its answer was lost: a
    timeout, a 5xx after the write, or a crash before the outcome was stored). A try that
    got the tags done may have written the note: after `inbox retry` (tries counted from 0
    again) it is looked for too."""
    tried = writeback.attempts > 0 or writeback.tags_done
    return tried and client.has_note(writeback.ticket_ref, note_marker(writeback))


def _next_step(
    failure: HelpdeskError | None, *, attempts: int, settings: Settings
) -> tuple[WritebackStatus, float]:
    """The write-back's status after this try, and the seconds until the next one."""
    if failure is None:
        return WritebackStatus.DONE, 0.0
    if failure.permanent or attempts >= settings.writeback_max_attempts:
        return WritebackStatus.FAILED, 0.0
    if failure.retry_after is not None:
        return WritebackStatus.PENDING, failure.retry_after
    return WritebackStatus.PENDING, backoff_seconds(attempts)


def backoff_seconds(attempts: int) -> float:
    """1 s after the first failed try, then doubling, at most an hour."""
    return float(min(BACKOFF_FIRST_SECONDS * 2 ** (attempts - 1), BACKOFF_MOST_SECONDS))
