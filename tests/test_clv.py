"""The predicted CLV's models on CDNOW (Fader, Hardie and Lee 2005; tests/fixtures/cdnow)."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from evenhand.actions.customer_value import customer_report, recompute_values
from evenhand.actions.guide import default_guide_text
from evenhand.actions.replay import advise_vip_threshold
from evenhand.actions.triage import triage_tickets
from evenhand.cli import app
from evenhand.domain.clv import (
    ClvSettings,
    Purchase,
    fit,
    histories,
    history_today,
    holdout_check,
    predicted_clv,
)
from evenhand.domain.clv_models import (
    BgNbd,
    FitError,
    GammaGamma,
    History,
    expected_purchases,
    expected_spend,
    fit_bg_nbd,
    fit_gamma_gamma,
    hypergeometric,
    probability_alive,
)
from evenhand.domain.remedies import Remedy
from evenhand.domain.replay import StoredCase, replay
from evenhand.domain.threshold import candidate_thresholds
from evenhand.domain.value import LtvMetric
from evenhand.errors import EvenhandError, StoreError
from evenhand.ingest.guide_file import parse_guide
from evenhand.ingest.guide_problems import GuideRefusedError
from evenhand.ingest.tickets import read_tickets
from evenhand.settings import Settings
from evenhand.store.tables import customers, orders, shop
from evenhand.understand.reader import EmbeddedReader
from tests.conftest import NOW
from tests.factories import simulated_histories

CDNOW = Path(__file__).parent / "fixtures" / "cdnow"
CALIBRATION_END = date(1997, 9, 30)
HOLDOUT_END = date(1998, 6, 30)


def _summary() -> list[History]:
    with (CDNOW / "cdnow_customers_summary_with_transactions.csv").open() as file:
        return [
            History(int(row["x"]), float(row["t_x"]), float(row["T"]), float(row["zbar"]))
            for row in csv.DictReader(file)
        ]


def _purchases() -> list[Purchase]:
    found = []
    for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines():
        _, cohort_id, day, _, dollars = line.split()
        moment = datetime.strptime(day, "%Y%m%d").date()
        found.append(Purchase(int(cohort_id), moment, Decimal(dollars)))
    return found


def _close(found: float, published: float, share: float) -> bool:
    return abs(found - published) <= share * published


def test_bg_nbd_reproduces_fader_hardie_lee_on_the_2357_customers() -> None:
    summary = _summary()
    assert len(summary) == 2357
    model = fit_bg_nbd(summary)
    for found, published in (
        (model.r, 0.243),
        (model.alpha, 4.414),
        (model.a, 0.793),
        (model.b, 2.426),
    ):
        assert _close(found, published, 0.01), (found, published)
    assert model.log_likelihood == pytest.approx(-9582.4, abs=0.1)  # the paper's LL


def test_gamma_gamma_reproduces_the_published_spend_parameters() -> None:
    summary = _summary()
    model = fit_gamma_gamma(summary)  # on the 946 repeat customers' average repeat spend
    assert sum(1 for history in summary if history.frequency > 0) == 946
    for found, published in ((model.p, 6.25), (model.q, 3.74), (model.gamma, 15.44)):
        assert _close(found, published, 0.02), (found, published)


def test_histories_from_purchases_match_the_published_summary() -> None:
    built = histories(_purchases(), CALIBRATION_END, unit_days=7)
    published = _summary()
    assert len(built) == len(published)
    for cohort_id, expected in enumerate(published, start=1):
        found = built[cohort_id]
        assert found.frequency == expected.frequency
        assert found.recency == pytest.approx(expected.recency, abs=0.006)
        assert found.age == pytest.approx(expected.age, abs=0.006)
        assert found.average_spend == pytest.approx(expected.average_spend, abs=0.006)


def test_holdout_check_on_cdnow_weeks_40_to_78() -> None:
    check = holdout_check(_purchases(), CALIBRATION_END, HOLDOUT_END, unit_days=7)
    assert check.customers == 2357
    assert check.model.repeat_customers == 946
    assert _close(check.model.frequency.r, 0.243, 0.01)
    # Purchase days in the holdout, counted by hand from the file (one per customer-day).
    assert check.actual == 1882
    assert check.predicted == pytest.approx(1653.4, abs=0.5)
    assert check.error == pytest.approx(-0.1214, abs=0.001)


def test_conditional_expectation_and_p_alive_by_hand() -> None:
    model = fit_bg_nbd(_summary())
    newcomer = History(0, 0.0, 38.86)
    # x = 0: E[Y(t)] = (a+b-1)/(a-1) * (1 - ((alpha+T)/(alpha+T+t))^r * 2F1(r, b; a+b-1; z))
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = 39 / (alpha + 38.86 + 39)
    by_hand = (
        (a + b - 1)
        / (a - 1)
        * (1 - ((alpha + 38.86) / (alpha + 38.86 + 39)) ** r * hypergeometric(r, b, a + b - 1, z))
    )
    assert expected_purchases(model, newcomer, 39) == pytest.approx(by_hand, rel=1e-12)
    assert probability_alive(model, newcomer) == 1.0
    lapsed = History(5, 5.0, 38.86)
    assert (
        probability_alive(model, lapsed) < 0.2 < probability_alive(model, History(5, 38.0, 38.86))
    )


def test_hypergeometric_against_closed_forms() -> None:
    # 2F1(1, 1; 2; z) = -ln(1 - z) / z ; 2F1(a, b; b; z) = (1 - z)^-a
    assert hypergeometric(1, 1, 2, 0.5) == pytest.approx(1.3862943611198906, rel=1e-12)
    assert hypergeometric(0.7, 2.5, 2.5, 0.9) == pytest.approx(0.1**-0.7, rel=1e-10)


def test_predicted_clv_grows_with_the_horizon_and_falls_with_the_discount() -> None:
    daily = [History(h.frequency, h.recency * 7, h.age * 7, h.average_spend) for h in _summary()]
    model = fit(daily)
    loyal = History(4, 250.0, 272.0, 30.0)
    year = predicted_clv(model, loyal, ClvSettings(365, Decimal("0.10")))
    two_years = predicted_clv(model, loyal, ClvSettings(730, Decimal("0.10")))
    dearer = predicted_clv(model, loyal, ClvSettings(365, Decimal("0.50")))
    assert Decimal(0) < dearer < year < two_years
    # one year undiscounted = expected purchases in 365 days x the expected spend
    flat = predicted_clv(model, loyal, ClvSettings(365, Decimal(0)))
    by_hand = expected_purchases(model.frequency, loyal, 365) * expected_spend(model.spend, loyal)
    assert float(flat) == pytest.approx(by_hand, abs=0.01)


def test_a_shop_with_no_repeat_buyer_cannot_be_fitted() -> None:
    with pytest.raises(FitError, match="bought twice"):
        fit_bg_nbd([History(0, 0.0, 10.0), History(0, 0.0, 20.0)])
    with pytest.raises(FitError, match="repeat customers"):
        fit_gamma_gamma([History(1, 3.0, 10.0, 20.0)])


def _store_cdnow(engine: Engine) -> None:
    purchases = _purchases()
    with engine.begin() as connection:
        connection.execute(insert(shop).values(id=1, currency="USD"))
        connection.execute(
            insert(customers),
            [{"id": n, "email": f"c{n}@cdnow.example", "tags": ""} for n in range(1, 2358)],
        )
        connection.execute(
            insert(orders),
            [
                _order(number, int(str(p.customer)), p.day, int(p.amount * 100))
                for number, p in enumerate(purchases, start=1)
            ],
        )


def _order(number: int, customer: int, day: date, minor: int) -> dict[str, object]:
    return {
        "id": number, "name": f"#{number}", "customer_id": customer, "currency": "USD",
        "created_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
        "total_minor": minor, "subtotal_minor": minor, "shipping_minor": 0, "taxes_minor": 0,
        "refunded_minor": 0, "outstanding_minor": 0, "test": False, "tags": "",
        "value_gross_minor": minor, "value_refund_minor": 0, "cost_known_minor": 0,
        "uncosted_minor": minor, "source_digest": f"d{number}",
    }  # fmt: skip


def test_value_model_on_cdnow_stored_as_orders(engine: Engine, db_url: str) -> None:
    # given: CDNOW's 6,919 purchases stored as the shop's orders
    _store_cdnow(engine)
    # when: the model is fitted with the paper's 39-week holdout (273 days to 1998-06-30)
    result = CliRunner().invoke(
        app, ["value", "model", "--holdout-days", "273", "--db", db_url, "--json"]
    )
    # then: the calibration fit is the paper's, in days (alpha x 7), and its forecast the
    # weekly one's
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    check = shown["holdout"]
    assert (check["cutoff"], check["end"]) == ("1997-09-30", "1998-06-30")
    calibration = check["calibration"]
    assert _close(calibration["r"], 0.243, 0.01) and _close(calibration["a"], 0.793, 0.01)
    assert _close(calibration["alpha"], 4.414 * 7, 0.01)
    assert _close(calibration["b"], 2.426, 0.01)
    assert _close(calibration["p"], 6.25, 0.02) and _close(calibration["q"], 3.74, 0.02)
    assert (check["customers"], check["actual_purchases"]) == (2357, 1882)
    assert check["predicted_purchases"] == pytest.approx(1653.4, abs=0.5)
    assert shown["fit"]["customers"] == 2357 and shown["problem"] == ""
    text = CliRunner().invoke(app, ["value", "model", "--holdout-days=273", f"--db={db_url}"])
    assert "1,653.4 purchase days forecast, 1,882 made (-12.2%)" in text.output


def test_value_model_says_why_when_the_orders_cannot_carry_it(engine: Engine, db_url: str) -> None:
    result = CliRunner().invoke(app, ["value", "model", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["problem"] == "the shop has no counted orders"


CLV_GUIDE = (
    default_guide_text()
    .replace(
        "  ltv_metric: net_revenue      # or gross_margin",
        "  ltv_metric: predicted_clv\n  clv_horizon_days: 365\n  clv_discount_rate: 0.1",
    )
    .replace("  vip_threshold: 5000 ", "  vip_threshold: 20 ")
)


def test_the_guide_reads_the_clv_settings_and_names_a_bad_one() -> None:
    guide = parse_guide(CLV_GUIDE, source="g.yaml")
    settings = guide.settings
    assert settings.ltv_metric is LtvMetric.PREDICTED_CLV
    assert (settings.clv_horizon_days, settings.clv_discount_rate) == (365, Decimal("0.1"))
    bad = CLV_GUIDE.replace("clv_discount_rate: 0.1", "clv_discount_rate: 12")
    with pytest.raises(GuideRefusedError) as refused:
        parse_guide(bad, source="g.yaml")
    line = bad.splitlines().index("  clv_discount_rate: 12") + 1
    assert (line, "settings.clv_discount_rate") in {
        (problem.line, problem.field) for problem in refused.value.problems
    }


def test_triage_tiers_by_the_predicted_clv(
    engine: Engine, db_url: str, reader: EmbeddedReader, tmp_path: Path
) -> None:
    # given: CDNOW as the shop, a guide whose VIPs are worth 20 USD in the coming year
    _store_cdnow(engine)
    settings = Settings(db=db_url)
    recompute_values(engine, settings=settings, now=NOW)
    guide = parse_guide(CLV_GUIDE, source="g.yaml")
    # customer 1 bought on 4 days of 1997 (last 12 December); customer 3 once, 1997-01-01
    asked = datetime(1998, 7, 1, 9, tzinfo=UTC)
    lines = [
        {"id": f"t-{n}", "created_at": asked.isoformat(), "channel": "email",
         "customer_email": f"c{n}@cdnow.example", "subject": "Parcel",
         "body": "Hi, my parcel never arrived. Where is it?"}
        for n in (1, 3)
    ]  # fmt: skip
    path = tmp_path / "tickets.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    # when: their tickets are triaged
    report = triage_tickets(
        engine, records=read_tickets(path), guide=guide, reader=reader, settings=settings,
        now=NOW,
    )  # fmt: skip
    # then: each decision's predicted CLV is the model's, and the tier follows it
    everyone = histories(_purchases(), date(1998, 6, 30))
    model = fit(everyone.values())
    horizon = ClvSettings(365, Decimal("0.1"))
    loyal = history_today(4, date(1997, 1, 1), date(1997, 12, 12), Decimal("100.50"), asked.date())
    once = history_today(1, date(1997, 1, 1), date(1997, 1, 1), Decimal("6.79"), asked.date())
    expected = {
        "t-1": predicted_clv(model, loyal, horizon),
        "t-3": predicted_clv(model, once, horizon),
    }
    assert expected["t-3"] < 20 <= expected["t-1"], expected
    for outcome in report.decided:
        facts = outcome.decision.facts
        assert facts.predicted_clv == facts.ltv == expected[outcome.ticket.ticket_id]
        assert facts.tier.value == ("vip" if outcome.ticket.ticket_id == "t-1" else "standard")


def test_a_replay_under_predicted_clv_reads_the_stored_prediction() -> None:
    # given: three stored wrong-address tickets: predicted CLV 30 and 5, and one decided
    # under net revenue (no prediction stored) from a customer with 25 of net revenue
    def case(number: int, **figures: str) -> StoredCase:
        facts = {"intent": "wrong_address", "customer": "known", "dispute": "none",
                 "order_match": "quoted", "order_value": "100", **figures}  # fmt: skip
        return StoredCase(f"t-{number}", facts, Remedy.OFFER_PAID_RESHIP, "wrong-address", None)

    cases = [
        case(1, predicted_clv="30", net_revenue="10"),
        case(2, predicted_clv="5", net_revenue="400"),
        case(3, net_revenue="25"),
    ]
    # when: they are replayed under a guide whose VIPs are predicted to be worth 20
    report = replay(parse_guide(CLV_GUIDE, source="g.yaml"), cases)
    # then: the first is VIP by its prediction, the third by its net revenue standing in
    assert report.tickets_by_tier == {"vip": 2, "standard": 1}
    assert report.changed == 2  # both VIPs get the free reship


def test_the_vip_advisor_reads_each_customers_predicted_clv(engine: Engine, db_url: str) -> None:
    # given: CDNOW as the shop and a guide tiering by predicted CLV
    _store_cdnow(engine)
    recompute_values(engine, settings=Settings(db=db_url), now=NOW)
    guide = parse_guide(CLV_GUIDE, source="g.yaml")
    asked = datetime(1998, 7, 1, tzinfo=UTC)
    # when: the advisor runs as of the day after the last order
    advice, currency = advise_vip_threshold(engine, guide, safety=Decimal(2), now=asked)
    # then: its candidate lines are percentiles of the customers' predicted CLV, each
    # predicted from the customer's orders (count, first, last, net revenue) as of that day
    model = fit(histories(_purchases(), date(1998, 6, 30)).values())
    horizon = ClvSettings(365, Decimal("0.1"))
    by_customer: dict[object, list[Purchase]] = {}
    for purchase in _purchases():
        by_customer.setdefault(purchase.customer, []).append(purchase)
    metrics = []
    for bought in by_customer.values():
        days = [p.day for p in bought]
        net = sum((p.amount for p in bought), Decimal(0))
        history = history_today(len(bought), min(days), max(days), net, asked.date())
        metrics.append(predicted_clv(model, history, horizon))
    assert currency == "USD"
    assert [o.threshold for o in advice.options] == candidate_thresholds(metrics, Decimal(20))
    for option in advice.options:
        assert option.vip_customers == sum(1 for m in metrics if m >= option.threshold)


def test_the_formulas_hold_at_their_edges() -> None:
    # a = 1 is the expectation's removable singularity: the value is the limit's
    near = BgNbd(0.5, 10.0, 1.0 + 1e-6, 2.0, 0.0)
    at_one = BgNbd(0.5, 10.0, 1.0, 2.0, 0.0)
    history = History(2, 20.0, 40.0)
    found = expected_purchases(at_one, history, 30.0)
    assert found == pytest.approx(expected_purchases(near, history, 30.0), rel=1e-4)
    # q <= 1: no finite population mean; the customer's own average stands
    heavy = GammaGamma(2.0, 0.8, 10.0, 0.0)
    assert expected_spend(heavy, History(3, 10.0, 20.0, 42.0)) == 42.0
    assert expected_spend(heavy, History(0, 0.0, 20.0)) == 0.0


def test_value_model_on_a_database_without_the_schema_names_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = CliRunner().invoke(app, ["value", "model", "--db", url])
    refused = result.exception
    assert isinstance(refused, EvenhandError) and refused.code is StoreError.DB_NOT_INITIALISED
    assert "run `evenhand init` first" in str(refused)


def test_a_large_shop_is_fitted_on_a_systematic_sample_whatever_the_order() -> None:
    shop = simulated_histories(6_000, seed=25)
    model = fit(shop)
    shuffled = list(shop)
    random.Random(1).shuffle(shuffled)
    assert fit(shuffled) == model  # the sample is taken from the sorted histories
    assert (model.customers, model.fitted_on) == (6_000, 5_000)
    assert _close(model.frequency.r, 0.8, 0.15) and _close(model.frequency.alpha, 40, 0.15)


def test_the_customer_report_shows_the_predicted_clv_when_the_settings_ask(
    engine: Engine, db_url: str
) -> None:
    _store_cdnow(engine)
    settings = Settings(db=db_url, ltv_metric=LtvMetric.PREDICTED_CLV)
    recompute_values(engine, settings=settings, now=NOW)
    report = customer_report(engine, email="c1@cdnow.example", settings=settings)
    predicted = report.value.predicted_clv
    assert predicted is not None and report.value.ltv(LtvMetric.PREDICTED_CLV) == predicted
    assert report.value.net_revenue.amount == Decimal("100.50") != predicted.amount
    assert report.method[-1].startswith("Predicted CLV: the spend expected over the next 365")
