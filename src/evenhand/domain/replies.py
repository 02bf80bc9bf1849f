"""Reply drafts: sandboxed Jinja2 templates per reply name and language (sv, en).

A template sees only what a reply may say: the customer's first name, the order, the
shop's name and the return terms. The customer's tier, value and threats are not in
its context, so no reply can mention them, and a template that asks for anything else
is refused when the guide loads.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPLY_LANGUAGES = ("sv", "en")


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """Everything a reply template may use."""

    shop_name: str
    return_window_days: int
    shop_pays_return: bool
    first_name: str | None = None
    order_name: str | None = None
    fulfilment_status: str | None = None
    days_since_order: int | None = None
    days_since_fulfilment: int | None = None
    days_left_to_return: int | None = None


REPLY_VARIABLES = frozenset(ReplyContext.__dataclass_fields__)


class ReplyTemplateError(ValueError):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # within the template, 1-based, when known


def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


def compile_template(source: str) -> Template:
    """A template, checked for syntax and for variables outside `ReplyContext`."""
    environment = _environment()
    try:
        unknown = meta.find_undeclared_variables(environment.parse(source)) - REPLY_VARIABLES
    except TemplateSyntaxError as error:
        raise ReplyTemplateError(error.message or "syntax error", line=error.lineno) from None
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ReplyTemplateError(
            f"uses {names}, which a reply may not know; it may use: "
            + ", ".join(sorted(REPLY_VARIABLES)),
            line=_first_line_naming(source, sorted(unknown)[0]),
        )
    return environment.from_string(source)


def _first_line_naming(source: str, name: str) -> int | None:
    word = re.compile(rf"\b{re.escape(name)}\b")
    return next(
        (number for number, line in enumerate(source.splitlines(), 1) if word.search(line)), None
    )


def reply_language(language: str) -> str:
    """Swedish for Swedish messages; English for everything else."""
    return language if language in REPLY_LANGUAGES else "en"


@dataclass(frozen=True, slots=True)
class ReplyBook:
    """Compiled templates by reply name, then language."""

    templates: dict[str, dict[str, Template]]

    def names(self) -> frozenset[str]:
        return frozenset(self.templates)

    def render(self, name: str, *, language: str, context: ReplyContext) -> str:
        template = self.templates[name][reply_language(language)]
        text = template.render(**asdict(context))
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
