"""Threat signals on labelled Swedish and English sentences, hard negatives included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from evenhand.actions.evaluate import cross_validate_signals
from evenhand.understand import signals
from evenhand.understand.clean import clean_message
from evenhand.understand.knobs import KNOBS
from evenhand.understand.model import SignalKind
from evenhand.understand.reader import EmbeddedReader
from evenhand.understand.signal_model import SentenceModels, blend_floor
from evenhand.understand.signals import SignalReading, read_signals_many
from tests.conftest import FIXTURES

CASES = [
    json.loads(line)
    for line in (FIXTURES / "understand" / "signals.jsonl").read_text(encoding="utf-8").splitlines()
]

# 300 messages written apart on 2026-12-07 by a helper session from a brief of the four
# signals alone (no code, corpus or lexicon seen): 220 ordinary messages close to a threat
# (a refund demanded by a date, a declined card, a review already posted, a claim withdrawn,
# a bank told of a payment) and 80 threats, half Swedish. Its misses gave the cause of the
# "I'm writing because ..." fix; it is a development set, not a measure.
NEAR_MISSES = [
    json.loads(line)
    for line in (FIXTURES / "understand" / "near_misses.jsonl").read_text("utf-8").splitlines()
]


def _read(reader: EmbeddedReader, text: str) -> SignalReading:
    return reader.signals([text])[0]


@pytest.mark.parametrize("case", CASES, ids=[case["text"][:40] for case in CASES])
def test_signals(case: dict[str, Any], reader: EmbeddedReader) -> None:
    found = _read(reader, case["text"]).signals
    assert sorted(signal.kind.value for signal in found) == sorted(case["signals"])


def test_the_evidence_is_the_sentence_that_shows_it(reader: EmbeddedReader) -> None:
    text = (
        "Hej, muggen kom trasig. Jag vill ha en ny. "
        "Om ni inte skickar en ny idag ger jag er en stjärna på Trustpilot!"
    )
    [signal] = _read(reader, text).signals
    assert signal.kind is SignalKind.REVIEW_THREAT
    assert signal.evidence == "Om ni inte skickar en ny idag ger jag er en stjärna på Trustpilot!"


PRAISE_THEN_REVIEW = "Tack, kaffebryggaren funkar klockrent, jag ska lägga ett omdöme i helgen."


def test_a_stance_threat_the_sentence_model_is_sure_is_nothing_is_dropped(
    reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a thank-you that announces a review: the lexicon reads "jag ska" + a review
    # when: the reader reads it with the doubt stage, and without it
    doubted = _read(reader, PRAISE_THEN_REVIEW)
    monkeypatch.setattr(signals, "KNOBS", replace(KNOBS, signal_lexicon_doubt=1.01))
    undoubted = _read(reader, PRAISE_THEN_REVIEW)
    # then: the topical model's doubt drops the lexicon's threat, and the steps say why
    assert [s.kind for s in undoubted.signals] == [SignalKind.REVIEW_THREAT]
    assert doubted.signals == ()
    assert "sentence-model doubts the lexicon: none" in doubted.steps[0]


def test_the_doubt_leaves_a_threat_with_its_condition(reader: EmbeddedReader) -> None:
    # given: the same announced review, with a condition
    text = "Byter ni inte kaffebryggaren i veckan lägger jag ett omdöme om er på Trustpilot."
    # then: the model does not doubt it
    [signal] = _read(reader, text).signals
    assert signal.kind is SignalKind.REVIEW_THREAT


@pytest.mark.training
def test_cross_validated_reader_keeps_its_floor() -> None:
    # given: the training sentences, each read by sentence models trained on the other folds
    validation = cross_validate_signals(folds=3)
    # then: the figures hold (2026-12-06, corpus up to signals_t13: recall 0.924-0.974,
    # precision 0.932-0.984, 52 of 8,646 sentences without a threat read as one; earlier
    # figures are in git's history): a change that reads worse fails here
    assert validation.sentences == validation.neutral + sum(s.support for s in validation.signals)
    for score in validation.signals:
        assert score.recall >= 0.92 and score.precision >= 0.92, score
    assert validation.neutral_flagged <= 0.025 * validation.neutral


def test_a_one_word_question_after_a_threat_goes_with_it(reader: EmbeddedReader) -> None:
    # given: threats followed by a tag question, and by a real one
    deal = _read(reader, "Ni fixar en återbetalning, jag fixar recensionen. Rimligt?")
    question = _read(reader, "I will leave 1 star on Trustpilot. Where is my parcel?")
    # then: "Rimligt?" is left out of the intent with the threat; the real question stays
    assert deal.threat_sentences[-1] == "Rimligt?"
    assert question.threat_sentences == ("I will leave 1 star on Trustpilot.",)


def test_the_second_look_skips_only_what_the_blend_cannot_reach(reader: EmbeddedReader) -> None:
    # given: the fixture sentences, read by the topical blend and by its n-gram member alone
    models = reader.models.signals
    texts = [case["text"] for case in CASES]
    blended, fast = models.topical.probabilities(texts), models.other.probabilities(texts)
    offer = models.topical.classes.index(SignalKind.REVIEW_EXTORTION.value)
    # then: every sentence the blend is sure is an offer passes the n-gram pre-check, which
    # is what lets the second look skip the e5 embedding of the others
    sure = [i for i, row in enumerate(blended) if row[offer] >= KNOBS.signal_extortion_over_threat]
    assert len(sure) >= 5
    assert all(fast[i][offer] >= blend_floor(KNOBS.signal_extortion_over_threat) for i in sure)


def test_the_e5_gate_keeps_every_sentence_the_blend_reads_as_a_signal(
    reader: EmbeddedReader,
) -> None:
    # given: the fixture sentences, read by the topical blend and by its n-gram member alone
    models = reader.models.signals
    texts = [case["text"] for case in CASES]
    blended, fast = models.topical.probabilities(texts), models.other.probabilities(texts)
    signal_columns = [i for i, label in enumerate(models.topical.classes) if label != "none"]
    # when: the sentences the blend reads as a signal are taken
    threshold = KNOBS.signal_topical_threshold
    read = [i for i, row in enumerate(blended) if max(row[c] for c in signal_columns) >= threshold]
    # then: each passes the gate, so skipping e5 below it loses none of them
    assert len(read) >= 10
    assert all(max(fast[i][c] for c in signal_columns) >= KNOBS.signal_e5_gate for i in read)


class _ReadsNothing:
    """A sentence model that never sees a signal, so only the lexicon reads."""

    @property
    def classes(self) -> list[str]:
        return ["none", *(kind.value for kind in SignalKind)]

    def probabilities(self, sentences: Sequence[str]) -> Any:
        return np.array([[1.0] + [0.0] * len(SignalKind) for _ in sentences])


@pytest.mark.parametrize(
    "sentence",
    [
        "I don't want to drag Klarna into this, but I will.",
        "Jag vill inte blanda in banken, men jag gör det.",
        "You've got until Friday, after that it's between me and my bank.",
        "Du har till fredag, sen får Klarna ta hand om det.",
    ],
)
def test_the_lexicon_reads_a_refusal_taken_back_and_a_deadline(
    sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: sentence models that read nothing, and no doubt of the lexicon by them
    models = SentenceModels(topical=_ReadsNothing(), other=_ReadsNothing())
    monkeypatch.setattr(signals, "KNOBS", replace(KNOBS, signal_lexicon_doubt=1.01))
    # when: the lexicon alone reads a threat whose only stance is "but I will" or a deadline
    [reading] = read_signals_many([sentence], models=models)
    # then: it is a chargeback threat
    assert [signal.kind for signal in reading.signals] == [SignalKind.CHARGEBACK_THREAT]


class _ReadsOffers(_ReadsNothing):
    """A sentence model sure that every sentence is an offer, so only the vetoes decide."""

    def probabilities(self, sentences: Sequence[str]) -> Any:
        offer = self.classes.index(SignalKind.REVIEW_EXTORTION.value)
        return np.array([[float(i == offer) for i in range(len(self.classes))] for _ in sentences])


class _AsksRecorded(_ReadsOffers):
    """The topical model: sure of an offer, and recording every sentence it is asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def probabilities(self, sentences: Sequence[str]) -> Any:
        self.asked += sentences
        return super().probabilities(sentences)


