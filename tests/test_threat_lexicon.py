"""The threat lexicon (`understand/threat_lexicon.yaml`): every entry matches the sentences it
must and none it must not, and a bad file is refused naming the file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from evenhand.errors import EvenhandError
from evenhand.understand.lexicon_stage import SENTENCE_MODEL, veto
from evenhand.understand.model import SignalKind
from evenhand.understand.threat_lexicon import (
    LexiconEntry,
    default_lexicon,
    entry_matches,
    load_lexicon,
)

ENTRIES = default_lexicon().entries


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_each_entry_matches_what_it_must_and_nothing_it_must_not(entry: LexiconEntry) -> None:
    # given: the entry's pattern alone, matched as its group matches it
    # then: it finds its examples and leaves its near misses alone
    for sentence in entry.must_match:
        assert entry_matches(entry, sentence), f"{entry.id} should match {sentence!r}"
    for sentence in entry.must_not_match:
        assert not entry_matches(entry, sentence), f"{entry.id} should not match {sentence!r}"


def test_a_group_says_which_entry_matched() -> None:
    # given: a sentence naming Trustpilot, with its å-less Swedish twin
    lexicon = default_lexicon()
    # then: the review group names the entry; Swedish matches without å/ä/ö, but a sentence
    # written with them is read as written ("här" is not "har")
    assert lexicon["review"].find("I'll give you one star on Trustpilot") is not None
    assert lexicon["review"].find("en stjarna pa trustpilot") == lexicon["review"].find(
        "en stjärna på trustpilot"
    )
    assert lexicon["filed"].find("jag har återfört pengarna") is not None
    assert lexicon["filed"].find("jag kan få det här återfört via Visa") is None
    assert lexicon["withdrawal"].find("My order is late.") is None


def test_a_group_gives_what_follows_its_match() -> None:
    # given: a denial of a dispute with more said after it, and a sentence without one
    denial = default_lexicon()["not_filed"]
    # then: what follows the denial is the rest of the sentence; with no denial, all of it
    assert denial.after("I haven't disputed it yet, but I will.") == " it yet, but I will."
    assert denial.after("My order is late.") == "My order is late."


GOOD = """
groups:
  review:
    means: what a threat is about
entries:
  - id: review.en.stars
    language: en
    pattern: '\\bstars?\\b'
    signals: [review_threat]
    must_match: ["one star"]
    must_not_match: []
"""


@pytest.mark.parametrize(
    ("broken", "field", "reason"),
    [
        ("pattern: '\\bstars?\\b'", "pattern: '(stars'", "not a regular expression"),
        ("pattern: '\\bstars?\\b'", "pattern: '(stars)'", "not a capturing group"),
        ("signals: [review_threat]", "signals: [shouting]", "a list of"),
        ('must_match: ["one star"]', "must_match: []", "at least 1"),
        ("language: en", "language: fr", "en, sv or any"),
    ],
)
def test_a_bad_entry_names_the_file_the_entry_and_the_field(
    tmp_path: Path, broken: str, field: str, reason: str
) -> None:
    # given: a lexicon file with one bad field
    path = tmp_path / "lexicon.yaml"
    path.write_text(GOOD.replace(broken, field), encoding="utf-8")
    # when: it is loaded
    with pytest.raises(EvenhandError) as raised:
        load_lexicon(path)
    # then: the message names the file, the line, the entry and the field
    message = str(raised.value)
    assert str(path) in message and "line 6" in message
    name = field.split(":", maxsplit=1)[0]
    assert "review.en.stars" in message and name in message and reason in message


def test_the_good_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_lexicon(path)["review"].find("five stars") == "review.en.stars"


@pytest.mark.parametrize(
    ("sentence", "vetoed"),
    [
        # the card stopped after fraud, nothing contested: no dispute filed
        ("Reported it to Action Fraud and my bank has stopped the card.", True),
        ("Mitt kort spärrades efter ett bedrägeri och nu har jag fått ett nytt kort.", True),
        # a case or a claim named beside it, or money to come back: the dispute stands
        ("My bank has blocked the card and opened a fraud case for the charge.", False),
        ("Banken har spärrat kortet och gjort en reklamation på köpet hos er.", False),
        ("My bank blocked the card and is reversing the payment to you.", False),
    ],
)
def test_a_models_dispute_filed_beside_a_stopped_card_is_none_unless_a_dispute_is_named(
    sentence: str, vetoed: bool
) -> None:
    # given: a sentence the sentence model read as a dispute filed
    # when: the veto is asked
    why = veto(SignalKind.CHARGEBACK_FILED, sentence, stage=SENTENCE_MODEL)
    # then: a card stopped or replaced alone is none; a claim, a case or money back keeps it
    assert (why is not None) is vetoed
    if vetoed:
        assert why is not None and why.startswith("a card stopped or replaced")
