"""YAML that remembers where things are: mappings and lists carry their line numbers,
and a key given twice is refused instead of silently overwriting the first."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from evenhand.domain.quoting import quoted


class YamlLineError(ValueError):
    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(message)
        self.line = line


class LinedMap(dict[str, Any]):
    """A mapping with the line of each key and where each value's content starts."""

    line: int
    key_lines: dict[str, int]
    value_lines: dict[str, int]


class LinedList(list[Any]):
    line: int
    item_lines: list[int]


def _content_line(node: Node) -> int:
    """1-based line where a value's content starts (a block scalar starts below its `|`)."""
    style = getattr(node, "style", None)
    return node.start_mark.line + (2 if style in ("|", ">") else 1)


# libyaml's parser where PyYAML was built with it (ten times faster), else PyYAML's own.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _mapping(loader: _Loader, node: MappingNode) -> LinedMap:
    loader.flatten_mapping(node)
    mapping = LinedMap()
    mapping.line, mapping.key_lines, mapping.value_lines = node.start_mark.line + 1, {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise YamlLineError(
                f"keys are words, not {quoted(key)}", line=key_node.start_mark.line + 1
            )
        if key in mapping:
            raise YamlLineError(
                f"{quoted(key)} is given twice (first on line {mapping.key_lines[key]})",
                line=key_node.start_mark.line + 1,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
        mapping.value_lines[key] = _content_line(value_node)
    return mapping


def _sequence(loader: _Loader, node: SequenceNode) -> LinedList:
    items = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def load_lined(text: str) -> object:
    """The document, with LinedMap/LinedList in place of dict/list; raises YamlLineError."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlLineError(f"not valid YAML: {error.problem or error}", line=line) from None
    except yaml.YAMLError as error:  # e.g. a character YAML does not allow (a ReaderError)
        raise YamlLineError(f"not valid YAML: {_first_line(error)}", line=1) from None
    except RecursionError:
        raise YamlLineError("not valid YAML: nested too deeply", line=1) from None


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n", 1)[0][:200]
