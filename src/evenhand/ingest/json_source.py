"""Reading JSON and JSON Lines files with errors that point at a line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evenhand.errors import InputError
from evenhand.ingest.batch import Problems
from evenhand.ingest.text_file import read_text

_EXTRA_DATA = "Extra data"  # the decoder's word for a second value: JSON Lines
_LONGEST_KEY_VALUE = 200  # an id longer than this is not looked for in the text


class JsonError(ValueError):
    """Text that is not one JSON value Evenhand can read; `line` when the decoder knows."""

    def __init__(self, reason: str, *, line: int | None = None, extra_data: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
        self.extra_data = extra_data


def parse_json(text: str) -> Any:
    """One JSON value, refusing what `json.loads` would take or crash on: NaN and Infinity
    (not JSON), a number too large for a float, one of more than 4,300 digits (Python's
    limit), and nesting deep enough to exhaust the stack."""
    try:
        return json.loads(text, parse_constant=_not_a_number, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise JsonError(
            f"invalid JSON: {error.msg}", line=error.lineno, extra_data=error.msg == _EXTRA_DATA
        ) from None
    except RecursionError:
        raise JsonError("invalid JSON: nested too deeply") from None
    except ValueError as error:  # an integer of more than 4,300 digits, or the two below
        reason = str(error)
        if "integer string conversion" in reason:
            reason = "a number of more than 4,300 digits"
        raise JsonError(f"invalid JSON: {reason}") from None


def _not_a_number(constant: str) -> float:
    raise ValueError(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if number in {float("inf"), float("-inf")}:
        raise ValueError(f"the number {text[:40]} is too large")
    return number


def load_json_documents(path: Path, problems: Problems) -> tuple[list[Any], str]:
    """The file's JSON value(s): one document, or one per line (JSON Lines), and the text."""
    text = read_text(path)
    return json_documents(text, problems), text


def json_documents(text: str, problems: Problems) -> list[Any]:
    """The text's JSON value(s): one document, or one per line (JSON Lines)."""
    try:
        return [parse_json(text)]
    except JsonError as error:
        if not error.extra_data:
            raise problems.fatal(InputError.BAD_VALUE, error.reason, line=error.line) from None
    return _json_lines(text, problems)


def _json_lines(text: str, problems: Problems) -> list[Any]:
    documents = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            documents.append(parse_json(line))
        except JsonError as error:
            raise problems.fatal(InputError.BAD_VALUE, error.reason, line=number) from None
    return documents


def line_of(text: str, key: str, *, value: object) -> int | None:
    """The line where `"key": value` first stands in the text, to point a person at a record."""
    if value is None or len(str(value)) > _LONGEST_KEY_VALUE:
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
