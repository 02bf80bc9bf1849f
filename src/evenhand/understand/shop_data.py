"""A shop's labelled history mapped to Evenhand's intents: a mapping (YAML,
`shop_label: intent`) from the shop's labels or tags to intents, and the labelled messages
(read at the edge, `ingest.labelled_tickets`) that it names. Labels the mapping does not name
are left out and counted; a malformed mapping is refused naming file and label.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.understand.model import Intent


@dataclass(frozen=True, slots=True)
class ShopRow:
    """One labelled message of the shop's history, its label mapped to an intent."""

    text: str
    intent: Intent
    subject: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class ShopHistory:
    rows: tuple[ShopRow, ...]
    left_out: dict[str, int]  # labels the mapping does not name -> how many rows had them
    unlabelled: int = 0  # tickets none of whose tags the mapping names
    ambiguous: int = 0  # tickets whose tags the mapping reads as two intents or more
    not_the_customers: int = 0  # tickets with no words of the customer's (an agent opened it)
    # The intents the shop's mapping names: its own scheme (`shop_scheme`). None without a
    # mapping: the labels are the intents' names, so the shop took Evenhand's whole scheme.
    scheme: frozenset[Intent] | None = None

    @property
    def fingerprint(self) -> str:
        """The hash of what the shop reader learns from (rows in order, with their intents)."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.subject or ''}\x1f{row.text}\x1f{row.intent.value}\x1e".encode())
        return digest.hexdigest()


def read_mapping(path: Path) -> dict[str, Intent]:
    """`shop_label: intent` pairs; an intent Evenhand does not have is refused by name. A
    label mapped to nothing (`label: ~`, as `reader suggest-mapping` writes the labels to
    review) is left out like one the mapping does not name."""
    try:
        raw = yaml.safe_load(_read_text(path)) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise EvenhandError(
            InputError.BAD_VALUE,
            f"not YAML: {getattr(error, 'problem', None) or error}",
            where=Location(path, line=mark.line + 1 if mark else None),
        ) from None
    if not isinstance(raw, dict):
        raise EvenhandError(
            InputError.BAD_VALUE, "a mapping of shop labels to intents", where=Location(path)
        )
    mapping: dict[str, Intent] = {}
    lines = _label_lines(path)
    for label, intent in raw.items():
        if intent is None:
            continue
        try:
            mapping[str(label)] = Intent(str(intent))
        except ValueError:
            known = ", ".join(i.value for i in Intent)
            raise EvenhandError(
                InputError.BAD_VALUE,
                f"{intent!r} is not an intent (one of: {known})",
                where=Location(path, line=lines.get(str(label)), column=str(label)),
            ) from None
    return mapping


class Labelled(Protocol):
    """A labelled message as the edge read it (`ingest.labelled_tickets.LabelledTicket`)."""

    @property
    def text(self) -> str: ...
    @property
    def labels(self) -> tuple[str, ...]: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def line(self) -> int: ...


def _label_lines(path: Path) -> dict[str, int]:
    """The line each label of the (valid YAML) mapping is on, to name in an error."""
    node = yaml.compose(_read_text(path))
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def mapped(
    records: Iterable[Labelled], mapping: dict[str, Intent] | None = None, *, tags: bool = False
) -> ShopHistory:
    """The records whose labels the mapping names, with their intents; without a mapping a
    label must be an intent's name. A CSV row has one label: one the mapping does not name
    leaves the row out, counted by label. A ticket has tags (`tags=True`): those the mapping
    does not name are passed over and counted on the tickets that are rows; a ticket none of
    whose tags it names is left out (`unlabelled`), and so is one whose tags name two intents
    (`ambiguous`)."""
    lookup = mapping if mapping is not None else {i.value: i for i in Intent}
    rows: list[ShopRow] = []
    left_out: Counter[str] = Counter()
    unlabelled = ambiguous = 0
    for record in records:
        unnamed = [label for label in record.labels if label not in lookup]
        intents = {lookup[label] for label in record.labels if label in lookup}
        if len(intents) != 1:
            unlabelled += not intents
            ambiguous += len(intents) > 1
            if not tags:  # a CSV row's one label left it out; a ticket's tags left out none
                left_out.update(unnamed)
            continue
        left_out.update(unnamed)
        (intent,) = intents
        rows.append(
            ShopRow(text=record.text, intent=intent, subject=record.subject, line=record.line)
        )
    return ShopHistory(
        rows=tuple(rows),
        left_out=dict(sorted(left_out.items())),
        unlabelled=unlabelled if tags else 0,
        ambiguous=ambiguous,
        scheme=frozenset(mapping.values()) if mapping is not None else None,
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvenhandError(
            InputError.FILE_NOT_FOUND, "no such file", where=Location(path)
        ) from None
    except UnicodeDecodeError:
        raise EvenhandError(
            InputError.BAD_ENCODING, "not UTF-8 text", where=Location(path)
        ) from None
