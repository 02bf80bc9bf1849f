"""The reader's built models: trained once, stored under their fingerprint, loaded with
NumPy alone, and reading exactly as freshly trained models do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evenhand.actions import reader as reader_action
from evenhand.demo.shop import DemoFiles
from evenhand.errors import EvenhandError, SetupError
from evenhand.ingest.tickets import TicketIn, read_tickets
from evenhand.settings import Settings, reader_folder
from evenhand.understand import artefact
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.corpus import Split, load_corpus
from evenhand.understand.model import Message, Understanding
from evenhand.understand.reader import EmbeddedReader


def _demo_and_held_out(files: DemoFiles) -> list[Message]:
    tickets = [t for t in read_tickets(files.tickets) if isinstance(t, TicketIn)]
    held_out = [e for e in load_corpus() if e.split is Split.HELD_OUT]
    return [Message(body=t.body, subject=t.subject) for t in tickets] + [
        Message(body=e.body, subject=e.subject) for e in held_out
    ]


def _as_compared(reading: Understanding) -> tuple[object, ...]:
    signals = tuple((s.kind, s.evidence) for s in reading.signals)
    return (reading.language, reading.intent, reading.confidence, reading.runner_up, signals)


@pytest.mark.training
def test_loaded_models_read_the_demo_inbox_and_held_out_split_as_fresh_ones_do(
    tmp_path: Path, demo_files: DemoFiles
) -> None:
    # given: every model trained afresh in this process, and the same written and loaded
    from evenhand.understand.training import train_reader_models  # noqa: PLC0415

    fresh = train_reader_models()
    loaded = artefact.load(artefact.save(fresh, tmp_path))
    # when: both read the demo inbox and the held-out split
    messages = _demo_and_held_out(demo_files)
    before = EmbeddedReader(fresh).read_many(messages)
    after = EmbeddedReader(loaded).read_many(messages)
    # then: the same languages, intents, confidences to the bit, runners-up and signals
    assert len(messages) > 800
    assert [_as_compared(r) for r in after] == [_as_compared(r) for r in before]


def test_the_built_models_are_those_of_todays_corpus(models: ReaderModels) -> None:
    # given: the build the test run loaded; then: its file is named by today's fingerprint
    path = artefact.artefact_path(reader_folder(Settings()))
    assert path.exists() and artefact.fingerprint()[:20] in path.name
    assert artefact.load(path).intent.classifier.classes == models.intent.classifier.classes


def test_a_missing_build_is_refused_naming_the_command(tmp_path: Path) -> None:
    # given: a reader folder with no build in it
    settings = Settings(reader_folder=tmp_path / "empty")
    # when: the service asks for the reader (no one to tell it is building)
    with pytest.raises(EvenhandError) as refused:
        reader_action.reader_models(settings)
    # then: it is refused with the command that builds it, and nothing is written
    assert refused.value.code is SetupError.READER_NOT_BUILT
    assert "evenhand reader build" in str(refused.value)
    assert not (tmp_path / "empty").exists()


def test_a_missing_build_is_made_once_with_one_line_said(
    tmp_path: Path, models: ReaderModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: an empty reader folder, and training that gives the test run's models at once
    trained: list[int] = []

    def train() -> ReaderModels:
        trained.append(1)
        return models

    monkeypatch.setattr("evenhand.understand.training.train_reader_models", train)
    settings = Settings(reader_folder=tmp_path)
    said: list[str] = []
    # when: a command asks twice, saying what it does
    first = reader_action.reader_models(settings, announce=said.append)
    second = reader_action.reader_models(settings, announce=said.append)
    # then: trained once with one line said, the build written, and the second loaded from it
    assert trained == [1] and len(said) == 1 and "building" in said[0]
    assert artefact.artefact_path(tmp_path).exists()
    assert first is models and second is not models
    assert second.intent.classifier.classes == models.intent.classifier.classes


def test_the_fingerprint_follows_the_corpus_and_the_recipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a copy of the reader's sources and corpus, fingerprinted as it is
    copy = tmp_path / "understand"
    shutil.copytree(Path(artefact.__file__).parent, copy)
    monkeypatch.setattr(artefact, "_HERE", copy)
    prints = []
    for edit in (None, "corpus/seeds_en.jsonl", "cues.py"):
        if edit:  # when: a corpus file, then a recipe module, changes by one line
            with (copy / edit).open("a", encoding="utf-8") as file:
                file.write("\n")
        artefact.fingerprint.cache_clear()
        prints.append(artefact.fingerprint())
    artefact.fingerprint.cache_clear()
    # then: each change names another build
    assert len(set(prints)) == 3
