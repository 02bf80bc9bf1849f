"""The grid check: every reply template rendered over a grid of facts, and read.

A template is refused when, for any cell of the grid (both languages; orders unshipped,
in transit, late, delivered, fresh and old; known and unknown customers, VIP and
standard; with and without a first name and an order name), it

- fails to render, or goes past the sandbox's bounds (`reply_sandbox`);
- states a return window under the 14 days of the right of withdrawal, counted from
  receipt ("within 7 days", "(2 days left)" four days after delivery, "outside our return
  window" before day 14);
- uses a word of `reply_words`: a packaging or "unused" condition, a claim of an action
  not yet taken, a word that reveals a tier, a value or a threat (the template's own text
  is read too, so a word in a branch the grid does not reach is still found).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from evenhand.domain.facts import CustomerKnown, Facts, Tier
from evenhand.domain.guide import EU_WITHDRAWAL_DAYS, GuideSettings
from evenhand.domain.intents import Intent
from evenhand.domain.replies import REPLY_LANGUAGES, ReplyBook, ReplyContext, ReplyRenderError
from evenhand.domain.reply_words import (
    WHY,
    WORD_RULES,
    Forbidden,
    WordRule,
    any_of,
    normalised,
    shop_rule,
)
from evenhand.domain.ticket_facts import reply_context

QUOTE_CHARS = 60  # of the offending words, in a refusal


@dataclass(frozen=True, slots=True)
class GridCell:
    """One point of the grid: the facts, the names the reply gets, and the delivery."""

    label: str
    facts: Facts
    first_name: str | None = "Anna"
    order_name: str | None = "#1001"
    days_since_delivery: int | None = None


@dataclass(frozen=True, slots=True)
class ReplyFinding:
    name: str
    language: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name} ({self.language}): {self.reason}"


def _order(label: str, status: str | None, ordered: int, shipped: int | None) -> GridCell:
    facts = Facts(
        intent=Intent.OTHER,
        fulfilment_status=status,
        days_since_order=ordered,
        days_since_fulfilment=shipped,
        order_value=Decimal(499),
    )
    return GridCell(label, facts)


def _ago(days: int) -> str:
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


_ORDERS = (
    _order("an unshipped order", "unfulfilled", 1, None),
    _order("a partly shipped order", "partial", 2, 1),
    _order("an order shipped today", "fulfilled", 0, 0),
    _order("an order shipped yesterday", "fulfilled", 2, 1),
    _order("an order shipped 3 days ago", "fulfilled", 4, 3),
    _order("an order shipped 6 days ago", "fulfilled", 7, 6),
    _order("an order shipped 10 days ago, not delivered", "fulfilled", 11, 10),
    _order("an order shipped 20 days ago", "fulfilled", 21, 20),
    _order("an order shipped 62 days ago", "fulfilled", 63, 62),
    _order("an order shipped 400 days ago", "fulfilled", 401, 400),
)
_DELIVERED = tuple(
    replace(
        _order(f"an order delivered {_ago(days)}", "fulfilled", days + 3, days + 2),
        days_since_delivery=days,
    )
    for days in (0, 1, 4, 13, 14, 20, 45)
)
_NO_ORDER = GridCell("no order", Facts(intent=Intent.OTHER), order_name=None)


def grid() -> Iterator[GridCell]:
    """Every cell: each order state, then who the customer is, then which names are known."""
    cells = (_NO_ORDER, *_ORDERS, *_DELIVERED)
    yield from cells
    for cell in cells:
        yield replace(cell, label=f"{cell.label}, no names", first_name=None, order_name=None)
    for base in (_ORDERS[4], _DELIVERED[2], _NO_ORDER):
        yield replace(base, label=f"{base.label}, an unknown customer", first_name=None)
        for tier in Tier:
            known = replace(base.facts, tier=tier, customer=CustomerKnown.KNOWN, orders=4)
            yield replace(base, label=f"{base.label}, a {tier.value} customer", facts=known)


def check_replies(book: ReplyBook, settings: GuideSettings) -> list[ReplyFinding]:
    """Every problem of every template over the grid, one per (template, language, kind)."""
    findings: dict[tuple[str, str, str], ReplyFinding] = {}
    contexts = [(cell, grid_context(cell, settings)) for cell in grid()]
    for name in sorted(book.templates):
        for language in REPLY_LANGUAGES:
            if language not in book.templates[name]:
                continue
            rules = _rules(language, settings)
            for key, reason in _template_findings(book, name, language, contexts, rules):
                findings.setdefault((name, language, key), ReplyFinding(name, language, reason))
    return list(findings.values())


def check_written_reply(text: str, *, settings: GuideSettings, facts: Facts) -> list[str]:
    """A reply a person wrote or edited, in either language (an agent may answer in the
    other): a packaging or "unused" condition in a sentence about returning, a word that
    says a tier or a value (the rules marked `edits`), and a return window under the law
    for this ticket. A claim that something was done is the agent's to make."""
    context = reply_context(facts, settings=settings, first_name=None, order_name=None)
    cell = GridCell("this ticket", facts)
    found: list[str] = []
    for language in REPLY_LANGUAGES:
        rules = [rule for rule in _rules(language, settings) if rule.edits]
        said_words = tuple(rule for rule in rules if rule.kind is Forbidden.REVEALS)
        conditions = tuple(rule for rule in rules if rule.kind is Forbidden.PACKAGING)
        said = normalised(text)
        found += [reason for _, reason in _word_findings(said, said_words, where="in the reply")]
        sentences = _SENTENCE.findall(said)
        if any(re.search(_RETURN_WORDS[language], sentence) for sentence in sentences):
            for sentence in sentences:  # "it must be unused", not "you need not keep the box"
                if not re.search(_NOT_NEEDED[language], sentence):
                    found += [
                        r for _, r in _word_findings(sentence, conditions, where="on a return")
                    ]
        found += [reason for _, reason in _window_findings(said, language, context, cell)]
    return list(dict.fromkeys(found))


