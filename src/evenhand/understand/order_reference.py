"""Order numbers a customer quotes ("#10421", "order 10421", "ordernummer 10421")."""

from __future__ import annotations

import re

_REFERENCE = re.compile(
    r"(?:#\s?|\b(?:order|ordern?r?|ordernummer|beställning|beställningsnummer|"
    r"orderno|order\s+no\.?|order\s+number|nr)\s*[:.]?\s*#?\s?)(\d{3,9})\b",
    re.IGNORECASE,
)


def order_names_in(text: str) -> list[str]:
    """Candidate order names (Shopify's "#1234" form), in the order they appear, no repeats."""
    return list(dict.fromkeys(f"#{number}" for number in _REFERENCE.findall(text)))
