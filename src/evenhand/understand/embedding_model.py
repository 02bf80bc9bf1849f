"""The second stage for intents: e5 embeddings with logistic regression, asked only where
the fast n-gram model is unsure, and blended with it (see `reader`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
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


@dataclass(frozen=True, slots=True)
class _Training:
    texts: list[str]  # what the model reads
    labels: list[str]
    owners: list[str]  # the id of the example each text comes from
    raw: list[str]  # what the artefact's fingerprint covers


def _training() -> _Training:
    """Each training example without its threat and, when it has one, also with it (as read
    when the signal readers miss it), so a missed threat moves the intent less."""
    train = [e for e in load_corpus() if e.split is Split.TRAIN]
    threatened = [e for e in train if e.threat]
    return _Training(
        texts=[training_text(e) for e in train]
        + [clean_message(e.body, e.subject) for e in threatened],
        labels=[e.intent.value for e in [*train, *threatened]],
        owners=[e.id for e in [*train, *threatened]],
        raw=_raw(train),
    )


def build_artefact() -> Path:
    training = _training()
    return e5.write_artefact(ARTEFACT, training.texts, source=training.raw)


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


def train_embedding_intent_model(
    example_ids: Collection[str] | None = None,
) -> EmbeddingIntentModel:
    """Fitted on the stored embeddings of the training examples (of those in `example_ids`
    only, when given: cross-validation trains one per fold)."""
    training = _training()
    embeddings = e5.stored_embeddings(ARTEFACT, training.texts, source=training.raw)
    rows = [
        i for i, owner in enumerate(training.owners) if example_ids is None or owner in example_ids
    ]
    classifier = LogisticRegression(C=10.0, max_iter=3000, random_state=0)
    classifier.fit(embeddings[rows], [training.labels[i] for i in rows])
    return EmbeddingIntentModel(classifier=classifier)


@lru_cache(maxsize=1)
def embedding_intent_model() -> EmbeddingIntentModel:
    return train_embedding_intent_model()
