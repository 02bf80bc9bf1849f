"""What names a person in stored text: their e-mail addresses, full names and phone numbers.

One pattern finds them however they are cased or spaced, in plain text and in JSON text
(a raw webhook body may escape `ö` as `\\u00f6`); a phone number is found by its last
eight digits with any separators between them, with the country code or trunk 0 before
them (`+46 70-555 12 34` and `070 555 1234` are the same number).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

REDACTED = "[redacted]"
MIN_PHONE_DIGITS = 7  # fewer digits than this are not a phone number worth looking for
FULL_NAME_WORDS = 2
PHONE_TAIL = 8  # the digits of a number that stay the same however its country is written
# What may stand between a phone number's digits: spaces, dashes, dots, slashes, brackets.
_PHONE_GAP = r"[ \t\r\n\xa0./()-]{0,3}"
# The same, also as JSON text escapes them: for a database's regular expression (Python's
# `re` in SQLite, PostgreSQL's own), which looks in raw bodies without decoding them.
_RAW_PHONE_GAP = r"(?:[ \t\r\n\xa0./()-]|\\[ntr/]|\\u00a0){0,3}"
# What stands before those digits and belongs to the number (never a digit of something
# before it): a country code after "+" or "00", a "(0)", and up to three digits more.
_PHONE_LEAD = r"(?<![\d+])(?:(?:\+|00)\d{1,3}[\s\-.]?(?:\(0\)[\s\-.]?)?)?(?:\d[\-./()]?){0,3}"


@dataclass(frozen=True, slots=True)
class Traces:
    emails: frozenset[str]
    names: frozenset[str]  # full names (two words or more): a first name alone names no one
    phones: frozenset[str]  # digits only

    @classmethod
    def of(
        cls,
        *,
        emails: Iterable[str | None],
        names: Iterable[str | None],
        phones: Iterable[str | None],
    ) -> Traces:
        return cls(
            emails=frozenset(e.strip().lower() for e in emails if e and e.strip()),
            names=frozenset(
                " ".join(n.split()) for n in names if n and len(n.split()) >= FULL_NAME_WORDS
            ),
            phones=frozenset(
                digits
                for digits in ("".join(ch for ch in p if ch.isdigit()) for p in phones if p)
                if len(digits) >= MIN_PHONE_DIGITS
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.emails or self.names or self.phones)

    @property
    def anchors(self) -> tuple[str, ...]:
        """Lower-case text of which a text holding an address or a name holds one."""
        return _compiled(self).anchors

    @property
    def phone_tails(self) -> tuple[str, ...]:
        """The last digits of each phone number."""
        return tuple(sorted({digits[-PHONE_TAIL:] for digits in self.phones}))

    @property
    def raw_phone_pattern(self) -> str | None:
        """A regular expression (Python's and PostgreSQL's syntax alike) that finds each
        phone number in raw text, JSON or not; it may find a little more than `found_in`."""
        tails = [_RAW_PHONE_GAP.join(digits) for digits in self.phone_tails]
        return "|".join(tails) or None

    def found_in(self, text: str | None) -> bool:
        if not text:
            return False
        found = _compiled(self)
        lowered = text.lower()
        named = found.words is not None and any(anchor in lowered for anchor in found.anchors)
        if named and found.words is not None and found.words.search(text):
            return True
        return found.phones is not None and bool(found.phones.search(text))

    def found_in_body(self, body: str) -> bool:
        """Also in the strings of a JSON body whose escapes are not the usual ones."""
        if self.found_in(body):
            return True
        if "\\" not in body:
            return False
        try:
            document = json.loads(body)
        except ValueError:
            return False
        return any(self.found_in(text) for text in strings_in(document))

    def scrub(self, text: str, *, email_placeholder: str = REDACTED) -> str:
        """The text with each trace replaced (an e-mail address by the placeholder)."""
        pattern = _compiled(self).pattern
        if pattern is None or not self.found_in(text):
            return text
        return pattern.sub(
            lambda found: email_placeholder if "@" in found.group() else REDACTED, text
        )

    def scrub_json(self, value: Any, *, email_placeholder: str = REDACTED) -> Any:
        if isinstance(value, str):
            return self.scrub(value, email_placeholder=email_placeholder)
        if isinstance(value, list):
            return [self.scrub_json(each, email_placeholder=email_placeholder) for each in value]
        if isinstance(value, dict):
            return {
                key: self.scrub_json(each, email_placeholder=email_placeholder)
                for key, each in value.items()
            }
        return value


def strings_in(value: Any) -> Iterable[str]:
    """Every string of a JSON value, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for each in value:
            yield from strings_in(each)
    elif isinstance(value, dict):
        for key, each in value.items():
            yield key
            yield from strings_in(each)


@dataclass(frozen=True, slots=True)
class _Compiled:
    pattern: re.Pattern[str] | None  # every trace, as much of it as to replace
    # Cheap tests first (the whole pattern over a 2 kB body costs a millisecond): a text
    # without an anchor (an address, or a name's longest word, lower-case) holds no address
    # or name; `words` finds them. `phones` finds a number's last digits.
    anchors: tuple[str, ...]
    words: re.Pattern[str] | None
    phones: re.Pattern[str] | None


@functools.lru_cache(maxsize=64)
def _compiled(traces: Traces) -> _Compiled:
    forms = {form for text in traces.emails | traces.names for form in _written(text)}
    words = sorted(
        {r"\s+".join(re.escape(word) for word in form.split()) for form in forms},
        key=len,
        reverse=True,
    )
    tails = [_PHONE_GAP.join(digits) + r"(?!\d)" for digits in traces.phone_tails]
    parts = [*words, *(_PHONE_LEAD + tail for tail in tails)]
    return _Compiled(
        pattern=_either(parts, re.IGNORECASE),
        anchors=tuple(sorted({max(form.split(), key=len).lower() for form in forms})),
        words=_either(words, re.IGNORECASE),
        phones=_either(tails, 0),
    )


def _either(parts: list[str], flags: int) -> re.Pattern[str] | None:
    return re.compile("|".join(parts), flags) if parts else None


def _written(text: str) -> set[str]:
    """A trace as text, and as a JSON string writes it (`\\u00f6` for `ö`)."""
    return {text, json.dumps(text)[1:-1]}
