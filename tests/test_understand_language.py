"""Language of real-shaped messages, with the shop's market as a prior."""

from __future__ import annotations

import pytest

from evenhand.understand.language import identify_language


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
