"""Sentence classifiers for threat signals: the second stage after the lexicon.

Trained by `evenhand reader build` (`training`), deterministically, on the corpus's training
threat sentences and the written batches' (positives), and on neutral mentions of reviews
and banks, the batches' ordinary sentences, the lines messages are composed with and the
sentences of the training seed messages, which carry no threat (negatives).
The topical model (e5 blended with n-grams) decides the sentences that name a review or a
bank and that the lexicon left undecided, and takes a second look at the review threats the
lexicon read, which may be offers; the n-gram model alone is that second look's cheap
pre-check (see `signals`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from evenhand.understand import e5
from evenhand.understand.corpus import (
    GREETINGS,
    ORDER_MENTIONS,
    SIGN_OFFS,
    SUBJECTS,
    Split,
    seed_split,
)
from evenhand.understand.knobs import KNOBS
from evenhand.understand.linear import LinearModel, LinearTextModel
from evenhand.understand.model import SignalKind
from evenhand.understand.sentences import sentences

NONE = "none"
E5_ARTEFACT = "e5_signals.npz"


class SignalModel(Protocol):
    def probabilities(self, sentences: Sequence[str]) -> Any: ...

    @property
    def classes(self) -> list[str]: ...


class Classifier(Protocol):
    @property
    def classes(self) -> tuple[str, ...]: ...

    def predict_proba(self, encoded: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class TrainedSignalModel:
    """One trained sentence classifier: the n-gram one reads raw sentences (fast, for any
    sentence); the e5 one reads their embeddings (~25 ms a sentence)."""

    classifier: Classifier
    encode: Callable[[Sequence[str]], Any]

    def probabilities(self, sentences: Sequence[str]) -> Any:
        return self.classifier.predict_proba(self.encode(sentences))

    @property
    def classes(self) -> list[str]:
        return list(self.classifier.classes)


@dataclass(frozen=True, slots=True)
class BlendedSignalModel:
    """The weighted mean of members' probabilities (all trained on the same labels)."""

    members: tuple[tuple[SignalModel, float], ...]

    def probabilities(self, sentences: Sequence[str]) -> Any:
        return sum(share * model.probabilities(sentences) for model, share in self.members)

    @property
    def classes(self) -> list[str]:
        return self.members[0][0].classes


def blend_floor(threshold: float) -> float:
    """The n-gram probability below which the topical blend (`signal_e5_share` of e5, the rest
    n-grams, as `train_sentence_models` builds it) cannot reach `threshold` for a class."""
    share = KNOBS.signal_e5_share
    return (threshold - share) / (1 - share)


def classify(
    model: SignalModel, sentences: Sequence[str], *, threshold: float
) -> list[SignalKind | None]:
    """Each sentence's most likely signal, when the model is at least `threshold` sure."""
    if not sentences:
        return []
    classes = model.classes
    kinds: list[SignalKind | None] = []
    for row in model.probabilities(sentences):
        best = int(row.argmax())
        label = classes[best]
        kinds.append(SignalKind(label) if label != NONE and row[best] >= threshold else None)
    return kinds


def _jsonl(package: str, name: str) -> list[dict[str, Any]]:
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def training_sentences() -> tuple[list[str], list[str]]:
    """(sentences, labels): training threats, neutral mentions of banks and reviews, the
    written batches, the lines messages are composed with, and the training seeds' sentences."""
    rows = [
        *_training_threats(),
        *((mention["text"], NONE) for mention in _corpus("neutral_mentions.jsonl")),
        *_written_batches(),
        *((line, NONE) for line in _composition_lines()),
        *_seed_sentences(),
    ]
    return [text for text, _ in rows], [label for _, label in rows]


def _corpus(name: str) -> list[dict[str, Any]]:
    return _jsonl("evenhand.understand.corpus", name)


def _training_threats() -> list[tuple[str, str]]:
    return [
        (threat["text"], threat["signals"][0])
        for name in ("threats_sv.jsonl", "threats_en.jsonl")
        for threat in _corpus(name)
        if threat["split"] == "train"
    ]


def _seed_sentences() -> list[tuple[str, str]]:
    return [
        (sentence, NONE)
        for name in ("seeds_sv.jsonl", "seeds_en.jsonl")
        for seed in _corpus(name)
        if seed_split(seed) is Split.TRAIN
        for sentence in sentences(seed["text"])
    ]


# Sentences written apart from the threats above (corpus/README.md says by whom and how):
# threats and, mostly, ordinary mail that must show none.
WRITTEN_BATCHES = (
    "signals_t1.jsonl",
    "signals_t2.jsonl",
    "signals_t3.jsonl",
    "signals_t4.jsonl",
    "signals_t5.jsonl",
    "signals_t6.jsonl",
    "signals_t7.jsonl",
    "signals_t8.jsonl",
    "signals_t9.jsonl",
    "signals_t10.jsonl",
    "signals_t11.jsonl",
    "signals_t12.jsonl",
    "signals_t13.jsonl",
    "ordinary_own.jsonl",
)


def _written_batches() -> list[tuple[str, str]]:
    """(sentence, label) of the batches' training rows: a row of one sentence and at most one
    signal is that sentence with its label; each sentence of a longer row without a signal is
    none. Rows of several signals, or longer rows with one, are left out (one label a sentence)."""
    read: list[tuple[str, str]] = []
    for name in WRITTEN_BATCHES:
        for row in _corpus(name):
            if row.get("split", "train") != "train":
                continue
            parts = list(sentences(row["text"]))
            if not row["signals"]:
                read += [(part, NONE) for part in parts]
            elif len(row["signals"]) == 1 and len(parts) == 1:
                read.append((parts[0], row["signals"][0]))
    return read


def _composition_lines() -> list[str]:
    """The greetings, order mentions, subjects and sign-offs messages are composed with."""
    lines: list[str] = []
    for language in ("sv", "en"):
        parts = [
            *GREETINGS[language],
            *SIGN_OFFS[language],
            *(subject for subject in SUBJECTS[language] if subject),
        ]
        parts += [
            mention.format(n=n) for mention in ORDER_MENTIONS[language] for n in (10_417, 11_052)
        ]
        lines += [line for part in parts for line in part.split("\n") if line.strip()]
    return lines


@dataclass(frozen=True, slots=True)
class SentenceModels:
    """The sentence models: `topical` (e5 and n-grams) decides the sentences about reviews or
    banks that the lexicon leaves open; `other` (n-grams alone) decides which of those and of
    the second look's sentences are worth an e5 embedding."""

    topical: SignalModel
    other: SignalModel


def sentence_models(ngrams: LinearTextModel, embedded: LinearModel) -> SentenceModels:
    """The two readers of `SentenceModels` from the trained n-gram and e5 classifiers."""
    on_sentences = TrainedSignalModel(classifier=ngrams, encode=list)
    on_embeddings = TrainedSignalModel(classifier=embedded, encode=e5.embed)
    share = KNOBS.signal_e5_share
    topical = BlendedSignalModel(members=((on_embeddings, share), (on_sentences, 1 - share)))
    return SentenceModels(topical=topical, other=on_sentences)


def training_embeddings(texts: Sequence[str]) -> Any:
    """The e5 embeddings of `training_sentences()` (from the artefact while it is current)."""
    return e5.stored_embeddings(E5_ARTEFACT, texts, source=texts)


def build_e5_artefact() -> Path:
    texts, _ = training_sentences()
    return e5.write_artefact(E5_ARTEFACT, texts, source=texts)


def e5_artefact_is_current() -> bool:
    texts, _ = training_sentences()
    return e5.artefact_is_current(E5_ARTEFACT, texts)
