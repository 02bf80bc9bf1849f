"""What the threat lexicon says about a sentence: the subjects it names, the signals it shows,
and the one veto every stage's candidate passes (see `signals` for the stages)."""

from __future__ import annotations

from dataclasses import dataclass

from evenhand.domain.intents import SignalSource
from evenhand.understand.model import SignalKind
from evenhand.understand.sentences import clauses
from evenhand.understand.threat_lexicon import Lexicon, default_lexicon

LEXICON = "lexicon"
SENTENCE_MODEL = "sentence-model"
_THREATS = frozenset({SignalKind.REVIEW_THREAT, SignalKind.CHARGEBACK_THREAT})
BANK_KINDS = frozenset({SignalKind.CHARGEBACK_THREAT, SignalKind.CHARGEBACK_FILED})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A signal a stage read, with where it comes from; the veto decides whether it stays."""

    kind: SignalKind
    source: SignalSource


def subjects(sentence: str) -> dict[str, str]:
    """What a threat in the sentence could be about, "review" and "bank", with the entry
    that names each."""
    lexicon = default_lexicon()
    named = {group: lexicon[group].find(sentence) for group in ("review", "bank")}
    return {group: rule for group, rule in named.items() if rule}


def lexicon_candidates(sentence: str) -> list[list[Candidate]]:
    """Per subject the sentence names, the lexicon's readings in order of precedence: an offer
    before a threat (about a review), a dispute filed before a threat (about a bank). The
    first that survives the veto is the lexicon's reading of that subject."""
    lexicon = default_lexicon()
    named = subjects(sentence)
    stance = lexicon["stance"].find(sentence)
    sides: list[list[Candidate]] = []
    if "review" in named:
        review: list[Candidate] = []
        offer = lexicon["offer"].find(sentence)
        if offer and lexicon["offer_condition"].search(sentence):
            review.append(_found(SignalKind.REVIEW_EXTORTION, offer))
        if stance:
            review.append(_found(SignalKind.REVIEW_THREAT, stance))
        sides.append(review)
    if "bank" in named:
        bank: list[Candidate] = []
        filed = lexicon["filed"].find(sentence)
        if filed:
            bank.append(_found(SignalKind.CHARGEBACK_FILED, filed))
        if stance:
            bank.insert(
                0 if _announced(lexicon, sentence) else len(bank),
                _found(SignalKind.CHARGEBACK_THREAT, stance),
            )
        sides.append(bank)
    return [side for side in sides if side]


def _announced(lexicon: Lexicon, sentence: str) -> bool:
    """A dispute the writer announces rather than reports: in a clause that reads as one
    filed, the writer's first-person future comes first (`announcement`: "I'll be raising it
    with Klarna so the payment is put on hold"; not "Klarna has put it on hold, so I'll wait",
    nor "I was thinking of ordering again but my bank put the payment on hold")."""
    for part in clauses(sentence):
        filed_at = lexicon["filed"].start(part)
        said_at = lexicon["announcement"].start(part)
        if filed_at is not None and said_at is not None and said_at < filed_at:
            return True
    return False


def offer_across(previous: str, sentence: str) -> Candidate | None:
    """A review offer whose review is named only in the sentence before ("I left a sour
    comment under your post. Refund the shipping and I'll delete it."): an offer, its
    condition and its price in the sentence, vetoed as if the two were one. Asked only where
    `previous` names a review and `sentence` does not (`subjects` says so of each)."""
    lexicon = default_lexicon()
    offer = lexicon["offer"].find(sentence)
    if not offer or not lexicon["offer_condition"].search(sentence):
        return None
    if not lexicon["price"].search(sentence):  # "I'll update it myself when I have time."
        return None
    if veto(SignalKind.REVIEW_EXTORTION, f"{previous} {sentence}", stage=LEXICON):
        return None
    return _found(SignalKind.REVIEW_EXTORTION, f"{offer}, its review in the sentence before")


