"""The guide's `review_replies:` section: a public reply to a review per rating band
(`low`, `mid`, `high`) and, optionally, per intent, each in Swedish and English; compiled
in the replies' sandbox and checked at load (`check_review_replies`)."""

from __future__ import annotations

from jinja2 import Template

from evenhand.domain.review_replies import (
    BANDS,
    REVIEW_REPLY_KEYS,
    ReviewReplyBook,
    check_review_replies,
    compile_review_reply,
    default_review_book,
)
from evenhand.ingest.cells import shown
from evenhand.ingest.guide_problems import Problems
from evenhand.ingest.guide_templates import compiled_templates
from evenhand.ingest.yaml_lines import LinedMap

WHERE = "review_replies"


def parse_review_replies(
    block: object, problems: Problems, *, line: int, shop_name: str, check: bool = True
) -> ReviewReplyBook:
    """The section's templates (the built-in ones when it is absent); every problem is
    added to `problems`, naming the line."""
    if block is None:
        return default_review_book()
    if not isinstance(block, LinedMap):
        problems.add(line, WHERE, "a mapping of low, mid, high (and intents): sv/en templates")
        return default_review_book()
    before = len(problems.found)
    templates: dict[str, dict[str, Template]] = {}
    sources: dict[str, dict[str, str]] = {}
    for key in sorted(block.keys() - REVIEW_REPLY_KEYS):
        problems.add(
            block.key_lines[key],
            f"{WHERE}.{key}",
            f"neither a band ({', '.join(BANDS)}) nor an intent: {shown(key)}",
        )
    for band in BANDS:
        if band not in block:
            problems.add(block.line, f"{WHERE}.{band}", "the band's template is missing")
    for key in sorted(block.keys() & REVIEW_REPLY_KEYS):
        languages = block[key]
        if not isinstance(languages, LinedMap):
            problems.add(
                block.key_lines[key], f"{WHERE}.{key}", "one template per language: sv, en"
            )
            continue
        templates[key] = compiled_templates(
            languages, problems, where=f"{WHERE}.{key}", compile_one=compile_review_reply
        )
        sources[key] = {each: languages[each] for each in templates[key]}
    book = ReviewReplyBook(templates, sources)
    if check and len(problems.found) == before:
        for finding in check_review_replies(book, shop_name=shop_name):
            languages = block[finding.key]
            at = languages.value_lines.get(finding.language, languages.line)
            problems.add(at, f"{WHERE}.{finding.key}.{finding.language}", finding.reason)
    return book
