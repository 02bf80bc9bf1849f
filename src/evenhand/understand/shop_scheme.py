"""A shop's own scheme: the intents its labels give (those its mapping names), and how the
built-in corpus's other intents are trained for it.

Shops tag in their own lines, often coarser than Evenhand's intents: one label for everything
about delivery, one for every problem with a received product. Trained on the corpus as it
is, a shop reader pulls such messages back to intents the shop never uses (a wrong item where
the shop's agents say "damaged item"). So each intent outside the shop's scheme is read in
it, from the shop's own rows: the rows the built-in n-gram model reads as that intent show
which of the shop's labels its agents give such messages. When one label clearly does, the
corpus's examples of the intent train as that label, unless that could move money or goods
where the default guide would not: a label whose rule moves money or goods
(`MONEY_INTENTS`) takes only an intent of its own kind (one of our mistakes for another).
Every other intent stays as it is, read as the built-in reader reads it (and given its own
rule). So reading the shop's scheme never trains a kind of message into a remedy the
built-in reader would not give it; the shop's own labelled rows still teach what they say.

A shop reader's e5 second opinion is the built-in one, over Evenhand's intents; it is read in
the same scheme (`SchemeReading.folded`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from evenhand.domain.intents import MONEY_INTENTS, OUR_MISTAKE_INTENTS
from evenhand.understand.clean import clean_message
from evenhand.understand.linear import LinearTextModel
from evenhand.understand.model import Intent
from evenhand.understand.shop_data import ShopRow

# An intent outside the scheme trains as a label of the shop's when at least this many of the
# rows the built-in model reads as it carry that label, and they are at least this share.
LEAST_ROWS = 3
CLEAR_SHARE = 2 / 3


@dataclass(frozen=True, slots=True)
class SchemeReading:
    """How the corpus's examples are trained for one shop: each intent named here trains as
    the shop's label it maps to; the others as they are."""

    relabelled: dict[str, str] = field(default_factory=dict)

    def label(self, intent: str) -> str:
        """What a corpus example of `intent` trains as."""
        return self.relabelled.get(intent, intent)

    def folded(self) -> Mapping[Intent, Intent]:
        """The same, for the built-in second opinion's intents."""
        return {Intent(intent): Intent(label) for intent, label in self.relabelled.items()}

    def as_json(self) -> dict[str, object]:
        return {"relabelled": dict(sorted(self.relabelled.items()))}


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
    for intent in (i for i in Intent if i.value not in known):
        carried = Counter(g for g, read in zip(gold, read_as, strict=True) if read == intent.value)
        label, count = carried.most_common(1)[0] if carried else ("", 0)
        clear = count >= LEAST_ROWS and count >= CLEAR_SHARE * sum(carried.values())
        if clear and _may_train_as(intent, Intent(label)):
            relabelled[intent.value] = label
    return SchemeReading(relabelled)


def _may_train_as(intent: Intent, label: Intent) -> bool:
    """Whether the corpus's examples of `intent` may train as the shop's `label`: a label
    that moves no money or goods takes any intent; one that does, only its own kind."""
    if label not in MONEY_INTENTS:
        return True
    return intent in OUR_MISTAKE_INTENTS and label in OUR_MISTAKE_INTENTS


def built_in_readings(model: LinearTextModel | None, rows: Sequence[ShopRow]) -> list[str]:
    """The built-in n-gram model's likeliest intent for each row (no e5: a few milliseconds
    a hundred rows); none without a linear model."""
    if model is None or not rows:
        return [""] * len(rows)
    probabilities = model.predict_proba([clean_message(row.text, row.subject) for row in rows])
    return [model.classes[int(at)] for at in probabilities.argmax(axis=1)]
