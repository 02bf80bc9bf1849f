"""Reading JSON and JSON Lines files with errors that point at a line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evenhand.errors import InputError
from evenhand.ingest.batch import Problems


def load_json_documents(path: Path, problems: Problems) -> tuple[list[Any], str]:
    """The file's JSON value(s): one document, or one per line (JSON Lines), and the text."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise problems.fatal(InputError.UNKNOWN_FORMAT, f"not UTF-8 text: {error}") from None
    try:
        return [json.loads(text)], text
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise problems.fatal(
                InputError.BAD_VALUE, f"invalid JSON: {error.msg}", line=error.lineno
            ) from None
    return _json_lines(text, problems), text


def _json_lines(text: str, problems: Problems) -> list[Any]:
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise problems.fatal(
                InputError.BAD_VALUE, f"invalid JSON: {error.msg}", line=number
            ) from None
    return documents


def line_of(text: str, key: str, *, value: object) -> int | None:
    """The line where `"key": value` first stands in the text, to point a person at a record."""
    if value is None:
        return None
    pattern = rf'"{re.escape(key)}"\s*:\s*"?{re.escape(str(value))}"?\s*[,}}\n]'
    found = re.search(pattern, text)
    return None if found is None else text.count("\n", 0, found.start()) + 1


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\r\n]*")


def _skip(text: str, position: int) -> int:
    """The position of the next character that is not white space."""
    found = _SPACE.match(text, position)
    return found.end() if found else position


def array_item_lines(text: str, key: str | None = None) -> list[int]:
    """The line where each item of a JSON array starts: the top-level array, or the array
    under the top-level `key`. The text must be valid JSON; [] when there is no such array."""
    position = _skip(text, 0)
    if key is None:
        return _item_lines(text, position) if text.startswith("[", position) else []
    if not text.startswith("{", position):
        return []
    position += 1
    while True:
        position = _skip(text, position)
        if text.startswith("}", position):
            return []
        name, position = _DECODER.raw_decode(text, position)
        position = _skip(text, text.index(":", position) + 1)
        if name == key and text.startswith("[", position):
            return _item_lines(text, position)
        _, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        position += 1 if text.startswith(",", position) else 0


def _item_lines(text: str, position: int) -> list[int]:
    lines: list[int] = []
    line, counted = 1, 0
    position += 1  # past "["
    while True:
        position = _skip(text, position)
        if text.startswith("]", position):
            return lines
        line += text.count("\n", counted, position)
        counted = position
        lines.append(line)
        _, position = _DECODER.raw_decode(text, position)
        position = _skip(text, position)
        position += 1 if text.startswith(",", position) else 0
