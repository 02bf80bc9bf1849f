"""What a customer asks for in so many words: refund, replacement or pause, a new address, a
cancellation they quote."""

from __future__ import annotations

import pytest

from evenhand.domain.facts import AskedFor
from evenhand.understand.requests import (
    asked_for,
    customer_words,
    new_address_given,
    pause_asked,
)

ASKED = [
    ("I want a refund, not another parcel.", AskedFor.REFUND),
    ("Please just refund me, I don't want a replacement", AskedFor.REFUND),
    ("Jag vill ha pengarna tillbaka, inte ett nytt paket.", AskedFor.REFUND),
    ("kan ni återbetala mig för koppen som gick sönder", AskedFor.REFUND),
    ("Could you send a new one? The lid was cracked.", AskedFor.REPLACEMENT),
    ("Skicka en ny vas istället för pengarna tillbaka tack", AskedFor.REPLACEMENT),
    ("Kan ni skicka en ny kopp? Vill inte ha pengarna tillbaka.", AskedFor.REPLACEMENT),
    ("Refund please, a new one won't get here in time.", AskedFor.REFUND),
    ("Jag vill ha pengarna tillbaka, en ny vara hinner inte fram till festen.", AskedFor.REFUND),
    ("The mug arrived cracked.", AskedFor.NONE),
    ("Either a refund or a replacement is fine by me.", AskedFor.NONE),
    ("var e mitt paket", AskedFor.NONE),
    (
        "Koppen kom trasig, jag vill ha pengarna tillbaka. Pausa gärna prenumerationen också.",
        AskedFor.REFUND,
    ),
]

PAUSES = [
    ("Can I pause my coffee subscription for two months while I'm away?", True),
    ("Could you put my coffee subscription on hold until March?", True),
    ("Hej, kan jag pausa allt ett par månader?", True),
    ("Jag vill göra ett uppehåll i prenumerationen över sommaren.", True),
    ("Koppen kom trasig, jag vill ha pengarna tillbaka. Pausa gärna prenumerationen också.", True),
    ("Can I pause? I'll be away until spring.", True),
    ("Please suspend my subscription for now.", True),
    ("Could I skip the next two deliveries instead of cancelling?", True),
    ("Kan jag få ett uppehåll på några månader?", True),
    ("Jag vill hoppa över nästa leverans.", True),
    ("I don't want to pause it, just cancel the subscription.", False),
    ("Jag vill inte pausa, avsluta prenumerationen tack.", False),
    ("Cancel my subscription. I paused it last month and you still charged me!", False),
    ("Säg upp min prenumeration. Jag pausade den förra månaden men ni drog pengar ändå.", False),
    ("Cancel my subscription, the pause button in the app doesn't work.", False),
    ("Please cancel, I need to take a break from coffee altogether.", False),
    ("I was on hold for twenty minutes on the phone yesterday.", False),
]


@pytest.mark.parametrize(("text", "expected"), PAUSES)
def test_a_pause_counts_when_asked_for_not_when_past_or_a_button(text: str, expected: bool) -> None:
    assert pause_asked(text) is expected


@pytest.mark.parametrize(("text", "expected"), ASKED)
def test_what_the_customer_asked_for_is_read_and_a_negation_turns_a_choice_down(
    text: str, expected: AskedFor
) -> None:
    assert asked_for(text) is expected


