"""Charts drawn on the server as SVG: no chart library, no script in the browser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

BAR_HEIGHT, PLOT_WIDTH = 20, 260  # the label column is 220 wide (see dashboard.html)
COLUMN_WIDTH, PLOT_HEIGHT = 12, 140
SERIES_COLOURS = (
    "#1d3557",
    "#a23b1c",
    "#1f6f66",
    "#5a2d82",
    "#7a4b00",
    "#2f5d1e",
    "#8a1c4f",
    "#3b4a6b",
    "#005f73",
    "#6b3e26",
)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    text: str  # what the bar's end says
    y: int
    width: float


def horizontal_bars(
    values: Mapping[str, float], *, texts: Mapping[str, str] | None = None
) -> list[Bar]:
    """One bar a label, longest first, scaled to the largest."""
    largest = max(values.values(), default=0) or 1
    ordered = sorted(values.items(), key=lambda pair: -pair[1])
    return [
        Bar(
            label,
            value,
            (texts or {}).get(label, f"{value:g}"),
            i * BAR_HEIGHT,
            PLOT_WIDTH * value / largest,
        )
        for i, (label, value) in enumerate(ordered)
    ]


AXIS_WIDTH = 40  # room left of a plot for its value axis's labels


@dataclass(frozen=True, slots=True)
class Column:
    day: date
    x: int
    parts: tuple[tuple[str, int, float, float], ...]  # (series, count, y, height)
    total: int = 0


def tallest(columns: Sequence[Column]) -> int:
    """The count the value axis's top stands for."""
    return max((column.total for column in columns), default=0)


def stacked_columns(
    by_day: Mapping[date, Mapping[str, int]],
    series: Sequence[str],
    *,
    first: date | None = None,
    last: date | None = None,
) -> list[Column]:
    """A column for every day from `first` to `last` (by default the first and the last day
    with tickets), each stacked by series and scaled to the busiest day; a day without
    tickets is an empty column, not a missing one."""
    days = _every_day(first or min(by_day, default=None), last or max(by_day, default=None))
    tallest = max((sum(by_day.get(day, {}).values()) for day in days), default=0) or 1
    columns = []
    for index, day in enumerate(days):
        top = float(PLOT_HEIGHT)
        parts = []
        for name in series:
            count = by_day.get(day, {}).get(name, 0)
            height = PLOT_HEIGHT * count / tallest
            top -= height
            parts.append((name, count, top, height))
        total = sum(by_day.get(day, {}).values())
        columns.append(Column(day, AXIS_WIDTH + index * (COLUMN_WIDTH + 2), tuple(parts), total))
    return columns


def _every_day(first: date | None, last: date | None) -> list[date]:
    if first is None or last is None:
        return []
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class OrderMark:
    name: str
    day: date
    total: str
    x: int
    y: float
    height: float
    cancelled: bool


ORDER_CHART_HEIGHT = 60
# Room left of the order history for its axis label, the largest total ("12345.00 SEK")
ORDER_AXIS_WIDTH = 84


def order_history(orders: Sequence[tuple[str, date, int, str, bool]]) -> list[OrderMark]:
    """One column per order (name, day, total in minor units, the total as text, cancelled),
    scaled to the largest, oldest on the left."""
    largest = max((total for _, _, total, _, _ in orders), default=0) or 1
    marks = []
    for index, (name, day, total, text, cancelled) in enumerate(orders):
        height = max(2.0, ORDER_CHART_HEIGHT * total / largest)
        y = ORDER_CHART_HEIGHT - height
        marks.append(
            OrderMark(name, day, text, ORDER_AXIS_WIDTH + index * 10, y, height, cancelled)
        )
    return marks
