"""The sandbox a reply template runs in: bounded in work and in size, whatever it says.

A guide is uploaded by a person, and its templates run on every decision. Jinja2's
sandbox already keeps a template away from Python's internals; this one also bounds what
a template can cost:

- **work**: every loop iteration, call, operator that can grow a value, and piece of
  output is a step; a render that takes more than `MAX_RENDER_STEPS` stops. Counting
  steps rather than seconds makes the bound the same on every machine (a refusal at
  `guide check` is a refusal in production) and keeps the domain off the clock.
- **size**: no value (a text, a list) and no reply grows beyond `MAX_REPLY_CHARS`;
  `'x' * 10**7`, `'%999999s' % x` and a text doubled in a loop stop at the bound.
- **reach**: a template has no globals (no `range`, `lipsum`), a short list of filters,
  a few text methods, no `str.format`, no recursive loops, no `include` or `import`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

# A default template takes under 20 steps over the whole grid; five thousand times that
# is no reply, and still renders in well under a second.
MAX_RENDER_STEPS = 100_000
# The longest default reply is about 500 characters; a reply a person is meant to read is
# never twenty times that.
MAX_REPLY_CHARS = 10_000
_MAX_INTEGER_BITS = 256  # any count or amount a reply can need, with room to spare
_MAX_EXPONENT = 64

# fmt: off
_FILTERS = (
    "abs", "capitalize", "default", "d", "first", "float", "int", "join", "last", "length",
    "count", "lower", "upper", "round", "string", "title", "trim", "truncate", "wordcount",
)
_TEXT_METHODS = frozenset(
    ["lower", "upper", "capitalize", "title", "strip", "lstrip", "rstrip", "startswith", "endswith"]
)
_LOOP_ATTRIBUTES = frozenset((
    "index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0",
    "previtem", "nextitem",
))
# fmt: on
_FORBIDDEN_NODES: dict[type[nodes.Node], str] = {
    nodes.Include: "includes another template",
    nodes.Extends: "extends another template",
    nodes.Import: "imports another template",
    nodes.FromImport: "imports another template",
}


class RenderLimitError(Exception):
    """A render that went past a bound (steps or size)."""


@dataclass(slots=True)
class _Budget:
    steps: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("reply_render_budget", default=None)


def _step() -> None:
    budget = _BUDGET.get()
    if budget is None:
        raise RenderLimitError("no render in progress")  # e.g. Jinja folding a constant
    budget.steps += 1
    if budget.steps > MAX_RENDER_STEPS:
        raise RenderLimitError(
            f"takes more than {MAX_RENDER_STEPS:,} steps (loop iterations, calls, pieces)"
        )


def _bounded(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_REPLY_CHARS:
        raise RenderLimitError(f"builds a value of more than {MAX_REPLY_CHARS:,} items")
    if isinstance(value, int) and value.bit_length() > _MAX_INTEGER_BITS:
        raise RenderLimitError(f"builds a number of more than {_MAX_INTEGER_BITS} bits")
    return value


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def _concat(*parts: Any) -> str:
    _step()
    return str(_bounded("".join(str(part) for part in parts)))


def _guarded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _step()
        return _bounded(function(*args, **kwargs))

    guarded.__name__ = getattr(function, "__name__", "filter")
    for marker in ("jinja_pass_arg",):
        if hasattr(function, marker):
            setattr(guarded, marker, getattr(function, marker))
    return guarded


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 1


class ReplyEnvironment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with every way to grow or loop counted and bounded."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self) -> None:
        super().__init__(
            # trim_blocks off: a paragraph that ends in `{% endif %}` keeps its newline
            # (with it on, the blank line before the sign-off disappeared).
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=False,
            lstrip_blocks=True,
        )
        self.globals.clear()
        self.filters = {name: _guarded_filter(self.filters[name]) for name in _FILTERS}
        self.globals.update({"_evenhand_counted": _counted, "_evenhand_concat": _concat})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _step()
        if operator == "%" and isinstance(left, str):
            raise RenderLimitError("formats text with %, which a reply may not")
        if operator == "**" and isinstance(right, int) and abs(right) > _MAX_EXPONENT:
            raise RenderLimitError(f"raises to a power above {_MAX_EXPONENT}")
        if operator == "*" and isinstance(right, int) and right * _length(left) > MAX_REPLY_CHARS:
            raise RenderLimitError(f"repeats a value past {MAX_REPLY_CHARS:,} items")
        if operator == "*" and isinstance(left, int) and left * _length(right) > MAX_REPLY_CHARS:
            raise RenderLimitError(f"repeats a value past {MAX_REPLY_CHARS:,} items")
        return _bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _step()
        return _bounded(super().call(__context, __obj, *args, **kwargs))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, LoopContext):
            return attr in _LOOP_ATTRIBUTES
        return isinstance(obj, str) and attr in _TEXT_METHODS

    def wrap_str_format(self, value: Any) -> None:
        return None  # `str.format` is not a text method a reply may use


def guard_tree(tree: nodes.Template) -> str | None:
    """Rewrites the template's loops and `~` to count and bound them; a reason if it
    uses what a reply may not (an include, an import, a recursive loop)."""
    for kind, reason in _FORBIDDEN_NODES.items():
        if tree.find(kind) is not None:
            return reason
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            return "uses a recursive loop"
        loop.iter = _call("_evenhand_counted", [loop.iter], loop.lineno)
    for parent in list(tree.find_all(nodes.Node)):
        _replace_concats(parent)
    return None


def _replace_concats(parent: nodes.Node) -> None:
    for field in parent.fields:
        value = getattr(parent, field, None)
        if isinstance(value, nodes.Concat):
            setattr(parent, field, _call("_evenhand_concat", value.nodes, value.lineno))
        elif isinstance(value, list):
            setattr(
                parent,
                field,
                [
                    _call("_evenhand_concat", each.nodes, each.lineno)
                    if isinstance(each, nodes.Concat)
                    else each
                    for each in value
                ],
            )


def _call(name: str, arguments: list[Any], lineno: int) -> nodes.Call:
    return nodes.Call(nodes.Name(name, "load"), arguments, [], None, None, lineno=lineno)


def generate_bounded(pieces: Iterable[str]) -> str:
    """The reply from a template's generator, counting each piece and the length."""
    token = _BUDGET.set(_Budget())
    try:
        out: list[str] = []
        total = 0
        for piece in pieces:
            _step()
            total += len(piece)
            if total > MAX_REPLY_CHARS:
                raise RenderLimitError(f"renders more than {MAX_REPLY_CHARS:,} characters")
            out.append(piece)
        return "".join(out)
    finally:
        _BUDGET.reset(token)
