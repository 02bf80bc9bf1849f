"""The threat lexicon, loaded from `threat_lexicon.yaml` and checked at the edge.

The file holds groups (one role each: what a threat is about, the stance that makes it one, an
offer about a review, a dispute filed, what vetoes a threat) and entries: one pattern of one
language each, with sentences it must match and must not (`tests/test_threat_lexicon.py`).
A group matches a sentence when any of its entries (or of the groups it includes) does, and
says which entry did: that id is a signal's provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.understand.model import SignalKind

LEXICON_FILE = "threat_lexicon.yaml"
LANGUAGES = frozenset({"en", "sv", "any"})
_ENTRY_FIELDS = ("id", "language", "pattern", "signals", "must_match", "must_not_match")


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    id: str
    group: str
    language: str  # "en", "sv", or "any"
    pattern: str
    signals: tuple[SignalKind, ...]
    must_match: tuple[str, ...]
    must_not_match: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LexiconGroup:
    """One role's entries, compiled into one expression whose named groups say which matched
    (and again with å, ä and ö folded, for sentences written without them)."""

    name: str
    means: str
    entries: tuple[LexiconEntry, ...]
    expression: re.Pattern[str]
    folded_expression: re.Pattern[str]

    def find(self, sentence: str) -> str | None:
        """The id of an entry that matches `sentence` (the leftmost match's), if any."""
        found = self._expression_for(sentence).search(sentence)
        if found is None or found.lastgroup is None:
            return None
        return self.entries[int(found.lastgroup[1:])].id

    def search(self, sentence: str) -> bool:
        return self._expression_for(sentence).search(sentence) is not None

    def start(self, sentence: str) -> int | None:
        """Where the leftmost match begins in `sentence`, if any entry matches."""
        found = self._expression_for(sentence).search(sentence)
        return None if found is None else found.start()

    def after(self, sentence: str) -> str:
        """What follows the leftmost match in `sentence` (all of it when nothing matches)."""
        found = self._expression_for(sentence).search(sentence)
        return sentence if found is None else sentence[found.end() :]

    def without(self, sentence: str) -> str:
        """The sentence with what the group matches blanked out."""
        return self._expression_for(sentence).sub(" ", sentence)

    def _expression_for(self, sentence: str) -> re.Pattern[str]:
        return self.expression if written_with_diacritics(sentence) else self.folded_expression


@dataclass(frozen=True, slots=True)
class Lexicon:
    groups: dict[str, LexiconGroup]
    entries: tuple[LexiconEntry, ...]

    def __getitem__(self, group: str) -> LexiconGroup:
        return self.groups[group]


# Swedish written without å, ä and ö ("stjarnor", "foljare") is common in chat and on phones:
# a sentence without any of them is matched against the patterns with the letters folded to
# a and o. A sentence with them is matched as written ("här" is not "har").
_FOLD = str.maketrans("åäöÅÄÖ", "aaoAAO")
_DIACRITICS = re.compile("[åäöÅÄÖ]")


def folded(text: str) -> str:
    return text.translate(_FOLD)


def written_with_diacritics(sentence: str) -> bool:
    return _DIACRITICS.search(sentence) is not None


def entry_matches(entry: LexiconEntry, sentence: str) -> bool:
    """Whether the entry alone matches the sentence, as its group would match it."""
    pattern = entry.pattern if written_with_diacritics(sentence) else folded(entry.pattern)
    return re.search(pattern, sentence, re.I) is not None


def _compiled(entries: tuple[LexiconEntry, ...], *, fold: bool) -> re.Pattern[str]:
    """One expression for the entries; a group without entries matches nothing."""
    shown = folded if fold else str
    alternatives = "|".join(f"(?P<e{i}>{shown(e.pattern)})" for i, e in enumerate(entries))
    return re.compile(alternatives or "(?!)", re.I)


class _Entries:
    """Reads the entries of the file, naming the file, line, entry and field of a bad one."""

    def __init__(self, path: Path, lines: dict[int, int]) -> None:
        self.path = path
        self.lines = lines  # entry index -> its line in the file

    def fail(self, index: int, name: str, field: str, reason: str) -> EvenhandError:
        where = Location(self.path, self.lines.get(index), field)
        return EvenhandError(InputError.BAD_VALUE, f"entry {name!r}: {reason}", where=where)

    def entry(self, index: int, raw: Any, groups: dict[str, Any]) -> LexiconEntry:
        if not isinstance(raw, dict):
            raise self.fail(index, f"#{index + 1}", "id", "an entry is a mapping")
        name = raw.get("id")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+\.(?:en|sv|any)\.\w+", name):
            raise self.fail(index, str(name), "id", "expected group.language.name")
        for field in _ENTRY_FIELDS:
            if field not in raw:
                raise self.fail(index, name, field, "missing")
        group = name.split(".", 1)[0]
        if group not in groups:
            raise self.fail(index, name, "id", f"no group {group!r} in the file")
        if raw["language"] not in LANGUAGES or not name.split(".")[1] == raw["language"]:
            raise self.fail(index, name, "language", "en, sv or any, as in the id")
        return LexiconEntry(
            id=name,
            group=group,
            language=raw["language"],
            pattern=self._pattern(index, name, raw["pattern"]),
            signals=self._signals(index, name, raw["signals"]),
            must_match=self._sentences(index, name, raw, "must_match", least=1),
            must_not_match=self._sentences(index, name, raw, "must_not_match", least=0),
        )

    def _pattern(self, index: int, name: str, pattern: Any) -> str:
        if not isinstance(pattern, str) or not pattern:
            raise self.fail(index, name, "pattern", "expected a regular expression")
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as error:
            raise self.fail(index, name, "pattern", f"not a regular expression: {error}") from None
        if compiled.groups:
            raise self.fail(index, name, "pattern", "use (?:...), not a capturing group")
        return pattern

    def _signals(self, index: int, name: str, raw: Any) -> tuple[SignalKind, ...]:
        known = {kind.value for kind in SignalKind}
        if not isinstance(raw, list) or not raw or not all(s in known for s in raw):
            raise self.fail(index, name, "signals", f"a list of {', '.join(sorted(known))}")
        return tuple(SignalKind(s) for s in raw)

    def _sentences(
        self, index: int, name: str, raw: dict[str, Any], field: str, *, least: int
    ) -> tuple[str, ...]:
        value = raw[field]
        if not isinstance(value, list) or len(value) < least:
            raise self.fail(index, name, field, f"a list of at least {least} sentence(s)")
        if not all(isinstance(s, str) and s.strip() for s in value):
            raise self.fail(index, name, field, "each item is a sentence")
        return tuple(value)


def _entry_lines(text: str) -> dict[int, int]:
    """The line each entry starts on (1-based), for error messages."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if key.value == "entries" and isinstance(value, yaml.SequenceNode):
            return {i: item.start_mark.line + 1 for i, item in enumerate(value.value)}
    return {}


def parse_lexicon(text: str, *, path: Path) -> Lexicon:
    """The lexicon in `text`; a bad file raises an `EvenhandError` naming file, entry, field."""
    try:
        raw = yaml.safe_load(text)
        lines = _entry_lines(text)
    except yaml.YAMLError as error:
        raise EvenhandError(
            InputError.BAD_VALUE, f"not YAML: {error}", where=Location(path)
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("groups"), dict):
        raise EvenhandError(
            InputError.BAD_VALUE, "expected groups and entries", where=Location(path)
        )
    groups: dict[str, Any] = raw["groups"]
    reader = _Entries(path, lines)
    entries = tuple(
        reader.entry(i, item, groups) for i, item in enumerate(raw.get("entries") or [])
    )
    _check_unique(entries, reader)
    return Lexicon(groups=_groups(groups, entries, path), entries=entries)


def _check_unique(entries: tuple[LexiconEntry, ...], reader: _Entries) -> None:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if entry.id in seen:
            raise reader.fail(index, entry.id, "id", "another entry has this id")
        seen.add(entry.id)


def _groups(
    raw: dict[str, Any], entries: tuple[LexiconEntry, ...], path: Path
) -> dict[str, LexiconGroup]:
    own = {name: tuple(e for e in entries if e.group == name) for name in raw}

    def members(name: str, seen: tuple[str, ...]) -> tuple[LexiconEntry, ...]:
        spec = raw[name] or {}
        included = spec.get("include", []) if isinstance(spec, dict) else []
        for other in included:
            if other not in raw or other in seen:
                message = f"group {name!r}: include: no group {other!r}, or a cycle"
                raise EvenhandError(InputError.BAD_VALUE, message, where=Location(path))
        return own[name] + tuple(e for o in included for e in members(o, (*seen, name)))

    compiled = {}
    for name, spec in raw.items():
        entries_of = members(name, ())
        means = str(spec.get("means", "")) if isinstance(spec, dict) else ""
        compiled[name] = LexiconGroup(
            name,
            means,
            entries_of,
            _compiled(entries_of, fold=False),
            _compiled(entries_of, fold=True),
        )
    return compiled


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at `path`, by default the one that ships with Evenhand."""
    if path is not None:
        return parse_lexicon(path.read_text(encoding="utf-8"), path=path)
    return default_lexicon()


@cache
def default_lexicon() -> Lexicon:
    text = resources.files(__package__).joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    return parse_lexicon(text, path=Path(LEXICON_FILE))