class _NgramsSureOfNone(_ReadsNothing):
    """The n-gram model: an offer at 0.5 in sentences with "stars", else at most 0.01."""

    def probabilities(self, sentences: Sequence[str]) -> Any:
        offer = self.classes.index(SignalKind.REVIEW_EXTORTION.value)
        odds = [0.5 if "stars" in s else 0.01 for s in sentences]
        return np.array([[1 - p if i == 0 else p * (i == offer) for i in range(5)] for p in odds])


def test_a_sentence_the_ngrams_are_sure_shows_nothing_is_not_embedded() -> None:
    # given: a topical model that records what it is asked, and n-grams that give one
    # sentence's likeliest signal less than the gate and the other's more
    topical = _AsksRecorded()
    models = SentenceModels(topical=topical, other=_NgramsSureOfNone())
    quiet, doubtful = "Where can I read your reviews?", "Your reviews say five stars, right?"
    # when: both sentences about a review, which the lexicon leaves undecided, are read
    first, second = read_signals_many([quiet, doubtful], models=models)
    # then: only the doubtful one is asked of the topical (e5) model, whose reading its steps
    # show; the other is none, and its steps say the n-grams decided it
    assert KNOBS.signal_e5_gate > 0.01
    assert topical.asked == [doubtful]
    assert first.signals == ()
    gate = KNOBS.signal_e5_gate
    assert (
        f"none (n-grams: no signal at {gate}; likeliest review_extortion 0.010)" in first.steps[0]
    )
    assert "sentence-model: review_extortion" in second.steps[0]


