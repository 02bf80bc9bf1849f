"""The intents of a real inbox, read on sentences written here (in none of the corpus's
batches nor the validation splits), and the figures `evenhand eval` reports."""

from __future__ import annotations

import pytest

from evenhand.actions.guide import load_guide
from evenhand.domain.decision import Reading, decide_ticket
from evenhand.domain.intents import PROBLEM_INTENTS, SignalSource
from evenhand.domain.replies import ReplyContext
from evenhand.domain.ticket_facts import TicketContext, facts_for
from evenhand.settings import Settings
from evenhand.understand.corpus import Example, Split
from evenhand.understand.evaluation import REMEDY_INTENTS, figures, macro_f1, reliability
from evenhand.understand.intent_model import without_sentences
from evenhand.understand.model import Intent, Message, Signal, SignalKind, Understanding
from evenhand.understand.reader import EmbeddedReader, IntentSource
from tests.conftest import NOW

UNSEEN = {
    Intent.CANCEL_ORDER: [
        "I ordered the wrong lamp an hour ago, please cancel that order before it leaves.",
        "Kan ni avbryta beställningen jag gjorde i förmiddags? Den behövs inte längre.",
        "please cancel order 5521, ordered by accident",
    ],
    Intent.CHANGE_ORDER: [
        "Could you swap the size M in my order for an L before you pack it?",
        "Jag vill lägga till ett par strumpor i ordern jag la nyss, går det?",
        "Kan ni byta färgen på tröjan i min beställning till marinblå innan den skickas?",
    ],
    Intent.FAULTY_AFTER_USE: [
        "The toaster worked for four months and now it just stays cold.",
        "Mixern har slutat fungera efter ett halvår, jag vill reklamera den.",
        "After two months of use the zipper on my jacket split open.",
    ],
    Intent.REFUND_STATUS: [
        "You received my returned jeans ten days ago, when will the money be back on my card?",
        "Jag har fortfarande inte fått tillbaka pengarna för returen jag skickade i april.",
        "Any news on the refund you promised for order 3380?",
    ],
    Intent.PRODUCT_QUESTION: [
        "Can the linen duvet cover be tumble dried?",
        "Hur stor är den blå tekannan, hur många koppar rymmer den?",
        "Will the black sneakers be restocked in size 42?",
    ],
    Intent.PAYMENT_PROBLEM: [
        "My Visa card is refused every time I try to pay, what's wrong?",
        "Betalningen med Swish gick inte igenom, men pengarna är dragna.",
        "You charged my card twice for one order this morning.",
    ],
    Intent.INVOICE_RECEIPT: [
        "Please send a receipt with VAT for order 2231, I need it for work.",
        "Kan jag få en faktura med företagets namn på?",
        "I never got the receipt by email, could you send it again?",
    ],
    Intent.DISCOUNT_PRICE: [
        "The voucher code from your email says expired but it should be valid until Sunday.",
        "Rabattkoden jag fick i nyhetsbrevet fungerar inte i kassan.",
        "The jumper is 25 % cheaper now than when I bought it last week, can I get the difference?",
    ],
    Intent.ACCOUNT_LOGIN: [
        "I can't sign in, the reset link in the email doesn't work.",
        "Jag har glömt lösenordet till mitt konto och kommer inte in.",
        "Please change the email address on my customer profile.",
    ],
    Intent.SHIPPING_QUESTION: [
        "What does shipping to Denmark cost and how long does it take?",
        "Skickar ni till Norge, och vad kostar frakten dit?",
        "Is delivery free if I order for more than 500 kr?",
    ],
    Intent.SUBSCRIPTION_QUESTION: [
        "When will the next bag of my coffee subscription be sent?",
        "Kan jag ändra min kaffeprenumeration till var fjärde vecka?",
        "Which date is my subscription charged each month?",
    ],
    Intent.FEEDBACK: [
        "Just a note to say the towels are wonderful, thanks a lot!",
        "Tack för en supersnabb leverans, jättenöjd!",
        "The new packaging looks lovely, well done.",
    ],
}


