"""Text features shared by the intent and signal models."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


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


@contextmanager
def predicting() -> Iterator[None]:
    """scikit-learn without its per-call checks of parameters and finite inputs, for the
    trained models' predictions (their inputs are strings and e5 embeddings): the same
    probabilities, about 0.6 ms less a message on one core."""
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        yield


@dataclass(frozen=True, slots=True)
class _TfidfBlock:
    """A fitted TfidfVectorizer's transform, without scikit-learn's per-call checks."""

    analyse: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: Any
    sublinear: bool

    @property
    def width(self) -> int:
        return len(self.vocabulary)

    def transform(self, texts: Sequence[str]) -> Any:
        indptr, columns, values = [0], list[int](), list[int]()
        for text in texts:
            counts: dict[int, int] = {}
            for feature in self.analyse(text):
                column = self.vocabulary.get(feature)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            columns.extend(counts)
            values.extend(counts.values())
            indptr.append(len(columns))
        data = np.asarray(values, dtype=np.float64)
        if self.sublinear:
            data = np.log(data) + 1.0
        matrix = sparse.csr_matrix(
            (data, np.asarray(columns, dtype=np.int64), indptr), shape=(len(texts), self.width)
        )
        matrix.data *= self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0.0] = 1.0
        return sparse.diags(1.0 / norms) @ matrix


class LinearTextModel:
    """`predict_proba` of a fitted Pipeline (a FeatureUnion of text features, then a
    multinomial LogisticRegression) computed directly: the same probabilities without
    scikit-learn's per-call validation, which costs more than the arithmetic for one
    message (a test holds the two equal)."""

    def __init__(self, union: FeatureUnion, model: LogisticRegression) -> None:
        self.classes_ = model.classes_
        self.blocks = [_block(transformer) for _, transformer in union.transformer_list]
        self.coef, self.intercept = model.coef_.T, model.intercept_

    def predict_proba(self, texts: Sequence[str]) -> Any:
        decision = np.tile(self.intercept, (len(texts), 1))
        start = 0
        for block in self.blocks:
            width = block.width
            decision += block.transform(texts) @ self.coef[start : start + width]
            start += width
        decision -= decision.max(axis=1, keepdims=True)
        exp = np.exp(decision)
        return exp / exp.sum(axis=1, keepdims=True)


def direct(pipeline: Pipeline) -> Any:
    """A fitted pipeline as a `LinearTextModel` where its shape allows (tf-idf with l2 norms
    or our own transformers, unweighted, and more than two classes), else as it is."""
    union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    if (
        len(pipeline.steps) != 2
        or not isinstance(union, FeatureUnion)
        or not isinstance(model, LogisticRegression)
        or union.transformer_weights
        or len(model.classes_) <= 2
        or not all(_supported(transformer) for _, transformer in union.transformer_list)
    ):
        return pipeline
    return LinearTextModel(union, model)


def _supported(transformer: Any) -> bool:
    if isinstance(transformer, TfidfVectorizer):
        return transformer.norm == "l2" and bool(transformer.use_idf)
    return hasattr(transformer, "width")


def _block(transformer: Any) -> Any:
    if isinstance(transformer, TfidfVectorizer):
        return _TfidfBlock(
            analyse=transformer.build_analyzer(),
            vocabulary=transformer.vocabulary_,
            idf=transformer.idf_,
            sublinear=transformer.sublinear_tf,
        )
    return transformer  # one of ours: has `width` and `transform`
