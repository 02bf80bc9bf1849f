"""More training text from the same seeds: product names swapped, styles varied.

With ~17 seeds per intent and language, a model learns that "mug" means damaged and
"towel" means missing. Swapping the products between copies of a training message
teaches it the words that carry the intent instead ("broken", "saknas", "instead of").
Used for training only; the held-out split is never augmented.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from evenhand.understand.corpus import Example

PRODUCTS = {
    "en": (
        "mug",
        "candle",
        "blanket",
        "pillow",
        "pillow cover",
        "towel",
        "tray",
        "bedding set",
        "coffee",
        "tea",
        "gift card",
        "tea tin",
        "serving tray",
        "linen sheet",
        "lamp",
        "vase",
        "rug",
        "cushion",
        "teapot",
        "glass",
    ),
    "sv": (
        "muggen",
        "ljuset",
        "filten",
        "kudden",
        "kuddfodralet",
        "handduken",
        "brickan",
        "bäddsetet",
        "kaffet",
        "teet",
        "presentkortet",
        "teburken",
        "lakanet",
        "lampan",
        "vasen",
        "mattan",
        "tekannan",
        "glaset",
        "skålen",
        "pläden",
    ),
}
# The product words of the seeds, as they are written there.
_PRODUCT_WORDS = {
    "en": re.compile(
        r"\b(?:mugs?|candles?|blankets?|pillow(?: cover)?s?|pillowcases?|towels?|"
        r"(?:serving |wood )?tray|bedding(?: set)?|coffee|tea(?: tin)?|"
        r"gift card|bag|filter)\b",
        re.I,
    ),
    "sv": re.compile(
        r"\b(?:mugg(?:en|ar|arna)?|(?:doft)?ljus(?:et|en)?|filt(?:en)?|kudd(?:e|en)|"
        r"kuddfodral(?:et)?|handduk(?:en|ar|arna)?|(?:serverings|trä)?brick(?:a|an)|"
        r"bäddset(?:et)?|kaff(?:e|et)|te(?:et|burken)?|presentkort(?:et)?|"
        r"påse(?:n)?|örngott|filtret)\b",
        re.I,
    ),
}


def _any_of(rng: random.Random, products: Sequence[str]) -> Callable[[re.Match[str]], str]:
    def choose(_: re.Match[str]) -> str:
        return rng.choice(products)

    return choose


def augmented(examples: Sequence[Example], *, copies: int, seed: int = 11) -> Iterator[Example]:
    """Each example, then `copies` more with other products in it."""
    rng = random.Random(seed)
    for example in examples:
        yield example
        pattern, products = _PRODUCT_WORDS[example.language], PRODUCTS[example.language]
        for copy in range(copies):
            body = pattern.sub(_any_of(rng, products), example.body)
            if body != example.body or copy == 0:
                yield replace(example, id=f"{example.id}-a{copy}", body=body)