def asks_of_the_shop(sentence: str) -> bool:
    """Whether the sentence asks something of the shop: money, goods or a favour."""
    lexicon = default_lexicon()
    return bool(lexicon["price"].search(sentence) or lexicon["shop_gives"].search(sentence))


def _found(kind: SignalKind, rule: str) -> Candidate:
    return Candidate(kind, SignalSource(stage=LEXICON, rule=rule, score=1.0))


def veto(kind: SignalKind, sentence: str, *, stage: str) -> str | None:
    """Why `kind`, read in `sentence` by `stage`, is no signal (the group and entry that say
    so), or None when it stands. The one place vetoes are applied:

    - a claim withdrawn or closed ("I've closed the dispute"), or a consumer complaints
      board named with no bank ("I'll take it to ARN"): no bank signal;
    - a dispute the writer says they have not filed yet ("I haven't disputed it yet"): no
      dispute filed, and no threat unless one stands beside the denial ("..., but I will if
      you don't refund me");
    - an offer the writer refuses, a review change already made, a review already posted
      with nothing offered; praise that is no price, or praise alone in the sentence;
    - a dispute "filed" that the model read with no claim, case or money named, or beside a
      card stopped or replaced with no money to come back;
    - a threat the writer refuses ("I won't leave a bad review"; not "don't think I won't"),
      praise ("I'll leave a great review"), a collaboration or interview proposed, a question
      to the shop with no stance, a harmless act announced ("I'll check Trustpilot"), a review
      already posted or the shop's own channel named ("I follow you on Instagram") with no
      stance, a bank named only as how one pays."""
    lexicon = default_lexicon()
    if kind in BANK_KINDS and (rule := _withdrawn(lexicon, sentence)):
        return f"withdrawal ({rule})"
    if kind in BANK_KINDS and (board := _consumer_board_only(lexicon, sentence)):
        return f"consumer board ({board})"
    if kind in BANK_KINDS and (denied := _denied(lexicon, kind, sentence)):
        return f"not filed ({denied})"
    if kind is SignalKind.REVIEW_EXTORTION:
        return _offer_veto(lexicon, sentence, stage=stage)
    if kind is SignalKind.CHARGEBACK_FILED:
        return None if stage == LEXICON else _filed_by_model_veto(lexicon, sentence)
    return _threat_veto(lexicon, kind, sentence)


def _filed_by_model_veto(lexicon: Lexicon, sentence: str) -> str | None:
    """A model's "dispute filed" needs a claim, a case or money named, and is none beside a
    card stopped or replaced ("my bank has stopped the card") unless money is to come back or
    the rest of the sentence names a claim, a case or an investigation."""
    if not lexicon["filed_evidence"].search(sentence):
        return "no claim, case or money named"
    stopped = lexicon["card_stopped"].find(sentence)
    if stopped is None or lexicon["money_back"].search(sentence):
        return None
    if lexicon["dispute_named"].search(lexicon["card_stopped"].without(sentence)):
        return None  # "blocked the card and opened a fraud case for the charge"
    return f"a card stopped or replaced ({stopped})"


def _withdrawn(lexicon: Lexicon, sentence: str) -> str | None:
    """The withdrawal entry the sentence matches, unless a clause after the one that withdraws
    reports a dispute filed, or threatens one, with nothing withdrawn in it: a different
    claim ("I closed the PayPal claim for the other order, but this one I have disputed with
    my bank"). A dispute reported first and withdrawn after ("I opened a PayPal claim, but
    I've closed it now") stays withdrawn."""
    rule = lexicon["withdrawal"].find(sentence)
    if rule and lexicon["still_to_file"].search(lexicon["withdrawal"].after(sentence)):
        return None  # "I haven't disputed anything. But I will if ...": the dispute to come
    parts = clauses(sentence)
    withdrawing = [at for at, part in enumerate(parts) if lexicon["withdrawal"].search(part)]
    if rule is None or not withdrawing:
        return rule
    later = parts[withdrawing[0] + 1 :]
    if any(_claim_stands(lexicon, part) for part in later):
        return None
    return rule


