"""Text features shared by the intent and signal models."""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer


def ngram_features() -> list[tuple[str, Any]]:
    """Character n-grams (compounds, inflections, typos) and word n-grams (phrases)."""
    return [
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        (
            "words",
            TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
            ),
        ),
    ]
