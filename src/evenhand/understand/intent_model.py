"""The intent model as it runs: a probability for every intent of a cleaned message, read
without its threat sentences, so a threat cannot move the intent.

Two approaches are trained (`training`), compared by `evenhand eval --compare`:
- char+word n-grams and cue counts with logistic regression (the default, in the reader's
  artefact): character n-grams carry Swedish compounds, inflections and typos; word
  n-grams carry phrases;
- word n-grams with naive Bayes, the classic baseline (trained when asked for).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evenhand.understand.approach import Approach
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Example
from evenhand.understand.model import Intent
from evenhand.understand.sentences import sentences


def training_text(example: Example) -> str:
    """What a model trains on: the cleaned message without the threat the corpus put in
    (known, so training does not depend on the signal readers)."""
    text = clean_message(example.body, example.subject)
    return without_sentences(text, list(sentences(example.threat)) if example.threat else [])


# A sentence this short right after a threat is the threat's demand ("Do you want the
# review gone? Refund."): it goes with the threat.
DEMAND_WORDS = 2


def without_sentences(text: str, left_out: Sequence[str]) -> str:
    """The text without the sentences (or clauses of sentences) left out; the whole text
    when nothing would remain (a one-line threat still says what it is about). What is left
    of a sentence that was mostly threat ("..., they said you'd be contacted") goes too, and
    so does the one- or two-word demand right after a threat ("Refund."), unless nothing
    else would remain ("The mug broke, or I'll post a review.")."""
    if not left_out:
        return text
    kept: list[str] = []
    scraps: list[str] = []
    after_threat = False
    for sentence in sentences(text):
        if sentence in left_out:
            after_threat = True
            continue
        demand = after_threat and _words(sentence) <= DEMAND_WORDS  # "... the review? Refund."
        after_threat = False
        if demand:
            scraps.append(sentence)
            continue
        remainder = sentence
        for piece in left_out:  # whole words only: a clause "or" is not in "Göteborg"
            remainder = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", " ", remainder)
        if remainder.strip(" ,;:-"):
            mostly_threat = _words(remainder) * 2 <= _words(sentence)
            (scraps if mostly_threat else kept).append(remainder.strip())
    return "\n".join(kept or scraps) or text


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


class TextClassifier(Protocol):
    """A trained classifier of texts: its class labels, and their probabilities."""

    @property
    def classes(self) -> tuple[str, ...]: ...

    def predict_proba(self, texts: Sequence[str]) -> Any: ...


@dataclass(frozen=True, slots=True)
class IntentModel:
    approach: Approach
    classifier: TextClassifier

    def rank(self, text: str) -> list[tuple[Intent, float]]:
        """Every intent with its probability, most likely first."""
        return self.rank_many([text])[0]

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[Intent, float]]]:
        """`rank` for many texts in one pass of the model (much less overhead per text)."""
        if not texts:
            return []
        classes = [Intent(label) for label in self.classifier.classes]
        rankings = []
        for row in self.classifier.predict_proba(list(texts)):
            ranked = sorted(zip(classes, row, strict=True), key=lambda pair: -pair[1])
            rankings.append([(intent, float(p)) for intent, p in ranked])
        return rankings
