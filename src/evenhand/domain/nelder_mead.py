"""Minimising a smooth function of a few variables without its gradient (Nelder and Mead,
1965, with the standard coefficients), in plain Python: the customer-value models have
four parameters or fewer, so a simplex is small and each step cheap next to the function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Point = tuple[float, ...]
Objective = Callable[[Point], float]

REFLECT, EXPAND, CONTRACT, SHRINK = 1.0, 2.0, 0.5, 0.5
# The simplex is small enough when no vertex is further than this from the best on any
# axis (the customer-value fits work on logarithms: a relative precision of 1e-6).
SPREAD = 1e-6


@dataclass(frozen=True, slots=True)
class Minimum:
    point: Point
    value: float
    evaluations: int
    converged: bool


def minimise(
    objective: Objective,
    start: Sequence[float],
    *,
    step: float = 0.5,
    tolerance: float = 1e-10,
    most_evaluations: int = 20_000,
) -> Minimum:
    """The minimum found from `start`, restarted from itself until a restart gains nothing
    (a simplex can collapse before the minimum; a fresh one around it cannot be fooled twice)."""
    found = _search(objective, tuple(start), step, tolerance, most_evaluations)
    spent = found.evaluations
    while spent < most_evaluations:
        again = _search(objective, found.point, step / 10, tolerance, most_evaluations - spent)
        spent += again.evaluations
        improved = again.value < found.value - tolerance
        found = again if again.value <= found.value else found
        if not improved:
            break
    return Minimum(found.point, found.value, spent, found.converged)


def _search(
    objective: Objective, start: Point, step: float, tolerance: float, budget: int
) -> Minimum:
    simplex = [start] + [_moved(start, index, step) for index in range(len(start))]
    scored = sorted((objective(point), point) for point in simplex)
    spent = len(scored)
    while spent < budget:
        if _flat(scored, tolerance):
            return Minimum(scored[0][1], scored[0][0], spent, True)
        scored, used = _step(objective, scored)
        spent += used
    return Minimum(scored[0][1], scored[0][0], spent, False)


def _moved(point: Point, index: int, step: float) -> Point:
    return tuple(
        value + step if position == index else value for position, value in enumerate(point)
    )


def _flat(scored: list[tuple[float, Point]], tolerance: float) -> bool:
    best, worst = scored[0], scored[-1]
    spread = max(abs(a - b) for point in scored[1:] for a, b in zip(point[1], best[1], strict=True))
    return abs(worst[0] - best[0]) <= tolerance * (1 + abs(best[0])) and spread <= SPREAD


def _along(centre: Point, worst: Point, factor: float) -> Point:
    return tuple(c + factor * (c - w) for c, w in zip(centre, worst, strict=True))


def _step(
    objective: Objective, scored: list[tuple[float, Point]]
) -> tuple[list[tuple[float, Point]], int]:
    """One move of the simplex: reflect, expand, contract or shrink."""
    worst_value, worst = scored[-1]
    kept = [point for _, point in scored[:-1]]
    centre = tuple(sum(values) / len(kept) for values in zip(*kept, strict=True))
    reflected = _along(centre, worst, REFLECT)
    reflected_value = objective(reflected)
    if reflected_value < scored[0][0]:
        expanded = _along(centre, worst, EXPAND)
        expanded_value = objective(expanded)
        better = min((expanded_value, expanded), (reflected_value, reflected))
        return sorted([*scored[:-1], better]), 2
    if reflected_value < scored[-2][0]:
        return sorted([*scored[:-1], (reflected_value, reflected)]), 1
    contracted = _along(centre, worst, -CONTRACT)
    contracted_value = objective(contracted)
    if contracted_value < worst_value:
        return sorted([*scored[:-1], (contracted_value, contracted)]), 2
    return _shrunk(objective, scored), 2 + len(scored) - 1


def _shrunk(objective: Objective, scored: list[tuple[float, Point]]) -> list[tuple[float, Point]]:
    best = scored[0][1]
    points = [
        tuple(b + SHRINK * (p - b) for b, p in zip(best, point, strict=True))
        for _, point in scored[1:]
    ]
    return sorted([scored[0], *((objective(point), point) for point in points)])
