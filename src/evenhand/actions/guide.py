"""Which resolution guide is in force, and `evenhand guide check`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from evenhand.domain.guide import ExampleOutcome, Guide, run_example
from evenhand.errors import EvenhandError, InputError
from evenhand.ingest.guide_file import parse_guide, read_guide
from evenhand.settings import Settings
from evenhand.store.audit import record_event
from evenhand.store.decisions import (
    adopt_guide,
    adopted_guide,
    adopted_version,
    ensure_guide_version,
    guide_history,
)

DEFAULT_GUIDE_NAME = "default.yaml"


def default_guide_text() -> str:
    return resources.files("evenhand.guides").joinpath(DEFAULT_GUIDE_NAME).read_text("utf-8")


DEMO_SHOP_NAME = "Nordhem"  # the default guide's `shop_name`: the demo shop's


def demo_name_notice(guide: Guide) -> str:
    """What to do while the replies are signed with the demo shop's name ('' once not)."""
    if guide.settings.shop_name != DEMO_SHOP_NAME:
        return ""
    return (
        f"Replies are signed '{DEMO_SHOP_NAME}', the demo shop's name in the default guide. "
        "For your shop: save the guide (evenhand guide show --yaml > guide.yaml), set "
        "shop_name in it and what else is yours, then upload it on the guide page or name "
        "it as guide in evenhand.toml."
    )


def load_guide(settings: Settings, *, path: Path | None = None) -> Guide:
    """The guide given, else the settings' guide file, else the default guide."""
    chosen = path or settings.guide
    if chosen is not None:
        return read_guide(chosen)
    return parse_guide(default_guide_text(), source=f"the default guide ({DEFAULT_GUIDE_NAME})")


@dataclass(frozen=True, slots=True)
class GuideCheck:
    guide: Guide
    outcomes: list[ExampleOutcome]

    @property
    def passed(self) -> bool:
        return all(outcome.passed for outcome in self.outcomes)


def check_guide(settings: Settings, *, path: Path | None = None) -> GuideCheck:
    """Load (which validates) and run every example, each again with every threat added."""
    guide = load_guide(settings, path=path)
    return GuideCheck(guide, [run_example(guide, example) for example in guide.examples])


def active_guide(engine: Engine, settings: Settings) -> Guide:
    """The guide a manager adopted last (uploaded in the UI); none, `load_guide`'s.

    An adopted guide's replies were checked over the grid when it was uploaded; one
    adopted before that check is loaded as it is (`guide check` on its text lists what to
    change), so the service that takes the corrected upload still starts."""
    with engine.connect() as connection:
        adopted = adopted_guide(connection)
    if adopted is None:
        return load_guide(settings)
    _, text, source = adopted
    return parse_guide(text, source=source, grid_check=False)


def guide_changed(engine: Engine, guide: Guide) -> bool:
    """Whether a guide other than this one has been adopted since (one small query)."""
    with engine.connect() as connection:
        version = adopted_version(connection)
    return version is not None and version != guide.version


def checked_upload(text: str, *, by: str) -> GuideCheck:
    """An uploaded guide, loaded and its examples run (each with every threat added);
    refused, with every problem, if it does not load or an example fails."""
    guide = parse_guide(text, source=f"uploaded by {by}")
    check = GuideCheck(guide, [run_example(guide, example) for example in guide.examples])
    if not check.passed:
        failed = [o.example.name for o in check.outcomes if not o.passed]
        raise EvenhandError(InputError.BAD_GUIDE, f"examples fail: {', '.join(failed)}")
    return check


def adopt_uploaded_guide(
    engine: Engine,
    *,
    text: str,
    by: str,
    now: datetime,
    replay: Mapping[str, Any] | None = None,
) -> GuideCheck:
    """Validate an uploaded guide, run its examples, and adopt it: from now on tickets are
    decided by it. `replay` holds the figures of the replay the manager saw, recorded with
    the adoption."""
    check = checked_upload(text, by=by)
    guide = check.guide
    with engine.begin() as connection:
        ensure_guide_version(
            connection, version=guide.version, source=guide.source, text=guide.text, now=now
        )
        adopt_guide(connection, version=guide.version, by=by, now=now, replay=replay)
        details: dict[str, Any] = {"by": by} | ({"replay": dict(replay)} if replay else {})
        record_event(
            connection, at=now, action="guide adopt", subject=guide.version, details=details
        )
    return check


def guide_versions_json(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return guide_history(connection)
