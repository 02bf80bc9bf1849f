"""Condition cells of the guide's decision table, in a small, strict syntax.

    intent: damaged_item          one value
    tier: [vip]                   any of a list (the list may hold null)
    order_value: "<= 300"         a comparison: <, <=, >, >=, ==
    days_since_order: 14..30      an inclusive range; either end may be left open: "..30"
    days_since_fulfilment: null   the fact is unknown
    dispute: open                 an old word, read as the values it stood for (an alias)

Every condition is a set of accepted values, so the guide can tell whether one rule's
conditions cover another's (an earlier rule that covers a later one makes it unreachable).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from difflib import get_close_matches
from enum import StrEnum

from evenhand.domain.facts import FactSpec, FactType
from evenhand.domain.quoting import quoted

_NUMBER = r"-?\d+(?:\.\d+)?"
_COMPARISON = re.compile(rf"^(<=|>=|<|>|==)\s*({_NUMBER})$")
_RANGE = re.compile(rf"^({_NUMBER})?\s*\.\.\s*({_NUMBER})?$")
_WORD = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class CellError(ValueError):
    """A cell that does not parse, with the reason in words."""


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal | None = None  # None: unbounded
    high: Decimal | None = None
    low_closed: bool = True
    high_closed: bool = True

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_closed)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_closed))
        )

    def within(self, other: Interval) -> bool:
        """Every value of this interval lies in `other`."""
        return _low_within(self, other) and _high_within(self, other)


def _low_within(inner: Interval, outer: Interval) -> bool:
    if outer.low is None:
        return True
    if inner.low is None or inner.low < outer.low:
        return False
    return inner.low > outer.low or outer.low_closed or not inner.low_closed


def _high_within(inner: Interval, outer: Interval) -> bool:
    if outer.high is None:
        return True
    if inner.high is None or inner.high > outer.high:
        return False
    return inner.high < outer.high or outer.high_closed or not inner.high_closed


@dataclass(frozen=True, slots=True)
class Condition:
    """The values one cell accepts: discrete values (None: any word) or number intervals."""

    fact: str
    cell: str  # as written, for messages and rendering
    accepts_null: bool = False
    values: frozenset[object] | None = frozenset()
    intervals: tuple[Interval, ...] = ()

    def matches(self, value: object) -> bool:
        if value is None:
            return self.accepts_null
        if isinstance(value, StrEnum):
            value = value.value
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            return self.values is None or value in self.values
        number = Decimal(value)
        return any(interval.contains(number) for interval in self.intervals)

    def covers(self, other: Condition) -> bool:
        """Every value `other` accepts, this accepts too."""
        if other.accepts_null and not self.accepts_null:
            return False
        if self.values is not None and (other.values is None or not other.values <= self.values):
            return False
        return all(
            any(inner.within(outer) for outer in self.intervals) for inner in other.intervals
        )


def any_value(spec: FactSpec) -> Condition:
    """The condition of a fact a rule does not mention."""
    if spec.type is FactType.NUMBER:
        return Condition(spec.name, "any", spec.nullable, frozenset(), (Interval(),))
    if spec.type is FactType.TEXT:
        return Condition(spec.name, "any", spec.nullable, None)
    choices: frozenset[object] = (
        frozenset({True, False}) if spec.type is FactType.FLAG else frozenset(spec.choices)
    )
    return Condition(spec.name, "any", spec.nullable, choices)


def parse_cell(spec: FactSpec, raw: object) -> Condition:
    """One cell as YAML gave it (a scalar or a list of scalars); raises CellError."""
    parts = raw if isinstance(raw, list) else [raw]
    if not parts:
        raise CellError("an empty list matches nothing; leave the fact out to match anything")
    accepts_null, values, intervals = False, set[object](), list[Interval]()
    for part in parts:
        if isinstance(part, list | dict):
            raise CellError(f"a cell holds a value or a list of values, not {quoted(part)}")
        if part is None:
            if not spec.nullable:
                raise CellError(f"{spec.name} is always known, it cannot be null")
            accepts_null = True
        elif spec.type is FactType.NUMBER:
            intervals.append(_number_cell(part))
        elif isinstance(part, str) and part.strip() in dict(spec.aliases):
            values.update(dict(spec.aliases)[part.strip()])
        else:
            values.add(_word_cell(spec, part))
    return Condition(spec.name, _cell_text(raw), accepts_null, frozenset(values), tuple(intervals))


def _cell_text(raw: object) -> str:
    if isinstance(raw, list):
        return "[" + ", ".join(_cell_text(part) for part in raw) + "]"
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return str(raw).lower()
    return str(raw)


def _number_cell(part: object) -> Interval:
    if isinstance(part, bool):
        raise CellError(f"expected a number, not {str(part).lower()}")
    if isinstance(part, int | float):
        return _point(str(part))
    text = str(part).strip()
    if comparison := _COMPARISON.match(text):
        operator, number = comparison.groups()
        return _compared(operator, Decimal(number))
    if (in_range := _RANGE.match(text)) and any(in_range.groups()):
        low, high = (None if end is None else Decimal(end) for end in in_range.groups())
        if low is not None and high is not None and low > high:
            raise CellError(f"the range {quoted(text)} is empty: {low} is above {high}")
        return Interval(low, high)
    return _point(text)


def _point(text: str) -> Interval:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(
            f"{quoted(text)} is not a number, a comparison like '<= 300' or a range like '14..30'"
        ) from None
    return Interval(number, number)


def _compared(operator: str, number: Decimal) -> Interval:
    return {
        "<": Interval(high=number, high_closed=False),
        "<=": Interval(high=number),
        ">": Interval(low=number, low_closed=False),
        ">=": Interval(low=number),
        "==": Interval(number, number),
    }[operator]


def _word_cell(spec: FactSpec, part: object) -> object:
    if spec.type is FactType.FLAG:
        if not isinstance(part, bool):
            raise CellError(f"{spec.name} is true or false, not {quoted(part)}")
        return part
    if isinstance(part, bool):
        raise CellError(
            f"{str(part).lower()} is not a value of {spec.name}; YAML reads yes/no/on/off "
            "as true/false, so quote the word"
        )
    word = str(part).strip()
    if spec.type is FactType.CHOICE and word not in spec.choices:
        raise CellError(_unknown_choice(spec, word))
    if not _WORD.match(word):
        raise CellError(f"{quoted(word)} is not a lower-case word")
    return word


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """ " (did you mean 'x'?)" for the closest choice, or nothing when none is close."""
    close = get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_choice(spec: FactSpec, word: str) -> str:
    hint = did_you_mean(word, spec.choices)
    choices = ", ".join(spec.choices)
    return f"{quoted(word)} is not a value of {spec.name}{hint}; it is one of: {choices}"