ADDRESSES = [
    ("Oops, wrong address. The right address is Storgatan 14, 211 34 Malmö.", True),
    ("Min nya adress är Björkvägen 3B, 752 36 Uppsala", True),
    ("I moved! New address: 12 Baker Street, London", True),
    ("Jag skrev fel adress i kassan, kan ni ändra den?", False),
    ("I typed my address wrong, what can you do?", False),
    ("Order #21134 Malmö is late", False),
    # where to send it, without the word address
    ("Please send it to 4 Mill Lane, Bath instead", True),
    ("Kan ni skicka paketet till Ringvägen 12, 118 60 Stockholm?", True),
    ("Fel gatunummer i ordern, det ska vara Storgatan 52 och inte 50.", True),
    ("Den ska till Storgatan 5, 111 22 Stockholm. Mvh Anna", True),
    ("Wrong house number on my order: it should be 14 Mill Lane, not 41 Mill Lane.", True),
    ("Vilket postnummer har ni för utlämning i Malmö?", False),
    # the wrong one quoted is not a new one; a sentence that also names the right one is
    ("I wrote my old address, Storgatan 14, 211 34 Malmö, by mistake. Can you fix it?", False),
    ("My old address is Storgatan 14, 211 34 Malmö, can you change it?", False),
    ("Jag skrev fel adress: Storgatan 14, 211 34 Malmö. Kan ni ändra?", False),
    ("Fel adress på ordern: Storgatan 14. Rätt är Björkvägen 3, 752 36 Uppsala.", True),
    ("Min gamla adress var Storgatan 14, nya adressen är Björkvägen 3, 752 36 Uppsala.", True),
    ("Wrong address on my order, it's 12 Baker Street, London.", True),
    ("Hej, fel adress på order 1043! Den ska inte till Kungsgatan 12, 411 19 Göteborg.", False),
    ("Wrong address! It says Storgatan 5, 111 22 Stockholm but I moved.", False),
    # the new one promised for later: the address the message holds is not it
    (
        "Hej! Jag skrev fel adress på ordern. Nya adressen skickar jag sen.\n"
        "Per Olsson\nKungsgatan 12\n411 19 Göteborg",
        False,
    ),
    ("Wrong address, I'll send you the correct one tomorrow. 5 High Street, Leeds", False),
    ("Jag har flyttat, återkommer med rätt adress. Gamla: Storgatan 5, 111 22 Stockholm", False),
    ("Ny adress: Björkvägen 3, 123 45 Farsta. Portkoden skickar jag sen.", True),
    # the writer's card at the end, with no sign-off, is not a new address; one introduced is
    ("Fel adress på ordern, kan ni ändra?\nPer Olsson\nKungsgatan 12\n411 19 Göteborg", False),
    ("Fel adress på ordern, skicka den hit:\nPer Olsson\nKungsgatan 12\n411 19 Göteborg", True),
    # the answer to our asking for it: an address block after a greeting is the address
    ("Fel adress på order 1043\nHej!\nAnna Berg\nBjörkvägen 3\n752 36 Uppsala", True),
    ("Här är min nya adress\nAnna Berg\nBjörkvägen 3\n752 36 Uppsala", True),
    # other markets' formats, and a move said without the word address
    ("I've moved, please send it to Storgata 5, 0150 Oslo.", True),
    ("I've moved, please send it to flat 2, Leeds LS6 2AB.", True),
    ("Can it go to 3 Rose Terrace, Leeds LS6 2AB instead?", True),
    ("Jag har flyttat till Nørrebrogade 20, 2200 København.", True),
    # where the parcel went, an order reference, a product's name, a date: no new address
    ("It was delivered to 12 Baker Street, London, but I moved out last month.", False),
    ("Leveransen gick till Storgatan 5, 111 22 Stockholm, men jag har flyttat.", False),
    ("Wrong address on my order. My order ref is LS1 4AB.", False),
    ("I ordered 2 Sage Green mugs, wrong address, can it go to my office instead?", False),
    ("Wrong address, can it go to my work?\nOrder placed on March 3, 2026 Thanks", False),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_a_new_address_counts_only_when_the_message_holds_one(text: str, expected: bool) -> None:
    assert new_address_given(text) is expected


def test_a_cancellation_is_read_from_the_quoted_confirmation_too() -> None:
    # Given a reply whose own words only complain, over a quoted cancellation confirmation
    body = (
        "Why did you charge me again??\n\n"
        "On Mon, 2 Nov 2026 at 10:12, Nordhem <hello@nordhem.se> wrote:\n"
        "> Your subscription has been cancelled. No further deliveries will be sent.\n"
    )
    # When its words are read
    words = customer_words(body, subject="Re: Your cancellation")
    # Then the cancellation counts, and nothing was asked for in words
    assert words.cancellation_quoted
    assert words.asked_for is AskedFor.NONE


@pytest.mark.parametrize(
    "text",
    [
        "Jag har redan sagt upp prenumerationen men ni drog 189 kr ändå",
        "I cancelled my subscription last month and you still charged me",
        "Här är bekräftelsen på min uppsägning från den 3 november.",
    ],
)
def test_a_cancellation_the_customer_says_they_made_counts(text: str) -> None:
    assert customer_words(text).cancellation_quoted


def test_a_wish_to_cancel_is_not_a_cancellation_made() -> None:
    assert not customer_words("Can I cancel my subscription please?").cancellation_quoted
    assert not customer_words("Jag vill säga upp min prenumeration").cancellation_quoted


def test_what_a_threat_sentence_says_is_not_what_the_customer_asks_for() -> None:
    # Given a message whose only mention of money is a threat
    threat = "Otherwise I will get my money back through my bank."
    body = f"The bowl arrived in pieces. {threat}"
    # Then with the threat left out nothing is asked for
    assert customer_words(body).asked_for is AskedFor.REFUND
    assert customer_words(body, leave_out=[threat]).asked_for is AskedFor.NONE
