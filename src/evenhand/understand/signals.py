"""Threat signals, sentence by sentence, in Swedish and English.

A signal is reported with the sentence that shows it. The lexicon (`threat_lexicon`) looks for a
*subject* (a review, a bank) with the *stance* that makes it a threat, an offer, or a report
that a dispute was filed; a sentence it leaves undecided goes to a sentence model. A sentence
that says the customer will NOT do it ("I won't leave a bad review") is no threat.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from evenhand.understand.model import Signal, SignalKind
from evenhand.understand.sentences import clauses, sentences
from evenhand.understand.signal_model import (
    EXTORTION_OVER_THREAT,
    NONE,
    SIGNAL_THRESHOLD,
    TOPICAL_SIGNAL_THRESHOLD,
    UNSURE_SIGNAL,
    UNSURE_TOPICAL_THRESHOLD,
    SentenceModels,
    SignalModel,
    blend_floor,
    classify,
)
from evenhand.understand.threat_lexicon import (
    BANK_NEUTRAL_RE,
    BANK_RE,
    FILED_EVIDENCE_RE,
    FILED_RE,
    MONEY_BACK_RE,
    OFFER_CONDITION_RE,
    OFFER_RE,
    PRAISE_RE,
    REFUSAL_RE,
    REPORTED_CHANGE_RE,
    REVIEW_RE,
    SHOP_GIVES_RE,
    STILL_TO_COME_RE,
    THREAT_RE,
)


@dataclass(frozen=True, slots=True)
class SignalReading:
    signals: tuple[Signal, ...]  # each kind once, with the first sentence that shows it
    threat_sentences: tuple[str, ...]  # every sentence that shows any signal


def read_signals_many(texts: Sequence[str], *, models: SentenceModels) -> list[SignalReading]:
    """The signals of many texts, asking each sentence model once for all of them."""
    split = [list(sentences(text)) for text in texts]
    every = [sentence for parts in split for sentence in parts]
    decided = _decide_sentences(every, models=models)
    return [_reading([(sentence, decided[sentence]) for sentence in parts]) for parts in split]


def _reading(read: list[tuple[str, list[SignalKind]]]) -> SignalReading:
    found: dict[SignalKind, Signal] = {}
    threats: list[str] = []
    for at, (sentence, kinds) in enumerate(read):
        if kinds:
            threats.extend(_threat_pieces(sentence))
        elif at and read[at - 1][1] and _TAG_QUESTION.match(sentence):
            threats.append(sentence)  # "..., I fix the review. Deal?"
        for kind in kinds:
            found.setdefault(kind, Signal(kind=kind, evidence=sentence))
    signals = tuple(found[kind] for kind in SignalKind if kind in found)
    return SignalReading(signals=signals, threat_sentences=tuple(threats))


# A question of a word or two that asks for the threat's terms to be accepted ("Deal?").
_TAG_QUESTION = re.compile(r"^\W*\w+(?:[ -]\w+)?\W*\?\W*$")

# A clause a threat hangs on: its condition, or the demand it is the price of.
_CONDITION_START = re.compile(
    r"^(?:if|unless|or|otherwise|else|om|såvida|annars|eller"
    r"|refund|send|cover|give|pay|fix|replace|sort|återbetala|skicka|stå för|betala|ersätt|"
    r"fixa|ge mig|lös|ordna)\b",
    re.IGNORECASE,
)


# A refusal to pay that a dispute threat goes with ("I won't pay the invoice, I'll dispute it").
_REFUSING_TO_PAY = re.compile(
    r"\b(?:won'?t|will not|refuse to|not going to) pay\b"
    r"|\b(?:tänker inte|vägrar|kommer inte att?) betala\b",
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
    """The flagged clauses and, clause by clause outwards, the conditions they hang on (and a
    refusal to pay beside them)."""
    taken = set(flagged)
    grown = True
    while grown:
        nearby = {j for i in taken for j in (i - 1, i + 1) if 0 <= j < len(parts)} - taken
        hanging = {
            j
            for j in nearby
            if _CONDITION_START.match(parts[j]) or _REFUSING_TO_PAY.search(parts[j])
        }
        taken |= hanging
        grown = bool(hanging)
    return taken


def _decide_sentences(
    parts: Sequence[str], *, models: SentenceModels
) -> dict[str, list[SignalKind]]:
    """Each sentence's signals: the lexicon's; for a sentence it leaves undecided, the
    topical model's (e5 and n-grams) when it mentions reviews or banks, else the n-gram
    model's, or the topical model's when the n-gram one is unsure of a threat or an offer;
    then the topical model's second look at the review threats read elsewhere."""
    decided = {sentence: list(_signals_in(sentence)) for sentence in dict.fromkeys(parts)}
    undecided = [sentence for sentence, kinds in decided.items() if not kinds]
    topical = {s: bool(REVIEW_RE.search(s) or BANK_RE.search(s)) for s in undecided}
    about = [s for s in undecided if topical[s]]
    other = [s for s in undecided if not topical[s]]
    read, unsure = _read_fast(models.other, other)
    topical_kinds = classify(models.topical, about, threshold=TOPICAL_SIGNAL_THRESHOLD)
    read += zip(about, topical_kinds, strict=True)
    second = classify(models.topical, unsure, threshold=UNSURE_TOPICAL_THRESHOLD)
    read += (
        (s, kind if kind in _UNSURE_KINDS else None) for s, kind in zip(unsure, second, strict=True)
    )
    about += unsure
    for sentence, kind in read:
        decided[sentence] = [kind] if kind and not _vetoed(kind, sentence) else []
    _second_look_at_threats(decided, models=models, already_read=set(about))
    return decided