@pytest.mark.parametrize(
    ("intent", "text"),
    [(intent, text) for intent, texts in UNSEEN.items() for text in texts],
)
def test_each_new_intent_is_read_on_unseen_sentences(
    reader: EmbeddedReader, intent: Intent, text: str
) -> None:
    assert reader.read(Message(body=text)).intent is intent


@pytest.mark.parametrize(
    "text",
    [
        "How do I cancel my order?",  # not a subscription
        "Wrong phone number on my account, please update it.",  # not a wrong address
        "How do I get paint off my new boots?",  # not a damaged item
        "How much do I owe on my subscription?",  # not an unexpected charge
    ],
)
def test_out_of_scope_mail_is_not_read_as_a_problem_with_a_remedy(
    reader: EmbeddedReader, text: str
) -> None:
    assert reader.read(Message(body=text)).intent not in REMEDY_INTENTS


@pytest.mark.parametrize(
    "text",
    [
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        "Our quarterly newsletter: five trends in industrial valves for 2027.",
        "qwerty asdf zxcv",
    ],
)
def test_a_message_unlike_anything_known_is_other(reader: EmbeddedReader, text: str) -> None:
    reading = reader.read(Message(body=text, market="GB"))
    assert reading.intent is Intent.OTHER


def test_a_message_in_words_never_seen_is_other_however_sure_the_models_are(
    reader: EmbeddedReader,
) -> None:
    # given: a reader that trusts any reading, and a message in words it never trained on
    trusting = EmbeddedReader(reader.models, threshold=0.0)
    german = Message(body="Wo ist meine Bestellung? Ich warte seit zwei Wochen.", market="DE")
    # when: it is read
    reading = trusting.read(german)
    # then: a person looks, and the reading says why
    assert reading.intent is Intent.OTHER
    assert reading.intent_source == "unknown-words->other"
    assert trusting.read(
        Message(body="Var är mitt paket? Jag har väntat i två veckor.")
    ).intent is (Intent.WHERE_IS_MY_ORDER)


def test_every_reading_says_which_stage_decided_its_intent(reader: EmbeddedReader) -> None:
    sure = reader.read(Message(body="Where is my parcel? I ordered two weeks ago."))
    strict = EmbeddedReader(reader.models, threshold=0.999).read(Message(body="hmm, my thing"))
    assert sure.intent_source in {IntentSource.NGRAM.value, IntentSource.CASCADE_E5.value}
    assert strict.intent_source == IntentSource.THRESHOLD_OTHER.value
    assert strict.intent is Intent.OTHER


def _example(intent: Intent, body: str, *signals: SignalKind, language: str = "en") -> Example:
    return Example(
        id=body,
        language=language,
        intent=intent,
        subject=None,
        body=body,
        signals=signals,
        split=Split.HELD_OUT,
        seed_id=body,
    )


def _reading(intent: Intent, confidence: float, *signals: SignalKind) -> Understanding:
    return Understanding(
        language="en",
        language_confidence=1.0,
        intent=intent,
        confidence=confidence,
        runner_up=Intent.OTHER,
        runner_up_confidence=0.0,
        signals=tuple(Signal(kind, "x", SignalSource("lexicon", None, 1.0)) for kind in signals),
    )


def test_the_figures_count_what_the_issue_asks_for() -> None:
    # given: two problems read right, three out-of-scope messages of which one gets a
    # remedy intent and one is flagged with a threat it does not hold
    examples = [
        _example(Intent.DAMAGED_ITEM, "The mug arrived broken in pieces"),
        _example(Intent.WRONG_ITEM, "You sent me the wrong colour"),
        _example(Intent.ACCOUNT_LOGIN, "I cannot log in to my account"),
        _example(Intent.PRODUCT_QUESTION, "Is the blanket machine washable?"),
        _example(Intent.FEEDBACK, "Thanks", SignalKind.REVIEW_THREAT),
    ]
    readings = [
        _reading(Intent.DAMAGED_ITEM, 0.95),
        _reading(Intent.WRONG_ITEM, 0.85),
        _reading(Intent.MISSING_ITEM, 0.92),  # out of scope, given a remedy
        _reading(Intent.PRODUCT_QUESTION, 0.6, SignalKind.REVIEW_THREAT),  # a false signal
        _reading(Intent.FEEDBACK, 0.4),
    ]
    # when
    result = figures(examples, readings)
    # then
    assert result.in_scope == 2 and result.in_scope_macro_f1 == 1.0
    assert (result.out_of_scope_remedy.hits, result.out_of_scope_remedy.of) == (1, 3)
    assert (result.plain_flagged.hits, result.plain_flagged.of) == (1, 4)
    assert (result.language_long.hits, result.language_long.of) == (4, 4)  # "Thanks": 1 word
    # and nothing was sent to a person, so the answered macro-F1 is the intent macro-F1
    assert (result.to_a_person.hits, result.to_a_person.of) == (0, 5)
    assert result.answered_macro_f1 == result.intent_macro_f1


