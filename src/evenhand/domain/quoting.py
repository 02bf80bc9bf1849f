"""Values quoted in a message: a short prefix, whatever their size.

A refusal quotes the cell it refuses. A YAML alias bomb of 18 kB expands to a list of
millions of items; `repr` of it is hundreds of megabytes. `quoted` never builds more than
a few hundred characters, whatever it is given.
"""

from __future__ import annotations

import reprlib

QUOTED_CHARS = 40  # of a value, in a message


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel = 2
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = 4
    short.maxstring = short.maxother = QUOTED_CHARS
    short.maxlong = QUOTED_CHARS
    return short


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
