"""How well the words reading finds a new delivery address (`requests.new_address_given`):
two sets of address messages in `understand/validation`, written apart and read only to
measure, each message labelled whether it gives the new address in full."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from evenhand.understand.requests import customer_words

# a: written first, its misses showed the causes the reading was widened for;
# b: written after by another writer, read before and after that change and once more
# after a review's mends (validation/README.md).
ADDRESS_SETS = ("addresses_a", "addresses_b")


@dataclass(frozen=True, slots=True)
class AddressFigures:
    """One set's figures in one language."""

    name: str
    language: str
    given: int  # messages that give the new address
    given_read: int  # ... read as giving one
    none_given: int  # messages that do not
    none_read: int  # ... read as giving one all the same


def address_rows(name: str) -> list[dict[str, object]]:
    """The set's rows: {"id", "language", "gives_address", "text"}."""
    folder = resources.files("evenhand.understand.validation")
    text = folder.joinpath(f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def address_figures(name: str) -> list[AddressFigures]:
    """Per language, how many given addresses are read, and how many read where none is."""
    counts: dict[str, list[int]] = {}
    for row in address_rows(name):
        gives, read = bool(row["gives_address"]), customer_words(str(row["text"])).new_address_given
        each = counts.setdefault(str(row["language"]), [0, 0, 0, 0])
        each[0 if gives else 2] += 1
        each[1 if gives else 3] += int(read)
    return [AddressFigures(name, language, *each) for language, each in sorted(counts.items())]
