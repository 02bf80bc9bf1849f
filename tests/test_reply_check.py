"""Guides validated for what their replies do at run time (issue 20, item 4; issue 22).

Every reply template is rendered over a grid of facts when a guide loads or is uploaded;
a template that raises, loops or grows without end is refused, and so is one that states
a window under 14 days from receipt, makes a refund conditional on packaging, claims an
action not yet taken, or reveals a tier, a value or a threat.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from evenhand.actions.guide import active_guide, adopt_uploaded_guide, default_guide_text
from evenhand.actions.triage import triage_tickets
from evenhand.domain.decision import Reading, decide_ticket
from evenhand.domain.facts import Facts, OrderMatch
from evenhand.domain.guide import Guide, GuideSettings, Remedy
from evenhand.domain.intents import Intent
from evenhand.domain.replies import ReplyBook, compile_template
from evenhand.domain.reply_check import check_written_reply
from evenhand.domain.reply_sandbox import MAX_REPLY_CHARS
from evenhand.domain.reply_words import WORD_RULES, normalised
from evenhand.domain.ticket_facts import reply_context
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.guide_problems import GuideRefusedError
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.decisions import adopt_guide, ensure_guide_version
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import FIXTURES
from tests.test_triage import TICKETS, a_shop

DEFAULT = default_guide_text()
BEFORE = (FIXTURES / "guides" / "before_issue_22.yaml").read_text(encoding="utf-8")
HUMAN_REVIEW_EN = (
    "      Thank you for your message{% if order_name %} about order {{ order_name }}"
    "{% endif %}. A colleague will look into it and get back to you as soon as possible.\n"
)
HUMAN_REVIEW_SV = (
    "      Tack för ditt meddelande{% if order_name %} om order {{ order_name }}{% endif %}. "
    "En kollega tittar på ärendet och återkommer till dig så snart som möjligt.\n"
)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def with_template(body: str, *, language: str = "en") -> str:
    """The default guide with the human_review template's paragraph replaced by `body`."""
    old = HUMAN_REVIEW_EN if language == "en" else HUMAN_REVIEW_SV
    assert old in DEFAULT
    return DEFAULT.replace(old, f"      {body}\n", 1)


def reasons(text: str) -> list[str]:
    with pytest.raises(GuideRefusedError) as refused:
        parse_guide(text, source="guide.yaml")
    return [f"{problem.field}: {problem.reason}" for problem in refused.value.problems]


def test_the_default_guide_passes_the_grid_and_the_guide_before_issue_22_does_not() -> None:
    # given the default templates before this change; when checked; then each lie is named
    found = "\n".join(reasons(BEFORE))
    for expected in (
        'replies.refund_renewal.en: says "we have refunded"',
        'replies.refund_renewal.sv: says "vi har återbetalat"',
        'replies.carrier_investigation.en: says "we have opened an investigation"',
        'replies.cancel_subscription.sv: says "vi har avslutat"',
        'replies.standard_return.en: says "unused"',
        'replies.standard_return.sv: says "oanvänd"',
        'replies.explain_and_cancel.en: says "unopened"',
    ):
        assert expected in found, found
    # and the reworked default passes
    assert parse_guide(DEFAULT, source="default.yaml").replies.names()


@pytest.mark.parametrize(
    ("body", "language", "reason"),
    [
        ("You may return it within 7 days.", "en", 'says "within 7 days"'),
        (
            "{% if days_since_fulfilment is not none %}Return it: "
            "{{ 14 - days_since_fulfilment }} days left.{% endif %}",
            "en",
            "days left under the 14 days",
        ),
        ("Din order ligger utanför vår returperiod.", "sv", "a closed window"),
        ("Send it back in its original packaging.", "en", "in their packaging"),
        ("Skicka tillbaka varan oanvänd.", "sv", 'says "oanvänd"'),
        ("We have refunded your order.", "en", "an action was taken"),
        ("Vi har nu avslutat din prenumeration.", "sv", "an action was taken"),
        ("Som en av våra bästa VIP-kunder får du ett nytt paket.", "sv", "reveals a tier"),
        ("There is no need to leave a review.", "en", "reveals a tier"),
        ("There is no need for a chargeback.", "en", "reveals a tier"),
    ],
)
def test_a_template_that_breaks_a_rule_is_refused_naming_it(
    body: str, language: str, reason: str
) -> None:
    found = reasons(with_template(body, language=language))
    assert any(f"replies.human_review.{language}" in r and reason in r for r in found), found


@pytest.mark.parametrize(
    "body",
    [
        "As one of our V\u200bIP customers you get more.",  # an invisible space
        "As one of our \uff36\uff29\uff30 customers you get more.",  # full-width letters
        "As one of our V\u0406P customers you get more.",  # a Cyrillic I
        "As one of our V{{ '' }}IP customers you get more.",  # cut by a tag
        "As one of our V{{ 'I' }}P customers you get more.",  # a letter from an expression
        "{% if days_since_order == 12345 %}As a VIP{% endif %}Thanks.",  # an unreached branch
        "We have\n      refunded you.",  # spread over two lines
    ],
)
def test_the_check_is_not_fooled_by_wording(body: str) -> None:
    found = reasons(with_template(body))
    assert any("replies.human_review.en" in reason for reason in found), found