def _claim_stands(lexicon: Lexicon, part: str) -> bool:
    """A clause that threatens a dispute, or reports one filed and names what it is about (a
    claim, a case, the money): "I have contacted my bank to tell them" is no other claim."""
    if lexicon["withdrawal"].search(part) or not lexicon["bank"].search(part):
        return False
    filed = lexicon["filed"].search(part) and lexicon["filed_evidence"].search(part)
    return bool(filed or lexicon["stance"].search(part))


def _denied(lexicon: Lexicon, kind: SignalKind, sentence: str) -> str | None:
    """The not_filed entry that takes `kind` away: a dispute filed in a sentence that denies
    one, and a chargeback threat unless one stands beside the denial."""
    rule = _not_filed(lexicon, sentence)
    if rule and kind is SignalKind.CHARGEBACK_THREAT and _threat_beside_denial(lexicon, sentence):
        return None
    return rule


def _not_filed(lexicon: Lexicon, sentence: str) -> str | None:
    """The not_filed entry of a sentence in which the writer says they have not filed a
    dispute yet, unless the rest of it reports one filed ("I haven't called Klarna, but my
    bank has opened a case"): a denial takes away only the dispute it denies."""
    denial = lexicon["not_filed"]
    rule = denial.find(sentence)
    if rule is None or lexicon["filed"].search(denial.without(sentence)):
        return None
    return rule


def _threat_beside_denial(lexicon: Lexicon, sentence: str) -> bool:
    """A dispute still to come after the denial ("I haven't filed a chargeback yet, but I
    will"), a condition or deadline after it ("..., and if you don't reply by Friday I will";
    a first-person future alone is none: "I haven't reported anything to my bank, I'll give
    you a call tomorrow"), or a threat stated before it or in a clause without one ("If you
    don't refund me by Friday my bank will get involved, as I haven't contacted them yet")."""
    denial = lexicon["not_filed"]
    after = denial.after(sentence)
    if lexicon["still_to_file"].search(after):
        return True
    if lexicon["stance"].search(lexicon["announcement"].without(after)):
        return True
    before = sentence[: denial.start(sentence) or 0]
    parts = [before, *(part for part in clauses(sentence) if not denial.search(part))]
    return any(lexicon["bank"].search(part) and lexicon["stance"].search(part) for part in parts)


def _not_yet(lexicon: Lexicon, kind: SignalKind, sentence: str) -> bool:
    """A dispute the writer has not filed yet, with a threat beside the denial (`_denied` let
    it stand), and no refusal but the denial's own words: "not yet" is no refusal ("Jag har
    inte anmält köpet till banken än. Men jag gör det om ni inte svarar.", read as one by
    the pairs stage; not "... och tänker inte göra det")."""
    if kind is not SignalKind.CHARGEBACK_THREAT or _not_filed(lexicon, sentence) is None:
        return False
    return not lexicon["refusal"].search(lexicon["not_filed"].without(sentence))


def _consumer_board_only(lexicon: Lexicon, sentence: str) -> str | None:
    """A consumer complaints board named (ARN, Konsumentverket), the customer's right, and no
    bank, card company, Klarna or PayPal beside it."""
    board = lexicon["consumer_board"].find(sentence)
    if board and not lexicon["bank"].search(lexicon["consumer_board"].without(sentence)):
        return board
    return None


def _offer_veto(lexicon: Lexicon, sentence: str, *, stage: str) -> str | None:
    changed = _reported_change(lexicon, sentence)
    if changed or stage == LEXICON:
        return changed
    if refused := _refused(lexicon, sentence):
        return refused
    if aside := _pitch_only(lexicon, sentence) or _asked_only(lexicon, sentence):
        return aside
    offered = lexicon["offer"].search(sentence)
    posted = lexicon["already_posted"].find(sentence)
    if posted and not offered and not lexicon["stance"].search(sentence):
        return f"already posted ({posted})"
    if offered or lexicon["shop_gives"].search(sentence):
        return None
    praise = lexicon["praise"].find(sentence)
    return f"praise ({praise})" if praise else _praise_only(lexicon, sentence)


