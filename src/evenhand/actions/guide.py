"""Which resolution guide is in force, and `evenhand guide check`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from evenhand.domain.guide import ExampleOutcome, Guide, run_example
from evenhand.ingest.guide_file import parse_guide, read_guide
from evenhand.settings import Settings

DEFAULT_GUIDE_NAME = "default.yaml"


def default_guide_text() -> str:
    return resources.files("evenhand.guides").joinpath(DEFAULT_GUIDE_NAME).read_text("utf-8")


def load_guide(settings: Settings, *, path: Path | None = None) -> Guide:
    """The guide given, else the settings' guide file, else the default guide."""
    chosen = path or settings.guide
    if chosen is not None:
        return read_guide(chosen)
    return parse_guide(default_guide_text(), source=f"<default guide: {DEFAULT_GUIDE_NAME}>")


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