@pytest.mark.parametrize(
    ("sentence", "offered"),
    [
        ("I'd gladly give you five stars for a free pair in the right size.", True),
        ("Ni får gärna fem stjärnor av mig om ni bjuder på returen.", True),
        ("I'd gladly give you five stars once I've tried it.", False),
        ("Thanks for the free replacement, I've updated my review to five stars!", False),
        ("Jag har redan höjt betyget, men höjer det igen om ni bjuder på frakten.", True),
        ("När återbetalningen kom redigerade jag min recension.", False),
    ],
)
def test_praise_is_an_offer_only_as_a_price_and_a_change_made_offers_nothing(
    sentence: str, offered: bool
) -> None:
    # given: sentence models that read every sentence as an offer about a review
    models = SentenceModels(topical=_ReadsOffers(), other=_ReadsOffers())
    # when: a sentence praising, or reporting a review already changed, is read
    [reading] = read_signals_many([sentence], models=models)
    # then: praise for something the shop gives is an offer; praise alone, or a change
    # already made with nothing still asked, is none
    kinds = [signal.kind for signal in reading.signals]
    assert kinds == ([SignalKind.REVIEW_EXTORTION] if offered else [])


# Ordinary mail that shows no threat (issue 21): refund requests, a declined card, product
# questions, anger without a threat, a review already posted, a claim withdrawn, "otherwise
# I want to cancel the order".
ORDINARY = [
    "I want my money back.",
    "Can I get a refund for the lamp, please?",
    "My card keeps getting declined at checkout.",
    "Klarna declined my payment, can I pay another way?",
    "Does the shirt come in a medium, and is it machine washable?",
    "This is the worst service I have ever had and I am furious.",
    "I already left a review last week about the delay.",
    "I have withdrawn my Klarna claim now that the parcel arrived.",
    "I can withdraw the Klarna claim if you send the refund today.",
    "Otherwise I want to cancel the order and get my money back.",
    "Jag vill ha tillbaka pengarna.",
    "Skicka en ny till mig så fort som möjligt.",
    "Annars vill jag avbryta ordern och få pengarna tillbaka.",
    "Jag har dragit tillbaka mitt ärende hos Klarna nu när ni har skickat en ny.",
    "Jag kan dra tillbaka Klarna-ärendet om ni återbetalar i dag.",
    "Mitt kort nekas hela tiden när jag ska betala.",
    "Det här är den sämsta servicen jag varit med om, jag är rasande.",
    "Jag har redan lämnat ett omdöme på Trustpilot.",
    "I'll take it to the National Board for Consumer Disputes (ARN) if we can't agree.",
    "Annars vill jag häva köpet och få tillbaka pengarna.",
    "Klarna godkände inte köpet, vad gör jag nu?",
    "Jag ångrade bestridandet hos banken, ni behöver inte göra något mer.",
    "My daughter opened a Klarna claim by mistake, it's been removed now.",
    # pitches from creators and the press, whatever audience they name
    "I run a gardening channel with 25k subscribers and would love to collaborate, if you're "
    "open to it.",
    "Jag har 8 000 följare på Instagram och skulle gärna lotta ut ett par av era vantar.",
    "We're writing a piece on small Nordic brands and would like to interview you.",
]

