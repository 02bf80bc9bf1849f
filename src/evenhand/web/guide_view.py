"""The guide page's view of a guide: where it came from, in words, and its reply templates
with the rules and remedies that use each, in the order the rules do."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evenhand.domain.guide import Guide, Remedy
from evenhand.domain.replies import REPLY_LANGUAGES

LANGUAGE_NAMES = {"sv": "Swedish", "en": "English"}
_LEGACY_DEFAULT = re.compile(r"^<default guide: (?P<file>[^>]+)>$")


def guide_origin(source: str) -> str:
    """Where a guide version came from, as a sentence part: `the default guide
    (default.yaml)`, `uploaded by lead@…`, `the file guides/shop.yaml`."""
    legacy = _LEGACY_DEFAULT.match(source)
    if legacy:  # as versions stored before 2026-12-04 name it
        return f"the default guide ({legacy['file']})"
    if source.startswith(("the default guide", "uploaded by")):
        return source
    return f"the file {source}"


@dataclass(frozen=True, slots=True)
class ReplySection:
    """One reply template: its name, the rules (id and remedy) that use it, its text per
    language."""

    name: str
    rules: tuple[tuple[str, Remedy], ...]
    texts: tuple[tuple[str, str], ...]  # (language, template source)


def reply_sections(guide: Guide) -> list[ReplySection]:
    """Every reply template: those the rules use first, in the rules' order, then the
    rest (the one a remedy falls back to when an agent overrides to it)."""
    names = list(dict.fromkeys(rule.reply for rule in guide.rules))
    names += sorted(name for name in guide.replies.names() if name not in names)
    return [_section(guide, name) for name in names if name in guide.replies.names()]


def _section(guide: Guide, name: str) -> ReplySection:
    rules = tuple((rule.id, rule.remedy) for rule in guide.rules if rule.reply == name)
    sources = guide.replies.sources.get(name, {})
    texts = tuple(
        (language, sources[language].rstrip())
        for language in REPLY_LANGUAGES
        if language in sources
    )
    return ReplySection(name, rules, texts)
