"""The threat signals' figures: recall and precision per signal on the held-out split, and
how often ordinary mail gets a signal (it should not), with the time a message takes.

    .venv/bin/python bench/signals.py [--batch FILE ...]

`--batch` reads a new batch of signal rows (`{"signals": [...], "text": ...}`, as the
corpus's `signals_tN.jsonl`) before it is trained on: threats found per signal and the
share of its hard negatives that show a signal, per language.

Ordinary mail: the corpus's messages without a threat (the training split's and the held-out
split's), the held-out third of `corpus/ordinary_own.jsonl` (never trained on), and the
written batches' ordinary sentences (trained on: a floor, not a measure).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from evenhand.actions.reader import reader_models
from evenhand.settings import Settings
from evenhand.understand.clean import clean_message
from evenhand.understand.corpus import Split, load_corpus
from evenhand.understand.model import SignalKind
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_model import WRITTEN_BATCHES
from yardstick import print_yardstick


def _rows(name: str) -> list[dict[str, object]]:
    text = resources.files("evenhand.understand.corpus").joinpath(name).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _flagged(reader: EmbeddedReader, texts: Sequence[str]) -> list[set[str]]:
    return [{s.kind.value for s in r.signals} for r in reader.signals(list(texts))]


def _rate(name: str, reader: EmbeddedReader, texts: Sequence[str]) -> None:
    found = _flagged(reader, texts)
    flagged = sum(1 for kinds in found if kinds)
    print(f"  {name:<46} {flagged:>4} of {len(texts):>5} = {flagged / max(len(texts), 1):6.2%}")


def _held_out(reader: EmbeddedReader) -> None:
    examples = [e for e in load_corpus() if e.split is Split.HELD_OUT]
    texts = [clean_message(e.body, e.subject) for e in examples]
    started = time.perf_counter()
    timings = []
    for text in texts:
        one = time.perf_counter()
        reader.signals([text])
        timings.append((time.perf_counter() - one) * 1000)
    found = _flagged(reader, texts)
    print(f"held-out split: {len(texts)} messages ({time.perf_counter() - started:.1f} s)")
    for kind in SignalKind:
        truth = [kind in e.signals for e in examples]
        read = [kind.value in kinds for kinds in found]
        hits = sum(t and r for t, r in zip(truth, read, strict=True))
        recall, precision = hits / max(sum(truth), 1), hits / max(sum(read), 1)
        print(f"  {kind.value:<18} recall {recall:.3f}  precision {precision:.3f}  ({sum(truth)})")
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(f"  signals per message: p50 {statistics.median(timings):.1f} ms, p99 {p99:.1f} ms")


def _fresh_batch(reader: EmbeddedReader, path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    print(f"{path} (not trained on):")
    for language in sorted({str(row["language"]) for row in rows}):
        own = [row for row in rows if row["language"] == language]
        plain = [str(row["text"]) for row in own if not row["signals"]]
        _rate(f"  {language} hard negatives", reader, plain)
        threats = [row for row in own if row["signals"]]
        readings = reader.signals([str(row["text"]) for row in threats])
        found = sum(
            set(row["signals"]) <= {signal.kind.value for signal in reading.signals}
            for row, reading in zip(threats, readings, strict=True)
        )
        print(f"  {language} threats found with their signals: {found} of {len(threats)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=Path, action="append", default=[])
    arguments = parser.parse_args()
    print_yardstick()
    reader = EmbeddedReader(reader_models(Settings()))
    for path in arguments.batch:
        _fresh_batch(reader, path)
    _held_out(reader)
    print("ordinary mail with a signal:")
    corpus = load_corpus()
    for split in Split:
        chosen = [e for e in corpus if e.split is split and not e.signals]
        plain = [clean_message(e.body, e.subject) for e in chosen]
        _rate(f"corpus messages without a threat ({split.value})", reader, plain)
    own = [r for r in _rows("ordinary_own.jsonl") if r.get("split") == "held_out"]
    _rate("own ordinary sentences (held out)", reader, [str(r["text"]) for r in own])
    for name in (batch for batch in WRITTEN_BATCHES if batch.startswith("signals_")):
        plain = [str(r["text"]) for r in _rows(name) if not r["signals"]]
        _rate(f"{name} ordinary (trained on)", reader, plain)


if __name__ == "__main__":
    main()
