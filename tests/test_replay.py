"""Replaying the stored decisions under a candidate guide before adopting it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from evenhand.actions.guide import default_guide_text
from evenhand.actions.replay import replay_guide, stored_cases
from evenhand.domain.facts import CustomerKnown, DisputeState, Facts, Tier
from evenhand.domain.intents import Intent
from evenhand.domain.replay import facts_from_json, facts_read, replay
from evenhand.ingest.guide_file import parse_guide
from evenhand.store.decisions import is_latest_decision
from evenhand.store.replay_cases import latest_decisions
from evenhand.store.tables import decisions, tickets
from tests.test_cli import evenhand
from tests.test_triage import SHOP, TICKETS

TIER_RULED = {"wrong_address", "delivered_not_received", "subscription_unexpected_charge"}
# The intents about goods the customer has: on an order not yet shipped, a person looks.
SENT_GOODS = {
    "damaged_item", "wrong_item", "missing_item", "faulty_after_use", "return_request",
    "delivered_not_received",
}  # fmt: skip


def a_candidate(threshold: int, text: str | None = None) -> str:
    """The default guide with VIP from `threshold`, its examples' customers moved to match
    (the VIPs at the threshold, the standard ones just below it)."""
    text = text or default_guide_text()
    for old, new in (
        (r"vip_threshold: 5000 ", f"vip_threshold: {threshold} "),
        (r"net_revenue: 5000(?=[,}])", f"net_revenue: {threshold}"),
        (r"net_revenue: 4999\.99(?=[,}])", f"net_revenue: {threshold - 1}"),
        (r"net_revenue: 800(?=[,}])", f"net_revenue: {threshold - 1}"),
        (r"net_revenue: 1200(?=[,}])", f"net_revenue: {threshold - 1}"),
    ):
        every = "800" in old or "1200" in old  # every standard example moves below the line
        text, found = re.subn(old, new, text, count=0 if every else 1)
        assert found, old
    return text


def test_stored_facts_read_back_as_they_were() -> None:
    facts = Facts(
        intent=Intent.WRONG_ADDRESS,
        confidence=Decimal("0.912"),
        tier=Tier.VIP,
        dispute=DisputeState.THIS_ORDER,
        customer=CustomerKnown.KNOWN,
        orders=3,
        net_revenue=Decimal("5600.00"),
        ltv=Decimal("5600.00"),
        order_value=Decimal("449.00"),
        days_since_order=4,
        fulfilment_status="fulfilled",
        subscription=False,
    )
    assert facts_from_json(json.loads(json.dumps(facts.as_json()))) == facts
    assert facts_from_json({"intent": "other", "retired_fact": 1}) == Facts(intent=Intent.OTHER)


def _hand_count(engine: Engine, threshold: Decimal) -> set[str]:
    """Tickets whose latest decision a VIP rule would take at `threshold`: a known customer,
    no dispute, an intent the default guide splits by tier (a wrong address, and goods the
    customer has, only once the order has shipped), standard now, and net revenue at or
    above the new threshold."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(tickets.c.ticket_key, decisions.c.facts)
            .join(tickets, tickets.c.id == decisions.c.ticket_id)
            .where(is_latest_decision())
        ).all()
    return {
        key
        for key, facts in rows
        if facts["customer"] == "known"
        and facts["dispute"] == "none"
        and facts["intent"] in TIER_RULED
        and (facts["intent"], facts["delivery"]) != ("wrong_address", "not_shipped")
        and not (
            facts["intent"] in SENT_GOODS
            and facts["delivery"] == "not_shipped"
            and facts["fulfilment_status"] == "unfulfilled"
        )
        and facts["tier"] == "standard"
        and Decimal(facts["net_revenue"]) >= threshold
    }


@pytest.mark.usefixtures("demo_inbox_decided")
def test_a_lower_vip_threshold_changes_exactly_the_tickets_a_hand_count_says(
    engine: Engine,
) -> None:
    # Given the demo inbox decided under the default guide (VIP from 5,000 SEK)
    candidate = parse_guide(a_candidate(1500), source="candidate.yaml")
    expected = _hand_count(engine, Decimal(1500))
    assert expected, "the fixture should have standard customers between 1,500 and 5,000"
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(decisions)).scalar()
    # When it is replayed under a guide with VIP from 1,500 SEK
    report = replay_guide(engine, candidate)
    # Then exactly those tickets change, each to its rule's VIP twin, and nothing is stored
    assert set(report.changed_tickets) == expected and report.changed == len(expected)
    assert {(c.old_rule, c.new_rule) for c in report.changes} <= {
        ("wrong-address", "wrong-address-vip"),
        ("not-received", "not-received-vip"),
        ("renewal", "renewal-vip"),
    }
    assert report.new_cost > report.old_cost
    assert sum(new - old for old, new in report.cost_by_tier.values()) == report.cost_difference
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(decisions)).scalar() == stored


@pytest.mark.usefixtures("demo_inbox_decided")
def test_the_guide_in_force_replayed_changes_nothing(engine: Engine) -> None:
    report = replay_guide(engine, parse_guide(default_guide_text(), source="same.yaml"))
    assert report.decisions > 0 and report.changed == 0
    assert report.old_cost == report.new_cost > 0


@pytest.mark.process
@pytest.mark.usefixtures("demo_inbox_decided")
def test_the_store_picks_out_the_facts_a_replay_reads(engine: Engine) -> None:
    # Given the demo inbox decided, and the facts a replay under the default guide reads
    # (a fact no decision stored among them)
    candidate = parse_guide(a_candidate(2000), source="candidate.yaml")
    names = [*facts_read(candidate), "not_a_fact"]
    assert {"intent", "customer", "new_address_given", "order_value"} <= set(names)
    with engine.connect() as connection:
        whole = list(latest_decisions(connection))
        picked = list(latest_decisions(connection, facts=names))
    # Then each decision's picked facts are its stored facts' values, types kept
    assert len(picked) == len(whole) > 0
    for one, full in zip(picked, whole, strict=True):
        assert one.ticket_key == full.ticket_key and one.order_costs == full.order_costs
        assert one.facts == {name: full.facts.get(name) for name in names}
    assert {type(row.facts["new_address_given"]) for row in picked} == {bool}
    # and a replay over them finds what it finds over the whole facts
    found = replay(candidate, stored_cases(picked))
    assert found.changed > 0 and found == replay(candidate, stored_cases(whole))


def test_the_replay_command_prints_the_changes_and_their_cost(tmp_path: Path) -> None:
    # Given a shop whose tickets were decided under the default guide
    assert evenhand("init", cwd=tmp_path).returncode == 0
    assert evenhand("import", "shopify-orders", str(SHOP), cwd=tmp_path).returncode == 0
    evenhand("triage", str(TICKETS), cwd=tmp_path)
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(a_candidate(100), encoding="utf-8")
    # When the candidate with VIP from 100 SEK is replayed
    result = evenhand("guide", "replay", str(candidate), "--json", cwd=tmp_path)
    # Then Sam's wrong address (t-3) would now get a free reship, at the reship's cost
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["changed"] >= 1
    change = next(c for c in out["changes"] if c["new_rule"] == "wrong-address-vip")
    assert "t-3" in change["examples"] and change["old_remedy"] == "offer_paid_reship"
    assert Decimal(out["cost_difference"]) > 0
    text = evenhand("guide", "replay", str(candidate), cwd=tmp_path)
    assert "offer_paid_reship -> reship_free" in text.stdout
