"""Sentence classifiers for threat signals: the second stage after the lexicon.

Trained by `evenhand reader build` (`training`), deterministically, on the corpus's training
threat sentences (positives), and on neutral mentions of reviews and banks, the lines
messages are composed with and the sentences of the training seed messages, which carry no
threat (negatives).
They decide the sentences the lexicon did not (the n-gram model alone, or blended with the
e5 one for sentences about reviews or banks), and take a second look at the review threats
it read, which may be offers (see `signals`).
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
from evenhand.understand.linear import LinearModel, LinearTextModel
from evenhand.understand.model import SignalKind
from evenhand.understand.sentences import sentences

NONE = "none"
# A sentence is taken as a signal when the model is at least this sure of it (chosen by
# 5-fold cross-validation on the training sentences, 2026-11-24; see README).
SIGNAL_THRESHOLD = 0.6
TOPICAL_SIGNAL_THRESHOLD = 0.5
# Below SIGNAL_THRESHOLD but at least this likely, the n-gram model's reading of a sentence
# that names no review or bank is left to the topical model instead.
UNSURE_SIGNAL = 0.4
UNSURE_TOPICAL_THRESHOLD = 0.6  # how sure the topical model must be of those
# A review threat the lexicon read becomes extortion when the topical model is this sure
# (5-fold CV, 2026-11-24, 2,658 sentences: extortion recall 0.993 at 0.8, 0.997 at 0.7 with
# every precision the same or higher; 0.6 and 0.5 cost extortion and threat precision).
EXTORTION_OVER_THREAT = 0.7
# The e5 classifier's regularisation and its share of the topical blend (same CV: with the
# lexicon off, every signal's recall and precision rose by 0.01-0.09 over e5 alone at C=10).
E5_C = 100.0
E5_SHARE = 0.5
# The n-gram classifier's regularisation (the same CV with the lexicon off, 2026-11-24, 2,050
# sentences: at 30 against 10, recall rose 0.01-0.02 for threats and offers, precision
# within 0.005).
NGRAM_C = 30.0
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
    """The n-gram probability below which the topical blend (E5_SHARE of e5, the rest
    n-grams, as `train_sentence_models` builds it) cannot reach `threshold` for a class."""
    return (threshold - E5_SHARE) / (1 - E5_SHARE)


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
    """(sentences, labels): training threats, the lexicon's examples, and plain sentences."""
    texts: list[str] = []
    labels: list[str] = []
    for name in ("threats_sv.jsonl", "threats_en.jsonl"):
        for threat in _jsonl("evenhand.understand.corpus", name):
            if threat["split"] == "train":
                texts.append(threat["text"])
                labels.append(threat["signals"][0])
    for mention in _jsonl("evenhand.understand.corpus", "neutral_mentions.jsonl"):
        texts.append(mention["text"])  # Klarna, banks, reviews, said without a threat
        labels.append(NONE)
    for line in _composition_lines():
        texts.append(line)
        labels.append(NONE)
    for name in ("seeds_sv.jsonl", "seeds_en.jsonl"):
        for seed in _jsonl("evenhand.understand.corpus", name):
            if seed_split(seed) is Split.TRAIN:
                for sentence in sentences(seed["text"]):
                    texts.append(sentence)
                    labels.append(NONE)
    return texts, labels


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
    """What decides the sentences the lexicon leaves open: `topical` those about reviews or
    banks, `other` the rest."""

    topical: SignalModel
    other: SignalModel


def sentence_models(ngrams: LinearTextModel, embedded: LinearModel) -> SentenceModels:
    """The two readers of `SentenceModels` from the trained n-gram and e5 classifiers."""
    on_sentences = TrainedSignalModel(classifier=ngrams, encode=list)
    on_embeddings = TrainedSignalModel(classifier=embedded, encode=e5.embed)
    topical = BlendedSignalModel(members=((on_embeddings, E5_SHARE), (on_sentences, 1 - E5_SHARE)))
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
