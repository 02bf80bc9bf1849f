"""Threat signals, sentence by sentence, in Swedish and English, in explicit stages.

1. **subject** (lexicon): what a threat would be about, a review (or a public channel) or a
   bank (a dispute, the card company, Klarna). A sentence that names neither shows no signal,
   whatever else it says: a refund request, a declined card, an angry complaint.
2. **lexicon**: the stance that makes the subject a threat ("unless", "I'll", "annars"), an
   offer about a review ("I'll remove it if ..."), a report that a dispute was filed.
3. **sentence-model**: a sentence with a subject the lexicon left undecided goes to the
   topical sentence model (e5 and n-grams); it may only name a signal of the subject the
   sentence names (no chargeback read into a sentence about a review). A sentence whose
   n-grams alone give every signal less than `signal_e5_gate` is none, without e5.
4. **second look**: a lexicon threat from a stance that the topical model is sure shows no
   signal at all is dropped; a lexicon review threat it is sure is an offer is extortion.
5. **with the sentence before** (per text): a review offer whose review is named only in the
   sentence before ("I left a sour comment. Refund the shipping and I'll delete it."), or a
   stance whose subject is ("I have 12k followers. Refund me or they will all hear about
   it."), or two before with a sentence between that names nothing and takes no stance:
   the run read as one sentence by stages 1-4, its threat kept only when the
   topical model's likeliest reading of the pair is a threat too, its offer only when that
   reading is an offer (a review threat so read becomes one) and the later sentence asks
   something of the shop.

Every candidate of every stage passes the one veto (`veto`): the writer refusing ("I won't
leave a bad review"), praise, a review already posted, a claim withdrawn, a bank named only as
how one pays. Each sentence's `SentenceReading.steps` say what each stage decided.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evenhand.domain.intents import SignalSource
from evenhand.understand.knobs import KNOBS
from evenhand.understand.lexicon_stage import (
    BANK_KINDS,
    LEXICON,
    SENTENCE_MODEL,
    Candidate,
    asks_of_the_shop,
    lexicon_candidates,
    offer_across,
    subjects,
    veto,
)
from evenhand.understand.model import Signal, SignalKind
from evenhand.understand.sentences import clauses, sentences
from evenhand.understand.signal_model import NONE, SentenceModels, SignalModel, blend_floor
from evenhand.understand.threat_lexicon import default_lexicon

_REVIEW_KINDS = frozenset({SignalKind.REVIEW_THREAT, SignalKind.REVIEW_EXTORTION})


@dataclass(slots=True)
class SentenceReading:
    """One sentence: the signals it shows, and what each stage decided about it."""

    sentence: str
    kept: list[Candidate] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    named: dict[str, str] = field(default_factory=dict)  # the subjects it names, by group
    topical: Any = None  # the topical model's row, once a stage has asked it
    doubted: str = ""  # read as a pair: the step in which the model doubted the pair


@dataclass(frozen=True, slots=True)
class SignalReading:
    signals: tuple[Signal, ...]  # each kind once, with the first sentence that shows it
    threat_sentences: tuple[str, ...]  # every sentence that shows any signal
    steps: tuple[str, ...] = ()  # what each stage decided, sentence by sentence


def read_signals_many(texts: Sequence[str], *, models: SentenceModels) -> list[SignalReading]:
    """The signals of many texts, asking each sentence model once for all of them."""
    split = [list(sentences(text)) for text in texts]
    every = list(dict.fromkeys(sentence for parts in split for sentence in parts))
    decided = decide_sentences(every, models=models)
    pairs = _pairs_stage(split, decided, models=models)
    return [_reading([decided[sentence] for sentence in parts], pairs) for parts in split]


# The sentences read as one: the one naming the subject up to the one taking the stance.
Run = tuple[str, ...]


def _pairs_stage(
    split: list[list[str]], decided: dict[str, SentenceReading], *, models: SentenceModels
) -> dict[Run, SentenceReading]:
    """A stance whose subject is named only in the sentence before ("I have 12k followers.
    Refund me by Friday or they will all hear about it."), or two before (`_subject_before`):
    the run from the one to the other read as one sentence by every stage, asked only where
    the earlier names a subject and no stance, the later a stance and no subject, and none
    shows a signal of its own. A sentence between is read with them: it may be what makes
    the stance harmless ("The payment went through on my card. The item was out of stock
    after all. I'll take a refund then.")."""
    wanted: list[Run] = []
    for parts in split:
        read = [decided[sentence] for sentence in parts]
        for at in range(1, len(read)):
            if (back := _subject_before(read, at)) is not None:
                wanted.append(tuple(parts[back : at + 1]))
    wanted = list(dict.fromkeys(wanted))
    joined = decide_sentences([" ".join(run) for run in wanted], models=models)
    _pair_doubt([r for r in joined.values() if r.kept], model=models.topical)
    return {run: joined[" ".join(run)] for run in wanted}


def _run(read: list[SentenceReading], back: int, at: int) -> Run:
    return tuple(reading.sentence for reading in read[back : at + 1])


def _subject_before(read: list[SentenceReading], at: int) -> int | None:
    """Where the subject of sentence `at`'s stance is named, when `at` takes a stance and
    names no subject: the sentence before, or the one before that when the sentence between
    names none, takes no stance and shows nothing ("Not a word to my bank so far. The kettle
    has been on its way for five weeks. If it isn't here in a week, they hear it all."). The
    sentence naming the subject must take no stance and show nothing of its own."""
    now = read[at]
    if now.kept or now.named:
        return None
    back = next(
        (b for b in range(at - 1, max(at - 3, -1), -1) if read[b].kept or read[b].named), None
    )
    if back is None or read[back].kept:  # the cheap tests first: most sentences stop here
        return None
    stance = default_lexicon()["stance"]
    if not stance.find(now.sentence):
        return None
    return None if any(stance.find(r.sentence) for r in read[back:at]) else back


def _pair_doubt(readings: list[SentenceReading], *, model: SignalModel) -> None:
    """Two sentences read as one are weaker evidence than one sentence: their threat stands
    only when the topical model's likeliest reading of the pair is a threat too, their offer
    only when it is an offer; a review threat it reads likeliest as an offer is one, unless
    the veto says otherwise (a lower bar than the second look's on purpose: the pair's
    reading must already be a signal, and the offer must name its price to stand)."""
    _ask_topical([r for r in readings if r.topical is None], model=model)
    for reading in readings:
        best = int(reading.topical.argmax())
        label, score = model.classes[best], float(reading.topical[best])
        kept = [_as_offer(c, score) if _offered(c, label, reading) else c for c in reading.kept]
        kept = [c for c in kept if c.kind not in _PAIR_KINDS or _agrees(c.kind, label)]
        if len(kept) < len(reading.kept):
            reading.doubted = f"{SENTENCE_MODEL} doubts the pair: {label} {score:.2f}"
            reading.steps.append(reading.doubted)
        reading.kept = kept


def _agrees(kind: SignalKind, label: str) -> bool:
    """Whether the topical model's likeliest label bears out `kind` read in a pair."""
    return kind.value == label or (kind in _STANCE_KINDS and label in _STANCE_LABELS)


def _offered(candidate: Candidate, label: str, reading: SentenceReading) -> bool:
    """A review threat the model reads as an offer, which the veto lets stand as one."""
    offer = SignalKind.REVIEW_EXTORTION
    if candidate.kind is not SignalKind.REVIEW_THREAT or label != offer.value:
        return False
    return veto(offer, reading.sentence, stage=SENTENCE_MODEL) is None


def _as_offer(candidate: Candidate, score: float) -> Candidate:
    rule = candidate.source.rule
    return Candidate(SignalKind.REVIEW_EXTORTION, _source(SENTENCE_MODEL, rule, score))


def _ask_topical(readings: list[SentenceReading], *, model: SignalModel) -> None:
    """The topical model's rows for sentences no stage has asked it about yet."""
    if readings:
        rows = model.probabilities([r.sentence for r in readings])
        for reading, row in zip(readings, rows, strict=True):
            reading.topical = row


def _reading(read: list[SentenceReading], pairs: dict[Run, SentenceReading]) -> SignalReading:
    found: dict[SignalKind, Signal] = {}
    threats: list[str] = []
    partners = [_subject_before(read, at) if at else None for at in range(len(read))]
    kept = [
        reading.kept or _across(read, at, partners[at], pairs) for at, reading in enumerate(read)
    ]
    withdrawn = _withdrawn_later(read, kept)
    for at, reading in enumerate(read):
        if kept[at]:
            threats.extend(_threat_pieces(reading.sentence))
        elif at and kept[at - 1] and _TAG_QUESTION.match(reading.sentence):
            threats.append(reading.sentence)  # "..., I fix the review. Deal?"
        for candidate in kept[at]:
            found.setdefault(
                candidate.kind,
                Signal(kind=candidate.kind, evidence=reading.sentence, source=candidate.source),
            )
    signals = tuple(found[kind] for kind in SignalKind if kind in found)
    with_before = [
        None if back is None else pairs.get(_run(read, back, at))
        for at, back in enumerate(partners)
    ]
    steps = tuple(
        f"{r.sentence!r}: "
        + "; ".join(
            _steps(r, kept[at], with_before[at], _EARLIER[_gap(at, partners[at])])
            + withdrawn.get(at, [])
        )
        for at, r in enumerate(read)
        if r.steps
    )
    return SignalReading(signals=signals, threat_sentences=tuple(threats), steps=steps)


def _withdrawn_later(
    read: list[SentenceReading], kept: list[list[Candidate]]
) -> dict[int, list[str]]:
    """A dispute filed that the next sentence says is withdrawn ("I opened a PayPal claim when
    the parcel was late. It came, so I've closed the claim."): no dispute; one it offers to
    withdraw ("If you resend it I'll close the claim.") stands. Drops it from `kept` and
    returns the step to show, by sentence."""
    steps: dict[int, list[str]] = {}
    for at in range(len(read) - 1):
        filed = any(c.kind is SignalKind.CHARGEBACK_FILED for c in kept[at])
        rule = _withdrawal_done(read[at + 1].sentence) if filed else None
        if rule is None or any(c.kind in BANK_KINDS for c in kept[at + 1]):
            continue
        kept[at] = [c for c in kept[at] if c.kind is not SignalKind.CHARGEBACK_FILED]
        steps[at] = [f"withdrawn in the sentence after ({rule})"]
    return steps


def _withdrawal_done(sentence: str) -> str | None:
    """The withdrawal entry a sentence matches when it reports one done, not to come (the
    dispute of the sentence before named or, `withdrawn_it`, referred to: "it's withdrawn")."""
    lexicon = default_lexicon()
    if lexicon["still_to_come"].search(sentence) or lexicon["stance"].search(sentence):
        return None
    return lexicon["withdrawal"].find(sentence) or lexicon["withdrawn_it"].find(sentence)


def _across(
    read: list[SentenceReading], at: int, back: int | None, pairs: dict[Run, SentenceReading]
) -> list[Candidate]:
    """The sentence read with the one before it, for what needs both: a review offer whose
    review is named only before, or a stance whose subject is (or two before: `back`, as
    `_subject_before` found it). The sentences' own readings are shared by every text that
    holds them, so this stays with the text."""
    if at == 0:
        return []
    previous, later = read[at - 1].sentence, read[at].sentence
    review_before = "review" in read[at - 1].named and "review" not in read[at].named
    if review_before and (found := offer_across(previous, later)):
        return [found]
    pair = None if back is None else pairs.get(_run(read, back, at))
    stands = [c for c in pair.kept if _pair_stands(c, later)] if pair is not None else []
    return stands[:1]


def _pair_stands(candidate: Candidate, later: str) -> bool:
    """A threat read in a pair stands; an offer only with the price it asks in the later
    sentence ("Throw in a free lead and I'll make it 5")."""
    if candidate.kind is SignalKind.REVIEW_EXTORTION:
        return asks_of_the_shop(later)
    return candidate.kind in _STANCE_KINDS


def _gap(at: int, back: int | None) -> int:
    return 1 if back is None else at - back


# How the steps name the sentence a stance was read with, by how far back it is.
_EARLIER = {1: "with the sentence before", 2: "with the sentence two before"}


def _steps(
    reading: SentenceReading, kept: list[Candidate], pair: SentenceReading | None, with_: str
) -> list[str]:
    if kept and not reading.kept:
        return [*reading.steps, f"{with_}: {kept[0].kind.value} ({kept[0].source})"]
    if pair is not None and pair.doubted:
        return [*reading.steps, f"{with_}: {pair.doubted}"]
    if pair is not None and any(c.kind is SignalKind.REVIEW_EXTORTION for c in pair.kept):
        return [*reading.steps, f"{with_}: an offer that asks nothing of the shop"]
    return reading.steps


def decide_sentences(parts: Sequence[str], *, models: SentenceModels) -> dict[str, SentenceReading]:
    """Each sentence's reading, stage by stage (see the module's docstring)."""
    readings = {sentence: SentenceReading(sentence) for sentence in parts}
    open_for_model: list[str] = []
    for sentence, reading in readings.items():
        if not _subject_stage(reading):
            continue
        if not _lexicon_stage(reading):
            open_for_model.append(sentence)
    _model_stage([readings[s] for s in open_for_model], models=models)
    asked = set(open_for_model)
    decided = [r for s, r in readings.items() if r.kept and s not in asked]
    _doubt_stage(decided, model=models.topical)
    _second_look(decided, models=models)
    return readings


_STANCE_KINDS = frozenset({SignalKind.REVIEW_THREAT, SignalKind.CHARGEBACK_THREAT})
_STANCE_LABELS = frozenset(kind.value for kind in _STANCE_KINDS)
# What a pair of sentences may show: a threat, or an offer about a review (read by the
# lexicon, or a review threat the model reads likeliest as an offer: `_pair_doubt`).
_PAIR_KINDS = _STANCE_KINDS | {SignalKind.REVIEW_EXTORTION}


def _doubt_stage(readings: list[SentenceReading], *, model: SignalModel) -> None:
    """A threat the lexicon read from a stance ("I'll", "or", "annars") that the topical
    model is sure shows no signal at all is dropped; offers and disputes filed stay."""
    cut = KNOBS.signal_lexicon_doubt
    if cut > 1:
        return
    readings = [r for r in readings if any(c.kind in _STANCE_KINDS for c in r.kept)]
    _ask_topical(readings, model=model)
    none = model.classes.index(NONE)
    for reading in readings:
        if (score := float(reading.topical[none])) >= cut:
            reading.steps.append(f"{SENTENCE_MODEL} doubts the lexicon: none {score:.2f}")
            reading.kept = [c for c in reading.kept if c.kind not in _STANCE_KINDS]


def _subject_stage(reading: SentenceReading) -> bool:
    named = reading.named = subjects(reading.sentence)
    reading.steps.append(
        "subject: " + (", ".join(f"{k} ({rule})" for k, rule in named.items()) or "none")
    )
    return bool(named)


def _lexicon_stage(reading: SentenceReading) -> bool:
    """Per subject, the lexicon's first reading the veto keeps; True when it kept any."""
    sides = lexicon_candidates(reading.sentence)
    for side in sides:
        for candidate in side:
            if kept := _vetoed_away(reading, [candidate], LEXICON):
                reading.kept += kept
                break
    if not reading.kept:
        reading.steps.append("lexicon: undecided")
    return bool(reading.kept)


def _model_stage(group: list[SentenceReading], *, models: SentenceModels) -> None:
    """The topical model's reading of the sentences the lexicon left undecided, gated by
    the subject each names; those its n-gram model alone is sure show none are not asked."""
    group = _worth_embedding(group, ngrams=models.other)
    if not group:
        return
    model = models.topical
    classes = model.classes
    threshold = KNOBS.signal_topical_threshold
    rows = model.probabilities([reading.sentence for reading in group])
    for reading, row in zip(group, rows, strict=True):
        reading.topical = row
        best = int(row.argmax())
        label, score = classes[best], float(row[best])
        if label not in {kind.value for kind in SignalKind} or score < threshold:
            reading.steps.append(f"{SENTENCE_MODEL}: none ({label} {score:.2f})")
            continue
        kind = SignalKind(label)
        named = subjects(reading.sentence)
        subject = named.get("review" if kind in _REVIEW_KINDS else "bank")
        if subject is None:
            reading.steps.append(f"{SENTENCE_MODEL}: {kind.value} {score:.2f}, no such subject")
            continue
        candidate = Candidate(kind, _source(SENTENCE_MODEL, subject, score))
        reading.kept = _vetoed_away(reading, [candidate], SENTENCE_MODEL)


def _worth_embedding(group: list[SentenceReading], *, ngrams: SignalModel) -> list[SentenceReading]:
    """The sentences whose n-gram reading gives some signal at least `signal_e5_gate`; the
    others are none without the e5 embedding (most of a reading's time)."""
    if not group:
        return []
    gate = KNOBS.signal_e5_gate
    signal_columns = [i for i, label in enumerate(ngrams.classes) if label != NONE]
    rows = ngrams.probabilities([reading.sentence for reading in group])
    worth = []
    for reading, row in zip(group, rows, strict=True):
        best = max(signal_columns, key=lambda i: row[i])
        if row[best] >= gate:
            worth.append(reading)
        else:
            label = ngrams.classes[best]
            reading.steps.append(
                f"{SENTENCE_MODEL}: none (n-grams: no signal at {gate}; likeliest {label} "
                f"{row[best]:.3f})"
            )
    return worth


def _vetoed_away(
    reading: SentenceReading, candidates: list[Candidate], stage: str
) -> list[Candidate]:
    kept = []
    for candidate in candidates:
        because = veto(candidate.kind, reading.sentence, stage=stage)
        if because:
            reading.steps.append(f"{stage}: {candidate.kind.value} vetoed by {because}")
        else:
            reading.steps.append(f"{stage}: {candidate.kind.value} ({candidate.source})")
            kept.append(candidate)
    return kept


def _source(stage: str, rule: str | None, score: float) -> SignalSource:
    return SignalSource(stage=stage, rule=rule, score=round(score, 4))


def _second_look(readings: list[SentenceReading], *, models: SentenceModels) -> None:
    """A review threat the lexicon read that the topical model is sure is an offer ("what
    can you offer for me to take my review down?") is review extortion. The sentences the
    model already read are not asked again, nor those whose n-gram reading alone keeps the
    blend below the cut (no e5 embedding for them)."""
    cut = KNOBS.signal_extortion_over_threat
    threats = [r for r in readings if any(c.kind is SignalKind.REVIEW_THREAT for c in r.kept)]
    unknown = [r for r in threats if r.topical is None]
    unknown = _could_reach(models.other, unknown, kind=SignalKind.REVIEW_EXTORTION, threshold=cut)
    threats = [r for r in threats if r.topical is not None] + unknown
    model = models.topical
    _ask_topical(unknown, model=model)
    extortion = model.classes.index(SignalKind.REVIEW_EXTORTION.value)
    for reading in threats:
        score = float(reading.topical[extortion])
        if score < cut or veto(SignalKind.REVIEW_EXTORTION, reading.sentence, stage=SENTENCE_MODEL):
            continue
        reading.steps.append(f"second look: review_extortion {score:.2f} over the threat")
        reading.kept = [
            Candidate(SignalKind.REVIEW_EXTORTION, _source(SENTENCE_MODEL, c.source.rule, score))
            if c.kind is SignalKind.REVIEW_THREAT
            else c
            for c in reading.kept
        ]


def _could_reach(
    ngrams: SignalModel, group: list[SentenceReading], *, kind: SignalKind, threshold: float
) -> list[SentenceReading]:
    """The sentences for which the topical blend can still reach `threshold` for `kind`: its
    n-gram member's share must give at least what the e5 share cannot (at most 1)."""
    if not group:
        return []
    least = blend_floor(threshold)
    column = ngrams.classes.index(kind.value)
    rows = ngrams.probabilities([reading.sentence for reading in group])
    return [r for r, row in zip(group, rows, strict=True) if row[column] >= least]


# A question of a word or two that asks for the threat's terms to be accepted ("Deal?").
_TAG_QUESTION = re.compile(r"^\W*\w+(?:[ -]\w+)?\W*\?\W*$")

# A clause a threat hangs on: its condition, or the demand it is the price of (also after
# "but" or "and": "the bank is looking into it, but send the parcel again anyway").
_CONDITION_START = re.compile(
    r"^(?:(?:but|and|so|then|men|och|så|då),?\s+)?"  # "..., but send it anyway"
    r"(?:if|unless|or|otherwise|else|om|såvida|annars|eller"
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
    flagged = {i for i, part in enumerate(parts) if _lexicon_flags(part)}
    left_out = sorted(_with_conditions(parts, flagged))
    if not flagged or len(left_out) == len(parts):
        return [sentence]
    return [parts[i] for i in left_out]


def _lexicon_flags(part: str) -> bool:
    """Whether the lexicon alone reads a signal in a clause."""
    return any(
        not veto(c.kind, part, stage=LEXICON) for side in lexicon_candidates(part) for c in side
    )


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
