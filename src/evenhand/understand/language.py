"""Which language a message is in: py3langid limited to the Nordic languages and English,
with the shop's market as a prior (Swedish and Norwegian are close at a few words) and
as the answer for messages of one or two words, unless they are plainly English: a
short message whose words are words of a support chat in English and none Swedish
("cancel pls", "refund please", "where is my parcel") is English, whatever the market.

py3langid ships its model compressed with LZMA (0.4 s to open); `evenhand reader build`
keeps it unpacked, limited to these languages, beside the reader's models
(`save_language_model`), where it opens in a few milliseconds.
"""

from __future__ import annotations

import mmap
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

LANGUAGES = ("sv", "en", "no", "nn", "da", "fi", "is")
MARKET_LANGUAGE = {"SE": "sv", "NO": "no", "DK": "da", "FI": "fi", "IS": "is"}
# How much more likely the market's own language is taken to be, before the text is read.
HOME_PRIOR = 3.0
# Up to this many words, a guess below SURE gives way to the market's language.
SHORT_MESSAGE_WORDS = 2
SURE = 0.95
_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Up to this many words, a message of English support words only is English.
SHORT_ENGLISH_WORDS = 6
# Words of short English support messages that are not Swedish words ("i", "is", "order",
# "ok", "test" are left out: Swedish has them or uses them too).
ENGLISH_WORDS = _words(
    "a an the my me you your we our it this that please pls plz thanks thank thx ty hi "
    "hello hey dear cancel cancellation refund refunded money back return returns "
    "returned want wanted need where when why how what who which still not no yes never "
    "got get received arrived arrive delivered delivery parcel package shipping shipped "
    "tracking track wrong broken damaged missing item items size change changed address "
    "subscription account password login log invoice receipt help asap now today urgent "
    "status update payment charged twice card declined do does did can could would will "
    "have has had been am are was were be please sorry and or but of to for from with on "
    "in at by exchange replacement discount code price stop unsubscribe email "
)
# Swedish words that rule the English reading out (with and without å, ä, ö).
SWEDISH_WORDS = _words(
    "hej tack jag vill min mitt mina ni er inte och att är ar var när nar hur kan ha har "
    "fått fatt snälla snalla pengarna tillbaka avbryt avsluta beställning bestallning "
    "paket paketet ordern kommer hallå halla mvh ska skulle också ocksa "
)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float


def identify_language(text: str, *, market: str, identifier: Any) -> LanguageGuess:
    """The language of the text by `identifier` (a py3langid LanguageIdentifier of
    `LANGUAGES` with normalised probabilities: `language_model` or `load_language_model`)."""
    home = MARKET_LANGUAGE.get(market.upper(), "en")
    words = _WORD.findall(text)
    if not words:
        return LanguageGuess(home, 0.0)
    if is_plain_short_english(words):
        return LanguageGuess("en", SURE)
    # Lower case: the model's features are case-sensitive and read shouted English as Swedish.
    ranked = {language: float(p) for language, p in identifier.rank(text.lower())}
    scores = {
        language: p * (HOME_PRIOR if language == home else 1.0) for language, p in ranked.items()
    }
    best = max(scores, key=lambda language: scores[language])
    confidence = scores[best] / sum(scores.values())
    if len(words) <= SHORT_MESSAGE_WORDS and ranked[best] < SURE:
        return LanguageGuess(home, confidence if best == home else 0.5)
    return LanguageGuess("no" if best == "nn" else best, confidence)


def is_plain_short_english(words: list[str]) -> bool:
    """A short message of English support words and no Swedish one ("cancel pls")."""
    if len(words) > SHORT_ENGLISH_WORDS:
        return False
    lowered = [word.lower() for word in words]
    english = sum(word in ENGLISH_WORDS for word in lowered)
    swedish = any(word in SWEDISH_WORDS for word in lowered)
    return not swedish and english * 2 > len(lowered)


def language_model() -> LanguageIdentifier:
    """py3langid's own model, from its LZMA file, limited to `LANGUAGES`."""
    ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
    identifier = LanguageIdentifier(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row
    )
    identifier.set_languages(list(LANGUAGES))
    return identifier


def save_language_model(identifier: LanguageIdentifier, folder: Path) -> None:
    """The limited model's arrays, one uncompressed .npy file each, in a new folder: its
    state table (40 MB) is mapped from the file when loaded, not read."""
    folder.mkdir()
    arrays = {
        "ptc": np.asarray(identifier.nb_ptc),
        "pc": np.asarray(identifier.nb_pc),
        "classes": np.asarray(identifier.nb_classes),
        "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
        "row": np.frombuffer(identifier.tk_row, dtype=np.uint16),
        "output": np.asarray(identifier.tk_output, dtype=np.int32),
    }
    for name, values in arrays.items():
        np.save(folder / f"{name}.npy", values, allow_pickle=False)


def _mapped_state_table(path: Path) -> memoryview:
    """The 40 MB state table as unsigned ints straight from the file's pages (read as the
    walk needs them): a memory view indexes as fast as an array, and nothing is copied."""
    with path.open("rb") as file:
        major, _ = npy.read_magic(file)
        read_header = npy.read_array_header_1_0 if major == 1 else npy.read_array_header_2_0
        shape, _, dtype = read_header(file)
        if dtype != np.uint32 or len(shape) != 1:
            raise ValueError(f"{path}: not a table of uint32")
        offset = file.tell()
        pages = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(pages)[offset:].cast("I")


def load_language_model(folder: Path) -> LanguageIdentifier:
    """The model `save_language_model` wrote (reads as py3langid's own: a test holds it)."""

    def stored(name: str) -> Any:
        return np.load(folder / f"{name}.npy")

    identifier = LanguageIdentifier(
        stored("ptc"),
        stored("pc"),
        stored("classes").tolist(),
        _mapped_state_table(folder / "nextmove.npy"),
        stored("output").tolist(),
        norm_probs=True,
        tk_row=array("H", stored("row").tobytes()),
    )
    identifier.set_languages(list(LANGUAGES))
    return identifier
