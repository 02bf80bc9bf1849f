"""The VIP threshold advisor drawn as SVG: candidate thresholds on x; VIP customers as
columns against the left axis, the extra concession cost a year as a line against the
right; the recommended threshold marked."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evenhand.actions.schemas import ThresholdAdviceOut

LEFT, TOP, PLOT_HEIGHT, STEP = 60, 20, 160, 70


@dataclass(frozen=True, slots=True)
class ThresholdPoint:
    x: float
    label: str  # the threshold
    customers: int
    column_y: float
    column_height: float
    cost_text: str
    cost_y: float
    recommended: bool


@dataclass(frozen=True, slots=True)
class ThresholdChart:
    points: list[ThresholdPoint]
    most_customers: int
    highest_cost: str
    width: int
    bottom: int


def threshold_chart(shown: ThresholdAdviceOut) -> ThresholdChart:
    most = max((option.vip_customers for option in shown.options), default=0) or 1
    costs = [max(option.extra_cost_a_year, Decimal(0)) for option in shown.options]
    highest = max(costs, default=Decimal(0)) or Decimal(1)
    bottom = TOP + PLOT_HEIGHT
    points = [
        ThresholdPoint(
            x=LEFT + STEP * index + STEP / 2,
            label=f"{option.threshold:,.0f}",
            customers=option.vip_customers,
            column_y=bottom - PLOT_HEIGHT * option.vip_customers / most,
            column_height=PLOT_HEIGHT * option.vip_customers / most,
            cost_text=f"{option.extra_cost_a_year:,.0f}",
            cost_y=bottom - float(PLOT_HEIGHT * cost / highest),
            recommended=option.threshold == shown.recommended,
        )
        for index, (option, cost) in enumerate(zip(shown.options, costs, strict=True))
    ]
    return ThresholdChart(points, most, f"{highest:,.0f}", LEFT + STEP * len(points) + 70, bottom)
