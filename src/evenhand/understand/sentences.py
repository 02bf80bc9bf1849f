"""Splitting a message into sentences: at end punctuation and at line breaks."""

from __future__ import annotations

import re
from collections.abc import Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        stripped = sentence.strip()
        if stripped:
            yield stripped
