"""The reader's trained models in the form they run in: plain arrays and NumPy, no
scikit-learn. A linear model over text (tf-idf blocks and cue counts) or over embeddings,
with a softmax over its classes, as a multinomial logistic regression predicts.

The text features are computed the way scikit-learn's `TfidfVectorizer` computes them
(lower case; `char_wb` n-grams padded with a space inside word boundaries, or word n-grams
from a token pattern; sublinear term counts; idf; l2 norm), so a model trained there gives
the same probabilities here. `evenhand reader build` checks that on the training texts
before it writes an artefact (`training.check_same_probabilities`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from evenhand.understand.cues import cue_counts

_WHITE_SPACES = re.compile(r"\s\s+")


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with a space."""
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[:n])
            while offset + n < length:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
    return grams


def word_ngram_analyser(pattern: str, low: int, high: int) -> Callable[[str], list[str]]:
    """Word n-grams of the tokens a pattern finds in the lower-cased text."""
    tokens_of = re.compile(pattern).findall

    def analyse(text: str) -> list[str]:
        tokens: list[str] = tokens_of(text.lower())
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    return analyse


class FeatureBlock(Protocol):
    """Some columns of a text's feature vector: their count, and a text's non-zero ones."""

    @property
    def width(self) -> int: ...

    def features(self, text: str) -> tuple[list[int], list[float]]: ...


@dataclass(frozen=True, slots=True)
class Analyser:
    """How a tf-idf block splits a text: `char_wb` or `word` n-grams of these lengths."""

    kind: str
    ngram_range: tuple[int, int]
    token_pattern: str = r"(?u)\b\w\w+\b"

    def function(self) -> Callable[[str], list[str]]:
        low, high = self.ngram_range
        if self.kind == "char_wb":
            return lambda text: char_wb_ngrams(text, low, high)
        if self.kind == "word":
            return word_ngram_analyser(self.token_pattern, low, high)
        raise ValueError(f"no analyser of kind {self.kind!r}")


class TfidfBlock:
    """A fitted tf-idf vectoriser: its analyser, vocabulary and idf weights."""

    __slots__ = ("analyse", "analyser", "idf", "sublinear", "vocabulary")

    def __init__(
        self, *, analyser: Analyser, vocabulary: dict[str, int], idf: Any, sublinear: bool
    ) -> None:
        self.analyser = analyser
        self.analyse = analyser.function()
        self.vocabulary = vocabulary
        self.idf = idf  # float64, one weight per column
        self.sublinear = sublinear

    @property
    def width(self) -> int:
        return len(self.vocabulary)

    def features(self, text: str) -> tuple[list[int], list[float]]:
        counts: dict[int, int] = {}
        for gram in self.analyse(text):
            column = self.vocabulary.get(gram)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = list(counts)
        tf = np.asarray(list(counts.values()), dtype=np.float64)
        if self.sublinear:
            tf = np.log(tf) + 1.0
        weights = tf * self.idf[columns]
        norm = float(np.sqrt(np.dot(weights, weights)))
        return columns, list(weights / norm) if norm else list(weights)


@dataclass(frozen=True, slots=True)
class CueBlock:
    """One column per cue family: log-scaled counts of its words (see `cues`)."""

    width: int

    def features(self, text: str) -> tuple[list[int], list[float]]:
        row = cue_counts(text)
        columns = [i for i, value in enumerate(row) if value]
        return columns, [row[i] for i in columns]


def softmax(decision: Any) -> Any:
    """Row-wise softmax, in place, as scikit-learn's multinomial logistic regression
    computes it."""
    decision -= decision.max(axis=1).reshape((-1, 1))
    np.exp(decision, out=decision)
    decision /= decision.sum(axis=1).reshape((-1, 1))
    return decision


@dataclass(frozen=True, slots=True)
class LinearTextModel:
    """A multinomial logistic regression over the concatenated blocks' features."""

    blocks: tuple[FeatureBlock, ...]
    coef: Any  # (features, classes), float64
    intercept: Any  # (classes,)
    classes: tuple[str, ...]

    def known_word_share(self, text: str) -> float:
        """The share of the text's words (without digits) that the word block has seen in
        training; 1.0 when it has no word block or the text no such word."""
        block = next(
            (b for b in self.blocks if isinstance(b, TfidfBlock) and b.analyser.kind == "word"),
            None,
        )
        if block is None:
            return 1.0
        words = [w for w in re.findall(block.analyser.token_pattern, text.lower()) if w.isalpha()]
        if not words:
            return 1.0
        return sum(w in block.vocabulary for w in words) / len(words)

    def predict_proba(self, texts: Sequence[str]) -> Any:
        decision = np.tile(self.intercept, (len(texts), 1))
        for row, text in enumerate(texts):
            columns, values = self._features(text)
            if columns:
                decision[row] += np.asarray(values) @ self.coef[columns]
        return softmax(decision)

    def _features(self, text: str) -> tuple[list[int], list[float]]:
        columns: list[int] = []
        values: list[float] = []
        start = 0
        for block in self.blocks:
            found, weights = block.features(text)
            columns.extend(start + column for column in found)
            values.extend(weights)
            start += block.width
        return columns, values


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A multinomial logistic regression over dense vectors (e5 embeddings), computed as
    scikit-learn computes it, in the dtype it was fitted in."""

    coef: Any  # (classes, dimensions)
    intercept: Any  # (classes,)
    classes: tuple[str, ...]

    def predict_proba(self, vectors: Any) -> Any:
        return softmax(np.asarray(vectors) @ self.coef.T + self.intercept)
