"""The resolution guide file (YAML) -> a validated `Guide`, or every problem with its line.

A guide is refused when a rule mentions a threat signal, a misspelled fact or value, an
unknown remedy or reply template; when two rules share an id, a rule is unreachable, or
the last rule is not a catch-all; and when a reply template does not compile or asks for
something a reply may not know.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from string import Formatter
from typing import Any

from jinja2 import Template

from evenhand.domain.conditions import CellError, Condition, did_you_mean, parse_cell
from evenhand.domain.facts import FACTS
from evenhand.domain.guide import (
    EU_WITHDRAWAL_DAYS,
    Guide,
    GuideSettings,
    Remedy,
    ReturnShipping,
    Rule,
    TagNames,
    rule_problems,
)
from evenhand.domain.intents import SignalKind
from evenhand.domain.money import AMOUNT_CEILING
from evenhand.domain.replies import REPLY_LANGUAGES, ReplyBook
from evenhand.domain.reply_check import check_replies
from evenhand.domain.value import LtvMetric
from evenhand.ingest.cells import shown
from evenhand.ingest.guide_costs import parse_costs
from evenhand.ingest.guide_examples import parse_examples
from evenhand.ingest.guide_problems import GuideProblem, GuideRefusedError, Problems
from evenhand.ingest.guide_review_replies import parse_review_replies
from evenhand.ingest.guide_templates import compiled_templates
from evenhand.ingest.text_file import read_text
from evenhand.ingest.yaml_lines import LinedList, LinedMap, YamlLineError, load_lined

TOP_LEVEL = ("guide", "settings", "rules", "examples", "replies", "review_replies", "costs")
RULE_KEYS = ("id", "description", "when", "remedy", "reply")
SETTING_KEYS = (
    "vip_threshold",
    "ltv_metric",
    "clv_horizon_days",
    "clv_discount_rate",
    "return_window_days",
    "return_shipping",
    "shop_name",
    "tags",
    "remedy_confidence",
    "transit_days",
    "late_after_days",
    "reply_forbidden_words",
)
# Words that name threats: a rule that conditions on one is refused, whatever the spelling.
THREAT_WORDS = frozenset({"signal", "signals", "threat", "threats", *SignalKind})
LONGEST_RETURN_WINDOW = 3650  # days: ten years, far past any shop's, far inside the calendar
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def guide_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_guide(path: Path) -> Guide:
    """The guide in the file; a file that is not UTF-8 text is refused by `read_text`."""
    return parse_guide(read_text(path), source=str(path))


def parse_guide(text: str, *, source: str, grid_check: bool = True) -> Guide:
    """The guide in `text`; raises GuideRefusedError listing every problem.

    `grid_check=False` only for a guide already adopted and stored: it was checked when it
    was uploaded, or was adopted before the check existed, and refusing it at start-up
    would leave the shop without the service it needs to upload a corrected one (its
    replies still render in the sandbox, and a failure there gives `human_review`)."""
    try:
        document = load_lined(text)
    except YamlLineError as problem:
        raise GuideRefusedError(source, [GuideProblem(problem.line, "", str(problem))]) from None
    if not isinstance(document, LinedMap):
        raise GuideRefusedError(source, [GuideProblem(1, "", "a guide is a mapping: " + _TOP_HINT)])
    problems = Problems()
    for key in document.keys() - set(TOP_LEVEL):
        problems.add(document.key_lines[key], key, f"unknown section; a guide has {_TOP_HINT}")
    settings = parse_settings(document.get("settings"), problems)
    before_replies = len(problems.found)
    replies = parse_replies(document.get("replies"), problems, line=document.line)
    replies_compiled = len(problems.found) == before_replies
    rules = parse_rules(document.get("rules"), problems, replies=replies.names())
    version = guide_version(text)
    # The grid needs the templates compiled; a problem elsewhere (a rule, a setting) does
    # not stop it, so every problem is listed at once.
    if grid_check and replies_compiled and version not in _GRID_PASSED:
        check_reply_grid(document.get("replies"), replies, settings, problems, rules=rules)
    examples = parse_examples(document.get("examples"), problems, settings=settings)
    review_replies = parse_review_replies(
        document.get("review_replies"),
        problems,
        line=_lines_of(document, "review_replies", 1),
        shop_name=settings.shop_name,
        check=grid_check,
    )
    costs = parse_costs(document.get("costs"), problems, line=_lines_of(document, "costs", 1))
    if rules:
        for line, reason in rule_problems(rules):
            problems.add(line, "rules", reason)
    if problems.found:
        raise GuideRefusedError(source, problems.found)
    if grid_check:
        _GRID_PASSED.add(version)
    return Guide(
        version=version,
        text=text,
        settings=settings,
        rules=rules,
        replies=replies,
        examples=examples,
        source=source,
        costs=costs,
        review_replies=review_replies,
        name=_name(document.get("guide")),
    )


NAME_CHARS = 120


def _name(raw: object) -> str:
    """The guide's title as it gives it (`guide: Nordhem resolution guide`), trimmed."""
    return " ".join(raw.split())[:NAME_CHARS] if isinstance(raw, str) else ""