def _threat_veto(lexicon: Lexicon, kind: SignalKind, sentence: str) -> str | None:
    if kind not in _THREATS:
        return None
    if (refused := _refused(lexicon, sentence)) and not _not_yet(lexicon, kind, sentence):
        return refused
    if harmless := _harmless(lexicon, sentence):
        return harmless
    if kind is SignalKind.REVIEW_THREAT:
        return _review_threat_veto(lexicon, sentence)
    neutral = lexicon["bank_neutral"].find(sentence)
    if neutral and not lexicon["money_back"].search(sentence):
        return f"bank named as a way to pay ({neutral})"
    return None


def _asked_only(lexicon: Lexicon, sentence: str) -> str | None:
    """A question put to the shop with no stance."""
    asked = lexicon["question"].find(sentence)
    if asked and not lexicon["stance"].search(sentence):
        return f"a question to the shop ({asked})"
    return None


def _harmless(lexicon: Lexicon, sentence: str) -> str | None:
    """A question put to the shop with no stance, or a harmless act announced."""
    if asked := _asked_only(lexicon, sentence):
        return asked
    benign = lexicon["benign_act"].find(sentence)
    if benign and not lexicon["money_back"].search(sentence):
        return f"a harmless act ({benign})"
    return None


def _review_threat_veto(lexicon: Lexicon, sentence: str) -> str | None:
    if praise := lexicon["praise"].find(sentence):
        return f"praise ({praise})"
    if delighted := _praise_only(lexicon, sentence):
        return delighted
    if pitched := _pitch_only(lexicon, sentence):
        return pitched
    if posted := _alone(lexicon, sentence, "already_posted", unless="stance", why="already posted"):
        return posted
    return _alone(lexicon, sentence, "shop_channel", unless="stance", why="the shop's own channel")


def _praise_only(lexicon: Lexicon, sentence: str) -> str | None:
    """Praise for the shop or a product with nothing wrong, no warning and no condition
    beside it ("The blanket is gorgeous, I'm going to write a review tonight")."""
    return _alone(lexicon, sentence, "delight", unless="trouble", why="praise only")


def _pitch_only(lexicon: Lexicon, sentence: str) -> str | None:
    """A collaboration, sponsorship or interview proposed with nothing wrong and no warning
    beside it ("I have 30k followers and would love to collaborate, if you're up for it")."""
    return _alone(lexicon, sentence, "pitch", unless="complaint", why="a pitch")


def _alone(lexicon: Lexicon, sentence: str, group: str, *, unless: str, why: str) -> str | None:
    """`why` and the entry of `group` the sentence matches, when no entry of `unless` does."""
    found = lexicon[group].find(sentence)
    if found and not lexicon[unless].search(sentence):
        return f"{why} ({found})"
    return None


def _reported_change(lexicon: Lexicon, sentence: str) -> str | None:
    """The writer reports a review already changed and asks nothing more ("Thanks for the
    replacement, I've updated my review to five stars!")."""
    changed = lexicon["reported_change"].find(sentence)
    if changed and not lexicon["still_to_come"].search(sentence):
        return f"reported change ({changed})"
    return None


def _refused(lexicon: Lexicon, sentence: str) -> str | None:
    """The writer refuses it: each clause with a threat's stance is itself a refusal ("I won't
    leave a bad review"; not "I won't pay that invoice, I'll dispute it instead")."""
    refusal = lexicon["refusal"].find(sentence)
    if refusal is None or lexicon["dare"].search(sentence):
        return None
    stances = [part for part in clauses(sentence) if lexicon["stance"].search(part)]
    if all(lexicon["refusal"].search(part) for part in stances):
        return f"refusal ({refusal})"
    return None
