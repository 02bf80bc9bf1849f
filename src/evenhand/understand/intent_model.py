"""Intent classifiers trained on the corpus's train split, deterministically.

Two approaches, compared on the held-out split by `evenhand eval --compare`:
- char+word n-grams with logistic regression (the default): character n-grams carry
  Swedish compounds, inflections and typos; word n-grams carry phrases;
- word n-grams with naive Bayes, the classic baseline.
The text a model sees is the cleaned message without its threat sentences, so a threat
cannot move the intent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline

from evenhand.understand.augment import augmented
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.cues import CueCounts
from evenhand.understand.features import direct, ngram_features, predicting
from evenhand.understand.model import Intent
from evenhand.understand.sentences import sentences
from evenhand.understand.signals import read_signals


class Approach(StrEnum):
    CASCADE_E5 = "char_word_then_e5"  # the n-gram model, and e5 embeddings where it is unsure
    CHAR_WORD_LOGISTIC = "char_word_logistic"
    WORD_NAIVE_BAYES = "word_naive_bayes"


def intent_text(body: str, subject: str | None = None) -> str:
    """What an intent model reads: the customer's own words, threat sentences left out."""
    text = clean_message(body, subject)
    return without_sentences(text, read_signals(text).threat_sentences)


def training_text(example: Example) -> str:
    """What a model trains on: the cleaned message without the threat the corpus put in
    (known, so training does not depend on the signal readers)."""
    text = clean_message(example.body, example.subject)
    return without_sentences(text, list(sentences(example.threat)) if example.threat else [])


def without_sentences(text: str, left_out: Sequence[str]) -> str:
    """The text without the sentences (or clauses of sentences) left out; the whole text
    when nothing would remain (a one-line threat still says what it is about)."""
    if not left_out:
        return text
    kept = []
    for sentence in sentences(text):
        if sentence in left_out:
            continue
        remainder = sentence
        for piece in left_out:  # whole words only: a clause "or" is not in "Göteborg"
            remainder = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", " ", remainder)
        if remainder.strip(" ,;:-"):
            kept.append(remainder.strip())
    return "\n".join(kept) or text


def intent_pipeline(approach: Approach) -> Pipeline:
    if approach is Approach.WORD_NAIVE_BAYES:
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        return Pipeline([("features", words), ("model", MultinomialNB(alpha=0.1))])
    features = FeatureUnion([("cues", CueCounts()), *ngram_features()])
    model = LogisticRegression(C=5.0, max_iter=3000, random_state=0)
    return Pipeline([("features", features), ("model", model)])


@dataclass(frozen=True, slots=True)
class IntentModel:
    approach: Approach
    pipeline: Any

    def rank(self, text: str) -> list[tuple[Intent, float]]:
        """Every intent with its probability, most likely first."""
        return self.rank_many([text])[0]

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[Intent, float]]]:
        """`rank` for many texts in one pass of the model (much less overhead per text)."""
        if not texts:
            return []
        classes = [Intent(label) for label in self.pipeline.classes_]
        rankings = []
        with predicting():
            rows = self.pipeline.predict_proba(list(texts))
        for row in rows:
            ranked = sorted(zip(classes, row, strict=True), key=lambda pair: -pair[1])
            rankings.append([(intent, float(p)) for intent, p in ranked])
        return rankings


AUGMENTED_COPIES = 4


def train_intent_model(examples: Sequence[Example], *, approach: Approach) -> IntentModel:
    """Fit on the examples and product-swapped copies of them (see `augment`)."""
    pipeline = intent_pipeline(approach)
    texts: list[str] = []
    labels: list[str] = []
    for example in augmented(examples, copies=AUGMENTED_COPIES):
        texts.append(training_text(example))
        labels.append(example.intent.value)
        if example.threat:  # as read when the signal readers miss the threat: same intent
            texts.append(clean_message(example.body, example.subject))
            labels.append(example.intent.value)
    pipeline.fit(texts, labels)
    return IntentModel(approach=approach, pipeline=direct(pipeline))


@lru_cache(maxsize=2)
def default_intent_model(approach: Approach = Approach.CHAR_WORD_LOGISTIC) -> IntentModel:
    """Trained once per process, on first use, from the train split only."""
    train = [example for example in load_corpus() if example.split is Split.TRAIN]
    return train_intent_model(train, approach=approach)