def _read_fast(
    model: SignalModel, group: Sequence[str]
) -> tuple[list[tuple[str, SignalKind | None]], list[str]]:
    """The n-gram model's reading of sentences that name no review or bank, and those it is
    unsure of (no signal at SIGNAL_THRESHOLD, but a threat or an offer at least UNSURE_SIGNAL
    likely), which the topical model then reads ("Fine, I'll just tell the world then")."""
    if not group:
        return [], []
    read: list[tuple[str, SignalKind | None]] = []
    unsure: list[str] = []
    classes = model.classes
    open_kinds = [classes.index(kind.value) for kind in _UNSURE_KINDS]
    for sentence, row in zip(group, model.probabilities(group), strict=True):
        best = max((i for i in range(len(classes)) if classes[i] != NONE), key=lambda i: row[i])
        if row[best] >= SIGNAL_THRESHOLD and row[best] >= row.max():
            read.append((sentence, SignalKind(classes[best])))
        elif max(row[i] for i in open_kinds) >= UNSURE_SIGNAL:
            unsure.append(sentence)
        else:
            read.append((sentence, None))
    return read, unsure


# What a sentence naming no review or bank may still threaten or offer ("Keep ignoring me and
# the payment gets reversed"); a dispute filed is reported with its name.
_UNSURE_KINDS = (
    SignalKind.REVIEW_THREAT,
    SignalKind.REVIEW_EXTORTION,
    SignalKind.CHARGEBACK_THREAT,
)


def _second_look_at_threats(
    decided: dict[str, list[SignalKind]], *, models: SentenceModels, already_read: set[str]
) -> None:
    """A review threat the lexicon read that the topical model is sure is an offer ("what
    can you offer for me to take my review down?") is review extortion. Sentences the
    topical model `already_read` are not asked again (it found no offer there), nor those
    whose n-gram reading alone keeps the blend below the cut (no e5 embedding for them)."""
    threats = [
        s
        for s, kinds in decided.items()
        if SignalKind.REVIEW_THREAT in kinds and s not in already_read
    ]
    threats = _could_reach(
        models.other, threats, kind=SignalKind.REVIEW_EXTORTION, threshold=EXTORTION_OVER_THREAT
    )
    if not threats:
        return
    model = models.topical
    extortion = model.classes.index(SignalKind.REVIEW_EXTORTION.value)
    for sentence, row in zip(threats, model.probabilities(threats), strict=True):
        offered = row[extortion] >= EXTORTION_OVER_THREAT
        if offered and not _vetoed(SignalKind.REVIEW_EXTORTION, sentence):
            decided[sentence] = [
                SignalKind.REVIEW_EXTORTION if kind is SignalKind.REVIEW_THREAT else kind
                for kind in decided[sentence]
            ]


