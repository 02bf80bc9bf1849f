"""The documents a newcomer reads: generated references current, links that lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from evenhand.actions.settings_text import settings_reference

ROOT = Path(__file__).parents[1]


def test_the_settings_reference_is_generated_from_todays_settings() -> None:
    # given: docs/reference/settings.md; then: it is what `make docs` writes today
    written = (ROOT / "docs" / "reference" / "settings.md").read_text(encoding="utf-8")
    assert written == settings_reference(), "run `make docs`"


def test_every_relative_link_of_the_readme_and_docs_leads_to_a_file() -> None:
    # given: the README and every document under docs/
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    # then: each relative link names a file of this repository (a clone has no ../shared/)
    assert broken == []
