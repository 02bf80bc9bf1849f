"""The n-gram counts of the corpus and a shop's rows, counted once for all of `learn`'s fits.

`learn` fits the shop reader once per cross-validation fold and once more on every row, each
time on the whole training corpus and the rows it keeps. A vectoriser fitted on those texts
counts the corpus's n-grams again every time; here every distinct text is counted once, and
each fit's vectorisers are made from the counts of its own texts: the n-grams in at least
`min_df` of them, in the same order, with the idf of those texts. That is what fitting the
vectorisers on the texts gives, column for column and value for value
(tests/test_shop_counts.py checks it against such a fit), at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from evenhand.understand.features import CueCounts, cue_rows, ngram_features


class CountedTexts:
    """Every distinct text's cue counts and n-gram counts, for fits on any choice of them."""

    def __init__(self, texts: Sequence[str]) -> None:
        distinct = list(dict.fromkeys(texts))
        self._at = {text: at for at, text in enumerate(distinct)}
        self._cues = cue_rows(distinct)
        self._ngrams = [_counted(name, template, distinct) for name, template in ngram_features()]

    def fitted(self, texts: Sequence[str], *, min_df: int) -> tuple[FeatureUnion, Any]:
        """The feature union fitted on `texts` (each one counted here), and their features."""
        rows = [self._at[text] for text in texts]
        blocks: list[tuple[str, Any, Any]] = [("cues", CueCounts(), self._cues[rows])]
        for name, template, counts, terms in self._ngrams:
            vectoriser, features = _fitted_vectoriser(template, counts[rows], terms, min_df)
            blocks.append((name, vectoriser, features))
        union = FeatureUnion([(name, transformer) for name, transformer, _ in blocks])
        return union, sparse.hstack([features for _, _, features in blocks]).tocsr()


def _counted(name: str, template: TfidfVectorizer, texts: Sequence[str]) -> Any:
    """The texts' raw counts as the vectoriser counts them (every n-gram, sorted)."""
    counter = CountVectorizer(
        analyzer=template.analyzer,
        ngram_range=template.ngram_range,
        token_pattern=template.token_pattern,
        lowercase=template.lowercase,
        dtype=template.dtype,
    )
    counts = counter.fit_transform(texts)
    return name, template, counts.tocsr(), counter.get_feature_names_out()


def _fitted_vectoriser(
    template: TfidfVectorizer, counts: Any, terms: Any, min_df: int
) -> tuple[TfidfVectorizer, Any]:
    """A tf-idf vectoriser as fitting `template` (with `min_df`) on the counted texts leaves
    it, and the texts' features: scikit-learn's own steps on the same counts."""
    in_texts = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero(in_texts >= min_df)
    counts = counts[:, kept]
    vectoriser = clone(template).set_params(min_df=min_df)
    vectoriser.vocabulary_ = dict(zip(terms[kept].tolist(), np.arange(len(kept)), strict=True))
    vectoriser.fixed_vocabulary_ = False
    weighting = TfidfTransformer(
        norm=template.norm,
        use_idf=template.use_idf,
        smooth_idf=template.smooth_idf,
        sublinear_tf=template.sublinear_tf,
    )
    vectoriser._tfidf = weighting.fit(counts)
    return vectoriser, weighting.transform(counts, copy=False)