def grid_context(cell: GridCell, settings: GuideSettings) -> ReplyContext:
    """The reply context of one cell, through the same `reply_context` as a decision."""
    return reply_context(
        cell.facts,
        settings=settings,
        first_name=cell.first_name,
        order_name=cell.order_name,
        days_since_delivery=cell.days_since_delivery,
    )


def _rules(language: str, settings: GuideSettings) -> tuple[WordRule, ...]:
    extra = settings.reply_forbidden_words.get(language, ())
    return (*WORD_RULES[language], *(shop_rule(word) for word in extra))


def _template_findings(
    book: ReplyBook,
    name: str,
    language: str,
    contexts: list[tuple[GridCell, ReplyContext]],
    rules: tuple[WordRule, ...],
) -> Iterator[tuple[str, str]]:
    source = _template_text(book, name, language)
    if source:
        yield from _word_findings(normalised(source), rules, where="in its text")
    seen: set[tuple[str, int | None]] = set()
    for cell, context in contexts:
        try:
            text = book.render(name, language=language, context=context)
        except ReplyRenderError as failed:
            yield "render", f"does not render for {cell.label}: {failed.reason}"
            return
        if (text, context.days_since_receipt) in seen:
            continue
        seen.add((text, context.days_since_receipt))
        said = normalised(text)
        yield from _word_findings(said, rules, where=f"for {cell.label}")
        yield from _window_findings(said, language, context, cell)


_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)


def _template_text(book: ReplyBook, name: str, language: str) -> str:
    """The template's own words, tags taken out (a word in any branch is found)."""
    source = book.sources.get(name, {}).get(language, "")
    return _TAG.sub(" ", source)


def _word_findings(
    said: str, rules: tuple[WordRule, ...], *, where: str
) -> Iterator[tuple[str, str]]:
    if any_of(rules).search(said) is None:
        return
    for rule in rules:
        found = rule.compiled().search(said)
        if found is not None:
            words = found.group()[:QUOTE_CHARS]
            yield rule.kind.value, f'says "{words}" {where}: it {WHY[rule.kind]}'


# A sentence about returning the goods, and the windows it can state.
_RETURN_WORDS = {
    "en": r"return|send (?:it|them|the \w+) back|withdraw|cancel the purchase|money back",
    "sv": r"retur|returnera|skicka tillbaka|ångra|ångerrätt|pengarna tillbaka",
}
_WITHIN = {"en": r"within (\d+) (?:calendar )?days?", "sv": r"inom (\d+) (?:kalender)?dag(?:ar)?"}
_LEFT = {
    "en": r"(\d+) (?:calendar )?days? (?:left|remaining|to go)",
    "sv": r"(\d+) dag(?:ar)? (?:kvar|återstår)",
}
_CLOSED = {
    "en": r"outside (?:our|the) return (?:window|period)|return (?:window|period) has "
    r"(?:ended|expired|closed|passed)|too late to return",
    "sv": r"utanför (?:vår|den) (?:returperiod|returtid|ångerfrist)|"
    r"(?:returperioden|returtiden|ångerfristen|ångerrätten) har (?:gått ut|löpt ut)|"
    r"för sent att returnera",
}
_SENTENCE = re.compile(r"[^.!?\n]+")
# A sentence that says a condition is not needed ("you do not need the original box").
_NOT_NEEDED = {
    "en": r"\b(?:not|no need|don't|needn't|without)\b",
    "sv": r"\b(?:inte|ingen|inget|utan)\b",
}
# Days counted from the return's arrival are when the money comes, not a window to return.
_FROM_THE_RETURN = {
    "en": r"^ ?(?:of|after|from) (?:receiving|we receive|getting|we get|the return|your return)",
    "sv": r"^ ?(?:efter|från) (?:att (?:vi|returen|paketet)|det att|returen|vi)",
}


def _window_findings(
    said: str, language: str, context: ReplyContext, cell: GridCell
) -> Iterator[tuple[str, str]]:
    received = context.days_since_receipt or 0
    for sentence in _SENTENCE.findall(said):
        if not re.search(_RETURN_WORDS[language], sentence):
            continue
        for found in re.finditer(_WITHIN[language], sentence):
            if re.search(_FROM_THE_RETURN[language], sentence[found.end() :]):
                continue
            if int(found.group(1)) < EU_WITHDRAWAL_DAYS:
                yield "window", _window_reason(found.group(), cell, "a window")
        for found in re.finditer(_LEFT[language], sentence):
            if int(found.group(1)) + received < EU_WITHDRAWAL_DAYS:
                yield "window", _window_reason(found.group(), cell, "days left")
        closed = re.search(_CLOSED[language], sentence)
        if closed and (context.days_since_receipt is None or received < EU_WITHDRAWAL_DAYS):
            yield "window", _window_reason(closed.group(), cell, "a closed window")


def _window_reason(words: str, cell: GridCell, what: str) -> str:
    return (
        f'says "{words[:QUOTE_CHARS]}" for {cell.label}: {what} under the '
        f"{EU_WITHDRAWAL_DAYS} days of the right of withdrawal, counted from receipt"
    )
