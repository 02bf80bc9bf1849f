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


# Where a run-on sentence turns from the complaint to a threat: a comma or dash, a
# conjunction ("...or I'll...", "...annars..."), or a first-person announcement, also typed
# without å, ä and ö ("jag tanker", "jag lamnar").
_CLAUSE_BREAK = re.compile(
    r"\s*[,;:]\s+|\s+-\s+|\s+(?=(?:or|otherwise|else|unless|annars|eller|så)\b)"
    r"|\s+(?=(?:i'?ll|i will|i'?m|i am|i'?ve|i have|im|jag (?:kommer|t[äa]nker|ska|[äa]r|har|"
    r"ger|varnar|skriver|l[äa]mnar|anm[äa]lde|gjorde|l[äa]mnade|[öo]ppnade)|vi kommer|"
    r"don'?t (?:make|force)|tvinga)\b)",
    re.IGNORECASE,
)


def clauses(sentence: str) -> list[str]:
    """The sentence's clauses, for telling a threat apart from the complaint it rides on."""
    return [part.strip() for part in _CLAUSE_BREAK.split(sentence) if part.strip()]
