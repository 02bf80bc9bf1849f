"""Threat signals, sentence by sentence, in Swedish and English.

A signal is reported with the sentence that shows it. The patterns look for a *subject*
(a review, a rating, friends and followers; a bank dispute, a chargeback, Klarna or PayPal)
together with the *stance* that makes it a threat ("unless", "I'll", "annars", "tänker"),
an offer ("I'll remove my review if ..."), or a report that it already happened ("I have
disputed", "jag har bestridit"). A sentence that says the customer will NOT do it
("I won't leave a bad review") is no threat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evenhand.understand.model import Signal, SignalKind
from evenhand.understand.sentences import clauses, sentences
from evenhand.understand.signal_model import embedding_signal_model, signal_model


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


# What a threat is about.
_REVIEW = _words(
    r"reviews?",
    r"rating",
    r"\b(?:1|one|a single)[- ]?stars?\b",
    r"\bstars?\b",
    r"trust ?pilot",
    r"google",
    r"facebook",
    r"instagram",
    r"tik ?tok",
    r"twitter",
    r"\bx\.com",
    r"reddit",
    r"followers",
    r"(?:all|every one of) my friends",
    r"tell (?:everyone|everybody|all)",
    r"social media",
    r"(?:post|write) about",
    r"expose you",
    r"warn (?:others|people|everyone)",
    r"\b(?:my|the|that) (?:post|comment)\b(?! office)",
    r"recension(?:er|en)?",
    r"recention",
    r"omdöme(?:n|t)?",
    r"betyg(?:et)?",
    r"\b(?:1|en|ett)[- ]?stjärn(?:a|or)\b",
    r"stjärn(?:a|or)",
    r"följare",
    r"(?:alla )?mina vänner",
    r"berätta för alla",
    r"sociala medier",
    r"skriva om er",
    r"varna (?:andra|alla)",
    r"prisjakt",
    r"reco\.se",
    r"flashback",
)
_BANK = _words(
    r"chargeback",
    r"charge ?back",
    r"dispute",
    r"disputing",
    r"disputed",
    r"my bank",
    r"the bank",
    r"card (?:company|issuer)",
    r"credit card company",
    r"klarna",
    r"paypal",
    r"reverse the (?:charge|payment)",
    r"bestrid\w*",
    r"bestrida",
    r"banken",
    r"min bank",
    r"kortföretaget",
    r"kortutgivaren",
    r"återkr[äa]v\w*",
    r"reklamera (?:köpet|betalningen)",
)
# What turns it into a threat, an offer, or a report.
_THREAT_STANCE = _words(
    r"\bi'?ll\b",
    r"\bi will\b",
    r"\bi'm going to\b",
    r"\bi am going to\b",
    r"\bgonna\b",
    r"\bunless\b",
    r"\botherwise\b",
    r"\bor else\b",
    r"\bor i\b",
    r"\bif (?:you|i don'?t|not)\b",
    r"\bwill be (?:leaving|posting|writing)\b",
    r"\bmake sure\b",
    r"\bi'?d have to\b",
    r"\bkommer (?:jag )?att\b",
    r"\bjag kommer\b",
    r"\btänker\b",
    r"\bska jag\b",
    r"\bjag ska\b",
    r"\bannars\b",
    r"\bom (?:ni|du) inte\b",
    r"\bom inte\b",
    r"\bom jag inte\b",
    r"\bblir det\b",
    r"\btvingas\b",
    r"\btvingad\b",
    r"\bfår jag\b",
    r"\bif nothing\b",
    r"\bom inget\b",
    r"\bom ingenting\b",
    # Swedish present with the subject after the verb says what the customer will do.
    r"\b(?:bestrider|ringer|kontaktar|anmäler|ger|skriver|lägger|berättar|varnar)\s+jag\b",
)
# Taking a review down or changing it (the review itself may be named elsewhere in the sentence).
_OFFER = _words(
    r"\b(?:remove|delete|take\b.{0,20}\bdown|change|update|edit|withdraw|pull|raise|revise)\b",
    r"\bstays? up until\b",
    r"\bt(?:a|ar) bort\b",
    r"\bradera(?:r)?\b",
    r"\bändra(?:r)?\b",
    r"\buppdatera(?:r)?\b",
    r"\bhöj(?:a|er)\b",
    r"\bdra(?:r)? tillbaka\b",
    r"\bligger kvar tills\b",
)
_OFFER_CONDITION = _words(
    r"\band i'?ll\b",
    r"\bså (?:ändrar|tar|raderar|försvinner|höjer|uppdaterar|drar)\b",
    r"\bif\b",
    r"\bonce\b",
    r"\bwhen\b",
    r"\bas soon as\b",
    r"\bin exchange\b",
    r"\bafter you\b",
    r"\bprovided\b",
    r"\bom\b",
    r"\bnär\b",
    r"\bså fort\b",
    r"\bbara (?:ni|du)\b",
    r"\bi utbyte\b",
    r"\bmot att\b",
)
_FILED = _words(
    r"\b(?:i'?ve|i have|i already|i just|we have|we've)\b.{0,25}"
    r"\b(?:disputed|filed|opened|started|raised|made|reported|contacted)\b",
    r"\b(?:disputed|filed a (?:dispute|chargeback|claim)|opened a (?:dispute|case|claim))\b",
    r"\b(?:the bank|my bank|klarna|paypal) (?:is|are) (?:handling|investigating|looking into)\b",
    r"\b(?:already|now) (?:with|in the hands of) (?:my bank|the bank|klarna|paypal)\b",
    r"\bjag har\b.{0,25}\b(?:bestridit|anmält|reklamerat|kontaktat|öppnat|startat|gjort)\b",
    r"\bhar (?:redan|nu) (?:bestridit|anmält|reklamerat|kontaktat)\b",
    r"\bhar bestridit\b",
    r"\b(?:banken|klarna|paypal) (?:utreder|hanterar|har)\b",
    r"\bhar (?:öppnat|gjort|startat) ett ärende hos (?:banken|klarna|paypal)\b",
)
# The writer refusing to act ("I won't leave a bad review"), not the shop or the bank
# ("if you won't refund me, my card company will"; "Klarna kommer inte att betala").
_REFUSAL = _words(
    r"\b(?:i|we)(?: really| just| certainly)? (?:won'?t|will not|would never|don'?t want to)\b",
    r"\b(?:i'?m|i am|we'?re|we are) not going to\b",
    r"\b(?:i|we) have no intention\b",
    r"\bno intention\b",
    r"\b(?:jag|vi) (?:kommer|tänker|ska|vill) (?:inte|aldrig)\b",
    r"\b(?:kommer|tänker|ska|vill) (?:jag|vi) (?:inte|aldrig)\b",
    r"\b(?:jag|vi) (?:skulle )?aldrig\b",
)

_REVIEW_RE = re.compile(_REVIEW, re.I)
_BANK_RE = re.compile(_BANK, re.I)
_THREAT_RE = re.compile(_THREAT_STANCE, re.I)
_OFFER_RE = re.compile(_OFFER, re.I)
_OFFER_CONDITION_RE = re.compile(_OFFER_CONDITION, re.I)
_FILED_RE = re.compile(_FILED, re.I)
_REFUSAL_RE = re.compile(_REFUSAL, re.I)


@dataclass(frozen=True, slots=True)
class SignalReading:
    signals: tuple[Signal, ...]  # each kind once, with the first sentence that shows it
    threat_sentences: tuple[str, ...]  # every sentence that shows any signal


def read_signals(text: str) -> SignalReading:
    return read_signals_many([text])[0]


def read_signals_many(texts: Sequence[str]) -> list[SignalReading]:
    """`read_signals` for many texts, asking each sentence model once for all of them."""
    split = [list(sentences(text)) for text in texts]
    decided = _decide_sentences([sentence for parts in split for sentence in parts])
    return [_reading([(sentence, decided[sentence]) for sentence in parts]) for parts in split]


def _reading(read: list[tuple[str, list[SignalKind]]]) -> SignalReading:
    found: dict[SignalKind, Signal] = {}
    threats: list[str] = []
    for sentence, kinds in read:
        if kinds:
            threats.extend(_threat_pieces(sentence))
        for kind in kinds:
            found.setdefault(kind, Signal(kind=kind, evidence=sentence))
    signals = tuple(found[kind] for kind in SignalKind if kind in found)
    return SignalReading(signals=signals, threat_sentences=tuple(threats))


# A clause a threat hangs on: its condition, or the demand it is the price of.
_CONDITION_START = re.compile(
    r"^(?:if|unless|or|otherwise|else|om|såvida|annars|eller"
    r"|refund|send|cover|give|pay|fix|replace|sort|återbetala|skicka|stå för|betala|ersätt|"
    r"fixa|ge mig|lös|ordna)\b",
    re.IGNORECASE,
)


def _threat_pieces(sentence: str) -> list[str]:
    """What of a signalling sentence to leave out when reading its intent: only the clauses
    the lexicon flags (with the condition they hang on: "if you don't refund me, ..."),
    when others remain ("parcel never came or I'll post 1 star"); else the whole sentence."""
    parts = clauses(sentence)
    flagged = {i for i, part in enumerate(parts) if any(_signals_in(part))}
    left_out = sorted(_with_conditions(parts, flagged))
    if not flagged or len(left_out) == len(parts):
        return [sentence]
    return [parts[i] for i in left_out]


def _with_conditions(parts: list[str], flagged: set[int]) -> set[int]:
    """The flagged clauses and, clause by clause outwards, the conditions they hang on."""
    taken = set(flagged)
    grown = True
    while grown:
        nearby = {j for i in taken for j in (i - 1, i + 1) if 0 <= j < len(parts)} - taken
        hanging = {j for j in nearby if _CONDITION_START.match(parts[j])}
        taken |= hanging
        grown = bool(hanging)
    return taken


def find_signals(text: str) -> tuple[Signal, ...]:
    """Every signal the text shows, each once, with the first sentence that shows it."""
    return read_signals(text).signals


def _decide_sentences(parts: Sequence[str]) -> dict[str, list[SignalKind]]:
    """Each sentence's signals: the lexicon's; for a sentence it leaves undecided, the
    e5 sentence model's when it mentions reviews or banks, else the n-gram model's."""
    decided = {sentence: list(_signals_in(sentence)) for sentence in dict.fromkeys(parts)}
    undecided = [sentence for sentence, kinds in decided.items() if not kinds]
    topical = {s: bool(_REVIEW_RE.search(s) or _BANK_RE.search(s)) for s in undecided}
    about = [s for s in undecided if topical[s]]
    other = [s for s in undecided if not topical[s]]
    for group, model in ((about, embedding_signal_model()), (other, signal_model())):
        for sentence, kind in zip(group, model.classify(group), strict=True):
            decided[sentence] = [kind] if kind and not _refused(kind, sentence) else []
    return decided


_THREATS = frozenset({SignalKind.REVIEW_THREAT, SignalKind.CHARGEBACK_THREAT})


def _refused(kind: SignalKind, sentence: str) -> bool:
    """ "I won't leave a bad review": no threat, whichever stage read it."""
    return kind in _THREATS and bool(_REFUSAL_RE.search(sentence))


def _signals_in(sentence: str) -> Iterator[SignalKind]:
    refused = bool(_REFUSAL_RE.search(sentence))
    about_review = bool(_REVIEW_RE.search(sentence))
    if about_review and _OFFER_RE.search(sentence) and _OFFER_CONDITION_RE.search(sentence):
        yield SignalKind.REVIEW_EXTORTION
    elif about_review and _THREAT_RE.search(sentence) and not refused:
        yield SignalKind.REVIEW_THREAT
    if _BANK_RE.search(sentence):
        if _FILED_RE.search(sentence):
            yield SignalKind.CHARGEBACK_FILED
        elif _THREAT_RE.search(sentence) and not refused:
            yield SignalKind.CHARGEBACK_THREAT
