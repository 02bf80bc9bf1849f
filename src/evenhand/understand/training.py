"""Training the reader's models from the corpus, with scikit-learn, deterministically; each
fitted model is returned in the plain form it runs in (`linear`), checked to give the
fitted model's own probabilities. `evenhand reader build` and the cross-validations use it;
nothing that only reads messages imports it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.augment import augmented
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.embedding_model import (
    EmbeddingIntentModel,
    training_embeddings,
    training_set,
)
from evenhand.understand.features import CueCounts, linear_model, linear_text_model, ngram_features
from evenhand.understand.intent_model import IntentModel, training_text
from evenhand.understand.knobs import KNOBS
from evenhand.understand.language import language_model
from evenhand.understand.linear import LinearModel, LinearTextModel
from evenhand.understand.signal_model import (
    SentenceModels,
    sentence_models,
    training_sentences,
)
from evenhand.understand.signal_model import training_embeddings as signal_embeddings

AUGMENTED_COPIES = 4
# The n-gram intent model's inverse regularisation. Cross-validation (2026-12-05, corpus up to
# t8, the knobs of knobs.py): at 5 (chosen when there were ten intents) macro-F1 0.900,
# in-scope 0.940, out-of-scope given a remedy 3.0 %, e5 asked for 41 % of messages; at 15
# 0.906, 0.943, 3.1 %, 32 %; at 30 0.907, 0.943, 3.1 %, 28 %; at 2 0.895. 15 keeps more of the
# regularisation for mail unlike the corpus, and the e5 stage is asked less (faster).
INTENT_C = 15.0
E5_INTENT_C = 10.0
# The plain form must give the fitted model's probabilities to within this.
SAME_PROBABILITY = 1e-9


class ModelMismatchError(AssertionError):
    """The plain form of a fitted model does not give its probabilities."""


def train_reader_models() -> ReaderModels:
    """Every model of the default reader, from the corpus's training split."""
    with repeatable():
        return _train_reader_models()


def repeatable() -> Any:
    """The numerical libraries kept to one thread while models are fitted: the e5
    classifiers, fitted in float32, come out different with two (coefficients apart by up
    to 1.5), so one thread makes a build repeatable."""
    return threadpool_limits(limits=1)


def _train_reader_models() -> ReaderModels:
    train = [example for example in load_corpus() if example.split is Split.TRAIN]
    texts, labels = training_sentences()
    ngrams, embedded = train_signal_classifiers(texts, labels, embeddings=signal_embeddings(texts))
    return ReaderModels(
        intent=train_intent_model(train, approach=Approach.CHAR_WORD_LOGISTIC),
        second_opinion=train_embedding_intent_model(),
        signal_ngrams=ngrams,
        signal_e5=embedded,
        language=language_model(),
    )


def intent_pipeline(approach: Approach) -> Pipeline:
    if approach is Approach.WORD_NAIVE_BAYES:
        words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        return Pipeline([("features", words), ("model", MultinomialNB(alpha=0.1))])
    features = FeatureUnion([("cues", CueCounts()), *ngram_features()])
    model = LogisticRegression(C=INTENT_C, max_iter=3000, random_state=0)
    return Pipeline([("features", features), ("model", model)])


class FittedPipeline:
    """A fitted scikit-learn pipeline as a `TextClassifier` (the naive Bayes baseline, which
    has no plain form; `eval --compare` trains it when asked)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.classes = tuple(str(label) for label in pipeline.classes_)

    def predict_proba(self, texts: Sequence[str]) -> Any:
        return self.pipeline.predict_proba(list(texts))


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
    if approach is Approach.WORD_NAIVE_BAYES:
        return IntentModel(approach=approach, classifier=FittedPipeline(pipeline))
    plain = linear_text_model(pipeline)
    _check(pipeline.predict_proba(texts[::7]), plain.predict_proba(texts[::7]), "intent")
    return IntentModel(approach=approach, classifier=plain)


def train_embedding_intent_model(
    example_ids: Collection[str] | None = None,
) -> EmbeddingIntentModel:
    """Fitted on the stored embeddings of the training examples (of those in `example_ids`
    only, when given: cross-validation trains one per fold)."""
    training = training_set()
    embeddings = training_embeddings(training)
    rows = [
        i for i, owner in enumerate(training.owners) if example_ids is None or owner in example_ids
    ]
    classifier = LogisticRegression(C=E5_INTENT_C, max_iter=3000, random_state=0)
    classifier.fit(embeddings[rows], [training.labels[i] for i in rows])
    plain = linear_model(classifier)
    _check(classifier.predict_proba(embeddings), plain.predict_proba(embeddings), "e5 intent")
    return EmbeddingIntentModel(classifier=plain)


def train_sentence_models(
    texts: Sequence[str], labels: Sequence[str], *, embeddings: Any
) -> SentenceModels:
    """The signal readers from labelled sentences (`embeddings`: their e5 embeddings)."""
    return sentence_models(*train_signal_classifiers(texts, labels, embeddings=embeddings))


def train_signal_classifiers(
    texts: Sequence[str], labels: Sequence[str], *, embeddings: Any
) -> tuple[LinearTextModel, LinearModel]:
    """The n-gram and the e5 sentence classifiers of the threat signals."""
    pipeline = Pipeline(
        [
            ("features", FeatureUnion(ngram_features())),
            ("model", _balanced_logistic(KNOBS.signal_ngram_c)),
        ]
    )
    pipeline.fit(list(texts), list(labels))
    ngrams = linear_text_model(pipeline)
    _check(pipeline.predict_proba(texts[::5]), ngrams.predict_proba(texts[::5]), "signals")
    e5_classifier = _balanced_logistic(KNOBS.signal_e5_c).fit(embeddings, list(labels))
    embedded = linear_model(e5_classifier)
    _check(e5_classifier.predict_proba(embeddings), embedded.predict_proba(embeddings), "e5")
    return ngrams, embedded


def _balanced_logistic(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, random_state=0, class_weight="balanced")


def _check(fitted: Any, plain: Any, name: str) -> None:
    difference = float(np.max(np.abs(np.asarray(fitted) - np.asarray(plain)), initial=0.0))
    if difference > SAME_PROBABILITY:
        raise ModelMismatchError(
            f"the plain {name} model differs from the fitted one by {difference:.3g}"
        )