THREATS = [
    # a double negation announces the act; a review that "goes up" is posted, not offered
    ("Tro inte att jag inte lägger ut bilderna på Facebook.", SignalKind.REVIEW_THREAT),
    ("Don't think I won't tell my followers about this.", SignalKind.REVIEW_THREAT),
    ("Nothing by Friday and the review goes up on Google.", SignalKind.REVIEW_THREAT),
    ("Fine, we'll see what my bank says about that.", SignalKind.CHARGEBACK_THREAT),
]


@pytest.mark.parametrize(("text", "kind"), THREATS)
def test_threats_in_indirect_forms_are_read(
    text: str, kind: SignalKind, reader: EmbeddedReader
) -> None:
    # given: a threat written as a double negation, a deadline, or left to the bank
    # when: it is read
    reading = _read(reader, text)
    # then: it shows its signal and no other
    assert {s.kind for s in reading.signals} == {kind}, reading.steps


def test_a_consumer_board_beside_the_bank_is_still_a_chargeback_threat(
    reader: EmbeddedReader,
) -> None:
    # given: the customer's legal route named, and the bank named beside it as the threat
    text = "If you don't refund me I'll go to ARN and ask my bank to reverse the payment."
    # when: it is read
    reading = _read(reader, text)
    # then: the bank route still shows
    assert SignalKind.CHARGEBACK_THREAT in {s.kind for s in reading.signals}, reading.steps


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_mail_shows_no_signal(text: str, reader: EmbeddedReader) -> None:
    # given: a message that asks, complains or reports, and threatens nothing
    # when: it is read
    reading = _read(reader, text)
    # then: no signal, and nothing left out of the intent's reading
    assert reading.signals == (), reading.steps
    assert reading.threat_sentences == ()


def test_a_signal_says_where_it_comes_from(reader: EmbeddedReader) -> None:
    # given: a threat the lexicon reads, and one only the sentence model reads
    lexicon = _read(reader, "If I don't get a refund by Friday I'll leave 1 star on Trustpilot.")
    # then: each signal names its stage, the lexicon entry, and a score
    [signal] = lexicon.signals
    assert signal.source.stage == "lexicon"
    assert signal.source.rule is not None and signal.source.rule.startswith("stance.")
    assert signal.source.score == 1.0
    assert any("subject: review" in step for step in lexicon.steps)


def test_a_sentence_naming_no_review_or_bank_never_reaches_the_model() -> None:
    # given: sentence models sure that every sentence is an offer
    models = SentenceModels(topical=_ReadsOffers(), other=_ReadsOffers())
    # when: sentences without a review or a bank, and one with, are read
    readings = read_signals_many(
        ["Send me a new one or else.", "Fix it and my review goes up."], models=models
    )
    # then: only the one about a review can show a signal
    assert readings[0].signals == ()
    assert [s.kind for s in readings[1].signals] == [SignalKind.REVIEW_EXTORTION]


@pytest.mark.parametrize(
    "text",
    [
        "I posted a pretty harsh comment under your latest reel. Refund the postage and I'll "
        "delete it.",
        "Jag skrev ett surt omdöme på Google i förrgår. Skickar ni en ny kudde så tar jag "
        "bort det.",
    ],
)
def test_a_review_offer_whose_review_is_named_in_the_sentence_before_is_extortion(
    text: str, reader: EmbeddedReader
) -> None:
    # given: a review named in one sentence and the price of taking it down in the next
    # when: it is read
    reading = _read(reader, text)
    # then: it is extortion, shown by the offer's sentence, which the intent does not read
    [signal] = [s for s in reading.signals if s.kind is SignalKind.REVIEW_EXTORTION]
    assert signal.evidence == reading.threat_sentences[-1] != text
    assert signal.source.rule is not None and "sentence before" in signal.source.rule


