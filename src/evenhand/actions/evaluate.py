"""`evenhand eval`'s edge: labelled messages from a file, checked line by line, and the
reader to evaluate. The figures themselves are `understand.evaluation`'s, the
cross-validations `understand.cross_validation`'s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evenhand.errors import EvenhandError, InputError, Location
from evenhand.ingest.cells import CellError, check_json, shown
from evenhand.ingest.json_source import parse_json
from evenhand.ingest.text_file import read_text
from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.corpus import Example, Split, load_corpus
from evenhand.understand.cross_validation import cross_validate_signals
from evenhand.understand.evaluation import EvalReport, evaluate, held_out_examples
from evenhand.understand.model import Intent, SignalKind
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_sets import SIGNAL_SETS, SignalSetFigures, signal_set_figures
from evenhand.understand.training import train_intent_model

__all__ = [
    "EvalReport",
    "cross_validate_signals",
    "evaluate",
    "held_out_examples",
    "labelled_examples",
    "reader_for",
]


def labelled_examples(path: Path) -> list[Example]:
    """A JSON Lines file of {"language", "intent", "body" (or "text"), "subject"?,
    "signals"?}."""
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
        body=_label_text(raw, "body" if "body" in raw else "text"),
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


def signal_sets_read(models: ReaderModels) -> list[SignalSetFigures]:
    """Every set of `signal_sets.SIGNAL_SETS` read by the built reader's signal models."""
    reader = EmbeddedReader(models)
    return [each for name in SIGNAL_SETS for each in signal_set_figures(name, reader.signals)]
