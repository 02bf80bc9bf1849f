"""The reader's tuned numbers in one place, each with the one-line reason it has its value.

How each was chosen (the cross-validations and their dates) is in git's history and the model
card; a change here changes the built reader's behaviour, so `make test` re-checks the floors.
Fields are sorted by name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Knobs:
    # The e5 signal classifier's regularisation: 5-fold CV, every signal's recall and precision
    # rose 0.01-0.09 over C=10 with the lexicon off.
    signal_e5_c: float = 100.0
    # The e5 classifier's share of the topical blend (the rest is the n-gram one's): the same CV.
    signal_e5_share: float = 0.5
    # A lexicon review threat becomes extortion when the topical model is this sure of an offer:
    # extortion recall 0.997 at 0.7 against 0.993 at 0.8, precision the same; lower costs both.
    signal_extortion_over_threat: float = 0.7
    # The n-gram signal classifier's regularisation: recall +0.01-0.02 at 30 against 10,
    # precision within 0.005.
    signal_ngram_c: float = 30.0
    # How sure the topical model must be of a signal in a sentence naming a review or a bank
    # that the lexicon left undecided: the cut of the 5-fold CV on the training sentences.
    signal_topical_threshold: float = 0.5


KNOBS = Knobs()
