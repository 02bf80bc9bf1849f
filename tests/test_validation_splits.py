"""The validation splits are read only to measure: each is in the package with unique ids
in both languages, and none of its longer texts is in the corpus."""

from __future__ import annotations

import pytest

from evenhand.understand.address_sets import ADDRESS_SETS, address_rows
from evenhand.understand.corpus import load_corpus
from evenhand.understand.evaluation import VALIDATION_SPLITS, validation_examples, validation_splits


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
