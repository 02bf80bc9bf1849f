"""`evenhand eval`: how well a reader reads a labelled set (by default the held-out split);
the signal reader cross-validated over the training sentences, and the intent reader over
the training messages."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, StratifiedKFold

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.ingest.cells import CellError, check_json, shown
from evenhand.ingest.json_source import parse_json
from evenhand.ingest.text_file import read_text
from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.model import Intent, Message, Reader, SignalKind, Understanding
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_model import NONE, training_embeddings, training_sentences
from evenhand.understand.signals import read_signals_many
from evenhand.understand.training import (
    train_embedding_intent_model,
    train_intent_model,
    train_sentence_models,
)


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvalReport:
    examples: int
    intents: list[Score]
    macro_f1: float
    signals: list[Score]
    language_accuracy: float
    labels: list[str]
    confusion: list[list[int]]  # rows: true intent, columns: read intent
    p50_ms: float
    p99_ms: float
    per_second: float


def held_out_examples() -> list[Example]:
    return [example for example in load_corpus() if example.split is Split.HELD_OUT]


def labelled_examples(path: Path) -> list[Example]:
    """A JSON Lines file of {"language", "intent", "body", "subject"?, "signals"?}."""
    examples = []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            examples.append(_labelled(parse_json(line), number))
        except (ValueError, KeyError, TypeError) as error:  # JsonError and CellError too
            raise EvenhandError(
                InputError.BAD_VALUE,
                f"not a labelled message: {_reason(error)}",
                where=Location(path, number),
            ) from None
    return examples


def _labelled(raw: object, number: int) -> Example:
    if not isinstance(raw, dict):
        raise TypeError(f"a labelled message is a JSON object, not {shown(raw)}")
    check_json(raw)
    name = str(raw.get("id", number))
    return Example(
        id=name,
        language=_label_text(raw, "language"),
        intent=Intent(raw["intent"]),
        subject=raw["subject"] if isinstance(raw.get("subject"), str) else None,
        body=_label_text(raw, "body"),
        signals=tuple(SignalKind(kind) for kind in _label_list(raw, "signals")),
        split=Split.HELD_OUT,
        seed_id=name,
    )


def _label_text(raw: dict[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise TypeError(f"{key}: expected text, not {shown(value)}")
    return value


def _label_list(raw: dict[str, Any], key: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise TypeError(f"{key}: expected a list, not {shown(value)}")
    return value


def _reason(error: Exception) -> str:
    if isinstance(error, CellError):
        return f"{error.column}: {error.reason}"
    if isinstance(error, KeyError):
        return f"{error.args[0]}: missing"
    return str(error)


def reader_for(approach: Approach, models: ReaderModels, *, threshold: float) -> EmbeddedReader:
    """The built reader with the first stage `approach` names (the naive Bayes baseline is
    trained for the comparison; it is not part of the built reader)."""
    if approach is not Approach.WORD_NAIVE_BAYES:
        return EmbeddedReader(models, threshold=threshold, approach=approach)
    train = [example for example in load_corpus() if example.split is Split.TRAIN]
    baseline = train_intent_model(train, approach=approach)
    return EmbeddedReader(models, threshold=threshold, approach=approach, intent_model=baseline)


def evaluate(examples: Sequence[Example], *, reader: Reader, market: str = "SE") -> EvalReport:
    readings, timings = [], []
    for example in examples:
        started = time.perf_counter()
        readings.append(
            reader.read(Message(body=example.body, subject=example.subject, market=market))
        )
        timings.append((time.perf_counter() - started) * 1000)
    gold = [example.intent.value for example in examples]
    read = [reading.intent.value for reading in readings]
    labels = [intent.value for intent in Intent]
    return EvalReport(
        examples=len(examples),
        intents=_scores(gold, read, labels),
        macro_f1=float(f1_score(gold, read, labels=labels, average="macro", zero_division=0)),
        signals=[_signal_score(kind, examples, readings) for kind in SignalKind],
        language_accuracy=sum(
            r.language == e.language for r, e in zip(readings, examples, strict=True)
        )
        / max(len(examples), 1),
        labels=labels,
        confusion=confusion_matrix(gold, read, labels=labels).tolist(),
        p50_ms=statistics.median(timings) if timings else 0.0,
        p99_ms=_percentile(timings, 0.99),
        per_second=len(timings) / (sum(timings) / 1000) if timings else 0.0,
    )


def _scores(gold: list[str], read: list[str], labels: list[str]) -> list[Score]:
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, read, labels=labels, zero_division=0
    )
    return [
        Score(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    ]


def _signal_score(
    kind: SignalKind, examples: Sequence[Example], readings: Sequence[Understanding]
) -> Score:
    truth = [kind in example.signals for example in examples]
    found = [any(s.kind is kind for s in reading.signals) for reading in readings]
    return _detection_score(kind.value, truth, found)


def _detection_score(label: str, truth: Sequence[bool], found: Sequence[bool]) -> Score:
    hits = sum(t and f for t, f in zip(truth, found, strict=True))
    precision = hits / sum(found) if any(found) else 0.0
    recall = hits / sum(truth) if any(truth) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(label, precision, recall, f1, sum(truth))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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
    embeddings = training_embeddings(texts)
    found: list[set[str]] = [set() for _ in texts]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        models = train_sentence_models(
            [texts[i] for i in train], [labels[i] for i in train], embeddings=embeddings[train]
        )
        readings = read_signals_many([texts[i] for i in test], models=models)
        for i, reading in zip(test, readings, strict=True):
            found[i] = {signal.kind.value for signal in reading.signals}
    neutral = [i for i, label in enumerate(labels) if label == NONE]
    return SignalValidation(
        folds=folds,
        sentences=len(texts),
        signals=[
            _detection_score(
                kind.value,
                [label == kind.value for label in labels],
                [kind.value in f for f in found],
            )
            for kind in SignalKind
        ],
        neutral=len(neutral),
        neutral_flagged=sum(1 for i in neutral if found[i]),
    )


@dataclass(frozen=True, slots=True)
class IntentValidation:
    folds: int
    messages: int
    macro_f1: dict[Approach, float]  # the n-gram model alone, and the default cascade


def cross_validate_intents(models: ReaderModels, *, folds: int = 5) -> IntentValidation:
    """The intent reader over the training messages, each read by an n-gram and an e5 model
    trained on the other folds. Folds are grouped by seed, so the variants of one message
    stay together. The signal readers are the built default's (`models`: they only decide
    which sentences the intent model leaves out)."""
    train = [example for example in load_corpus() if example.split is Split.TRAIN]
    gold = [example.intent.value for example in train]
    approaches = (Approach.CHAR_WORD_LOGISTIC, Approach.CASCADE_E5)
    read = {approach: [""] * len(train) for approach in approaches}  # each fold fills its own
    splitter = GroupKFold(n_splits=folds)
    for kept, tested in splitter.split(train, gold, groups=[e.seed_id for e in train]):
        fast = train_intent_model([train[i] for i in kept], approach=Approach.CHAR_WORD_LOGISTIC)
        second = train_embedding_intent_model({train[i].id for i in kept})
        messages = [Message(body=train[i].body, subject=train[i].subject) for i in tested]
        fold = replace(models, intent=fast, second_opinion=second)
        for approach, into in read.items():
            reader = EmbeddedReader(fold, approach=approach)
            for i, reading in zip(tested, reader.read_many(messages), strict=True):
                into[i] = reading.intent.value
    labels = [intent.value for intent in Intent]
    return IntentValidation(
        folds=folds,
        messages=len(train),
        macro_f1={
            approach: float(f1_score(gold, found, labels=labels, average="macro"))
            for approach, found in read.items()
        },
    )
