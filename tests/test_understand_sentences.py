"""Splitting a message into sentences and a run-on sentence into clauses."""

from __future__ import annotations

import pytest

from evenhand.understand.sentences import clauses, sentences


def test_a_message_splits_at_end_punctuation_and_line_breaks() -> None:
    # Given a message of three sentences, one on its own line
    text = "My parcel is late. Where is it?\nThanks, Ola"
    # When it is split
    # Then each sentence comes out alone, without its surrounding space
    assert list(sentences(text)) == ["My parcel is late.", "Where is it?", "Thanks, Ola"]


@pytest.mark.parametrize(
    ("sentence", "parts"),
    [
        (
            "paketet har inte kommit jag tänker inte vänta mer",
            ["paketet har inte kommit", "jag tänker inte vänta mer"],
        ),
        # typed without å, ä and ö, the announcement still opens its own clause
        (
            "paketet har inte kommit jag tanker inte vanta mer",
            ["paketet har inte kommit", "jag tanker inte vanta mer"],
        ),
        (
            "lampan var trasig jag lamnar ett omdome om det",
            ["lampan var trasig", "jag lamnar ett omdome om det"],
        ),
        ("The box was crushed, I'll send photos", ["The box was crushed", "I'll send photos"]),
    ],
)
def test_a_run_on_sentence_splits_where_the_writer_turns_to_what_they_will_do(
    sentence: str, parts: list[str]
) -> None:
    # Given a run-on sentence: a complaint, then the writer's own act
    # When it is split into clauses
    # Then the act is a clause of its own, with or without å, ä and ö
    assert clauses(sentence) == parts