_TOP_HINT = ", ".join(TOP_LEVEL)
# Versions (hashes of the whole text) whose templates passed the grid: the same text
# loaded again (the default guide, an adopted one) is not rendered over the grid again.
_GRID_PASSED: set[str] = set()


def _lines_of(block: object, key: str, default: int) -> int:
    return block.key_lines.get(key, default) if isinstance(block, LinedMap) else default


def parse_settings(block: object, problems: Problems) -> GuideSettings:
    if block is None:
        return GuideSettings()
    if not isinstance(block, LinedMap):
        problems.add(1, "settings", "settings are a mapping")
        return GuideSettings()
    for key in block.keys() - set(SETTING_KEYS):
        problems.add(
            block.key_lines[key],
            f"settings.{key}",
            f"unknown setting; settings are: {', '.join(SETTING_KEYS)}",
        )
    values: dict[str, Any] = {}
    for key, parse in _SETTING_PARSERS.items():
        if key in block:
            try:
                values[key] = parse(block[key])
            except ValueError as error:
                problems.add(block.key_lines[key], f"settings.{key}", str(error))
    settings = GuideSettings(**values)
    if settings.late_after_days <= settings.transit_days:
        line = block.key_lines.get("late_after_days", block.key_lines.get("transit_days", 1))
        problems.add(
            line,
            "settings.late_after_days",
            f"a parcel is late only after its usual transit: late_after_days "
            f"({settings.late_after_days}) must be above transit_days ({settings.transit_days})",
        )
    return settings


def _threshold(raw: object) -> Decimal:
    try:
        amount = Decimal(str(raw)) if isinstance(raw, int | float | str) else None
    except InvalidOperation:
        amount = None
    if amount is None or isinstance(raw, bool) or not amount.is_finite() or amount < 0:
        raise ValueError(f"the VIP threshold is an amount of money, not {shown(raw)}")
    if amount >= AMOUNT_CEILING:
        raise ValueError(f"the VIP threshold {shown(raw)} is beyond any amount of money")
    return amount


def _return_window(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"the return window is a whole number of days, not {shown(raw)}")
    if raw < EU_WITHDRAWAL_DAYS:
        raise ValueError(
            f"a return window of {shown(raw)} days is below the EU's {EU_WITHDRAWAL_DAYS}-day "
            "right of withdrawal"
        )
    if raw > LONGEST_RETURN_WINDOW:
        raise ValueError(
            f"a return window of {shown(raw)} days is more than {LONGEST_RETURN_WINDOW:,} "
            "(ten years)"
        )
    return raw


def _zero_to_one(what: str) -> Any:
    """A parser of a decimal from 0 to 1; `what` names the setting and its meaning."""

    def parse(raw: object) -> Decimal:
        try:
            number = Decimal(str(raw)) if isinstance(raw, int | float | str) else None
        except InvalidOperation:
            number = None
        if (
            number is None
            or isinstance(raw, bool)
            or not number.is_finite()
            or not 0 <= number <= 1
        ):
            raise ValueError(f"{what} from 0 to 1, not {shown(raw)}")
        return number

    return parse


def _choice(kind: type[LtvMetric] | type[ReturnShipping]) -> Any:
    def parse(raw: object) -> object:
        choices = [member.value for member in kind]
        if raw not in choices:
            raise ValueError(f"{shown(raw)} is not one of: {', '.join(choices)}")
        return kind(raw)

    return parse


def _text(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"expected text, not {shown(raw)}")
    return raw.strip()


_TAG_FIELDS = {
    "vip": set(),
    "dispute": set(),
    "other_dispute": set(),
    "intent": {"intent"},
    "threat": {"signal"},
    "remedy": {"remedy"},
}


