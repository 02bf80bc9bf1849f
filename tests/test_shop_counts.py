"""The shop reader's fits made from counts counted once: the same vectorisers and features as
fitting them on the fit's own texts."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import FeatureUnion

from evenhand.understand.corpus import load_corpus
from evenhand.understand.features import CueCounts, ngram_features
from evenhand.understand.shop_counts import CountedTexts


def _fitted_on(texts: list[str], *, min_df: int) -> FeatureUnion:
    union = FeatureUnion([("cues", CueCounts()), *ngram_features()])
    union.set_params(chars__min_df=min_df, words__min_df=min_df)
    union.fit(texts)
    return union


def test_a_fit_from_counted_texts_is_the_fit_on_its_own_texts() -> None:
    # Given corpus texts counted once, and a fit on some of them, a few twice
    texts = [example.body for example in load_corpus()[:1200]]
    counted = CountedTexts(texts)
    chosen = texts[::3] + texts[:40]
    # When the fit's vectorisers are made from the counts, and fitted on its texts as usual
    union, features = counted.fitted(chosen, min_df=2)
    usual = _fitted_on(chosen, min_df=2)
    # Then they keep the same n-grams in the same order with the same idf, and give the same
    # features, to the fit's texts and to texts they never saw
    for (name, made), (_, fitted) in zip(
        union.transformer_list, usual.transformer_list, strict=True
    ):
        if name != "cues":
            assert made.vocabulary_ == fitted.vocabulary_
            assert np.array_equal(made.idf_, fitted.idf_)
    assert features.shape == usual.transform(chosen).shape
    assert np.allclose(features.toarray(), usual.transform(chosen).toarray(), rtol=0, atol=1e-12)
    unseen = ["Where is my parcel? It was due on Monday.", "Kan jag byta storlek på tröjan?"]
    assert np.array_equal(union.transform(unseen).toarray(), usual.transform(unseen).toarray())


def test_an_ngram_in_fewer_of_the_fits_texts_than_min_df_is_left_out() -> None:
    # Given texts where "zebra" is in two texts and "okapi" in one
    texts = ["a zebra came", "the zebra left", "the okapi stayed", "the end"]
    counted = CountedTexts(texts)
    # When a fit keeps only the n-grams in at least two of its texts
    union, _ = counted.fitted(texts, min_df=2)
    words = dict(union.transformer_list)["words"]
    # Then the zebra is a feature and the okapi is not; left out of the fit, the zebra goes too
    assert "zebra" in words.vocabulary_ and "okapi" not in words.vocabulary_
    alone, _ = counted.fitted(texts[1:], min_df=2)
    assert "zebra" not in dict(alone.transformer_list)["words"].vocabulary_
