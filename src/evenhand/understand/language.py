"""Which language a message is in: py3langid limited to the Nordic languages and English,
with the shop's market as a prior (Swedish and Norwegian are close at a few words) and
as the answer for messages of one or two words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("sv", "en", "no", "nn", "da", "fi", "is")
MARKET_LANGUAGE = {"SE": "sv", "NO": "no", "DK": "da", "FI": "fi", "IS": "is"}
# How much more likely the market's own language is taken to be, before the text is read.
HOME_PRIOR = 3.0
# Up to this many words, a guess below SURE gives way to the market's language.
SHORT_MESSAGE_WORDS = 2
SURE = 0.95
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """The model ships inside py3langid; it is loaded once, on first use (~0.5 s)."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def identify_language(text: str, *, market: str) -> LanguageGuess:
    home = MARKET_LANGUAGE.get(market.upper(), "en")
    words = _WORD.findall(text)
    if not words:
        return LanguageGuess(home, 0.0)
    # Lower case: the model's features are case-sensitive and read shouted English as Swedish.
    ranked = {language: float(p) for language, p in _identifier().rank(text.lower())}
    scores = {
        language: p * (HOME_PRIOR if language == home else 1.0) for language, p in ranked.items()
    }
    best = max(scores, key=lambda language: scores[language])
    confidence = scores[best] / sum(scores.values())
    if len(words) <= SHORT_MESSAGE_WORDS and ranked[best] < SURE:
        return LanguageGuess(home, confidence if best == home else 0.5)
    return LanguageGuess("no" if best == "nn" else best, confidence)
