"""The guide's example cases: facts (and what the message said) -> the expected remedy.

Facts left out take the defaults of `Facts`; `ltv` follows the guide's metric and `tier`
follows `ltv` unless they are given.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from evenhand.domain.facts import (
    FACTS,
    AskedFor,
    CustomerKnown,
    Delivery,
    DisputeState,
    Facts,
    FactType,
    OrderMatch,
    ReadingStrength,
    Tier,
)
from evenhand.domain.guide import Example, GuideSettings, Remedy
from evenhand.domain.intents import Intent, SignalKind
from evenhand.domain.money import AMOUNT_CEILING
from evenhand.domain.value import LtvMetric
from evenhand.ingest.cells import shown
from evenhand.ingest.guide_problems import Problems
from evenhand.ingest.yaml_lines import LinedList, LinedMap

EXAMPLE_KEYS = ("name", "facts", "says", "remedy")
_CHOICE_TYPES: dict[str, Any] = {
    "intent": Intent,
    "tier": Tier,
    "dispute": DisputeState,
    "customer": CustomerKnown,
    "order_match": OrderMatch,
    "reading": ReadingStrength,
    "delivery": Delivery,
    "asked_for": AskedFor,
}
_INTEGERS = frozenset(
    {
        "orders",
        "open_disputes",
        "days_since_order",
        "days_since_fulfilment",
        "days_in_transit",
        "days_since_delivery",
    }
)


def parse_examples(
    block: object, problems: Problems, *, settings: GuideSettings
) -> tuple[Example, ...]:
    if block is None:
        return ()
    if not isinstance(block, LinedList):
        problems.add(1, "examples", "examples are a list")
        return ()
    examples = []
    for item, line in zip(block, block.item_lines, strict=True):
        example = _example(item, problems, line=line, settings=settings)
        if example is not None:
            examples.append(example)
    return tuple(examples)


def _example(
    item: object, problems: Problems, *, line: int, settings: GuideSettings
) -> Example | None:
    if not isinstance(item, LinedMap):
        problems.add(line, "examples", "an example is a mapping: name, facts, says, remedy")
        return None
    before = len(problems.found)
    for key in item.keys() - set(EXAMPLE_KEYS):
        problems.add(
            item.key_lines[key], key, f"unknown key; an example has {', '.join(EXAMPLE_KEYS)}"
        )
    name = str(item.get("name") or f"example on line {line}")
    facts = _facts(item.get("facts"), problems, line=line, settings=settings)
    signals = _signals(item.get("says"), problems, line=item.key_lines.get("says", line))
    remedy = item.get("remedy")
    if remedy not in {each.value for each in Remedy}:
        problems.add(
            item.key_lines.get("remedy", line), "remedy", f"unknown remedy {shown(remedy)}"
        )
    if len(problems.found) > before or facts is None:
        return None
    return Example(name=name, facts=facts, remedy=Remedy(str(remedy)), signals=signals, line=line)


def _facts(
    block: object, problems: Problems, *, line: int, settings: GuideSettings
) -> Facts | None:
    if not isinstance(block, LinedMap) or "intent" not in block:
        problems.add(line, "facts", "an example's facts are a mapping with at least an intent")
        return None
    values: dict[str, Any] = {}
    for name, raw in block.items():
        try:
            values[name] = _fact_value(name, raw)
        except ValueError as error:
            problems.add(block.key_lines[name], f"facts.{name}", str(error))
    if len(values) < len(block):
        return None
    return _complete(Facts(**values), given=set(values), settings=settings)


def _fact_value(name: str, raw: object) -> object:
    spec = FACTS.get(name)
    if spec is None:
        raise ValueError(f"unknown fact {shown(name)}")
    if raw is None:
        if not spec.nullable:
            raise ValueError(f"{name} is always known, it cannot be null")
        return None
    if spec.type is FactType.CHOICE:
        aliases = dict(spec.aliases)
        if raw in aliases:  # an old word: the first value it stood for (`open`: this order)
            raw = aliases[raw][0]
        if raw not in spec.choices:
            raise ValueError(f"{shown(raw)} is not one of: {', '.join(spec.choices)}")
        return _CHOICE_TYPES.get(name, str)(raw)
    if spec.type is FactType.NUMBER:
        return _number(name, raw)
    if spec.type is FactType.FLAG:
        if not isinstance(raw, bool):
            raise ValueError(f"{name} is true or false")
        return raw
    return str(raw)


def _number(name: str, raw: object) -> Decimal | int:
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"{name} is a number, not {shown(raw)}") from None
    if isinstance(raw, bool) or not number.is_finite():
        raise ValueError(f"{name} is a number, not {shown(raw)}")
    if abs(number) >= AMOUNT_CEILING:
        raise ValueError(f"{name} is too large a number: {shown(raw)}")
    return int(number) if name in _INTEGERS else number


def _complete(facts: Facts, *, given: set[str], settings: GuideSettings) -> Facts:
    if "ltv" not in given:
        metric = settings.ltv_metric
        facts = replace(facts, ltv=_metric_fact(facts, metric))
    if "tier" not in given:
        facts = replace(facts, tier=settings.tier_for(facts.ltv))
    if "reading" not in given:
        facts = replace(facts, reading=settings.reading_for(facts.confidence))
    return facts


def _signals(raw: object, problems: Problems, *, line: int) -> tuple[SignalKind, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(line, "says", "says is a list of signals, e.g. [chargeback_filed]")
        return ()
    known = {kind.value for kind in SignalKind}
    bad = [each for each in raw if each not in known]
    if bad:
        problems.add(
            line, "says", f"unknown signal {shown(bad[0])}; signals are: {', '.join(known)}"
        )
        return ()
    return tuple(SignalKind(each) for each in raw)


def _metric_fact(facts: Facts, metric: LtvMetric) -> Decimal:
    if metric is LtvMetric.GROSS_MARGIN:
        return facts.gross_margin
    if metric is LtvMetric.PREDICTED_CLV and facts.predicted_clv is not None:
        return facts.predicted_clv
    return facts.net_revenue
