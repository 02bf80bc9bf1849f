"""Values quoted in a message: a short prefix, whatever their size.

A refusal quotes the cell it refuses. A YAML alias bomb of 18 kB expands to a list of
millions of items; `repr` of it is hundreds of megabytes. `quoted` never builds more than
a few hundred characters, whatever it is given.
"""

from __future__ import annotations

import reprlib

QUOTED_CHARS = 40  # of a value, in a message


class _ShortRepr(reprlib.Repr):
    """reprlib's bounds, also for subclasses of list and dict (reprlib dispatches on the
    type's name, and would fall back to the full `repr` of a `LinedList`)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 4
        self.maxstring = self.maxother = self.maxlong = QUOTED_CHARS

    def repr1(self, x: object, level: int) -> str:
        if isinstance(x, list) and type(x) is not list:
            return self.repr_list(x, level)
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        if isinstance(x, str) and type(x) is not str:
            return self.repr_str(str(x)[: QUOTED_CHARS + 1], level)
        return super().repr1(x, level)


def _short_repr() -> reprlib.Repr:
    return _ShortRepr()


_SHORT = _short_repr()


def quoted(value: object) -> str:
    """`repr(value)`, cut to a short prefix when long (strings say how long they were)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"a number of {value.bit_length():,} bits"
    if isinstance(value, str):
        text = repr(value[: QUOTED_CHARS + 1])
        if len(value) <= QUOTED_CHARS:
            return text
        return f"{text[:QUOTED_CHARS]}... (str, {len(value):,} characters)"
    text = _SHORT.repr(value)
    if len(text) <= QUOTED_CHARS + 2:
        return text
    return f"{text[:QUOTED_CHARS]}... ({type(value).__name__})"
