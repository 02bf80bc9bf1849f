"""The intent reader's knobs in one place, each with the evidence it was chosen on
(`evenhand intent-cv`: grouped 5-fold cross-validation on the training split only; the
model card and ADR 0002 give the figures), and the two computations they steer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from evenhand.domain.intents import REMEDY_INTENTS, Intent


@dataclass(frozen=True, slots=True)
class IntentKnobs:
    # Below this (calibrated) confidence the intent is `other`, and a person looks. The
    # setting `intent_threshold` overrides it.
    threshold: float = 0.2
    # An intent whose default rule gives money or goods away (`REMEDY_INTENTS`) needs this
    # much: below it the message goes to a person (`other`) too. Out-of-scope mail read as
    # a problem costs more than a problem looked at by a person.
    remedy_threshold: float = 0.5
    # The e5 model is asked when the n-gram model's best is below this...
    cascade_below: float = 0.7
    # ... and weighs this much in the blend.
    e5_weight: float = 0.6
    # The blend's probabilities are sharpened or softened by this temperature (p ** (1/T),
    # renormalised). Cross-validation fits 0.7 (the raw blend is less sure than it is right
    # on the training data's own kind of text); it stays at 1.0 so that the confidence errs
    # low on mail unlike the training data, where the reader is right less often.
    temperature: float = 1.0


def abstains(intent: Intent, confidence: float, knobs: IntentKnobs) -> bool:
    """Whether a reading this sure of this intent goes to `other` (a person) instead."""
    if intent is Intent.OTHER:
        return False
    needed = max(knobs.threshold, knobs.remedy_threshold if intent in REMEDY_INTENTS else 0.0)
    return confidence < needed


def cascade_blend(fast: Any, second: Any, knobs: IntentKnobs) -> tuple[Any, bool]:
    """The n-gram model's probabilities, blended with the e5 model's where the first is
    unsure; and whether the e5 model was asked. Both in the same class order."""
    if float(np.max(fast)) >= knobs.cascade_below:
        return fast, False
    return (1 - knobs.e5_weight) * fast + knobs.e5_weight * second, True


def calibrated(probabilities: Any, temperature: float) -> Any:
    """Probabilities under a temperature: p ** (1/T), renormalised (the order is kept)."""
    if temperature == 1.0:
        return probabilities
    scaled = np.power(np.maximum(probabilities, 1e-12), 1.0 / temperature)
    return scaled / scaled.sum()
