"""The embedded default reader: offline, deterministic, a few milliseconds a message."""

from __future__ import annotations

from evenhand.understand.clean import clean_message
from evenhand.understand.embedding_model import embedding_intent_model
from evenhand.understand.intent_model import (
    Approach,
    IntentModel,
    default_intent_model,
    without_sentences,
)
from evenhand.understand.language import identify_language
from evenhand.understand.model import Intent, Message, Understanding
from evenhand.understand.signals import read_signals

# Below this confidence the intent is `other`, and a human looks (chosen by cross-validation
# on the training split: macro-F1 0.896 at 0.2, 0.862 at 0.5).
DEFAULT_THRESHOLD = 0.2
# The e5 model is asked when the fast model's best is below this, and weighs this much
# (both chosen by cross-validation on the training split: macro-F1 0.929 against 0.896).
CASCADE_BELOW = 0.7
E5_WEIGHT = 0.5


class EmbeddedReader:
    """Language by py3langid; threat signals by lexicon, then a sentence model; intent by an
    n-gram model, with e5 embeddings as a second opinion where it is unsure (the cascade)."""

    def __init__(
        self,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        model: IntentModel | None = None,
        approach: Approach = Approach.CASCADE_E5,
    ) -> None:
        self.threshold = threshold
        self.approach = approach
        first_stage = Approach.CHAR_WORD_LOGISTIC if approach is Approach.CASCADE_E5 else approach
        self.model = model or default_intent_model(first_stage)

    def _rank(self, text: str) -> list[tuple[Intent, float]]:
        """The fast model's ranking; where it is unsure, blended with the e5 model's."""
        ranked = self.model.rank(text)
        if self.approach is not Approach.CASCADE_E5 or ranked[0][1] >= CASCADE_BELOW:
            return ranked
        second_opinion = embedding_intent_model().probabilities(text)
        blended = {
            intent: (1 - E5_WEIGHT) * p + E5_WEIGHT * second_opinion.get(intent, 0.0)
            for intent, p in ranked
        }
        return sorted(blended.items(), key=lambda pair: -pair[1])

    def read(self, message: Message) -> Understanding:
        text = clean_message(message.body, message.subject)
        language = identify_language(text, market=message.market)
        signals = read_signals(text)
        ranked = self._rank(without_sentences(text, signals.threat_sentences))
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
            signals=signals.signals,
        )
