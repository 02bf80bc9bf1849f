"""Reply drafts: sandboxed Jinja2 templates per reply name and language (sv, en).

A template sees only what a reply may say: the customer's first name, the order, the
shop's name and the return terms. The customer's tier, value and threats are not in
its context, so no reply can mention them, and a template that asks for anything else
is refused when the guide loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinja2 import Template, TemplateError, TemplateSyntaxError, meta

from evenhand.domain.reply_sandbox import ReplyEnvironment, generate_bounded, guard_tree

REPLY_LANGUAGES = ("sv", "en")


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """Everything a reply template may use.

    Receipt is when the customer got the goods: the carrier's delivery date when known,
    else the shipping date plus the guide's `transit_days` (`receipt_days`). The return
    window runs from it, as the right of withdrawal does."""

    shop_name: str
    return_window_days: int
    shop_pays_return: bool
    first_name: str | None = None
    order_name: str | None = None
    fulfilment_status: str | None = None
    days_since_order: int | None = None
    days_since_fulfilment: int | None = None
    days_left_to_return: int | None = None  # from receipt; None before it
    transit_days: int = 3
    days_since_delivery: int | None = None
    days_since_receipt: int | None = None
    parcel_late: bool = False  # shipped, not known to be delivered, past `late_after_days`

    def as_variables(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in REPLY_VARIABLES}


REPLY_VARIABLES: frozenset[str] = frozenset(ReplyContext.__dataclass_fields__)


class ReplyTemplateError(ValueError):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # within the template, 1-based, when known


_ENVIRONMENT = ReplyEnvironment()


def compile_template(source: str, *, variables: frozenset[str] | None = None) -> Template:
    """A template, checked for syntax, for variables outside `ReplyContext` (or the
    `variables` given: a review reply's) and for what the sandbox refuses
    (`reply_sandbox`)."""
    allowed = REPLY_VARIABLES if variables is None else variables
    try:
        tree = _ENVIRONMENT.parse(source)
        unknown = meta.find_undeclared_variables(tree) - allowed
    except TemplateSyntaxError as error:
        raise ReplyTemplateError(error.message or "syntax error", line=error.lineno) from None
    except (TemplateError, ValueError, RecursionError) as error:
        raise ReplyTemplateError(short_reason(error)) from None
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ReplyTemplateError(
            f"uses {names}, which a reply may not know; it may use: " + ", ".join(sorted(allowed)),
            line=_first_line_naming(source, sorted(unknown)[0]),
        )
    forbidden = guard_tree(tree)
    if forbidden is not None:
        raise ReplyTemplateError(f"{forbidden}, which a reply may not")
    try:
        return _ENVIRONMENT.from_string(tree)
    except TemplateSyntaxError as error:
        raise ReplyTemplateError(error.message or "syntax error", line=error.lineno) from None
    except (TemplateError, ValueError, RecursionError) as error:
        raise ReplyTemplateError(short_reason(error)) from None


REASON_CHARS = 200  # of an error's message, quoted in a refusal or an explanation


def short_reason(error: BaseException) -> str:
    """The error's type and the first line of its message, cut to `REASON_CHARS`."""
    message = str(error).strip().split("\n", 1)[0]
    if len(message) > REASON_CHARS:
        message = message[:REASON_CHARS] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _first_line_naming(source: str, name: str) -> int | None:
    word = re.compile(rf"\b{re.escape(name)}\b")
    return next(
        (number for number, line in enumerate(source.splitlines(), 1) if word.search(line)), None
    )


def receipt_days(
    *, days_since_delivery: int | None, days_since_fulfilment: int | None, transit_days: int
) -> int | None:
    """Days since the customer received the goods; None before (or when nothing shipped)."""
    if days_since_delivery is not None:
        return days_since_delivery
    if days_since_fulfilment is None or days_since_fulfilment < transit_days:
        return None
    return days_since_fulfilment - transit_days


NAME_CHARS = 40  # a first name longer than this is not used in a greeting
ORDER_NAME_CHARS = 32


def greeting_name(name: str | None, *, limit: int = NAME_CHARS) -> str | None:
    """A name fit to quote in a reply: trimmed, and not absurdly long."""
    if name is None or not name.strip() or len(name.strip()) > limit:
        return None
    return name.strip()


def reply_language(language: str) -> str:
    """Swedish for Swedish messages; English for everything else."""
    return language if language in REPLY_LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class ReplyBook:
    """Compiled templates by reply name, then language."""

    templates: dict[str, dict[str, Template]]
    sources: dict[str, dict[str, str]] = field(default_factory=dict)  # the templates' text

    def names(self) -> frozenset[str]:
        return frozenset(self.templates)

    def render(self, name: str, *, language: str, context: ReplyContext) -> str:
        """The reply; raises ReplyRenderError naming the template, never anything else."""
        language = reply_language(language)
        template = self.templates[name][language]
        try:
            text = generate_bounded(template.generate(**context.as_variables()))
        except Exception as error:
            raise ReplyRenderError(name, language, short_reason(error)) from None
        return tidy(text)


_BLANK_LINES = re.compile(r"\n{3,}")


def tidy(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, no blank ends."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines)


class ReplyRenderError(Exception):
    """A reply template that failed at render time: which one, and why (short)."""

    def __init__(self, name: str, language: str, reason: str) -> None:
        super().__init__(f"reply {name} ({language}) could not be rendered: {reason}")
        self.name = name
        self.language = language
        self.reason = reason