def _could_reach(
    ngrams: SignalModel, group: list[str], *, kind: SignalKind, threshold: float
) -> list[str]:
    """The sentences for which the topical blend can still reach `threshold` for `kind`: its
    n-gram member's share must give at least what the e5 share cannot (at most 1)."""
    if not group:
        return []
    least = blend_floor(threshold)
    column = ngrams.classes.index(kind.value)
    rows = ngrams.probabilities(group)
    return [s for s, row in zip(group, rows, strict=True) if row[column] >= least]


_THREATS = frozenset({SignalKind.REVIEW_THREAT, SignalKind.CHARGEBACK_THREAT})


def _vetoed(kind: SignalKind, sentence: str) -> bool:
    """ "I won't leave a bad review", "I'll leave a great review", "I'll pay with Klarna":
    no threat, whichever stage read it; and no extortion that the writer refuses or that
    only praises ("I'll gladly leave a nice review when it arrives"; praise for something the
    shop gives is a price: "five stars for a free replacement"), nor a change already made;
    and no dispute filed that names no claim, case or money coming back ("PayPal says it went
    through twice")."""
    if kind is SignalKind.REVIEW_EXTORTION:
        return (
            _refused(sentence)
            or _reports_change(sentence)
            or bool(
                PRAISE_RE.search(sentence)
                and not OFFER_RE.search(sentence)
                and not SHOP_GIVES_RE.search(sentence)
            )
        )
    if kind is SignalKind.CHARGEBACK_FILED:
        return not FILED_EVIDENCE_RE.search(sentence)
    if kind not in _THREATS:
        return False
    if _refused(sentence):
        return True
    if kind is SignalKind.REVIEW_THREAT:
        return bool(PRAISE_RE.search(sentence))
    return bool(BANK_NEUTRAL_RE.search(sentence)) and not MONEY_BACK_RE.search(sentence)


def _reports_change(sentence: str) -> bool:
    """The writer reports a review already changed and asks nothing more ("Thanks for the
    replacement, I've updated my review to five stars!")."""
    return bool(REPORTED_CHANGE_RE.search(sentence)) and not STILL_TO_COME_RE.search(sentence)


def _refused(sentence: str) -> bool:
    """The writer refuses it: each clause with a threat's stance is itself a refusal ("I won't
    leave a bad review"; not "I won't pay that invoice, I'll dispute it instead")."""
    if not REFUSAL_RE.search(sentence):
        return False
    stances = [part for part in clauses(sentence) if THREAT_RE.search(part)]
    return all(REFUSAL_RE.search(part) for part in stances)


def _signals_in(sentence: str) -> Iterator[SignalKind]:
    about_review = bool(REVIEW_RE.search(sentence))
    if (
        about_review
        and OFFER_RE.search(sentence)
        and OFFER_CONDITION_RE.search(sentence)
        and not _reports_change(sentence)
    ):
        yield SignalKind.REVIEW_EXTORTION
    elif (
        about_review
        and THREAT_RE.search(sentence)
        and not _vetoed(SignalKind.REVIEW_THREAT, sentence)
    ):
        yield SignalKind.REVIEW_THREAT
    if BANK_RE.search(sentence):
        if FILED_RE.search(sentence):
            yield SignalKind.CHARGEBACK_FILED
        elif THREAT_RE.search(sentence) and not _vetoed(SignalKind.CHARGEBACK_THREAT, sentence):
            yield SignalKind.CHARGEBACK_THREAT
