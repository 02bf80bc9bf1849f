"""The plain model a shop reader is measured against: TF-IDF of words and of characters and
a logistic regression with scikit-learn's defaults, trained on the shop's rows alone, no
tuning, no corpus, no cues. Issue 23's target: the shop reader comes within 0.03 macro-F1 of
it on a shop's own data. `learn` cross-validates it on the same folds as the readers."""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from evenhand.understand.shop_data import ShopRow


def _text(row: ShopRow) -> str:
    return f"{row.subject}\n{row.text}" if row.subject else row.text


def baseline_pipeline() -> Pipeline:
    """Word and character TF-IDF (sublinear), then a logistic regression."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(max_iter=1000))])


def baseline_readings(kept: Sequence[ShopRow], tested: Sequence[ShopRow]) -> list[str]:
    """The intents the plain model trained on `kept` reads in `tested` (one intent in
    `kept`: that intent for every row)."""
    labels = [row.intent.value for row in kept]
    if len(set(labels)) < 2:
        return [labels[0]] * len(tested) if labels else ["other"] * len(tested)
    pipeline = baseline_pipeline()
    pipeline.fit([_text(row) for row in kept], labels)
    return [str(label) for label in pipeline.predict([_text(row) for row in tested])]
