"""Cleaning real e-mail shapes down to what the customer wrote now."""

from __future__ import annotations

import pytest

from evenhand.understand.clean import clean_message
from tests.conftest import FIXTURES

MESSAGES = FIXTURES / "messages"


def read(name: str) -> str:
    return (MESSAGES / name).read_text(encoding="utf-8")


def test_gmail_reply_loses_the_quote_and_the_iphone_footer() -> None:
    text = clean_message(read("gmail_reply_en.txt"), subject="Re: Where is my order?")
    assert text.startswith("Where is my order?\nHi again,")
    assert "hasn't moved since Friday" in text
    assert "Sent from my iPhone" not in text and "shipped on 31 October" not in text


def test_apple_mail_reply_in_swedish_keeps_the_threat_and_drops_the_signature() -> None:
    text = clean_message(read("apple_mail_reply_sv.txt"))
    assert "bestrider jag köpet hos banken" in text
    assert "Anna Svensson" not in text and "070-123" not in text
    assert "skickades den 31 oktober" not in text


def test_outlook_header_block_ends_the_message() -> None:
    text = clean_message(read("outlook_reply_sv.txt"), subject="SV: Din order #10402 har skickats")
    assert text.endswith("HEJ MUGGEN VAR TRASIG NÄR DEN KOM. vill ha en ny")
    assert "Från:" not in text and "Din order har skickats" not in text


def test_outlook_original_message_and_a_short_sign_off() -> None:
    text = clean_message(read("outlook_original_message_en.txt"))
    assert text == "I got the wrong size, I ordered 150x210 and got 200x220. Can you swap it?"


def test_html_with_a_gmail_quote() -> None:
    text = clean_message(read("gmail_reply.html"))
    assert "Paketet säger levererat men det finns inget i brevlådan." in text
    assert "Kan ni kolla med PostNord?" in text
    assert "Din order #10440" not in text and "Mvh" not in text and "Maja" not in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Tack för snabbt svar, men jag vill fortfarande returnera filten.",
            "Tack för snabbt svar, men jag vill fortfarande returnera filten.",
        ),
        ("cancel my subscription", "cancel my subscription"),
        ("> old quoted line\nnew line", "new line"),
    ],
)
def test_plain_text_keeps_the_customers_words(body: str, expected: str) -> None:
    assert clean_message(body) == expected


def test_subject_is_not_repeated_when_the_body_already_says_it() -> None:
    assert (
        clean_message("Where is my order? It's been 2 weeks", subject="where is my order?")
        == "Where is my order? It's been 2 weeks"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hej!\n\nVar är mitt paket?\n\nMvh Emma", "Hej!\n\nVar är mitt paket?"),
        ("Hi,\nwhere is my parcel?\nThanks, Olof", "Hi,\nwhere is my parcel?"),
        ("Hallå\nPaketet har inte kommit\n/Per", "Hallå\nPaketet har inte kommit"),
        ("Hi\nThe mug is broken\n- Anna-Karin Ek", "Hi\nThe mug is broken"),
        # not a signature: the sign-off is not the last line, or no name follows the dash
        ("Hi\nThanks Nordhem\nMy parcel never came", "Hi\nThanks Nordhem\nMy parcel never came"),
        ("Hi\nThe mug is broken\n- it came in two", "Hi\nThe mug is broken\n- it came in two"),
    ],
)
def test_a_last_line_sign_off_with_the_name_is_a_signature(body: str, expected: str) -> None:
    assert clean_message(body) == expected
