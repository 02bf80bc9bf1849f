"""What a reply may never say, per language, as data: each entry a pattern, why it is
refused, and an example sentence it catches (a test checks every example is caught).

The grid check (`reply_check`) matches these against every rendered reply and against
each template's own text, after `normalised` folds case, spacing, invisible characters
and look-alike letters. A reply an agent writes is read by the rules marked `edits`
(a packaging condition in a sentence about returning, a tier or a value). A shop adds its
own words in the guide's settings (`reply_forbidden_words`); it cannot remove these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Forbidden(StrEnum):
    PACKAGING = "packaging"
    CLAIM = "claim"
    REVEALS = "reveals"


WHY: dict[Forbidden, str] = {
    Forbidden.PACKAGING: "makes the refund conditional on the goods being unused or in their "
    "packaging; the law allows only a deduction for diminished value",
    Forbidden.CLAIM: "says an action was taken that Evenhand has not taken; say what "
    '"we will" do until it is done',
    Forbidden.REVEALS: "reveals a tier, a customer's value or a threat, which a reply may not "
    "mention",
}


@dataclass(frozen=True, slots=True)
class WordRule:
    kind: Forbidden
    pattern: str  # a regular expression over normalised text (lower case, single spaces)
    example: str  # a sentence it must catch
    # Read in an agent's own reply too (`reply_check.check_written_reply`): the words that
    # say a tier or a value. Words an agent may well mean otherwise ("we reviewed your
    # case", "social media") are for the guide's templates only.
    edits: bool = True

    def compiled(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


P, C, R = Forbidden.PACKAGING, Forbidden.CLAIM, Forbidden.REVEALS

_EN = (
    WordRule(P, r"unused", "Send it back unused and we refund you."),
    WordRule(P, r"unopened|unworn|unwashed", "If it is unopened you may return it."),
    WordRule(P, r"(?:original|its|the) (?:packaging|box|wrapping)", "In its original packaging."),
    WordRule(P, r"(?:with|tags?) (?:the )?tags? (?:still )?attached", "With the tags attached."),
    WordRule(P, r"(?:unused|unopened|new) condition", "Returns must be in new condition."),
    WordRule(
        C,
        r"we(?: have|'ve)(?: now| already| just)? (?:refunded|cancell?ed|credited|reshipped|"
        r"replaced|paused|changed|updated|issued|arranged|booked|started|filed|"
        r"opened (?:a|an) (?:investigation|claim|case))",
        "We have refunded the latest renewal.",
    ),
    WordRule(
        C,
        r"we(?: have|'ve)(?: now| already| just)? sent (?:you )?(?:a|the|your) "
        r"(?:new|replacement|return label)",
        "We have sent you a new parcel.",
    ),
    WordRule(
        C,
        r"(?:has|have) (?:now |already )?been (?:refunded|cancell?ed|credited|reshipped|"
        r"replaced|paused)",
        "Your subscription has been cancelled.",
    ),
    WordRule(C, r"(?:is|are) (?:now )?(?:refunded|cancell?ed)", "The order is now cancelled."),
    WordRule(R, r"v\.? ?i\.? ?p\.?s?", "As one of our VIP customers you get a new parcel."),
    WordRule(
        R,
        r"(?:best|top|most valued|valued|loyal|loyalty|premium|gold|standard|regular) "
        r"(?:customers?|clients?|members?|tier)",
        "You are one of our best customers.",
    ),
    WordRule(R, r"tiers?|lifetime value|ltv|customer value", "Given your lifetime value, ..."),
    WordRule(
        R,
        r"(?:how much|what) you(?:'ve| have)? (?:spent|bought)|spent with us|your spending",
        "Because of how much you have spent with us.",
    ),
    WordRule(
        R,
        r"reviews?|reviewed|reviewing|trustpilot|ratings?",
        "Please do not review us.",
        edits=False,
    ),
    WordRule(R, r"(?:one|1|single)[- ]star", "A one-star rating will not help.", edits=False),
    WordRule(R, r"charge ?-?backs?", "There is no need for a chargeback.", edits=False),
    WordRule(
        R, r"threat(?:s|en|ens|ened|ening)?", "Threats do not change our answer.", edits=False
    ),
    WordRule(
        R, r"social media|lawyers?|solicitors?", "Whatever you post on social media.", edits=False
    ),
)

_SV = (
    WordRule(P, r"oanvänd[at]?", "Skicka tillbaka den oanvänd, så återbetalar vi dig."),
    WordRule(P, r"oöppnad[et]?|obruten förpackning", "Är den oöppnad kan du returnera den."),
    WordRule(
        P, r"(?:i )?originalförpackning(?:en)?|originalkartong(?:en)?", "I originalförpackningen."
    ),
    WordRule(P, r"(?:med )?(?:etiketter|lappar)(?:na)? kvar", "Med etiketterna kvar."),
    WordRule(P, r"nyskick|oskadat skick", "Varan ska vara i nyskick."),
    WordRule(
        C,
        r"vi har (?:nu |redan )?(?:återbetalat|betalat tillbaka|avslutat|makulerat|avbrutit|"
        r"annullerat|krediterat|pausat|ändrat|bokat|startat|ersatt|"
        r"öppnat (?:en|ett) (?:utredning|ärende|reklamation))",
        "Vi har återbetalat den senaste förnyelsen.",
    ),
    WordRule(
        C,
        r"vi har (?:nu |redan )?skickat (?:dig )?(?:ett nytt|en ny|en ersättning|ersättning|"
        r"en retursedel)",
        "Vi har skickat ett nytt paket.",
    ),
    WordRule(
        C,
        r"(?:har|är) (?:nu |redan )?(?:återbetalats|återbetald|återbetalt|avslutats|"
        r"makulerats|makulerad|krediterats|pausats|pausad)",
        "Din prenumeration har avslutats.",
    ),
    WordRule(R, r"v\.? ?i\.? ?p\.?(?:-?kund(?:er(?:na)?)?)?", "Som en av våra bästa VIP-kunder."),
    WordRule(
        R,
        r"(?:bästa|viktigaste|värdefulla|värdefullaste|trogna|trogen|lojala|lojal|vanlig|"
        r"vanliga) (?:kund|kunder|kunderna)|stamkund(?:er)?",
        "Du är en av våra bästa kunder.",
    ),
    WordRule(R, r"kundvärde|livstidsvärde|kundnivå", "Med tanke på ditt kundvärde."),
    WordRule(
        R,
        r"hur mycket du (?:har )?(?:handlat|köpt|spenderat)|handlat för",
        "Eftersom du har handlat för mycket hos oss.",
    ),
    WordRule(
        R,
        r"recension(?:er|en)?|omdöme(?:n|t)?|betyg(?:et)?|trustpilot",
        "Du behöver inte skriva en recension.",
        edits=False,
    ),
    WordRule(R, r"(?:en|1) stjärna", "Ett betyg på en stjärna hjälper inte.", edits=False),
    WordRule(R, r"charge ?-?backs?|återkrav(?:et)?", "Ett återkrav behövs inte.", edits=False),
    WordRule(R, r"hot(?:et|en|ar|ade|a)?", "Hot ändrar inte vårt svar.", edits=False),
    WordRule(
        R,
        r"sociala medier|advokat(?:en)?|jurist(?:en)?",
        "Vad du än skriver i sociala medier.",
        edits=False,
    ),
)

WORD_RULES: dict[str, tuple[WordRule, ...]] = {"en": _EN, "sv": _SV}

# Letters from other scripts that look like Latin ones (after lower-casing), so "V\u0406P"
# with a Cyrillic I is "vip".
_LOOK_ALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u051b\u051d"
    "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bc\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7",
    "aeopcyxijsdqwabehikmvoptux",
)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def any_of(rules: tuple[WordRule, ...]) -> re.Pattern[str]:
    """One pattern for all the rules: a text it does not match needs no rule-by-rule look."""
    return _compiled("|".join(f"(?:{rule.pattern})" for rule in rules))


def normalised(text: str) -> str:
    """Lower case, compatibility forms folded (full-width letters), invisible characters
    removed, look-alike letters mapped to Latin, runs of space made one."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = text.lower().translate(_LOOK_ALIKES)
    return _SPACES.sub(" ", text.replace("\u2019", "'"))


def shop_rule(word: str) -> WordRule:
    """A shop's own word or phrase from the guide's settings, matched as written."""
    pattern = r"\s+".join(re.escape(part) for part in normalised(word).split())
    return WordRule(Forbidden.REVEALS, pattern, word)
