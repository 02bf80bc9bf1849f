"""The shop reader's fits start from the built-in reader's intent model: each n-gram the
shop's vectoriser keeps starts at the built-in model's weight for it (0 for n-grams it never
saw), each class at its intercept. The built-in model saw only the corpus, never the shop's
rows, so a cross-validation fold learns nothing of its test rows from it; the optimiser
starts near the corpus's optimum and needs far fewer steps. Deterministic: the same start,
the same single-threaded fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from evenhand.understand.linear import CueBlock, LinearTextModel, TfidfBlock


def fit_features_from(
    pipeline: Pipeline,
    start: LinearTextModel,
    features: Any,
    labels: Sequence[str],
    weights: Sequence[float],
) -> None:
    """Fit the pipeline's classifier on `features`, those of its fitted FeatureUnion, starting
    from `start`."""
    union, model = pipeline.steps[0][1], pipeline.steps[-1][1]
    classes = sorted(set(labels))  # scikit-learn's order of the classes
    shown = [start.classes.index(c) if c in start.classes else -1 for c in classes]
    coef = np.zeros((len(classes), features.shape[1]), dtype=np.float64)
    for fold_columns, start_columns in _matched_columns(union, start):
        for row, at in enumerate(shown):
            if at >= 0:
                coef[row, fold_columns] = start.coef[start_columns, at]
    intercept = np.array([start.intercept[at] if at >= 0 else 0.0 for at in shown])
    model.set_params(warm_start=True)
    model.coef_, model.intercept_ = coef, intercept
    model.fit(features, list(labels), sample_weight=list(weights))


def _matched_columns(union: Any, start: LinearTextModel) -> list[tuple[Any, Any]]:
    """Per block, the union's columns and the start model's columns of the same features."""
    pairs, offset, start_offset = [], 0, 0
    for (_, transformer), block in zip(union.transformer_list, start.blocks, strict=True):
        vocabulary = getattr(transformer, "vocabulary_", None)
        if vocabulary is not None and isinstance(block, TfidfBlock):
            grams = list(vocabulary)
            ours = np.fromiter((vocabulary[g] for g in grams), dtype=np.int64, count=len(grams))
            theirs = np.array([block.vocabulary.get(g, -1) for g in grams], dtype=np.int64)
            kept = theirs >= 0
            pairs.append((offset + ours[kept], start_offset + theirs[kept]))
            offset += len(vocabulary)
        elif isinstance(block, CueBlock):
            pairs.append((offset + np.arange(block.width), start_offset + np.arange(block.width)))
            offset += block.width
        else:
            raise TypeError(f"the shop model's features do not match the built-in's: {block!r}")
        start_offset += block.width
    return pairs
