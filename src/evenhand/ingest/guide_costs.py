"""The guide's `costs:` section -> a `CostModel`; every problem named with its line."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal, InvalidOperation
from typing import Any

from evenhand.domain.costs import DEFAULT_HANDLING_MINUTES, CostModel
from evenhand.domain.money import AMOUNT_CEILING
from evenhand.domain.remedies import Remedy
from evenhand.ingest.cells import shown
from evenhand.ingest.guide_problems import Problems
from evenhand.ingest.yaml_lines import LinedMap

SHARES = frozenset(
    {"margin_rate", "payment_fee_rate", "dispute_loss_share", "resale_share", "replacement_share"}
)
COST_KEYS = tuple(each.name for each in fields(CostModel))
LONGEST_HANDLING = 24 * 60  # minutes: a day of one agent's time


def parse_costs(block: object, problems: Problems, *, line: int) -> CostModel:
    """The cost model; a missing section (or key) keeps the documented defaults."""
    if block is None:
        return CostModel()
    if not isinstance(block, LinedMap):
        problems.add(line, "costs", "costs are a mapping; keys: " + ", ".join(COST_KEYS))
        return CostModel()
    for key in sorted(block.keys() - set(COST_KEYS)):
        problems.add(
            block.key_lines[key], f"costs.{key}", "unknown cost; costs are: " + ", ".join(COST_KEYS)
        )
    values: dict[str, Any] = {}
    for key in sorted(block.keys() & set(COST_KEYS)):
        try:
            values[key] = _value(key, block[key])
        except ValueError as error:
            problems.add(block.key_lines[key], f"costs.{key}", str(error))
    return CostModel(**values)


def _value(key: str, raw: object) -> object:
    if key == "handling_minutes":
        return _minutes(raw)
    amount = _amount(raw)
    if key in SHARES and amount > 1:
        raise ValueError(f"a share is between 0 and 1 (0.4 for 40 %), not {shown(raw)}")
    return amount


def _amount(raw: object) -> Decimal:
    try:
        amount = Decimal(str(raw)) if isinstance(raw, int | float | str) else None
    except InvalidOperation:
        amount = None
    if amount is None or isinstance(raw, bool) or not amount.is_finite() or amount < 0:
        raise ValueError(f"expected an amount of zero or more, not {shown(raw)}")
    if amount >= AMOUNT_CEILING:
        raise ValueError(f"{shown(raw)} is beyond any amount of money")
    return amount


def _minutes(raw: object) -> dict[Remedy, int]:
    if not isinstance(raw, dict):
        raise ValueError("handling_minutes is a mapping of remedy: minutes")
    minutes = dict(DEFAULT_HANDLING_MINUTES)
    for name, value in raw.items():
        if name not in {remedy.value for remedy in Remedy}:
            raise ValueError(f"unknown remedy {name!r} in handling_minutes")
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= LONGEST_HANDLING
        ):
            raise ValueError(f"{name}: minutes are a whole number from 0 to {LONGEST_HANDLING}")
        minutes[Remedy(name)] = value
    return minutes
