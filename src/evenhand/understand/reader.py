"""The embedded default reader: offline, deterministic, a few milliseconds a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.clean import clean_message
from evenhand.understand.intent_model import IntentModel, without_sentences
from evenhand.understand.language import identify_language
from evenhand.understand.model import Intent, Message, Signal, Understanding
from evenhand.understand.signals import SignalReading, read_signals_many

# Below this confidence the intent is `other`, and a human looks (chosen by cross-validation
# on the training split: macro-F1 0.896 at 0.2, 0.862 at 0.5; re-checked 2026-11-24 with the
# grouped 5-fold CV below: 0.933 from 0.0 to 0.2, 0.925 at 0.3, 0.909 at 0.4).
DEFAULT_THRESHOLD = 0.2
# The e5 model is asked when the fast model's best is below this (about one message in five),
# and weighs this much. 5-fold cross-validation on the training split, grouped by seed
# (2026-11-24, 2,000 messages): macro-F1 0.887 for the fast model alone, 0.930 at 0.7 and
# 0.5, 0.933 here, 0.936 at 0.8, 0.941 at 0.9 (e5 for 31 % of messages). Each e5 embedding
# of a message costs ~35 ms on one core: asking it below 0.9 halved `bench/triage.py`
# (444 to 231 tickets/s) for +0.008, so the cut stays at 0.7.
CASCADE_BELOW = 0.7
E5_WEIGHT = 0.6


class EmbeddedReader:
    """Language by py3langid; threat signals by lexicon, then a sentence model; intent by an
    n-gram model, with e5 embeddings as a second opinion where it is unsure (the cascade).
    The models are the built artefact's (`artefact.load`), or a cross-validation fold's."""

    def __init__(
        self,
        models: ReaderModels,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        approach: Approach = Approach.CASCADE_E5,
        intent_model: IntentModel | None = None,
    ) -> None:
        """`intent_model`: another first stage than the artefact's (the naive Bayes
        baseline of `eval --compare`)."""
        self.models = replace(models, intent=intent_model) if intent_model else models
        self.threshold = threshold
        self.approach = approach

    def _rank_many(self, texts: list[str]) -> list[list[tuple[Intent, float]]]:
        """The fast model's rankings; where it is unsure, blended with the e5 model's."""
        rankings = self.models.intent.rank_many(texts)
        if self.approach is not Approach.CASCADE_E5:
            return rankings
        unsure = [i for i, ranked in enumerate(rankings) if ranked[0][1] < CASCADE_BELOW]
        opinions = self.models.second_opinion.probabilities_many([texts[i] for i in unsure])
        for i, second_opinion in zip(unsure, opinions, strict=True):
            blended = {
                intent: (1 - E5_WEIGHT) * p + E5_WEIGHT * second_opinion.get(intent, 0.0)
                for intent, p in rankings[i]
            }
            rankings[i] = sorted(blended.items(), key=lambda pair: -pair[1])
        return rankings

    def read(self, message: Message) -> Understanding:
        return self.read_many([message])[0]

    def signals(self, texts: Sequence[str]) -> list[SignalReading]:
        """The threat signals of cleaned texts, and the sentences that show them."""
        return read_signals_many(texts, models=self.models.signals)

    def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
        """Many messages at once: each model is asked once for all of them, which costs far
        less per message than one by one; the readings are the same."""
        texts = [clean_message(message.body, message.subject) for message in messages]
        signals = self.signals(texts)
        rankings = self._rank_many(
            [without_sentences(t, s.threat_sentences) for t, s in zip(texts, signals, strict=True)]
        )
        return [
            self._understanding(text, ranked, signals=found.signals, market=message.market)
            for text, ranked, found, message in zip(texts, rankings, signals, messages, strict=True)
        ]

    def intent_text(self, body: str, subject: str | None = None) -> str:
        """What the intent models read: the cleaned message without its threat sentences."""
        text = clean_message(body, subject)
        return without_sentences(text, self.signals([text])[0].threat_sentences)

    def _understanding(
        self,
        text: str,
        ranked: list[tuple[Intent, float]],
        *,
        signals: tuple[Signal, ...],
        market: str,
    ) -> Understanding:
        language = identify_language(text, market=market, identifier=self.models.language)
        (best, confidence), (second, second_confidence) = ranked[:2]
        if confidence < self.threshold and best is not Intent.OTHER:
            best, second, second_confidence = Intent.OTHER, best, confidence
        return Understanding(
            language=language.code,
            language_confidence=language.confidence,
            intent=best,
            confidence=confidence,
            runner_up=second,
            runner_up_confidence=second_confidence,
            signals=signals,
        )
