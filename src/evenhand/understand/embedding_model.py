"""The second stage for intents: e5 embeddings with logistic regression, asked only where
the fast n-gram model is unsure, and blended with it (see `reader`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evenhand.understand import e5
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.intent_model import training_text
from evenhand.understand.linear import LinearModel
from evenhand.understand.model import Intent

ARTEFACT = "e5_train.npz"


# How the texts are made from the examples; changing the recipe makes the artefact stale.
TEXT_RECIPE = "cleaned, without the threat; and with it where there is one"


def _raw(examples: Sequence[Example]) -> list[str]:
    """The corpus examples themselves and the recipe: what the artefact's fingerprint covers."""
    return [TEXT_RECIPE, *(f"{e.id}\x1f{e.subject or ''}\x1f{e.body}" for e in examples)]


@dataclass(frozen=True, slots=True)
class Training:
    texts: list[str]  # what the model reads
    labels: list[str]
    owners: list[str]  # the id of the example each text comes from
    raw: list[str]  # what the artefact's fingerprint covers


def training_set() -> Training:
    """Each training example without its threat and, when it has one, also with it (as read
    when the signal readers miss it), so a missed threat moves the intent less."""
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    threatened = [e for e in train if e.threat]
    return Training(
        texts=[training_text(e) for e in train]
        + [clean_message(e.body, e.subject) for e in threatened],
        labels=[e.intent.value for e in [*train, *threatened]],
        owners=[e.id for e in [*train, *threatened]],
        raw=_raw(train),
    )


def build_artefact() -> Path:
    training = training_set()
    return e5.write_artefact(ARTEFACT, training.texts, source=training.raw)


def artefact_is_current() -> bool:
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    return e5.artefact_is_current(ARTEFACT, _raw(train))


def training_embeddings(training: Training) -> Any:
    """The e5 embeddings of the training texts (from the artefact while it is current)."""
    return e5.stored_embeddings(ARTEFACT, training.texts, source=training.raw)


@dataclass(frozen=True, slots=True)
class EmbeddingIntentModel:
    classifier: LinearModel

    def probabilities(self, text: str) -> dict[Intent, float]:
        return self.probabilities_many([text])[0]

    def probabilities_many(self, texts: Sequence[str]) -> list[dict[Intent, float]]:
        if not texts:
            return []
        classes = [Intent(label) for label in self.classifier.classes]
        rows = self.classifier.predict_proba(e5.embed(texts))
        return [{intent: float(p) for intent, p in zip(classes, row, strict=True)} for row in rows]