def test_what_the_law_allows_passes() -> None:
    # a deduction for diminished value may be mentioned; "we will" promises are fine
    body = (
        "We will refund you once the item is back. If it has been used beyond examining it, "
        "we may deduct for the loss in value. You may return it within 30 days."
    )
    assert parse_guide(with_template(body), source="ok.yaml")


def test_a_shop_adds_its_own_words_to_the_list() -> None:
    # given a shop that never wants "gold club" said, and a template that says it
    text = with_template("Welcome to the Gold  Club!").replace(
        "  shop_name: Nordhem\n",
        "  shop_name: Nordhem\n  reply_forbidden_words:\n    en: [gold club]\n",
    )
    assert any('says "gold club"' in reason for reason in reasons(text))
    # and without the setting the same template passes
    assert parse_guide(with_template("Welcome to the Gold  Club!"), source="x")


@pytest.mark.parametrize(
    ("language", "index"), [(lang, i) for lang in WORD_RULES for i in range(len(WORD_RULES[lang]))]
)
def test_every_word_rule_catches_its_own_example(language: str, index: int) -> None:
    rule = WORD_RULES[language][index]
    assert rule.compiled().search(normalised(rule.example)), (rule.pattern, rule.example)


PROBES = [
    ("raises", "{{ 1 / 0 }}", "ZeroDivisionError"),
    ("grows", "{{ 'x' * 10000000 }}", "past 10,000 items"),
    (
        "loops",
        "{% for a in 'x' * 9000 %}{% for b in 'y' * 9000 %}{% endfor %}{% endfor %}",
        "steps",
    ),
    ("doubles", "{% set a = 'x' * 9000 %}{{ a ~ a }}", "more than 10,000"),
    ("recurses", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "RecursionError"),
    ("formats", "{{ '{:>999999999}'.format(1) }}", "format"),
    ("pads", "{{ '%999999999s' % order_name }}", "formats text with %"),
    ("includes", "{% include 'other' %}", "includes another template"),
    ("asks for internals", "{{ first_name.__class__ }}", "SecurityError"),
]


@pytest.mark.parametrize(("body", "reason"), [p[1:] for p in PROBES], ids=[p[0] for p in PROBES])
def test_a_template_that_fails_at_run_time_is_refused_at_load(body: str, reason: str) -> None:
    started = time.perf_counter()
    found = reasons(with_template(body))
    assert any("replies.human_review.en" in r and reason in r for r in found), found
    assert all(len(r) < 1000 for r in found)
    assert time.perf_counter() - started < 30  # a bound, not a benchmark: loops do stop


def test_an_upload_with_a_template_that_raises_is_refused_and_not_adopted(engine: Engine) -> None:
    with pytest.raises(GuideRefusedError) as refused:
        adopt_uploaded_guide(engine, text=with_template("{{ 1 / 0 }}"), by="m@example.se", now=NOW)
    assert "replies.human_review.en" in str(refused.value)


def a_guide_whose_reply_raises(guide: Guide, name: str) -> Guide:
    """A guide object past validation whose template fails (as one could on a fact the
    grid did not foresee)."""
    failing = compile_template("{{ 1 / (days_since_order - 3) }}")
    templates = {**guide.replies.templates, name: {"en": failing, "sv": failing}}
    return replace(guide, replies=ReplyBook(templates))


def test_a_render_error_at_decision_time_gives_human_review_with_the_reason() -> None:
    # given a guide whose damaged-item reply divides by zero three days after the order
    guide = a_guide_whose_reply_raises(parse_guide(DEFAULT, source="d"), "replace_or_refund")
    facts = Facts(intent=Intent.DAMAGED_ITEM, days_since_order=3, order_match=OrderMatch.QUOTED)
    # when a ticket is decided
    decision = decide_ticket(
        guide,
        ticket_id="t-1",
        facts=facts,
        reading=Reading(
            language="en", intent_confidence=0.9, runner_up="other", runner_up_confidence=0.1
        ),
        context=reply_context(facts, settings=guide.settings, first_name="Anna", order_name="#1"),
        currency="SEK",
    )
    # then a person decides, the explanation says why, and the reply promises nothing
    assert decision.remedy is Remedy.HUMAN_REVIEW
    assert "remedy:human_review" in decision.tags
    assert (
        "'replace_or_refund' (en) could not be rendered (ZeroDivisionError" in decision.explanation
    )
    assert decision.reply_text.startswith("Hi Anna,") and "colleague" in decision.reply_text


