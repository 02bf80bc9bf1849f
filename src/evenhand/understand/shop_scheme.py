"""A shop's own scheme: the intents its labels give (those its mapping names), and how the
built-in corpus's other intents are trained for it.

Shops tag in their own lines, often coarser than Evenhand's intents: one label for everything
about delivery, one for every problem with a received product. Trained on the corpus as it
is, a shop reader pulls such messages back to intents the shop never uses (a wrong item where
the shop's agents say "damaged item"). So each intent outside the shop's scheme is read in
it, from the shop's own rows: the rows the built-in n-gram model reads as that intent show
which of the shop's labels its agents give such messages; when that is clear, the corpus's
examples of the intent train as that label. When it is not, an intent whose remedy gives
money or goods away is left out (the shop's labels never give it), and any other intent
stays, so mail the shop's labels leave out still finds a person. A question never trains as
a remedy: an intent with no remedy whose rows a shop tags under a label that has one ("when
is my next box?" under everything about the subscription, mapped to cancelling it) stays as
it is, so the shop reader reads no more remedies into questions than the built-in one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from evenhand.domain.intents import REMEDY_INTENTS
from evenhand.understand.clean import clean_message
from evenhand.understand.linear import LinearTextModel
from evenhand.understand.model import Intent
from evenhand.understand.shop_data import ShopRow

# The rows the built-in model must read as an intent outside the scheme, and the share of
# them one of the shop's labels must carry, for the corpus's examples to train as that label.
LEAST_ROWS = 3
CLEAR_SHARE = 2 / 3


@dataclass(frozen=True, slots=True)
class SchemeReading:
    """How the corpus's examples are trained for one shop."""

    relabelled: dict[str, str] = field(default_factory=dict)  # intent -> the shop's intent
    left_out: frozenset[str] = frozenset()  # remedy intents the shop's labels never give

    def label(self, intent: str) -> str | None:
        """What a corpus example of `intent` trains as; None: it is left out."""
        return None if intent in self.left_out else self.relabelled.get(intent, intent)

    def as_json(self) -> dict[str, object]:
        return {
            "relabelled": dict(sorted(self.relabelled.items())),
            "left_out": sorted(self.left_out),
        }


EVENHAND_SCHEME = SchemeReading()  # the shop took Evenhand's intents: the corpus as it is


def scheme_reading(
    scheme: frozenset[Intent] | None, gold: Sequence[str], read_as: Sequence[str]
) -> SchemeReading:
    """The reading of each intent outside `scheme` (the intents the shop's mapping names;
    None: the shop took Evenhand's whole scheme) from the rows' intents (`gold`) and the
    built-in model's readings of the same rows (`read_as`)."""
    if scheme is None:
        return EVENHAND_SCHEME
    known = {intent.value for intent in scheme} | set(gold) | {Intent.OTHER.value}
    relabelled: dict[str, str] = {}
    left_out: set[str] = set()
    for intent in (i for i in Intent if i.value not in known):
        carried = Counter(g for g, read in zip(gold, read_as, strict=True) if read == intent.value)
        label, count = carried.most_common(1)[0] if carried else ("", 0)
        clear = count >= LEAST_ROWS and count >= CLEAR_SHARE * sum(carried.values())
        if clear and (intent in REMEDY_INTENTS or Intent(label) not in REMEDY_INTENTS):
            relabelled[intent.value] = label
        elif intent in REMEDY_INTENTS:
            left_out.add(intent.value)
    return SchemeReading(relabelled, frozenset(left_out))


def built_in_readings(model: LinearTextModel | None, rows: Sequence[ShopRow]) -> list[str]:
    """The built-in n-gram model's likeliest intent for each row (no e5: a few milliseconds
    a hundred rows); none without a linear model."""
    if model is None or not rows:
        return [""] * len(rows)
    probabilities = model.predict_proba([clean_message(row.text, row.subject) for row in rows])
    return [model.classes[int(at)] for at in probabilities.argmax(axis=1)]


def read_in_scheme(
    scheme: frozenset[Intent] | None, rows: Sequence[ShopRow], model: LinearTextModel | None
) -> SchemeReading:
    """`scheme_reading` of the rows, as the built-in n-gram model `model` reads them."""
    if scheme is None:
        return EVENHAND_SCHEME
    return scheme_reading(
        scheme, [row.intent.value for row in rows], built_in_readings(model, rows)
    )
