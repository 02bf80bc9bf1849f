"""Commands on the economics of the policy: where the VIP line should be, the predicted
CLV's models."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Annotated

import typer

from evenhand.cli.app import (
    DbOption,
    JsonFlag,
    advise_app,
    load,
    now,
    print_answer,
    value_app,
)


@advise_app.command("threshold")
def advise_threshold(
    safety: Annotated[
        float,
        typer.Option(
            "--safety", min=1.0, help="The VIPs' margin must cover what they are given this often."
        ),
    ] = 2.0,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """For candidate VIP thresholds of the guide's LTV metric: VIP customers and tickets, the
    extra concession cost a year (the stored tickets replayed), the VIPs' margin a year;
    recommends the lowest line whose VIPs' margin covers their concessions `--safety` times,
    or says why the data are too thin."""
    from evenhand.actions.guide import active_guide
    from evenhand.actions.replay import advise_vip_threshold
    from evenhand.actions.schemas import threshold_advice_out
    from evenhand.cli import render_replay
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    guide = active_guide(engine, settings)
    advice, currency = advise_vip_threshold(engine, guide, safety=Decimal(str(safety)))
    shown = threshold_advice_out(advice, currency=currency, metric=guide.settings.ltv_metric)
    print_answer(shown, as_json, render_replay.threshold_advice)


@value_app.command("model")
def value_model(
    holdout_days: Annotated[
        int,
        typer.Option(
            "--holdout-days", min=7, help="Fit on the orders before the last N days, test on them."
        ),
    ] = 180,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """BG/NBD (purchase frequency) and Gamma-Gamma (spend) fitted by maximum likelihood on the
    shop's counted orders, and the holdout check: fitted on the orders before the last
    `--holdout-days`, the purchases it forecasts for them beside those that came."""
    from evenhand.actions.value_model import value_model_out, value_model_report
    from evenhand.cli import render_value
    from evenhand.store.database import make_engine

    settings = load(db)
    report = value_model_report(make_engine(settings.db), holdout_days=holdout_days)
    shown = value_model_out(report)
    print_answer(shown, as_json, render_value.value_model)


@advise_app.command("outcomes")
def advise_outcomes(
    bandwidth: Annotated[
        float,
        typer.Option(
            "--bandwidth",
            min=0.01,
            max=1.0,
            help="The discontinuity's band each side of the VIP line, as a share of it.",
        ),
    ] = 0.25,
    db: DbOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Did being generous pay? For tickets older than 90 and 180 days: the customer's orders
    and net revenue in those days after the ticket, by tier and remedy (95 % t-intervals);
    customers just below and just above the VIP line; and the share of customers who filed a
    dispute after a threat against the share after no threat."""
    from evenhand.actions.guide import active_guide
    from evenhand.actions.outcomes import outcomes_out, shop_outcomes
    from evenhand.cli import render_value
    from evenhand.store.database import make_engine

    settings = load(db)
    engine = make_engine(settings.db)
    guide = active_guide(engine, settings)
    found, currency = shop_outcomes(
        engine, guide, now=now(), bandwidth_share=Decimal(str(bandwidth))
    )
    shown = outcomes_out(found, currency)
    metric = guide.settings.ltv_metric.value
    print_answer(shown, as_json, partial(render_value.outcomes, metric=metric))
