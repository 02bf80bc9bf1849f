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
