"""A sentence classifier for threat signals: the second stage after the lexicon.

Trained at first use, deterministically, on the corpus's training threat sentences and the
lexicon's own labelled sentences (positives), and on the sentences of the training seed
messages, which carry no threat (negatives). It only decides sentences the lexicon did not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from evenhand.understand import e5
from evenhand.understand.corpus import (
    GREETINGS,
    HELD_OUT_EVERY,
    ORDER_MENTIONS,
    SIGN_OFFS,
    SUBJECTS,
)
from evenhand.understand.features import ngram_features
from evenhand.understand.model import SignalKind
from evenhand.understand.sentences import sentences

NONE = "none"
# A sentence is taken as a signal when the model is at least this sure of it (chosen by
# cross-validation on the training sentences; re-checked 2026-11-24 on 1,116 of them:
# n-gram precision 0.954 at recall 0.62, e5 0.906 at 0.91; see README).
SIGNAL_THRESHOLD = 0.6
E5_SIGNAL_THRESHOLD = 0.5
E5_ARTEFACT = "e5_signals.npz"


@dataclass(frozen=True, slots=True)
class SignalModel:
    """A sentence classifier for signals: the n-gram one reads raw sentences (fast, for any
    sentence); the e5 one reads their embeddings (~25 ms a sentence, so only for sentences
    about reviews or banks)."""

    classifier: Any
    threshold: float
    encode: Callable[[Sequence[str]], Any]

    def classify(self, sentences: Sequence[str]) -> list[SignalKind | None]:
        if not sentences:
            return []
        probabilities = self.classifier.predict_proba(self.encode(sentences))
        classes = list(self.classifier.classes_)
        kinds: list[SignalKind | None] = []
        for row in probabilities:
            best = int(row.argmax())
            label = classes[best]
            kinds.append(
                SignalKind(label) if label != NONE and row[best] >= self.threshold else None
            )
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
            number = int(seed["id"].rsplit("-", 1)[1])
            if number % HELD_OUT_EVERY != HELD_OUT_EVERY - 1:
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


@lru_cache(maxsize=1)
def signal_model() -> SignalModel:
    texts, labels = training_sentences()
    features = FeatureUnion(ngram_features())
    pipeline = Pipeline(
        [
            ("features", features),
            (
                "model",
                LogisticRegression(C=10.0, max_iter=3000, random_state=0, class_weight="balanced"),
            ),
        ]
    )
    pipeline.fit(texts, labels)
    return SignalModel(classifier=pipeline, threshold=SIGNAL_THRESHOLD, encode=list)


@lru_cache(maxsize=1)
def embedding_signal_model() -> SignalModel:
    texts, labels = training_sentences()
    classifier = LogisticRegression(C=10.0, max_iter=3000, random_state=0, class_weight="balanced")
    classifier.fit(e5.stored_embeddings(E5_ARTEFACT, texts, source=texts), labels)
    return SignalModel(classifier=classifier, threshold=E5_SIGNAL_THRESHOLD, encode=e5.embed)


def build_e5_artefact() -> Path:
    texts, _ = training_sentences()
    return e5.write_artefact(E5_ARTEFACT, texts, source=texts)


def e5_artefact_is_current() -> bool:
    texts, _ = training_sentences()
    return e5.artefact_is_current(E5_ARTEFACT, texts)