def test_the_sentence_before_lends_its_review_to_no_offer_without_a_price(
    reader: EmbeddedReader,
) -> None:
    # given: a review named, then a sentence that takes something else back with no price
    text = "I left you a lovely review yesterday. Thanks again, I'll delete my question here."
    alone = "Send a new one and I'll delete it."
    # when: they are read
    # then: no signal; and an offer with no review anywhere is none either
    assert _read(reader, text).signals == ()
    assert _read(reader, alone).signals == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "I'm in three big parenting groups on Facebook. Unless the replacement wheel is "
            "here by Friday, I'll share every detail of this with them.",
            SignalKind.REVIEW_THREAT,
        ),
        (
            "My card is with Amex. If the money isn't back by Monday, I'll ask them to reverse it.",
            SignalKind.CHARGEBACK_THREAT,
        ),
        (
            "Jag har en matblogg som rätt många läser. Om jag inte har pengarna tillbaka på "
            "fredag så får alla läsa om hur ni behandlar kunder.",
            SignalKind.REVIEW_THREAT,
        ),
        (
            "I gave you two stars last Tuesday. Knock the shipping off and I'll bump it up to "
            "five.",
            SignalKind.REVIEW_EXTORTION,
        ),
        (
            "Min recension på Prisjakt är inte snäll. Bjuder ni på returen så skriver jag om den.",
            SignalKind.REVIEW_EXTORTION,
        ),
        # the subject two sentences before, a sentence that names nothing between
        (
            "I have 8,000 followers on TikTok. The blender arrived with a cracked jug and nobody "
            "has answered me in two weeks. Unless a new jug is here by Friday, I'll tell them the "
            "whole story.",
            SignalKind.REVIEW_THREAT,
        ),
        (
            "Jag har en matblogg med ganska många läsare. Kastrullen kom med en buckla i botten "
            "och ingen har svarat på två veckor. Om jag inte får en ny innan fredag kommer jag "
            "att skriva om det.",
            SignalKind.REVIEW_THREAT,
        ),
    ],
)
def test_a_threat_whose_subject_is_named_in_a_sentence_before_is_read(
    text: str, kind: SignalKind, reader: EmbeddedReader
) -> None:
    # given: the public channel named in one sentence, the condition and the act in the next
    # (or the one after it)
    # when: it is read
    reading = _read(reader, text)
    # then: the threat is shown by the last sentence, and the steps say how it was read
    [signal] = reading.signals
    assert signal.kind is kind
    assert signal.evidence == reading.threat_sentences[-1] != text
    read_with = "two before" if text.count(". ") == 2 else "before"
    assert any(f"with the sentence {read_with}:" in step for step in reading.steps)


@pytest.mark.parametrize(
    "text",
    [
        "I paid with Klarna. The parcel still hasn't come. I'll wait until Friday and then ask "
        "again.",
        "Jag skrev ett omdöme på Google förra året. Nu har jag beställt igen. Om ni inte har fler "
        "i lager tar jag en annan färg.",
        # read with the sentence between, which makes "then" the missing item's
        "The payment went through on my Mastercard. The item was out of stock after all. I'll "
        "take a refund then, or a store credit if that's easier.",
    ],
)
def test_a_stance_two_sentences_after_a_subject_is_no_threat_of_its_own(
    text: str, reader: EmbeddedReader
) -> None:
    # given: a bank or a review named, and an ordinary stance two sentences later
    # when: it is read
    reading = _read(reader, text)
    # then: no signal
    assert reading.signals == ()


