"""The validation splits are read only to measure: each is in the package with unique ids
in both languages, and none of its longer texts is in the corpus."""

from __future__ import annotations

import pytest

from evenhand.understand.address_sets import ADDRESS_SETS, address_rows
from evenhand.understand.corpus import load_corpus
from evenhand.understand.evaluation import VALIDATION_SPLITS, validation_examples, validation_splits
from evenhand.understand.model import SignalKind
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_sets import SIGNAL_SETS, signal_set_figures, signal_set_rows


def test_every_named_validation_split_is_in_the_package() -> None:
    # given the splits the model card reports / when the package is read
    found = validation_splits()
    # then none is missing
    assert found == list(VALIDATION_SPLITS)


@pytest.mark.parametrize("name", VALIDATION_SPLITS)
def test_a_validation_split_has_unique_ids_and_both_languages(name: str) -> None:
    # given a validation split / when it is read
    examples = validation_examples(name)
    # then every id is its own, and it holds Swedish and English
    assert len({e.id for e in examples}) == len(examples)
    assert {e.language for e in examples} == {"sv", "en"}


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.mark.parametrize("name", VALIDATION_SPLITS)
def test_no_validation_message_of_twelve_words_or_more_is_in_the_corpus(name: str) -> None:
    # given the corpus (training and held-out) and a validation split; short stock phrases
    # ("where is my order", "hej", even a ten-word chat question about a phone number on
    # an account) are written alike by writers apart; longer ones are not
    corpus = {_words(e.body) for e in load_corpus()}
    # when their longer texts are compared
    leaked = [
        e.id
        for e in validation_examples(name)
        if len(e.body.split()) >= 12 and _words(e.body) in corpus
    ]
    # then none of the split's texts was copied into the corpus
    assert leaked == []


@pytest.mark.parametrize("name", ADDRESS_SETS)
def test_an_address_set_holds_both_labels_in_both_languages(name: str) -> None:
    # given an address set / when it is read
    rows = address_rows(name)
    # then every id is its own, and each language has messages that give an address and not
    assert len({row["id"] for row in rows}) == len(rows)
    assert {(row["language"], row["gives_address"]) for row in rows} == {
        (language, gives) for language in ("en", "sv") for gives in (True, False)
    }


@pytest.mark.parametrize("name", SIGNAL_SETS)
def test_a_signal_set_holds_plain_and_signalled_messages_in_both_languages(name: str) -> None:
    # given a set of messages whose signals are spread over sentences / when it is read
    rows = signal_set_rows(name)
    # then every id is its own, every label a signal, and each language has both kinds
    assert len({row["id"] for row in rows}) == len(rows)
    kinds = {kind.value for kind in SignalKind}
    assert all(isinstance(row["signals"], list) and set(row["signals"]) <= kinds for row in rows)
    assert {(row["language"], bool(row["signals"])) for row in rows} == {
        (language, signalled) for language in ("en", "sv") for signalled in (False, True)
    }


def test_the_figures_of_a_signal_set_are_its_labels_and_the_readers_readings(
    reader: EmbeddedReader,
) -> None:
    # given the first set, its labels and the reader's signals on it, message by message
    name = SIGNAL_SETS[0]
    rows = signal_set_rows(name)
    readings = reader.signals([str(row["text"]) for row in rows])
    filed = SignalKind.CHARGEBACK_FILED.value
    pairs = [
        (
            str(row["language"]),
            _labels(row),
            {s.kind.value for s in got.signals},
        )
        for row, got in zip(rows, readings, strict=True)
    ]
    # when its figures are counted, per language
    for each in signal_set_figures(name, reader.signals):
        mine = [(said, got) for language, said, got in pairs if language == each.language]
        # then they are those labels and readings
        assert each.plain == sum(not said for said, _ in mine)
        assert each.plain_read == sum(not said and bool(got) for said, got in mine)
        assert each.found[filed] == (
            sum(filed in said for said, _ in mine),
            sum(filed in got for _, got in mine),
            sum(filed in said and filed in got for said, got in mine),
        )


def _labels(row: dict[str, object]) -> set[str]:
    labelled = row["signals"]
    return {str(kind) for kind in labelled} if isinstance(labelled, list) else set()
