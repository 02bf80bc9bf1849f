"""Training-time text features (scikit-learn), and the fitted models turned into the plain
form they run in (`linear`). Only `evenhand reader build` and the cross-validations import
this module: a reader loaded from its artefact needs no scikit-learn."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from evenhand.understand.cues import FAMILIES, cue_counts
from evenhand.understand.linear import (
    Analyser,
    CueBlock,
    FeatureBlock,
    LinearModel,
    LinearTextModel,
    TfidfBlock,
)

CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
WORD_TOKENS = r"(?u)\b\w+\b"


def ngram_features() -> list[tuple[str, Any]]:
    """Character n-grams (compounds, inflections, typos) and word n-grams (phrases)."""
    return [
        (
            "chars",
            TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True),
        ),
        (
            "words",
            TfidfVectorizer(
                analyzer="word",
                ngram_range=WORD_NGRAMS,
                sublinear_tf=True,
                token_pattern=WORD_TOKENS,
            ),
        ),
    ]


class CueCounts:
    """A scikit-learn transformer: one column per cue family (`cues.cue_counts`)."""

    width = len(FAMILIES)

    def fit(self, texts: Iterable[str], labels: Any = None) -> CueCounts:
        return self

    def transform(self, texts: Iterable[str]) -> Any:
        return cue_rows(texts)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {}

    def set_params(self, **params: Any) -> CueCounts:
        return self


def cue_rows(texts: Iterable[str]) -> Any:
    """The texts' cue counts, one row each."""
    return sparse.csr_matrix(np.asarray([_cue_row(text) for text in texts], dtype=float))


@lru_cache(maxsize=1 << 16)
def _cue_row(text: str) -> tuple[float, ...]:
    """A text's cue counts, counted once for every fit that has it: `learn` fits the shop
    reader once per fold and once more on every row, each time on the whole corpus."""
    return tuple(cue_counts(text))


def linear_text_model(pipeline: Pipeline) -> LinearTextModel:
    """A fitted Pipeline (a FeatureUnion of tf-idf vectorisers and cue counts, then a
    multinomial LogisticRegression) in its plain form."""
    union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    if not isinstance(union, FeatureUnion) or len(pipeline.steps) != 2:
        raise TypeError("expected a pipeline of a FeatureUnion and a classifier")
    blocks = tuple(_block(transformer) for _, transformer in union.transformer_list)
    linear = linear_model(model)
    return LinearTextModel(
        blocks=blocks,
        coef=np.ascontiguousarray(linear.coef.T, dtype=np.float64),
        intercept=np.asarray(linear.intercept, dtype=np.float64),
        classes=linear.classes,
    )


def linear_model(model: LogisticRegression) -> LinearModel:
    """A fitted multinomial LogisticRegression (more than two classes) in its plain form."""
    if not isinstance(model, LogisticRegression) or len(model.classes_) <= 2:
        raise TypeError("expected a multinomial LogisticRegression")
    return LinearModel(
        coef=np.array(model.coef_),
        intercept=np.array(model.intercept_),
        classes=tuple(str(label) for label in model.classes_),
    )


def _block(transformer: Any) -> FeatureBlock:
    if isinstance(transformer, CueCounts):
        return CueBlock(width=transformer.width)
    if not isinstance(transformer, TfidfVectorizer) or not _plain(transformer):
        raise TypeError(f"no plain form for {transformer!r}")
    return TfidfBlock(
        analyser=Analyser(
            kind=transformer.analyzer,
            ngram_range=tuple(transformer.ngram_range),
            token_pattern=transformer.token_pattern,
        ),
        vocabulary=dict(transformer.vocabulary_),
        idf=np.asarray(transformer.idf_, dtype=np.float64),
        sublinear=bool(transformer.sublinear_tf),
    )


def _plain(vectoriser: TfidfVectorizer) -> bool:
    """Settings the plain analysers reproduce: lower case, no accents stripped, no stop words
    or custom callables, counts (not binary) weighted by idf and l2-normed."""
    return (
        vectoriser.analyzer in {"char_wb", "word"}
        and vectoriser.lowercase
        and vectoriser.strip_accents is None
        and vectoriser.stop_words is None
        and vectoriser.preprocessor is None
        and vectoriser.tokenizer is None
        and not vectoriser.binary
        and vectoriser.use_idf
        and vectoriser.norm == "l2"
    )
