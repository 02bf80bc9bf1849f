"""A shop's labelled history, read at the edge: a CSV with a header and the columns `text`
and `label` (optional `subject`, `language`, `created_at`), and a mapping (YAML,
`shop_label: intent`) from the shop's labels to Evenhand's intents. Labels the mapping does
not name are left out and counted; anything malformed is refused naming file, line and field.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.understand.model import Intent

REQUIRED_COLUMNS = ("text", "label")
OPTIONAL_COLUMNS = ("subject", "language", "created_at")


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

    @property
    def fingerprint(self) -> str:
        """The hash of what the shop reader learns from (rows in order, with their intents)."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.subject or ''}\x1f{row.text}\x1f{row.intent.value}\x1e".encode())
        return digest.hexdigest()


def read_mapping(path: Path) -> dict[str, Intent]:
    """`shop_label: intent` pairs; an intent Evenhand does not have is refused by name."""
    raw = yaml.safe_load(_read_text(path)) or {}
    if not isinstance(raw, dict):
        raise EvenhandError(
            InputError.BAD_VALUE, "a mapping of shop labels to intents", where=Location(path)
        )
    mapping: dict[str, Intent] = {}
    for label, intent in raw.items():
        try:
            mapping[str(label)] = Intent(str(intent))
        except ValueError:
            known = ", ".join(i.value for i in Intent)
            raise EvenhandError(
                InputError.BAD_VALUE,
                f"{intent!r} is not an intent (one of: {known})",
                where=Location(path, column=str(label)),
            ) from None
    return mapping


def read_history(path: Path, mapping: dict[str, Intent] | None = None) -> ShopHistory:
    """The rows of a labelled CSV; without a mapping a label must be an intent's name."""
    lookup = mapping if mapping is not None else {i.value: i for i in Intent}
    rows: list[ShopRow] = []
    left_out: Counter[str] = Counter()
    reader = csv.DictReader(_read_text(path).splitlines())
    _check_header(reader.fieldnames, path)
    for record in reader:
        line = reader.line_num
        text, label = _required(record, "text", path, line), _required(record, "label", path, line)
        if label not in lookup:
            left_out[label] += 1
            continue
        subject = (record.get("subject") or "").strip() or None
        rows.append(ShopRow(text=text, intent=lookup[label], subject=subject, line=line))
    return ShopHistory(rows=tuple(rows), left_out=dict(sorted(left_out.items())))


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


def _check_header(names: object, path: Path) -> None:
    present = list(names) if isinstance(names, list | tuple) else []
    for column in REQUIRED_COLUMNS:
        if column not in present:
            raise EvenhandError(
                InputError.MISSING_COLUMN,
                f"the header has no {column!r} column (it needs text and label)",
                where=Location(path, line=1, column=column),
            )


def _required(record: dict[str | None, str | None], column: str, path: Path, line: int) -> str:
    value = (record.get(column) or "").strip()
    if not value:
        raise EvenhandError(
            InputError.MISSING_VALUE,
            f"{column} is empty",
            where=Location(path, line=line, column=column),
        )
    return value
