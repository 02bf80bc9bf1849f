"""Swedish and English a native would write: the default templates, rendered over the
grid of facts, read for the anglicisms and the formatting slips a support lead found."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from evenhand.actions.guide import default_guide_text
from evenhand.domain.guide import Guide
from evenhand.domain.replies import REPLY_LANGUAGES, ReplyBook, compile_template
from evenhand.domain.reply_check import grid, grid_context
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.yaml_lines import load_lined
from tests.conftest import FIXTURES


@dataclass(frozen=True)
class Slip:
    language: str  # "sv", "en" or "*"
    pattern: str
    instead: str
    example: str


# What reads as translated or careless, with what a native would write instead.
SLIPS = (
    Slip(
        "sv",
        r"skicka[rt]? (?:dig )?en ersättning|ersättningsleverans",
        "en ny vara",
        "Vill du att vi skickar en ersättning?",
    ),
    Slip(
        "sv",
        r"återbetala[rt]? (?:vi )?dig",
        "betalar tillbaka pengarna",
        "så återbetalar vi dig så snart returen kommit fram",
    ),
    Slip(
        "sv",
        r":\s",
        "a full stop, or 'så'; a colon before a clause is English",
        "Vi ber om ursäkt: det här är vårt misstag.",
    ),
    Slip(
        "sv",
        r"en av våra kollegor läser",
        "En kollega tittar på ärendet",
        "En av våra kollegor läser det och återkommer.",
    ),
    Slip("sv", r"\bvi beklagar för\b", "Vi beklagar att ...", "Vi beklagar för besväret."),
    Slip(
        "*",
        r"\w\((?:s|ar|er|or)\)",
        "the number's own form: 1 dag, 2 dagar; 1 day, 2 days",
        "för 3 dag(ar) sedan",
    ),
    Slip("en", r"\bwe are sorry:", "We are sorry that ...", "We are sorry: this is our mistake."),
    Slip(
        "en",
        r"\b(?:is|are|will not be) not refunded\b|\bis not refunded\b",
        "what the customer can do",
        "The delivery that was charged is not refunded.",
    ),
    Slip(
        "*",
        r"\b0 (?:days?|dagar?) (?:ago|sedan|left|kvar)",
        "today / i dag",
        "It left our warehouse 0 days ago.",
    ),
    Slip("*", r"\b1 (?:days|dagar)\b", "1 day / 1 dag", "You have 1 days left."),
    Slip("*", r"  +\S", "one space", "Thank you.  We will"),
    Slip("*", r"\s[.,!?]", "no space before punctuation", "Thank you , Anna"),
)
SIGN_OFF = {"en": "Best regards,", "sv": "Vänliga hälsningar"}


def slips_in(text: str, language: str) -> list[str]:
    found = [
        f"{slip.pattern} (write: {slip.instead})"
        for slip in SLIPS
        if slip.language in (language, "*") and re.search(slip.pattern, text, re.IGNORECASE)
    ]
    lines = text.splitlines()
    if SIGN_OFF[language] in lines and lines[lines.index(SIGN_OFF[language]) - 1] != "":
        found.append("no blank line before the sign-off")
    if len(lines) > 1 and lines[1] != "":
        found.append("no blank line after the greeting")
    return found


def renders(guide: Guide) -> list[tuple[str, str, str, str]]:
    """(template, language, cell, text) for every template over the grid."""
    return [
        (
            name,
            language,
            cell.label,
            guide.replies.render(
                name, language=language, context=grid_context(cell, guide.settings)
            ),
        )
        for name in sorted(guide.replies.names())
        for language in REPLY_LANGUAGES
        for cell in grid()
    ]


@pytest.mark.parametrize("slip", SLIPS, ids=[slip.example for slip in SLIPS])
def test_every_slip_catches_its_example(slip: Slip) -> None:
    assert re.search(slip.pattern, slip.example, re.IGNORECASE)


def test_the_default_replies_read_as_a_native_would_write_them() -> None:
    guide = parse_guide(default_guide_text(), source="default.yaml")
    found = [
        (name, language, label, slip)
        for name, language, label, text in renders(guide)
        for slip in slips_in(text, language)
    ]
    assert found == []


def before_issue_22() -> ReplyBook:
    """The templates as they were (the grid check refuses that guide, so they are
    compiled here one by one)."""
    document = load_lined((FIXTURES / "guides" / "before_issue_22.yaml").read_text("utf-8"))
    assert isinstance(document, dict)
    return ReplyBook(
        {
            name: {language: compile_template(source) for language, source in languages.items()}
            for name, languages in document["replies"].items()
        }
    )


def test_the_replies_before_issue_22_had_the_slips_the_test_reads_for() -> None:
    # given the old templates, over the same grid
    guide = parse_guide(default_guide_text(), source="default.yaml")
    old = Guide(
        version="old",
        text="",
        settings=guide.settings,
        rules=guide.rules,
        replies=before_issue_22(),
    )
    found = {slip for _, language, _, text in renders(old) for slip in slips_in(text, language)}
    # then the test above would have failed, naming what the support lead found
    assert any("ersättning" in slip for slip in found)
    assert any("återbetala" in slip for slip in found)
    assert any(r":\s" in slip for slip in found)
    assert any("en av våra kollegor" in slip for slip in found)
    assert any("we are sorry:" in slip for slip in found)
    assert any(r"\w\(" in slip for slip in found)


def test_a_paragraph_that_ends_in_a_tag_keeps_the_blank_line_before_the_sign_off() -> None:
    # given a paragraph ending in {% endif %} (trim_blocks used to eat the newline after it)
    template = compile_template(
        "Hi,\n\nThanks{% if order_name %} for {{ order_name }}{% endif %}\n\nBest regards,\nX"
    )
    text = ReplyBook({"r": {"en": template}}).render(
        "r",
        language="en",
        context=grid_context(next(grid()), parse_guide(default_guide_text(), source="d").settings),
    )
    assert text == "Hi,\n\nThanks\n\nBest regards,\nX"
