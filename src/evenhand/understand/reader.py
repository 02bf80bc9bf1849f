"""The embedded default reader: offline, deterministic, a few milliseconds a message."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import StrEnum

import numpy as np

from evenhand.understand.approach import Approach
from evenhand.understand.artefact import ReaderModels
from evenhand.understand.clean import clean_message
from evenhand.understand.intent_model import IntentModel, without_sentences
from evenhand.understand.knobs import (
    IntentKnobs,
    abstains,
    calibrated,
    cascade_blend,
    e5_excerpt,
    no_problem_share,
)
from evenhand.understand.language import identify_language
from evenhand.understand.model import Intent, Message, Signal, Understanding
from evenhand.understand.signals import SignalReading, read_signals_many

DEFAULT_KNOBS = IntentKnobs()
DEFAULT_THRESHOLD = DEFAULT_KNOBS.threshold


class IntentSource(StrEnum):
    """Which stage decided a message's intent (shown in the decision's explanation)."""

    NGRAM = "ngram"  # the n-gram model was sure enough alone
    CASCADE_E5 = "cascade-e5"  # blended with the e5 model's second opinion
    THRESHOLD_OTHER = "threshold->other"  # below the threshold: `other`, a person looks
    UNKNOWN_WORDS_OTHER = "unknown-words->other"  # few words the model knows: `other`


class EmbeddedReader:
    """Language by py3langid; threat signals by lexicon, then a sentence model; intent by an
    n-gram model, with e5 embeddings as a second opinion where it is unsure (the cascade).
    The models are the built artefact's (`artefact.load`), or a cross-validation fold's."""

    def __init__(
        self,
        models: ReaderModels,
        *,
        threshold: float | None = None,
        approach: Approach = Approach.CASCADE_E5,
        intent_model: IntentModel | None = None,
        knobs: IntentKnobs = DEFAULT_KNOBS,
        name: str = "built-in",
        second_opinion_in: Mapping[Intent, Intent] | None = None,
    ) -> None:
        """`threshold` overrides the knobs' (the setting `intent_threshold`);
        `intent_model`: another first stage than the artefact's (the naive Bayes baseline of
        `eval --compare`); `name`: what each reading records as its reader;
        `second_opinion_in`: a shop reader's scheme, in which the built-in e5 second opinion's
        intents are read (`shop_scheme`)."""
        self.name = name
        self.second_opinion_in = second_opinion_in or {}
        self.models = replace(models, intent=intent_model) if intent_model else models
        self.knobs = knobs if threshold is None else replace(knobs, threshold=threshold)
        self.threshold = self.knobs.threshold
        self.approach = approach

    def _rank_many(self, texts: list[str]) -> list[tuple[list[tuple[Intent, float]], bool]]:
        """Each text's intents by (calibrated) probability, and whether the e5 model was
        asked: the fast model's ranking where it is sure, blended with e5's where not."""
        rankings = self.models.intent.rank_many(texts)
        if self.approach is not Approach.CASCADE_E5:
            return [(ranked, False) for ranked in rankings]
        unsure = [i for i, r in enumerate(rankings) if r[0][1] < self.knobs.cascade_below]
        opinions = dict(
            zip(
                unsure,
                self.models.second_opinion.probabilities_many(
                    [e5_excerpt(texts[i], self.knobs.e5_max_words) for i in unsure]
                ),
                strict=True,
            )
        )
        return [self._blended(ranked, opinions.get(i)) for i, ranked in enumerate(rankings)]

    def _blended(
        self, ranked: list[tuple[Intent, float]], second: dict[Intent, float] | None
    ) -> tuple[list[tuple[Intent, float]], bool]:
        intents = [intent for intent, _ in ranked]
        fast = np.array([p for _, p in ranked])
        if second and self.second_opinion_in:
            second = _folded(second, self.second_opinion_in)
        other = np.array([second.get(i, 0.0) for i in intents]) if second else fast
        blended, asked = cascade_blend(fast, other, self.knobs)
        probabilities = calibrated(blended, self.knobs.temperature)
        pairs = sorted(zip(intents, probabilities.tolist(), strict=True), key=lambda p: -p[1])
        return pairs, asked

    def read(self, message: Message) -> Understanding:
        return self.read_many([message])[0]

    def signals(self, texts: Sequence[str]) -> list[SignalReading]:
        """The threat signals of cleaned texts, and the sentences that show them."""
        return read_signals_many(texts, models=self.models.signals)

    def read_many(self, messages: Sequence[Message]) -> list[Understanding]:
        """Many messages at once: each model is asked once for all of them, which costs far
        less per message than one by one; the readings are the same."""
        return [reading for reading, _ in self.read_many_with_texts(messages)]

    def read_many_with_texts(self, messages: Sequence[Message]) -> list[tuple[Understanding, str]]:
        """Each message's reading and the text its intent was read from (cleaned, without
        its threat sentences): what the LLM reader sends for a second opinion."""
        texts = [clean_message(message.body, message.subject) for message in messages]
        signals = self.signals(texts)
        intent_texts = [
            without_sentences(t, s.threat_sentences) for t, s in zip(texts, signals, strict=True)
        ]
        rankings = self._rank_many(intent_texts)
        return [
            (self._understanding(text, ranked, signals=found.signals, market=m.market), shown)
            for text, ranked, found, m, shown in zip(
                texts, rankings, signals, messages, intent_texts, strict=True
            )
        ]

    def _novel(self, text: str) -> bool:
        """Whether too few of the text's words were ever seen in training."""
        share = getattr(self.models.intent.classifier, "known_word_share", None)
        return share is not None and share(text) < self.knobs.novel_below

    def intent_text(self, body: str, subject: str | None = None) -> str:
        """What the intent models read: the cleaned message without its threat sentences."""
        text = clean_message(body, subject)
        return without_sentences(text, self.signals([text])[0].threat_sentences)

    def _understanding(
        self,
        text: str,
        ranked_and_asked: tuple[list[tuple[Intent, float]], bool],
        *,
        signals: tuple[Signal, ...],
        market: str,
    ) -> Understanding:
        language = identify_language(text, market=market, identifier=self.models.language)
        ranked, asked = ranked_and_asked
        (best, confidence), (second, second_confidence) = ranked[:2]
        source = IntentSource.CASCADE_E5 if asked else IntentSource.NGRAM
        if abstains(best, confidence, self.knobs, no_problem=no_problem_share(ranked)):
            best, second, second_confidence = Intent.OTHER, best, confidence
            source = IntentSource.THRESHOLD_OTHER
        elif best is not Intent.OTHER and self._novel(text):
            best, second, second_confidence = Intent.OTHER, best, confidence
            source = IntentSource.UNKNOWN_WORDS_OTHER
        return Understanding(
            language=language.code,
            language_confidence=language.confidence,
            intent=best,
            confidence=confidence,
            runner_up=second,
            runner_up_confidence=second_confidence,
            signals=signals,
            intent_source=source.value,
            reader=self.name,
        )


def _folded(second: dict[Intent, float], scheme: Mapping[Intent, Intent]) -> dict[Intent, float]:
    """The second opinion with each intent's probability on what the scheme reads it as."""
    folded: dict[Intent, float] = {}
    for intent, probability in second.items():
        label = scheme.get(intent, intent)
        folded[label] = folded.get(label, 0.0) + probability
    return folded
