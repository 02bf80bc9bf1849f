"""The intent models `evenhand eval --compare` sets side by side (a light module: the CLI's
options name them)."""

from __future__ import annotations

from enum import StrEnum


class Approach(StrEnum):
    CASCADE_E5 = "char_word_then_e5"  # the n-gram model, and e5 embeddings where it is unsure
    CHAR_WORD_LOGISTIC = "char_word_logistic"
    WORD_NAIVE_BAYES = "word_naive_bayes"
