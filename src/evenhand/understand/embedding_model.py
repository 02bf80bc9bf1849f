"""The second stage for intents: e5 embeddings with logistic regression, asked only where
the fast n-gram model is unsure, and blended with it (see `reader`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sklearn.linear_model import LogisticRegression

from evenhand.understand import e5
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.features import predicting
from evenhand.understand.intent_model import training_text
from evenhand.understand.model import Intent

ARTEFACT = "e5_train.npz"


# How the texts are made from the examples; changing the recipe makes the artefact stale.
TEXT_RECIPE = "cleaned, without the threat; and with it where there is one"


def _raw(examples: Sequence[Example]) -> list[str]:
    """The corpus examples themselves and the recipe: what the artefact's fingerprint covers."""
    return [TEXT_RECIPE, *(f"{e.id}\x1f{e.subject or ''}\x1f{e.body}" for e in examples)]


def _training() -> tuple[list[str], list[str], list[str]]:
    """(texts the model reads, labels, the raw examples they come from): each example
    without its threat and, when it has one, also with it (as read when the signal readers
    miss it), so a missed threat moves the intent less."""
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    texts = [training_text(e) for e in train]
    labels = [e.intent.value for e in train]
    threatened = [e for e in train if e.threat]
    texts += [clean_message(e.body, e.subject) for e in threatened]
    labels += [e.intent.value for e in threatened]
    return texts, labels, _raw(train)


def build_artefact() -> Path:
    texts, _, raw = _training()
    return e5.write_artefact(ARTEFACT, texts, source=raw)


def artefact_is_current() -> bool:
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    return e5.artefact_is_current(ARTEFACT, _raw(train))


@dataclass(frozen=True, slots=True)
class EmbeddingIntentModel:
    classifier: Any

    def probabilities(self, text: str) -> dict[Intent, float]:
        return self.probabilities_many([text])[0]

    def probabilities_many(self, texts: Sequence[str]) -> list[dict[Intent, float]]:
        if not texts:
            return []
        classes = [Intent(label) for label in self.classifier.classes_]
        embeddings = e5.embed(texts)
        with predicting():
            rows = self.classifier.predict_proba(embeddings)
        return [{intent: float(p) for intent, p in zip(classes, row, strict=True)} for row in rows]


@lru_cache(maxsize=1)
def embedding_intent_model() -> EmbeddingIntentModel:
    texts, labels, raw = _training()
    classifier = LogisticRegression(C=10.0, max_iter=3000, random_state=0)
    classifier.fit(e5.stored_embeddings(ARTEFACT, texts, source=raw), labels)
    return EmbeddingIntentModel(classifier=classifier)