def _tags(raw: object) -> TagNames:
    if not isinstance(raw, dict):
        raise ValueError("tags are a mapping of " + ", ".join(_TAG_FIELDS))
    unknown = raw.keys() - _TAG_FIELDS.keys()
    if unknown:
        raise ValueError(
            f"unknown tag {shown(sorted(unknown)[0])}; tags are: {', '.join(_TAG_FIELDS)}"
        )
    for name, spelling in raw.items():
        _tag_spelling(name, spelling)
    return TagNames(**raw)


TAG_CHARS = 100  # a helpdesk tag is a short word; Zendesk's own limit is about this


def _tag_spelling(name: str, spelling: object) -> None:
    """A tag is short text using exactly its placeholder, with no format spec or conversion
    (`{intent:>999999}` would build a huge tag on every decision)."""
    if not isinstance(spelling, str) or not spelling.strip():
        raise ValueError(f"tag {name} must be text, not {shown(spelling)}")
    if len(spelling) > TAG_CHARS:
        raise ValueError(f"tag {name} {shown(spelling)} is longer than {TAG_CHARS} characters")
    wanted = " ".join(f"{{{each}}}" for each in _TAG_FIELDS[name]) or "no placeholder"
    try:
        parts = [
            (f, spec, conv) for _, f, spec, conv in Formatter().parse(spelling) if f is not None
        ]
    except ValueError:
        raise ValueError(f"tag {name} {shown(spelling)} must use {wanted}") from None
    plain = all(not spec and conv is None for _, spec, conv in parts)
    if not plain or sorted(f for f, _, _ in parts) != sorted(_TAG_FIELDS[name]):
        raise ValueError(f"tag {name} {shown(spelling)} must use {wanted} and nothing else")


LONGEST_HORIZON = 3650  # days: ten years of expected spend


