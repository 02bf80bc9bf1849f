"""A guide's templates for one reply, one per reply language, compiled: each problem (an
unknown or missing language, a template that does not compile) at its line. The replies
and the review replies read theirs alike."""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Template

from evenhand.domain.replies import REPLY_LANGUAGES, ReplyTemplateError, compile_template
from evenhand.ingest.cells import shown
from evenhand.ingest.guide_problems import Problems
from evenhand.ingest.yaml_lines import LinedMap


def compiled_templates(
    languages: LinedMap,
    problems: Problems,
    *,
    where: str,
    compile_one: Callable[[str], Template] = compile_template,
) -> dict[str, Template]:
    """The templates that compiled, by language; the others are problems at `where`."""
    compiled: dict[str, Template] = {}
    for language in sorted(languages.keys() - set(REPLY_LANGUAGES)):
        problems.add(languages.key_lines[language], where, f"unknown language {shown(language)}")
    for language in REPLY_LANGUAGES:
        source = languages.get(language)
        if not isinstance(source, str) or not source.strip():
            problems.add(languages.line, f"{where}.{language}", "the template is missing")
            continue
        try:
            compiled[language] = compile_one(source)
        except ReplyTemplateError as problem:
            line = languages.value_lines[language] + (problem.line or 1) - 1
            problems.add(line, f"{where}.{language}", f"template: {problem}")
    return compiled