def test_a_yaml_alias_bomb_is_refused_with_a_short_message() -> None:
    # given 18 kB-class alias bomb put where a setting's value goes
    anchors = ['bomb0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    anchors += [f"bomb{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    text = "\n".join(anchors) + "\n" + DEFAULT.replace("  shop_name: Nordhem", "  shop_name: *a7")
    message = "\n".join(reasons(text))
    # then the refusal names the setting and quotes a few characters of it, not 43 million
    assert "settings.shop_name" in message and len(message) < 5000, len(message)


@pytest.mark.parametrize(
    "spelling",
    [
        "intent:{intent:>999999}",
        "intent:{intent!r}",
        "intent:{intent.__class__}",
        "{intent}{intent}x" * 20,
    ],
)
def test_a_tag_spelling_takes_only_its_placeholder(spelling: str) -> None:
    text = DEFAULT.replace('    intent: "intent:{intent}"', f'    intent: "{spelling}"')
    assert any("settings.tags" in reason for reason in reasons(text))


def test_replies_stay_short_for_any_name() -> None:
    # a first name of 100 kB is not quoted; the reply stays a reply
    guide = parse_guide(DEFAULT, source="d")
    facts = Facts(intent=Intent.OTHER)
    context = reply_context(
        facts, settings=guide.settings, first_name="A" * 100_000, order_name=None
    )
    text = guide.replies.render("human_review", language="en", context=context)
    assert text.startswith("Hi,") and len(text) < MAX_REPLY_CHARS


@pytest.mark.parametrize(
    "where",
    ["a key that is the bomb", "a key of a megabyte", "a template with a name of 100 kB"],
)
def test_no_refusal_quotes_more_than_a_short_prefix(where: str) -> None:
    anchors = ['b0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    anchors += [f"b{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 8)]
    text = {
        "a key that is the bomb": "\n".join(anchors) + "\n? *a7\n: 1\n" + DEFAULT,
        "a key of a megabyte": "k" * 1_000_000 + ": 1\n" + DEFAULT,
        "a template with a name of 100 kB": with_template("{{ " + "a" * 100_000 + " b }}"),
    }[where]
    assert len("\n".join(reasons(text))) < 2000


def test_a_template_failing_at_decision_time_stores_human_review_for_every_ticket(
    engine: Engine, db_url: str, reader: EmbeddedReader
) -> None:
    # given a shop, and a guide past validation whose every template raises
    settings = a_shop(engine, db_url)
    guide = parse_guide(DEFAULT, source="d")
    failing = compile_template("{{ 1 / 0 }}")
    guide = replace(
        guide,
        replies=ReplyBook({name: {"en": failing, "sv": failing} for name in guide.replies.names()}),
    )
    # when the tickets are triaged (no exception escapes)
    report = triage_tickets(
        engine,
        records=read_tickets(TICKETS),
        guide=guide,
        reader=reader,
        settings=settings,
        now=NOW,
    )
    # then each is stored, for a person to decide, with the reason and a plain reply
    assert len(report.decided) == 6
    for outcome in report.decided:
        decision = outcome.decision
        assert decision.remedy is Remedy.HUMAN_REVIEW
        assert "could not be rendered (ZeroDivisionError: division by zero)" in decision.explanation
        assert "colleague" in decision.reply_text or "kollega" in decision.reply_text


def test_a_guide_adopted_before_the_check_still_loads_so_the_service_starts(
    engine: Engine, db_url: str
) -> None:
    # given the guide before issue 22, adopted and stored (as an older version would have)
    old = parse_guide(BEFORE, source="old", grid_check=False)
    with engine.begin() as connection:
        ensure_guide_version(connection, version=old.version, source="old", text=BEFORE, now=NOW)
        adopt_guide(connection, version=old.version, by="m@example.se", now=NOW)
    # when the service loads the guide in force, it is the adopted one
    assert active_guide(engine, Settings(db=db_url)).version == old.version
    # and the same text is still refused by `guide check` and by an upload
    assert reasons(BEFORE)


WRITTEN = [
    ("You can send it back to us. It must be unused.", '"unused" on a return'),
    ("Du kan skicka tillbaka den. Den ska vara oanvänd.", '"oanvänd" on a return'),
    ("You may return it within 7 days.", '"within 7 days"'),
    ("Du kan returnera den inom 7 dagar från att du fick den.", '"inom 7 dagar"'),
    ("As one of our VIP customers you get a new one.", "reveals"),
    ("No need to return it; keep the original box for the courier photo.", None),
    ("You do not need the original packaging to return it.", None),
    ("We will refund you within 5 days of receiving your return.", None),
    ("Vi betalar tillbaka pengarna inom 5 dagar efter att returen har kommit fram.", None),
    ("We have reviewed your case. Please send us a photo of the box.", None),
]


@pytest.mark.parametrize(("text", "said"), WRITTEN)
def test_an_agents_reply_is_refused_only_for_what_the_law_or_the_policy_forbids(
    text: str, said: str | None
) -> None:
    found = check_written_reply(
        text, settings=GuideSettings(), facts=Facts(intent=Intent.DAMAGED_ITEM)
    )
    if said is None:
        assert found == []
    else:
        assert len(found) == 1 and said in found[0]
