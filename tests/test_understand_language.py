"""Language of real-shaped messages, with the shop's market as a prior."""

from __future__ import annotations

from typing import Any

import pytest

from evenhand.understand import language as language_module
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.language import LanguageGuess, language_model

_PACKAGED = language_model()  # py3langid's own file, to compare the kept copy against


def identify_language(text: str, *, market: str, identifier: Any = None) -> LanguageGuess:
    return language_module.identify_language(
        text, market=market, identifier=identifier or _PACKAGED
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hej! Var är mitt paket?", "sv"),
        ("Paketet kom aldrig fram", "sv"),  # py3langid alone says Norwegian
        ("HEJ VAR ÄR MITT PAKET????", "sv"),
        ("hej var e min order har inte fått nån bekräftelse", "sv"),
        ("Tack!", "sv"),  # two words or fewer: the market decides
        ("Hi, I ordered the linen pillow but it never arrived", "en"),
        ("where is my order", "en"),
        ("I'll leave 1 star everywhere unless you refund me today", "en"),
        ("Missä on tilaukseni? Tilasin kaksi viikkoa sitten.", "fi"),
    ],
)
def test_language_for_a_swedish_shop(text: str, language: str) -> None:
    assert identify_language(text, market="SE").code == language


@pytest.mark.parametrize(
    "text",
    ["cancel pls", "refund please", "Where is my parcel?", "thx", "hi, refund asap", "STOP"],
)
def test_short_english_is_english_in_a_swedish_shop(text: str) -> None:
    # given: a Swedish shop, whose market prior reads one or two words as Swedish
    # then: a short message of English support words is still English
    assert identify_language(text, market="SE").code == "en"


@pytest.mark.parametrize("text", ["hej, cancel pls", "avbryt ordern tack", "Tack!", "refund tack"])
def test_a_swedish_word_keeps_a_short_message_swedish(text: str) -> None:
    assert identify_language(text, market="SE").code == "sv"


def test_the_market_decides_for_an_empty_message() -> None:
    guess = identify_language("   #10421  ", market="SE")
    assert (guess.code, guess.confidence) == ("sv", 0.0)


def test_an_english_shop_reads_short_english_as_english() -> None:
    assert identify_language("thanks", market="GB").code == "en"


def test_shouting_does_not_change_the_language() -> None:
    text = "THE CANDLE IS MISSING FROM MY ORDER, THE REST ARRIVED"
    assert identify_language(text, market="SE").code == "en"
    assert (
        identify_language("MUGGEN VAR TRASIG NÄR DEN KOM, JAG VILL HA EN NY", market="SE").code
        == "sv"
    )


def test_the_kept_copy_of_the_model_reads_as_the_packaged_one(models: ReaderModels) -> None:
    # given: the model as the reader's build keeps it, and as py3langid ships it
    texts = ["Hej! Var är mitt paket?", "Missä on tilaukseni?", "where is my order", "Tack!"]
    # then: every text gets the same language and the same confidence
    for text in texts:
        assert identify_language(text, market="SE", identifier=models.language) == (
            identify_language(text, market="SE")
        )
