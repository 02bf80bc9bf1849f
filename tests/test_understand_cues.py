"""The intent cues are words any shop's customers use: none names a product of a catalogue."""

from __future__ import annotations

import re

from evenhand.demo.catalogue import PRODUCTS
from evenhand.understand.cues import CUES


def _catalogue_words() -> set[str]:
    words = {word.lower() for product in PRODUCTS for word in re.findall(r"\w{4,}", product.name)}
    # the demo inbox's own product words, in the forms its messages use them
    return words | {"ullfilten", "linnet", "beans", "kudden", "muggarna", "fakturan", "amazon"}


def test_no_cue_names_a_product_of_the_demo_catalogue() -> None:
    # given: every cue pattern, and the words of the demo shop's product names
    words = _catalogue_words()
    # then: no pattern spells out one of those words (a cue that generalises names a problem)
    for family, patterns in CUES.items():
        for pattern in patterns:
            named = {word for word in words if re.fullmatch(pattern, word, re.I)}
            spelt = {word for word in words if word in pattern.lower()}
            assert not named and not spelt, (family, pattern, named | spelt)
