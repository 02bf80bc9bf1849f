"""The resolution guide: the default guide's table, the examples, and every refusal."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from evenhand.actions.guide import default_guide_text
from evenhand.domain.facts import Delivery, DisputeState, Facts, OrderMatch, Tier
from evenhand.domain.guide import Guide, Remedy, decide, run_example
from evenhand.domain.intents import Intent
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.guide_problems import GuideRefusedError

DEFAULT = default_guide_text()
I = Intent  # noqa: E741


def the_default_guide() -> Guide:
    return parse_guide(DEFAULT, source="default.yaml")


def refusal(text: str) -> GuideRefusedError:
    with pytest.raises(GuideRefusedError) as refused:
        parse_guide(text, source="guide.yaml")
    return refused.value


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def edited(old: str, new: str) -> str:
    assert old in DEFAULT, old
    return DEFAULT.replace(old, new, 1)


# The default guide's table, row by row (the founding article).
GOLDEN = [
    (I.DAMAGED_ITEM, Tier.STANDARD, Remedy.REPLACE_OR_REFUND),
    (I.DAMAGED_ITEM, Tier.VIP, Remedy.REPLACE_OR_REFUND),
    (I.WRONG_ITEM, Tier.STANDARD, Remedy.REPLACE_OR_REFUND),
    (I.MISSING_ITEM, Tier.VIP, Remedy.REPLACE_OR_REFUND),
    (I.WRONG_ADDRESS, Tier.VIP, Remedy.RESHIP_FREE),
    (I.WRONG_ADDRESS, Tier.STANDARD, Remedy.OFFER_PAID_RESHIP),
    (I.DELIVERED_NOT_RECEIVED, Tier.VIP, Remedy.RESHIP_FREE),
    (I.DELIVERED_NOT_RECEIVED, Tier.STANDARD, Remedy.CARRIER_INVESTIGATION),
    (I.SUBSCRIPTION_UNEXPECTED_CHARGE, Tier.VIP, Remedy.REFUND_RENEWAL),
    (I.SUBSCRIPTION_UNEXPECTED_CHARGE, Tier.STANDARD, Remedy.EXPLAIN_AND_CANCEL),
    (I.RETURN_REQUEST, Tier.VIP, Remedy.STANDARD_RETURN),
    (I.RETURN_REQUEST, Tier.STANDARD, Remedy.STANDARD_RETURN),
    (I.WHERE_IS_MY_ORDER, Tier.STANDARD, Remedy.SEND_TRACKING_STATUS),
    (I.CANCEL_SUBSCRIPTION, Tier.VIP, Remedy.CANCEL_SUBSCRIPTION),
    (I.OTHER, Tier.VIP, Remedy.HUMAN_REVIEW),
    (I.OTHER, Tier.STANDARD, Remedy.HUMAN_REVIEW),
]


@pytest.mark.parametrize(("intent", "tier", "remedy"), GOLDEN)
def test_the_default_guide_decides_as_the_article_says(
    intent: Intent, tier: Tier, remedy: Remedy
) -> None:
    guide = the_default_guide()
    facts = Facts(intent=intent, tier=tier, order_match=OrderMatch.QUOTED)
    assert decide(guide.rules, facts).remedy is remedy


@pytest.mark.parametrize("intent", list(Intent))
@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("dispute", [DisputeState.THIS_ORDER, DisputeState.CLAIMED])
def test_a_dispute_on_this_order_or_said_filed_takes_every_ticket_to_the_dispute_process(
    intent: Intent, tier: Tier, dispute: DisputeState
) -> None:
    facts = Facts(
        intent=intent, tier=tier, dispute=dispute, open_disputes=1, order_match=OrderMatch.QUOTED
    )
    assert decide(the_default_guide().rules, facts).remedy is Remedy.ROUTE_TO_DISPUTE


@pytest.mark.parametrize(("intent", "tier", "remedy"), GOLDEN)
def test_a_dispute_on_another_order_changes_nothing(
    intent: Intent, tier: Tier, remedy: Remedy
) -> None:
    facts = Facts(
        intent=intent,
        tier=tier,
        dispute=DisputeState.OTHER_ORDER,
        open_disputes=1,
        order_match=OrderMatch.QUOTED,
    )
    assert decide(the_default_guide().rules, facts).remedy is remedy


@pytest.mark.parametrize(
    ("status", "rule_id"),
    [
        ("unfulfilled", "goods-not-sent-yet"),  # nothing of it sent: a person looks
        ("partial", "our-mistake"),  # part of it sent: what came can be missing or broken
    ],
)
def test_goods_complained_of_on_an_order_not_sent_go_to_a_person(status: str, rule_id: str) -> None:
    facts = Facts(
        intent=I.MISSING_ITEM,
        order_match=OrderMatch.QUOTED,
        delivery=Delivery.NOT_SHIPPED,
        fulfilment_status=status,
    )
    assert decide(the_default_guide().rules, facts).id == rule_id


def test_a_guide_written_before_dispute_scopes_still_reads_open_as_any_dispute() -> None:
    # Given a guide whose first rule still says `dispute: open`
    claimed_rule = DEFAULT[
        DEFAULT.index("  - id: dispute-claimed") : DEFAULT.index("  - id: unsure")
    ]
    older = edited(claimed_rule, "").replace("dispute: this_order\n", "dispute: open\n", 1)
    guide = parse_guide(older, source="old")
    # Then it takes every dispute, as `open` meant then
    for dispute in (DisputeState.THIS_ORDER, DisputeState.CLAIMED, DisputeState.OTHER_ORDER):
        facts = Facts(intent=I.DAMAGED_ITEM, dispute=dispute, order_match=OrderMatch.QUOTED)
        assert decide(guide.rules, facts).remedy is Remedy.ROUTE_TO_DISPUTE
    facts = Facts(intent=I.DAMAGED_ITEM, order_match=OrderMatch.QUOTED)
    assert decide(guide.rules, facts).remedy is Remedy.REPLACE_OR_REFUND


def test_the_default_guide_holds_its_examples_with_and_without_threats() -> None:
    guide = the_default_guide()
    outcomes = [run_example(guide, example) for example in guide.examples]
    assert len(outcomes) >= 12 and all(outcome.passed for outcome in outcomes)
    assert {len(outcome.with_threats) for outcome in outcomes} == {3}


def test_the_version_is_the_hash_of_the_text_and_a_comment_changes_it() -> None:
    first = the_default_guide().version
    assert parse_guide(DEFAULT, source="again").version == first
    assert parse_guide(DEFAULT + "\n# a note\n", source="x").version != first


def test_a_one_cell_change_is_one_line_and_takes_effect() -> None:
    # Given the VIP threshold raised from 5000 to 8000 (one line)
    text = edited("vip_threshold: 5000 ", "vip_threshold: 8000 ")
    assert sum(a != b for a, b in zip(DEFAULT.splitlines(), text.splitlines(), strict=True)) == 1
    guide = parse_guide(text, source="raised.yaml")
    # Then a customer worth 6000 is no longer VIP
    assert guide.settings.tier_for(Decimal(6000)) is Tier.STANDARD
    assert the_default_guide().settings.tier_for(Decimal(6000)) is Tier.VIP


CELLS = [
    ("order_value", '"<= 300"', Decimal(300), True),
    ("order_value", '"<= 300"', Decimal("300.01"), False),
    ("order_value", '"< 300"', Decimal(300), False),
    ("days_since_order", "14..30", 14, True),
    ("days_since_order", "14..30", 31, False),
    ("days_since_order", '"..30"', 2, True),
    ("days_since_fulfilment", "null", None, True),
    ("days_since_fulfilment", "null", 3, False),
    ("days_since_fulfilment", '"> 3"', None, False),
    ("language", "[sv, da]", "da", True),
    ("tier", "[vip]", Tier.VIP, True),
    ("tier", "[vip]", Tier.STANDARD, False),
    ("subscription", "true", True, True),
    ("subscription", "[true, null]", None, True),
]


@pytest.mark.parametrize(("fact", "cell", "value", "matches"), CELLS)
def test_cells_match_by_their_strict_syntax(
    fact: str, cell: str, value: object, matches: bool
) -> None:
    # Given a first rule with one condition, before the default guide's rules
    text = edited(
        "rules:\n",
        "rules:\n  - id: probe\n    when:\n      intent: return_request\n"
        f"      {fact}: {cell}\n    remedy: human_review\n",
    )
    guide = parse_guide(text, source="probe.yaml")
    facts = Facts(intent=Intent.RETURN_REQUEST, **{fact: value})  # type: ignore[arg-type]
    assert (decide(guide.rules, facts).id == "probe") is matches


REFUSALS = [
    # (what the edit does, old text, new text, fragment of the reported line, reason)
    (
        "a rule conditions on a threat",
        "      intent: return_request\n",
        "      intent: return_request\n      review_threat: true\n",
        "review_threat: true",
        "threat signals are not inputs",
    ),
    (
        "a misspelled fact",
        "      intent: where_is_my_order\n",
        "      intnet: where_is_my_order\n",
        "intnet:",
        "unknown fact 'intnet' (did you mean 'intent'?)",
    ),
    (
        "a misspelled value",
        "      intent: cancel_subscription\n",
        "      intent: cancel_subscriptoin\n",
        "cancel_subscriptoin",
        "did you mean 'cancel_subscription'?",
    ),
    (
        "an unknown remedy",
        "    remedy: send_tracking_status\n",
        "    remedy: send_a_voucher\n",
        "send_a_voucher",
        "unknown remedy 'send_a_voucher'",
    ),
    (
        "an unknown template",
        "      intent: wrong_address\n    remedy: offer_paid_reship\n",
        "      intent: wrong_address\n    remedy: offer_paid_reship\n"
        "    reply: paid_reship_polite\n",
        "paid_reship_polite",
        "unknown reply template 'paid_reship_polite'",
    ),
    (
        "a duplicate id",
        "  - id: not-received\n",
        "  - id: not-received-vip\n",
        "  - id: not-received-vip\n    description: Delivered but not received; we",
        "duplicate rule id 'not-received-vip'",
    ),
    (
        "an unreachable rule",
        "  - id: not-received-vip\n",
        "  - id: all-not-received\n    when:\n      intent: delivered_not_received\n"
        "    remedy: carrier_investigation\n\n  - id: not-received-vip\n",
        "  - id: not-received-vip\n",
        "rule 'not-received-vip' is unreachable: rule 'all-not-received'",
    ),
    (
        "no catch-all",
        "  - id: human-review\n    description: Anything else, or a message the reader is not "
        "sure of; a person decides.\n    remedy: human_review\n",
        "  - id: human-review\n    when:\n      intent: other\n    remedy: human_review\n",
        "  - id: human-review",
        "no catch-all",
    ),
    (
        "a return window under the EU's 14 days",
        "return_window_days: 30",
        "return_window_days: 10",
        "return_window_days: 10",
        "below the EU's 14-day right of withdrawal",
    ),
    (
        "a reply that asks for the customer's tier",
        "      Thank you for your message. We will cancel your subscription",
        "      Thank you, {{ tier }} customer. We will cancel your subscription",
        "{{ tier }} customer",
        "uses tier, which a reply may not know",
    ),
    (
        "a reply that does not compile",
        "      Thank you for your message. We will cancel your subscription",
        "      Thank you {{ first_name }. We will cancel your subscription",
        "Thank you {{ first_name }.",
        "template:",
    ),
    (
        "a key given twice",
        "    remedy: cancel_subscription\n",
        "    remedy: cancel_subscription\n    remedy: human_review\n",
        "    remedy: human_review\n\n  - id: cancel-order-unshipped",
        "'remedy' is given twice",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "fragment", "reason"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_a_bad_guide_is_refused_with_its_line_and_reason(
    old: str, new: str, fragment: str, reason: str
) -> None:
    text = edited(old, new)
    error = refusal(text)
    expected_line = text[: text.index(fragment)].count("\n") + 1
    matching = [problem for problem in error.problems if reason in problem.reason]
    assert matching, [str(problem) for problem in error.problems]
    assert matching[0].line == expected_line, [str(problem) for problem in error.problems]
    assert "guide.yaml" in str(error) and f"line {expected_line}" in str(error)


def test_every_problem_is_listed_at_once() -> None:
    text = edited("    remedy: send_tracking_status\n", "    remedy: send_a_voucher\n")
    text = text.replace("      intent: cancel_subscription\n", "      threat: true\n", 1)
    assert len(refusal(text).problems) == 2


def test_not_yaml_is_refused_with_its_line() -> None:
    error = refusal("rules:\n  - id: a\n    when: [unclosed\n")
    assert error.problems[0].line >= 3 and "not valid YAML" in error.problems[0].reason


def test_remedy_confidence_is_a_setting_that_moves_the_reading() -> None:
    # Given the setting raised from 0.6 to 0.9 (one line)
    guide = parse_guide(
        edited("remedy_confidence: 0.6 ", "remedy_confidence: 0.9 "), source="strict.yaml"
    )
    facts = Facts(
        intent=I.DAMAGED_ITEM,
        confidence=Decimal("0.8"),
        reading=guide.settings.reading_for(Decimal("0.8")),
        order_match=OrderMatch.QUOTED,
    )
    # Then a reading at 0.8 is unsure there, and sure by default
    assert decide(guide.rules, facts).id == "unsure-reading"
    default = the_default_guide().settings.reading_for(Decimal("0.8"))
    assert decide(the_default_guide().rules, replace(facts, reading=default)).id == "our-mistake"


@pytest.mark.parametrize("value", ["1.5", "-0.1", "sure", "true"])
def test_a_remedy_confidence_outside_0_to_1_is_refused(value: str) -> None:
    error = refusal(edited("remedy_confidence: 0.6 ", f"remedy_confidence: {value} "))
    assert any("remedy_confidence is a number from 0 to 1" in p.reason for p in error.problems)


def test_an_example_written_with_the_old_open_dispute_reads_as_this_order() -> None:
    text = edited(
        "facts: {intent: damaged_item, dispute: this_order,",
        "facts: {intent: damaged_item, dispute: open,",
    )
    (example,) = [e for e in parse_guide(text, source="x").examples if "this order" in e.name]
    assert example.facts.dispute is DisputeState.THIS_ORDER