def test_an_offer_read_across_two_sentences_stands_only_with_its_price(
    reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a review named, then an offer about it whose price is a free return
    text = "Min recension på Prisjakt är inte snäll. Bjuder ni på returen så skriver jag om den."
    # when: it is read as it is, and as if the later sentence asked nothing of the shop
    priced = _read(reader, text)
    monkeypatch.setattr(signals, "asks_of_the_shop", lambda sentence: False)
    unpriced = _read(reader, text)
    # then: only the priced offer is extortion, and the steps say why the other is not
    assert [s.kind for s in priced.signals] == [SignalKind.REVIEW_EXTORTION]
    assert unpriced.signals == ()
    assert "an offer that asks nothing of the shop" in unpriced.steps[-1]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # withdrawn in the sentence after: no dispute
        (
            "I opened a PayPal claim when the parcel was late. It came, so I've closed the claim.",
            [],
        ),
        ("Jag öppnade en tvist hos Klarna i fredags. Den är återkallad nu.", []),
        # the bank named in other words in the withdrawal ("min bank", "banken")
        ("Jag har bestridit köpet hos min bank. Nu har jag stängt ärendet hos banken.", []),
        # withdrawn by reference: "it" is the dispute of the sentence before
        ("My card company opened a dispute for me on Monday. Since then I've withdrawn it.", []),
        # "it" may be anything else: the order, a card, an account
        (
            "I have disputed the charge with my bank. I cancelled it before you even shipped.",
            [SignalKind.CHARGEBACK_FILED],
        ),
        (
            "Jag bestred dragningen hos Amex förra veckan. Nu när varan kom har jag dragit"
            " tillbaka det.",
            [],
        ),
        # offered to be withdrawn, not withdrawn: the dispute stands
        (
            "I've opened a case with PayPal about the refund. If you send it I'll close the case.",
            [SignalKind.CHARGEBACK_FILED],
        ),
    ],
)
def test_a_dispute_withdrawn_in_the_next_sentence_is_none(
    reader: EmbeddedReader, text: str, kinds: list[SignalKind]
) -> None:
    # given: a dispute filed, and the sentence after it
    # when: the message is read
    reading = _read(reader, text)
    # then: only a withdrawal reported done takes the dispute away, and the steps say so
    assert [s.kind for s in reading.signals] == kinds
    if not kinds:
        assert any("withdrawn in the sentence after" in step for step in reading.steps)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # another claim withdrawn first, this one disputed after: the dispute stands
        (
            "I closed the PayPal claim for the other order, but for this one I have disputed"
            " the charge with my bank.",
            [SignalKind.CHARGEBACK_FILED],
        ),
        (
            "Jag har stängt ärendet hos Klarna om den första ordern, men den här har jag"
            " bestridit hos banken.",
            [SignalKind.CHARGEBACK_FILED],
        ),
        (
            "I closed the PayPal case for the first order, but if you don't refund the second"
            " one I'm going to my bank.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        # the claim reported first and withdrawn after: none
        ("I opened a PayPal claim, but I've closed it now.", []),
        ("Jag öppnade ett ärende hos Klarna, men jag har dragit tillbaka det nu.", []),
    ],
)
def test_a_withdrawal_takes_away_only_the_claim_it_withdraws(
    reader: EmbeddedReader, text: str, kinds: list[SignalKind]
) -> None:
    # given: one sentence that withdraws a claim and reports or threatens a dispute
    # when: it is read
    reading = _read(reader, text)
    # then: a dispute in a clause after the withdrawing one, with nothing withdrawn in it, is
    # another claim and stands; one reported before its withdrawal is gone
    assert [s.kind for s in reading.signals] == kinds


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # the writer's first-person future comes first: a dispute announced
        (
            "I'll be raising it with Klarna so the payment is put on hold.",
            SignalKind.CHARGEBACK_THREAT,
        ),
        # reported, whatever the writer will do next
        ("Klarna has put the payment on hold, so I'll wait for them.", SignalKind.CHARGEBACK_FILED),
        ("I've raised it with Klarna and the payment is on hold.", SignalKind.CHARGEBACK_FILED),
        # a stance, but no announcement: reported
        (
            "I was thinking of ordering again but my bank put the payment on hold.",
            SignalKind.CHARGEBACK_FILED,
        ),
        (
            "Jag funderar på att handla igen men banken har redan pausat betalningen.",
            SignalKind.CHARGEBACK_FILED,
        ),
    ],
)
def test_a_dispute_announced_is_a_threat_not_one_filed(
    reader: EmbeddedReader, text: str, kind: SignalKind
) -> None:
    # given: a sentence that names a dispute's effect (a payment put on hold)
    # when: it is read
    reading = _read(reader, text)
    # then: what the writer will do is a threat; what has happened is a dispute filed
    assert [s.kind for s in reading.signals] == [kind]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # not filed yet, but announced after the denial: a threat, never a dispute filed
        (
            "I haven't filed a chargeback yet, but I will if you don't refund me.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        (
            "Jag har inte anmält det till banken än, men jag gör det om ni inte svarar.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        # the same over two sentences, read as one by the pairs stage: "not yet" is no
        # refusal, unless the writer refuses besides
        (
            "Jag har inte anmält köpet till banken än. Men jag gör det om ni inte svarar.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        (
            "Jag har inte anmält något till Klarna än, och det tänker jag inte göra heller."
            " Skicka bara ett nytt spårningsnummer om ni inte svarar i morgon.",
            [],
        ),
        # an outright denial is no withdrawal of a dispute still to come after it
        (
            "I haven't disputed anything. But I will if the refund isn't here by Friday.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        # a threat in a clause of its own, or stated before the denial: still a threat
        (
            "Refund me by Friday or I'll go to my bank; I haven't contacted them yet.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        (
            "If you don't refund me by Friday my bank will get involved as I haven't"
            " contacted them yet.",
            [SignalKind.CHARGEBACK_THREAT],
        ),
        # denied, nothing still to come: none, whichever stage read the dispute
        ("No dispute with Klarna so far.", []),
        ("Inget ärende hos Nordea från min sida ännu.", []),
        ("Jag ville inte dra in banken, och det har jag inte gjort än. Var är paketet?", []),
        ("I haven't disputed anything yet.", []),
        ("Jag har inte gjort någon återkrävning hos banken ännu.", []),
        ("I haven't reported anything to my bank, I'll give you a call tomorrow instead.", []),
        # an outright denial takes away a dispute named before it, in its sentence or the one
        # before (the customer answering that we heard of one)
        ("Your email says I opened a dispute with PayPal, but I never opened a dispute.", []),
        (
            "My bank has opened a dispute on the payment. I haven't disputed anything, it"
            " must be a mistake.",
            [],
        ),
        # a denial takes away only the dispute it denies: the writer's own, not the bank's
        ("I haven't called Klarna, but my bank has opened a case.", [SignalKind.CHARGEBACK_FILED]),
        (
            "I filed a chargeback but the bank has not contacted me yet.",
            [SignalKind.CHARGEBACK_FILED],
        ),
        (
            "Eftersom ni inte kontaktat mig har jag bestridit köpet.",
            [SignalKind.CHARGEBACK_FILED],
        ),
    ],
)
def test_a_dispute_the_writer_says_is_not_filed_is_never_one_filed(
    reader: EmbeddedReader, text: str, kinds: list[SignalKind]
) -> None:
    # given: a sentence that says a dispute is not filed (yet)
    # when: it is read
    reading = _read(reader, text)
    # then: no dispute filed (it would send the ticket to the dispute process); a threat only
    # where the writer announces one beside the denial
    assert [s.kind for s in reading.signals] == kinds


