"""Cross-validation on the training data only: the evidence for the intent reader's knobs
(the `other` threshold, the cascade's cut and weight, the calibration temperature) and for
the signal reader's models. Nothing here reads the held-out or the validation splits.

Intents: each training message gets the probabilities of an n-gram model and of an e5 model
trained on the other folds (folds grouped by seed, so the variants of one message stay
together). Every setting of the knobs is then a cheap computation on those out-of-fold
probabilities, so a whole grid is compared on the same evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedKFold

from evenhand.domain.intents import PROBLEM_INTENTS
from evenhand.understand.approach import Approach
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.embedding_model import training_embeddings, training_set
from evenhand.understand.evaluation import REMEDY_INTENTS, Score, detection_score, macro_f1
from evenhand.understand.intent_model import training_text
from evenhand.understand.knobs import IntentKnobs, abstains, calibrated, cascade_blend
from evenhand.understand.model import Intent, SignalKind
from evenhand.understand.signal_model import NONE, training_sentences
from evenhand.understand.signal_model import training_embeddings as signal_embeddings
from evenhand.understand.signals import read_signals_many
from evenhand.understand.training import (
    repeatable,
    train_embedding_intent_model,
    train_intent_model,
    train_sentence_models,
)

CLASSES = tuple(intent.value for intent in Intent)
_NO_PROBLEM_COLUMNS = [i for i, name in enumerate(CLASSES) if Intent(name) not in PROBLEM_INTENTS]
THRESHOLDS = (0.0, 0.2, 0.3)
REMEDY_DOUBTS = (1.0, 0.1, 0.15, 0.2, 0.3)  # 1.0: a remedy intent is never doubted
CASCADE_CUTS = (0.0, 0.7, 0.8, 0.9, 1.01)  # 0: the n-gram model alone; 1.01: e5 always
E5_WEIGHTS = (0.4, 0.6, 0.8, 1.0)
TEMPERATURES = tuple(round(0.3 + 0.05 * i, 2) for i in range(55))  # 0.30 ... 3.0


@dataclass(frozen=True, slots=True)
class OutOfFold:
    """The training messages and, for each, the two models' probabilities over `CLASSES`
    from the models trained without its fold."""

    examples: list[Example]
    fast: np.ndarray
    second: np.ndarray


@dataclass(frozen=True, slots=True)
class KnobScore:
    knobs: IntentKnobs
    macro_f1: float
    in_scope_macro_f1: float
    out_of_scope_remedy: float  # share of out-of-scope messages read as an intent with a remedy
    asked_e5: float  # share of messages the e5 model was asked for


@dataclass(frozen=True, slots=True)
class IntentValidation:
    folds: int
    messages: int
    scores: list[KnobScore]  # every setting of the grid
    chosen: KnobScore  # the shipped knobs, on the same evidence
    temperature: float  # the temperature that fits the chosen cascade's probabilities best
    log_loss_raw: float
    log_loss_calibrated: float


def out_of_fold(*, folds: int = 5) -> OutOfFold:
    """Every training message read by models trained on the other folds."""
    training = training_set()
    train = [example for example in load_corpus() if example.split is Split.TRAIN]
    embeddings = training_embeddings(training)[: len(train)]  # first: each example's text
    fast = np.zeros((len(train), len(CLASSES)))
    second = np.zeros((len(train), len(CLASSES)))
    splitter = GroupKFold(n_splits=folds)
    groups = [example.seed_id for example in train]
    with repeatable():
        for kept, tested in splitter.split(train, groups=groups):
            ngrams = train_intent_model(
                [train[i] for i in kept], approach=Approach.CHAR_WORD_LOGISTIC
            )
            embedded = train_embedding_intent_model({train[i].id for i in kept})
            texts = [training_text(train[i]) for i in tested]
            fast[tested] = _in_order(
                ngrams.classifier.classes, ngrams.classifier.predict_proba(texts)
            )
            second[tested] = _in_order(
                embedded.classifier.classes, embedded.classifier.predict_proba(embeddings[tested])
            )
    return OutOfFold(examples=train, fast=fast, second=second)


def _in_order(classes: Sequence[str], probabilities: object) -> np.ndarray:
    rows = np.asarray(probabilities)
    ordered = np.zeros((rows.shape[0], len(CLASSES)))
    for column, label in enumerate(classes):
        ordered[:, CLASSES.index(label)] = rows[:, column]
    return ordered


def readings(oof: OutOfFold, knobs: IntentKnobs) -> tuple[list[str], list[float], float]:
    """(intents, confidences, share asked e5) of every message under the knobs: what
    `EmbeddedReader` does, on all the out-of-fold readings at once."""
    asked = oof.fast.max(axis=1) < knobs.cascade_below
    blended = np.where(
        asked[:, None], (1 - knobs.e5_weight) * oof.fast + knobs.e5_weight * oof.second, oof.fast
    )
    probabilities = np.array([calibrated(row, knobs.temperature) for row in blended])
    best = probabilities.argmax(axis=1)
    confidences = probabilities.max(axis=1)
    no_problem = probabilities[:, _NO_PROBLEM_COLUMNS].sum(axis=1)
    intents = [
        Intent.OTHER.value
        if abstains(Intent(CLASSES[b]), float(c), knobs, no_problem=float(n))
        else CLASSES[b]
        for b, c, n in zip(best, confidences, no_problem, strict=True)
    ]
    return intents, [float(c) for c in confidences], float(asked.mean()) if len(asked) else 0.0


def score(oof: OutOfFold, knobs: IntentKnobs) -> KnobScore:
    read, _, asked = readings(oof, knobs)
    gold = [example.intent for example in oof.examples]
    in_scope = [i for i, intent in enumerate(gold) if intent not in _outside()]
    outside = [i for i, intent in enumerate(gold) if intent in _outside()]
    return KnobScore(
        knobs=knobs,
        macro_f1=macro_f1([g.value for g in gold], read),
        in_scope_macro_f1=macro_f1([gold[i].value for i in in_scope], [read[i] for i in in_scope]),
        out_of_scope_remedy=sum(Intent(read[i]) in REMEDY_INTENTS for i in outside)
        / max(len(outside), 1),
        asked_e5=asked,
    )


def _outside() -> frozenset[Intent]:
    return frozenset(Intent) - PROBLEM_INTENTS


def grid(shipped: IntentKnobs) -> Iterable[IntentKnobs]:
    """Every setting compared, at the shipped temperature."""
    for cut in CASCADE_CUTS:
        for weight in E5_WEIGHTS if cut else (0.0,):
            for threshold in THRESHOLDS:
                for doubt in REMEDY_DOUBTS:
                    yield replace(
                        shipped,
                        threshold=threshold,
                        remedy_doubt=doubt,
                        cascade_below=cut,
                        e5_weight=weight,
                    )


def fitted_temperature(oof: OutOfFold, knobs: IntentKnobs) -> tuple[float, float, float]:
    """The temperature that gives the cascade's probabilities the least log loss on the
    out-of-fold readings (a grid, so the same data gives the same answer), with the log
    loss before and after."""
    gold = np.array([CLASSES.index(example.intent.value) for example in oof.examples])
    blended = np.array(
        [
            cascade_blend(fast, second, knobs)[0]
            for fast, second in zip(oof.fast, oof.second, strict=True)
        ]
    )
    logs = np.log(np.maximum(blended, 1e-12))

    def loss(temperature: float) -> float:
        scaled = logs / temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        normalised = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-normalised[np.arange(len(gold)), gold].mean()) if len(gold) else 0.0

    best = min(TEMPERATURES, key=loss)
    return best, loss(1.0), loss(best)


def cross_validate_intents(
    *, folds: int = 5, shipped: IntentKnobs | None = None
) -> IntentValidation:
    oof = out_of_fold(folds=folds)
    chosen = shipped or IntentKnobs()
    temperature, before, after = fitted_temperature(oof, replace(chosen, temperature=1.0))
    return IntentValidation(
        folds=folds,
        messages=len(oof.examples),
        scores=[score(oof, knobs) for knobs in grid(chosen)],
        chosen=score(oof, chosen),
        temperature=temperature,
        log_loss_raw=before,
        log_loss_calibrated=after,
    )


@dataclass(frozen=True, slots=True)
class SignalValidation:
    folds: int
    sentences: int
    signals: list[Score]
    neutral: int  # training sentences without a threat
    neutral_flagged: int  # of them, read as showing one


def cross_validate_signals(*, folds: int = 5) -> SignalValidation:
    """The signal reader over the training sentences, each read by sentence models trained
    on the other folds (stratified, fixed seed). The lexicon was written from these same
    sentences, so this measures the models and their thresholds more than the lexicon."""
    texts, labels = training_sentences()
    embeddings = signal_embeddings(texts)
    found: list[set[str]] = [set() for _ in texts]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        models = train_sentence_models(
            [texts[i] for i in train], [labels[i] for i in train], embeddings=embeddings[train]
        )
        readings_ = read_signals_many([texts[i] for i in test], models=models)
        for i, reading in zip(test, readings_, strict=True):
            found[i] = {signal.kind.value for signal in reading.signals}
    neutral = [i for i, label in enumerate(labels) if label == NONE]
    return SignalValidation(
        folds=folds,
        sentences=len(texts),
        signals=[
            detection_score(
                kind.value,
                [label == kind.value for label in labels],
                [kind.value in f for f in found],
            )
            for kind in SignalKind
        ],
        neutral=len(neutral),
        neutral_flagged=sum(1 for i in neutral if found[i]),
    )
