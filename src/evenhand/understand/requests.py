"""What a customer asks for in so many words: a refund or a replacement, a pause of a
subscription, a new address already given, a subscription cancellation they made and quote.

Read simply, by patterns in Swedish and English, so a reply can use the customer's own
words ("I want a refund, not another parcel") instead of offering what they turned down.
A phrase with a negation just before it ("not another parcel", "vill inte ha en ny")
does not count. These are facts the guide may use; they never decide on their own what
the shop owes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evenhand.domain.facts import AskedFor
from evenhand.domain.ticket_facts import CustomerWords
from evenhand.understand.clean import clean_message

_REFUND = re.compile(
    r"\b(?:refund\w*|money back|my money|reimburs\w*|pay (?:me )?back|"
    r"återbetal\w*|pengar(?:na)? tillbaka|betala tillbaka|betalar tillbaka|"
    r"tillbaka pengar\w*)",
    re.IGNORECASE,
)
_REPLACEMENT = re.compile(
    r"\b(?:replacement|replace (?:it|them|the \w+)|new one|another one|another (?:parcel|package)|"
    r"new (?:parcel|package)|resend|re-send|reship|send (?:it|them|one) again|exchange (?:it|them)|"
    r"ersättningsvara|en ny (?:vara|kopp|skål|vas|tallrik|en|ett|likadan)|ny vara|nytt paket|"
    r"skicka (?:en|ett) (?:ny|nytt)|skicka (?:den|det|dem) igen|byta (?:den|det|dem|ut))",
    re.IGNORECASE,
)
# A pause, a break or a skipped delivery, asked for in the present ("can I pause?", "put
# my subscription on hold", "skip the next delivery", "kan jag få ett uppehåll"), not one
# past ("I paused it", "jag pausade") or a button. A cancellation that speaks of one goes to
# a person, so the pattern leans to finding too many rather than too few.
_PAUSE = re.compile(
    r"\b(?:pause(?! button)|pausing|suspend (?:it|my|the|our)|skip (?:the|my|our) next|"
    r"put (?:it|(?:my|the) (?:\w+ ){0,2}(?:subscription|deliveries|orders?)) on hold|"
    r"take a break from (?:the|my|our) (?:subscription|deliveries)|"
    r"pausa(?:r)?(?! ?knapp)|pausas|paus|uppehåll|hoppa över (?:nästa|en))\b",
    re.IGNORECASE,
)
# A negation within a few words before a phrase turns it down ("not another parcel").
_NEGATION = re.compile(
    r"\b(?:not|no|never|don'?t|do not|doesn'?t|instead of|rather than|"
    r"inte|ej|ingen|inget|inga|aldrig|nej|istället för|i stället för)\b[^.!?\n]{0,20}$",
    re.IGNORECASE,
)
# ... or a verb's negation just after it ("a new one won't get here in time").
_NEGATED_AFTER = re.compile(
    r"^[^.!?\n]{0,8}\b(?:won'?t|will not|wouldn'?t|can'?t|cannot|isn'?t|is not|doesn'?t|"
    r"does not|hinner inte|kommer inte|går inte|behövs inte|vill jag inte)\b",
    re.IGNORECASE,
)

# A street and its number, as the shop's markets write them: Swedish, Norwegian, Danish,
# Finnish and German street names with the number after ("Storgatan 5", "Thorvald Meyers gate
# 12", "Nørrebrogade 20", "Hämeenkatu 3", "Hauptstraße 7"), English ones with it before
# ("12 Baker Street", "3 Rose Terrace"; not words a product's name could end in, such as
# Green or Park: "2 Sage Green mugs").
_STREET = re.compile(
    r"\b[A-ZÅÄÖÆØÜ][a-zåäöæøéüß]+(?:gatan|vägen|gränd|gränden|stigen|allén|torget|torg|"
    r"backen|backe|väg|gata|plan|leden|stråket|kajen|gången|esplanaden|promenaden|"
    r"gate|gaten|veien|vei|vegen|gade|vej|allé|katu|tie|straße|strasse|weg|platz)\s+\d+|"
    r"\b(?:[A-ZÆØ][a-zæøå]+ ){1,3}(?:gate|vei|gade|vej)\s+\d+|"
    r"\b\d+[a-z]?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|"
    r"Way|Drive|Dr|Close|Court|Ct|Place|Pl|Crescent|Gardens|Terrace|Mews|Grove|Parade|"
    r"Boulevard|Blvd)\b"
)
# A postcode and its town: Swedish, Finnish and German five digits ("111 22 Stockholm",
# "00100 Helsinki"), Norwegian and Danish four after a street on the same line or a country
# prefix ("Storgata 5, 0150 Oslo", "DK-2200 København"; not "March 3, 2026 Thanks"), a UK
# postcode after its town ("Leeds LS6 2AB"; not an order reference alone).
_POSTCODE_TOWN = re.compile(
    r"(?<![#\d])\b\d{3} ?\d{2}\s+[A-ZÅÄÖ][a-zåäö]+|"
    r"(?:\b(?:gate|gata|gaten|veien|vei|vegen|gade|vej|allé|katu|tie) \d+[a-zA-Z]?,[ \t]*|"
    r"\b(?:N|NO|DK)-)\d{4}\s+[A-ZÆØÅ][a-zæøå]+|"
    r"\b[A-Z][a-z]+,? [A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"
)
# What says the message is about where a parcel is to go: the word address, a delivery or
# a move to somewhere, a pickup point.
_ADDRESS_WORDS = re.compile(
    r"\b(?:address\w*|adress\w*|deliver (?:it |them )?to|"
    r"(?:send|ship|redirect|forward) (?:it |them |my \w+ |the \w+ )?to|"
    r"(?:go|be sent|be delivered) to|(?:moved|moving|relocated) to|(?:now )?live at|"
    r"change (?:it|that|the \w+) to|(?:street|house|flat|door) number|post ?code|zip code|"
    r"pick-?up point|parcel (?:locker|shop)|collection point|"
    r"(?:skicka|leverera)s? (?:den |det |dem |paketet |ordern |beställningen )?till|"
    r"ska (?:gå |skickas |levereras )?till|(?:flyttat|flyttar) (?:\w+ )?till|"
    r"bor (?:nu |numera )?på|ändra (?:den |det )?till|(?:gatu|hus|lägenhets|port|post)nummer\w*|"
    r"leveransadress\w*|paketbox\w*|paketskåp\w*)\b",
    re.IGNORECASE,
)
# A sentence that calls the address in it the wrong or old one, and none the right one:
# the customer quotes what they typed, not where it should go.
_WRONG_ONE = re.compile(
    r"\b(?:wrong|old|by mistake|mistakenly|instead of|fel|felaktig\w*|gaml[ae]|"
    r"av misstag|i stället för|istället för|(?:it|the order|the label|the confirmation) says|"
    r"should not (?:go|be sent|be delivered) to|ska inte (?:gå |skickas |levereras )?till|"
    r"det står|står det|(?:was|got) (?:delivered|sent|shipped) to|went to|"
    r"(?:gick|skickades|levererades|kom) till|moved (?:out|from)|flytta(?:t|de) från|"
    r"bor inte (?:kvar|längre)|no longer live|used to live|previous|tidigare)\b",
    re.IGNORECASE,
)
_RIGHT_ONE = re.compile(
    r"\b(?:new|right|correct|should (?:be|go)|it'?s|send it|ship it|deliver it|nya?|"
    r"rätt|riktig\w*|ska (?:vara|gå|skickas|levereras)|skicka)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
# The new address promised for later ("I'll send the correct one tomorrow", "nya adressen
# skickar jag sen", "återkommer med rätt adress"): whatever address the message holds (the
# wrong one quoted, a signature's) is not where the parcel is to go.
_ADDRESS_TO_COME = re.compile(
    r"\b(?:i'?ll|i will|we'?ll|we will|will)\s+(?:send|e-?mail|mail|text|message|give|forward|"
    r"confirm)\s+(?:you\s+|it\s+)?(?:the\s+|my\s+|our\s+)?(?:new\s+|correct\s+|right\s+|"
    r"proper\s+|updated\s+|full\s+)?(?:address|one|details)\b(?=[^.!?\n]{0,30}\b(?:later|"
    r"tomorrow|tonight|soon|shortly|asap|when|once|as soon|in a (?:bit|while|moment)|"
    r"this (?:evening|afternoon)|next)\b)|"
    r"\bget back to you with (?:the |my )?(?:new |correct |right )?address\b|"
    r"\b(?:new|correct|right) address (?:to follow|will follow|coming|later)\b|"
    r"\b(?:den |min )?(?:nya|r[äa]tta?|korrekta) adress(?:en)? (?:skickar|mejlar|mailar|smsar|"
    r"messar|kommer|f[åa]r ni|ger) (?:jag |vi )?(?:sen|senare|i ?morgon|ikv[äa]ll|strax|snart|"
    r"n[äa]r|s[åa] fort)\b|"
    r"\b(?:skickar|mejlar|mailar|smsar) (?:jag |vi )?(?:er |dig )?(?:den |min )?(?:nya |r[äa]tta? |"
    r"korrekta )?adress(?:en)? (?:sen|senare|i ?morgon|ikv[äa]ll|strax|snart|n[äa]r|s[åa] fort)\b|"
    r"\b[åa]terkommer (?:jag |vi )?(?:med|om) (?:den |min )?(?:nya |r[äa]tta? |korrekta )?"
    r"adress(?:en)?\b",
    re.IGNORECASE,
)

_CANCELLED = re.compile(
    r"\b(?:I|we) (?:have |had |already |did )*(?:cancell?ed|canceled|ended)\b|"
    r"\bcancell?ation (?:confirmation|confirmed|was confirmed|is confirmed)|"
    r"\b(?:your|my) subscription (?:has been|was|is) (?:now )?(?:cancell?ed|canceled|ended)|"
    r"\bconfirm\w* (?:of )?(?:your |the |my )?cancell?ation|"
    r"\b(?:jag|vi) (?:har |hade |ju )*(?:redan )?(?:sagt upp|avslutat|avbeställt|avbokat)\b|"
    r"\buppsägning\w* (?:är |har |blev )?(?:bekräftad|mottagen|registrerad)|"
    r"\b(?:din|min) prenumeration (?:är|har|blev) (?:nu )?(?:avslutad|uppsagd|avslutats)|"
    r"\bbekräftelsen? (?:på|av) (?:din |min )?uppsägning",
    re.IGNORECASE,
)


def customer_words(
    body: str, *, subject: str | None = None, history: str = "", leave_out: Sequence[str] = ()
) -> CustomerWords:
    """What the message asks for and gives in words (history counts for a cancellation).

    `leave_out` are the threat sentences the reader found: what a threat says ("I'll get my
    money back through my bank") is not what the customer asks support for.
    """
    own = clean_message(body, subject)
    for sentence in leave_out:
        own = own.replace(sentence, " ")
    everything = "\n".join(part for part in (subject or "", body, history) if part)
    return CustomerWords(
        asked_for=asked_for(own),
        new_address_given=new_address_given(own),
        cancellation_quoted=bool(_CANCELLED.search(everything)),
        pause_asked=pause_asked(own),
    )


def asked_for(text: str) -> AskedFor:
    """A refund or a replacement when the message asks for one and not the other."""
    refund = _wanted(_REFUND, text)
    replacement = _wanted(_REPLACEMENT, text)
    if refund and not replacement:
        return AskedFor.REFUND
    if replacement and not refund:
        return AskedFor.REPLACEMENT
    return AskedFor.NONE


def pause_asked(text: str) -> bool:
    """The message asks to pause a subscription (a break, not its end)."""
    return _wanted(_PAUSE, text)


def _wanted(pattern: re.Pattern[str], text: str) -> bool:
    """Some match of `pattern` is not turned down by a negation just before it."""
    return any(
        not _NEGATION.search(text[: match.start()])
        and not _NEGATED_AFTER.search(text[match.end() :])
        for match in pattern.finditer(text)
    )


def new_address_given(text: str) -> bool:
    """The message speaks of an address and holds one (a street and number, or a postcode
    and town) that is not only the wrong one quoted, nor only in the writer's card at its
    end, and does not say the new one is to come later."""
    text = _without_card(text)
    if not _ADDRESS_WORDS.search(text) or _ADDRESS_TO_COME.search(text):
        return False
    found = [*_STREET.finditer(text), *_POSTCODE_TOWN.finditer(text)]
    return any(not _only_the_wrong_one(_sentence_of(text, match)) for match in found)


# The writer's card at a message's end, with no sign-off before it: a name, then a few
# short lines holding an address, after the message said something of its own ("Kan ni
# ändra adressen?\nPer Olsson\nKungsgatan 12\n411 19 Göteborg"). Not when the line before
# introduces it ("Ny adress:", "please send it to", "Här är min nya adress"), nor when
# nothing was said before it but a greeting or a thanks: that is the answer to our asking
# for the address ("Hej!\nAnna Berg\nBjörkvägen 3\n752 36 Uppsala").
_NAME_LINE = re.compile(r"^\s*[A-ZÅÄÖÆØÉ][\w'.-]+(?:\s+[A-ZÅÄÖÆØÉ&][\w'.-]*){1,3}\s*$")
_INTRODUCES = re.compile(
    r"(?:[:\u2013-]|\b(?:to|till|is|är|here|här))\s*$|"
    r"\b(?:address\w*|adress\w*|nedan|below|following|instead|istället|i stället)\b[^.!?]*$",
    re.IGNORECASE,
)
_SAID = re.compile(r"[^.!?\n]+[.!?]")  # a sentence, ended
_SAID_WORDS = 5  # ... of at least this many words: more than a greeting or a thanks
_CARD_LINES = 5  # at most this many lines after the name
_CARD_LINE_LENGTH = 48


def _without_card(text: str) -> str:
    """The text without the writer's card at its end (see `_NAME_LINE`), if it has one."""
    lines = text.rstrip().split("\n")
    for at in range(max(1, len(lines) - _CARD_LINES - 1), len(lines) - 1):
        after = [line for line in lines[at + 1 :] if line.strip()]
        before = [line for line in lines[:at] if line.strip()]
        if not (_NAME_LINE.match(lines[at]) and before and after):
            continue
        if len(after) > _CARD_LINES or any(len(line) > _CARD_LINE_LENGTH for line in after):
            continue
        holds_address = any(_STREET.search(line) or _POSTCODE_TOWN.search(line) for line in after)
        if holds_address and _said_before(before) and not _INTRODUCES.search(before[-1]):
            return "\n".join(lines[:at])
    return text


def _said_before(lines: list[str]) -> bool:
    """The lines hold a sentence of the writer's own, more than a greeting or a thanks."""
    sentences = _SAID.findall("\n".join(lines))
    return any(len(sentence.split()) >= _SAID_WORDS for sentence in sentences)


def _sentence_of(text: str, match: re.Match[str]) -> str:
    starts = [end.end() for end in _SENTENCE_END.finditer(text, 0, match.start())]
    after = _SENTENCE_END.search(text, match.end())
    return text[starts[-1] if starts else 0 : after.start() if after else len(text)]


def _only_the_wrong_one(sentence: str) -> bool:
    return bool(_WRONG_ONE.search(sentence)) and not _RIGHT_ONE.search(sentence)