def test_a_message_sent_to_a_person_counts_there_and_not_against_the_answered() -> None:
    # given: a problem read right and one the reader handed to a person (`other`)
    examples = [
        _example(Intent.DAMAGED_ITEM, "The mug arrived broken in pieces"),
        _example(Intent.WRONG_ITEM, "You sent me the wrong colour"),
    ]
    readings = [_reading(Intent.DAMAGED_ITEM, 0.95), _reading(Intent.OTHER, 0.3)]
    # when
    result = figures(examples, readings)
    # then: one of two goes to a person, and what was answered was answered right
    assert (result.to_a_person.hits, result.to_a_person.of) == (1, 2)
    assert result.answered_macro_f1 == 1.0 and result.intent_macro_f1 < 1.0
    assert Intent.WHERE_IS_MY_ORDER not in REMEDY_INTENTS
    assert REMEDY_INTENTS < PROBLEM_INTENTS


def test_the_reliability_table_bins_confidence_against_accuracy() -> None:
    bins = reliability([0.1, 0.92, 0.93, 0.97, 1.0], [False, True, False, True, True])
    by_low = {b.low: b for b in bins}
    assert (by_low[0.0].messages, by_low[0.0].accuracy) == (1, 0.0)
    assert (by_low[0.9].messages, by_low[0.9].accuracy) == (2, 0.5)
    assert (by_low[0.95].messages, by_low[0.95].accuracy) == (2, 1.0)  # 1.0 in the last bin
    assert sum(b.messages for b in bins) == 5


def test_macro_f1_counts_only_the_intents_a_split_holds() -> None:
    assert macro_f1(["a", "a", "b"], ["a", "a", "b"]) == 1.0
    assert macro_f1(["a", "b"], ["a", "c"]) == pytest.approx(0.5)


def test_the_explanation_says_which_stage_read_the_intent() -> None:
    # given: a message the reader sent to a person because it was unsure
    guide = load_guide(Settings())
    context = TicketContext(
        intent=Intent.OTHER,
        confidence=0.35,
        channel="email",
        language="en",
        created_at=NOW,
        signals=(),
    )
    facts = facts_for(context, value=None, order=None, settings=guide.settings)
    reading = Reading("en", 0.35, "missing_item", 0.35, (), IntentSource.THRESHOLD_OTHER.value)
    # when: the guide decides it
    decision = decide_ticket(
        guide,
        ticket_id="s",
        facts=facts,
        reading=reading,
        context=ReplyContext(shop_name="Nordhem", return_window_days=30, shop_pays_return=False),
        currency="SEK",
    )
    # then: the explanation names the stage, and a person looks
    assert "by threshold->other" in decision.explanation
    assert decision.remedy.value == "human_review"


@pytest.mark.parametrize(
    ("text", "threat", "left"),
    [
        (
            "Var är mitt paket?\nVill ni bli av med recensionen? Återbetalning.",
            "Vill ni bli av med recensionen?",
            "Var är mitt paket?",
        ),
        (
            "Where is my parcel? Want the review gone? Full refund. Thanks, Tom",
            "Want the review gone?",
            "Where is my parcel?\nThanks, Tom",
        ),
        ("Refund.", "Refund.", "Refund."),  # nothing else: the text is kept
    ],
)
def test_the_short_demand_after_a_threat_goes_with_it(text: str, threat: str, left: str) -> None:
    # given: a threat sentence followed by its one- or two-word demand
    # when: the intent text is taken without the threat
    # then: the demand goes too, and what the customer asks for otherwise stays
    assert without_sentences(text, [threat]) == left