def _horizon(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 30 <= raw <= LONGEST_HORIZON:
        raise ValueError(
            f"clv_horizon_days is a whole number of days, 30 to {LONGEST_HORIZON}, not {shown(raw)}"
        )
    return raw


LONGEST_TRANSIT = 60  # days: two months, past any carrier's slowest


def _days(what: str) -> Any:
    def parse(raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= LONGEST_TRANSIT:
            raise ValueError(
                f"{what} is a whole number of days, 0 to {LONGEST_TRANSIT}, not {shown(raw)}"
            )
        return raw

    return parse


FORBIDDEN_WORDS_PER_LANGUAGE = 200
FORBIDDEN_WORD_CHARS = 60


def _forbidden_words(raw: object) -> dict[str, tuple[str, ...]]:
    """Per language (sv, en), words or phrases no reply may use, on top of Evenhand's."""
    if not isinstance(raw, dict) or not set(raw) <= set(REPLY_LANGUAGES):
        raise ValueError(
            f"reply_forbidden_words maps a language (sv, en) to a list of words, not {shown(raw)}"
        )
    found: dict[str, tuple[str, ...]] = {}
    for language, words in raw.items():
        if not isinstance(words, list) or len(words) > FORBIDDEN_WORDS_PER_LANGUAGE:
            raise ValueError(
                f"reply_forbidden_words.{language} is a list of at most "
                f"{FORBIDDEN_WORDS_PER_LANGUAGE} words"
            )
        bad = [
            word
            for word in words
            if not isinstance(word, str) or not word.strip() or len(word) > FORBIDDEN_WORD_CHARS
        ]
        if bad:
            raise ValueError(
                f"reply_forbidden_words.{language}: {shown(bad[0])} is not a word or a short phrase"
            )
        found[language] = tuple(words)
    return found


_SETTING_PARSERS: dict[str, Any] = {
    "vip_threshold": _threshold,
    "ltv_metric": _choice(LtvMetric),
    "clv_horizon_days": _horizon,
    "clv_discount_rate": _zero_to_one("clv_discount_rate is a year's rate"),
    "return_window_days": _return_window,
    "return_shipping": _choice(ReturnShipping),
    "shop_name": _text,
    "tags": _tags,
    "remedy_confidence": _zero_to_one("remedy_confidence is a number"),
    "transit_days": _days("transit_days"),
    "late_after_days": _days("late_after_days"),
    "reply_forbidden_words": _forbidden_words,
}


def parse_replies(block: object, problems: Problems, *, line: int) -> ReplyBook:
    if not isinstance(block, LinedMap):
        problems.add(line, "replies", "the guide needs its reply templates (replies: name: sv/en)")
        return ReplyBook({})
    templates: dict[str, dict[str, Template]] = {}
    sources: dict[str, dict[str, str]] = {}
    for name, languages in block.items():
        where = f"replies.{name}"
        if not isinstance(languages, LinedMap):
            problems.add(
                block.key_lines[name], where, "a reply has one template per language: sv, en"
            )
            continue
        templates[name] = compiled_templates(languages, problems, where=where)
        sources[name] = {each: languages[each] for each in templates[name]}
    return ReplyBook(templates, sources)


def check_reply_grid(
    block: object,
    replies: ReplyBook,
    settings: GuideSettings,
    problems: Problems,
    *,
    rules: tuple[Rule, ...] = (),
) -> None:
    """Every template rendered over the grid of facts (`reply_check`); each finding is a
    problem on the template's first line, naming the rules (and remedies) that use it."""
    if not isinstance(block, LinedMap):
        return
    for finding in check_replies(replies, settings):
        users = [f"{rule.id} ({rule.remedy.value})" for rule in rules if rule.reply == finding.name]
        used_by = f" [used by rule {', '.join(users)}]" if users else ""
        languages = block.get(finding.name)
        line = (
            languages.value_lines.get(finding.language, languages.line)
            if isinstance(languages, LinedMap)
            else block.line
        )
        problems.add(line, f"replies.{finding.name}.{finding.language}", finding.reason + used_by)


def parse_rules(block: object, problems: Problems, *, replies: frozenset[str]) -> tuple[Rule, ...]:
    if not isinstance(block, LinedList) or not block:
        problems.add(getattr(block, "line", 1), "rules", "the guide needs a list of rules")
        return ()
    rules = []
    for item, line in zip(block, block.item_lines, strict=True):
        rule = _rule(item, problems, line=line, replies=replies)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _rule(item: object, problems: Problems, *, line: int, replies: frozenset[str]) -> Rule | None:
    if not isinstance(item, LinedMap):
        problems.add(line, "rules", "a rule is a mapping: id, description, when, remedy")
        return None
    before = len(problems.found)
    for key in item.keys() - set(RULE_KEYS):
        problems.add(item.key_lines[key], key, f"unknown key; a rule has {', '.join(RULE_KEYS)}")
    rule_id = item.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.match(rule_id):
        problems.add(line, "id", f"a rule needs an id (a lower-case word), not {shown(rule_id)}")
    remedy = _remedy(item, problems, line=line)
    reply = item.get("reply", remedy.value if remedy else None)
    if remedy and reply not in replies:
        problems.add(
            _lines_of(item, "reply", line), "reply", f"unknown reply template {shown(reply)}"
        )
    conditions = _conditions(item.get("when"), problems, line=_lines_of(item, "when", line))
    if len(problems.found) > before or remedy is None:
        return None
    return Rule(
        id=str(rule_id),
        description=str(item.get("description") or ""),
        conditions=conditions,
        remedy=remedy,
        reply=str(reply),
        line=line,
    )


def _remedy(item: LinedMap, problems: Problems, *, line: int) -> Remedy | None:
    raw = item.get("remedy")
    if raw in {remedy.value for remedy in Remedy}:
        return Remedy(raw)
    hint = did_you_mean(str(raw), [remedy.value for remedy in Remedy])
    problems.add(_lines_of(item, "remedy", line), "remedy", f"unknown remedy {shown(raw)}{hint}")
    return None


def _conditions(block: object, problems: Problems, *, line: int) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, LinedMap):
        problems.add(line, "when", "when is a mapping of fact: cell")
        return ()
    conditions = []
    for fact, cell in block.items():
        where, fact_line = f"when.{fact}", block.key_lines[fact]
        if fact in THREAT_WORDS or "threat" in fact:
            problems.add(
                fact_line,
                where,
                "threat signals are not inputs of the remedy table: "
                "a threat never changes the remedy",
            )
        elif fact not in FACTS:
            problems.add(fact_line, where, _unknown_fact(fact))
        else:
            try:
                conditions.append(parse_cell(FACTS[fact], cell))
            except CellError as error:
                problems.add(fact_line, where, str(error))
    return tuple(conditions)


def _unknown_fact(fact: str) -> str:
    return f"unknown fact {shown(fact)}{did_you_mean(fact, list(FACTS))}"