PAIR_NOT_A_THREAT = "My card company asked about the payment. I'll tell them it was me."


def test_a_pair_stands_only_when_the_sentence_model_reads_a_threat_too(
    reader: EmbeddedReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a card company named, then the writer's harmless answer to it
    # when: it is read with the pair's doubt, and without it
    doubted = _read(reader, PAIR_NOT_A_THREAT)
    monkeypatch.setattr(signals, "_pair_doubt", lambda readings, *, model: None)
    undoubted = _read(reader, PAIR_NOT_A_THREAT)
    # then: the lexicon alone reads the pair as a threat; the topical model's doubt drops it
    assert [s.kind for s in undoubted.signals] == [SignalKind.CHARGEBACK_THREAT]
    assert doubted.signals == ()
    assert any("doubts the pair: none" in step for step in doubted.steps)


def test_the_shops_own_channel_named_without_a_stance_is_no_threat(
    reader: EmbeddedReader,
) -> None:
    # given: the customer follows the shop on Facebook and asks about what it posted there
    text = (
        "Jag följer er på Facebook och där sa ni att det blir rea i helgen. Gäller det även kaffe?"
    )
    # when: it is read
    reading = _read(reader, text)
    # then: no signal; the steps say the channel is the shop's own
    assert reading.signals == ()
    assert any("the shop's own channel" in step for step in reading.steps), reading.steps


def test_near_misses_rarely_show_a_signal_and_their_threats_are_found(
    reader: EmbeddedReader,
) -> None:
    # given: ordinary mail that comes close to a threat, and threats, written apart
    texts = [clean_message(row["text"], None) for row in NEAR_MISSES]
    # when: they are read
    readings = reader.signals(texts)
    # then: few plain messages show a signal, and few labelled signals are missed (floors set
    # at d840bb9, where 7 of 220 plain messages showed one and 84 of 88 signals were found)
    read = [{signal.kind.value for signal in r.signals} for r in readings]
    plain = [got for row, got in zip(NEAR_MISSES, read, strict=True) if not row["signals"]]
    found = [
        kind in got for row, got in zip(NEAR_MISSES, read, strict=True) for kind in row["signals"]
    ]
    assert (len(plain), len(found)) == (220, 88)
    assert sum(bool(got) for got in plain) <= 7
    assert sum(found) >= 84
