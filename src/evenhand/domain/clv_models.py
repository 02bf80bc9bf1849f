"""The two models behind the predicted customer lifetime value, fitted by maximum
likelihood on a shop's own purchase histories:

- **BG/NBD** (Fader, Hardie and Lee 2005, "Counting your customers the easy way"): while
  alive, a customer buys at a rate drawn from Gamma(r, alpha); after each purchase they drop
  out with a probability drawn from Beta(a, b). It reads each customer's repeat purchases
  `x`, the time of the last `t_x` and the time they have been watched `T`.
- **Gamma-Gamma** (Fader and Hardie 2013, "The Gamma-Gamma model of monetary value"): the
  spend per purchase varies around a customer's mean, itself drawn across customers with
  parameters p, q and gamma; fitted on repeat customers' average repeat spend.

Plain Python (`math`), no NumPy: the domain stays pure ([ADR 0003](docs/adr/0003-clv-fit.md)).
Distinct histories are counted once and weighted, which keeps a large shop's fit small.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from evenhand.domain.nelder_mead import Point, minimise

# Past this the likelihood is refused (a parameter ran off to zero or infinity).
TOO_FAR = 1e300
SERIES_TERMS = 100_000


@dataclass(frozen=True, slots=True)
class History:
    """One customer's purchases up to a cutoff, in the fit's unit of time."""

    frequency: int  # repeat purchases: purchase days after the first
    recency: float  # from the first purchase to the last (t_x)
    age: float  # from the first purchase to the cutoff (T)
    average_spend: float = 0.0  # the mean value of the repeat purchases; 0 without any


@dataclass(frozen=True, slots=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


@dataclass(frozen=True, slots=True)
class GammaGamma:
    p: float
    q: float
    gamma: float
    log_likelihood: float


class FitError(ValueError):
    """The histories cannot carry the model (too few, or no repeat purchases)."""


def fit_bg_nbd(histories: Iterable[History], *, near: BgNbd | None = None) -> BgNbd:
    """The maximum-likelihood fit; `near` a fit to start from (a sample's, say)."""
    counted = Counter((h.frequency, h.recency, h.age) for h in histories)
    if not any(x > 0 for x, _, _ in counted):
        raise FitError("no customer has bought twice: purchase frequency cannot be fitted")
    by_x = _grouped(counted)

    def negative(point: Point) -> float:
        return -_bg_nbd_log_likelihood(tuple(math.exp(v) for v in point), by_x)

    start = (0.0,) * 4 if near is None else _logs(near.r, near.alpha, near.a, near.b)
    found = minimise(negative, start, step=0.5 if near is None else 0.05)
    r, alpha, a, b = (math.exp(v) for v in found.point)
    return BgNbd(r, alpha, a, b, -found.value)


def fit_gamma_gamma(histories: Iterable[History], *, near: GammaGamma | None = None) -> GammaGamma:
    """The maximum-likelihood fit on the repeat customers; `near` a fit to start from."""
    counted = Counter(
        (h.frequency, h.average_spend) for h in histories if h.frequency > 0 and h.average_spend > 0
    )
    if len(counted) < 2:
        raise FitError("fewer than two repeat customers with spend: spend cannot be fitted")
    spends = _spends_by_x(counted)

    def negative(point: Point) -> float:
        p, q, gamma = (math.exp(v) for v in point)
        return -_gamma_gamma_log_likelihood(p, q, gamma, spends)

    start = (0.0,) * 3 if near is None else _logs(near.p, near.q, near.gamma)
    found = minimise(negative, start, step=0.5 if near is None else 0.05)
    p, q, gamma = (math.exp(v) for v in found.point)
    return GammaGamma(p, q, gamma, -found.value)


@dataclass(frozen=True, slots=True)
class _Spends:
    """One purchase count's average spends: (x * spend, weight), and the sums the
    likelihood needs of them that no parameter changes."""

    totals: list[tuple[float, int]]
    weight: int
    weighted_log_spend: float


def _spends_by_x(counted: Counter[tuple[int, float]]) -> dict[int, _Spends]:
    rows: dict[int, list[tuple[float, int]]] = {}
    for (x, spend), weight in counted.items():
        rows.setdefault(x, []).append((spend, weight))
    return {
        x: _Spends(
            totals=[(x * spend, weight) for spend, weight in found],
            weight=sum(weight for _, weight in found),
            weighted_log_spend=math.fsum(weight * math.log(spend) for spend, weight in found),
        )
        for x, found in rows.items()
    }


def _logs(*values: float) -> tuple[float, ...]:
    return tuple(math.log(value) for value in values)


Grouped = dict[int, list[tuple[float, float, int]]]


def _grouped(counted: Counter[tuple[int, float, float]]) -> Grouped:
    by_x: Grouped = {}
    for (x, t_x, age), weight in counted.items():
        by_x.setdefault(x, []).append((t_x, age, weight))
    return by_x


def _bg_nbd_log_likelihood(params: tuple[float, ...], by_x: Grouped) -> float:
    """FHL 2005, equation (6), summed over the histories (each weighted by its count)."""
    r, alpha, a, b = params
    if not all(1e-8 < value < 1e8 for value in params):
        return -TOO_FAR
    total = 0.0
    log_beta_ab = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    for x, rows in by_x.items():
        rx = r + x
        common = math.lgamma(rx) - math.lgamma(r) + r * math.log(alpha)
        common += math.lgamma(a) + math.lgamma(b + x) - math.lgamma(a + b + x) - log_beta_ab
        dropped = math.log(a) - math.log(b + x - 1) if x > 0 else 0.0
        for t_x, age, weight in rows:
            alive = -rx * math.log(alpha + age)
            if x > 0:
                gone = dropped - rx * math.log(alpha + t_x)
                alive = max(alive, gone) + math.log1p(math.exp(-abs(alive - gone)))
            total += weight * (common + alive)
    return total


def _gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, spends: dict[int, _Spends]
) -> float:
    """Fader and Hardie 2013, equation (5): the density of each average spend z given x,
    Gamma(px + q) / (Gamma(px) Gamma(q)) gamma^q x^px z^(px - 1) / (gamma + x z)^(px + q),
    summed by x (the terms that depend only on x once per x)."""
    if not all(1e-8 < value < 1e8 for value in (p, q, gamma)):
        return -TOO_FAR
    total = 0.0
    base = q * math.log(gamma) - math.lgamma(q)
    for x, group in spends.items():
        px = p * x
        fixed = math.lgamma(px + q) - math.lgamma(px) + base + px * math.log(x)
        total += group.weight * fixed + (px - 1) * group.weighted_log_spend
        log = math.log
        total -= (px + q) * sum(weight * log(gamma + spent) for spent, weight in group.totals)
    return total


def hypergeometric(a: float, b: float, c: float, z: float) -> float:
    """Gauss's 2F1(a, b; c; z) by its series, for 0 <= z < 1."""
    term, total = 1.0, 1.0
    for n in range(SERIES_TERMS):
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
        total += term
        if abs(term) <= 1e-15 * abs(total):
            return total
    return total


def expected_purchases(model: BgNbd, history: History, span: float) -> float:
    """FHL 2005, equation (10): the purchases expected in the next `span` from this history."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    if abs(a - 1) < 1e-9:  # the formula's removable singularity at a = 1
        a = 1 + 1e-9
    x, t_x, age = history.frequency, history.recency, history.age
    z = span / (alpha + age + span)
    series = hypergeometric(r + x, b + x, a + b + x - 1, z)
    kept: float = ((alpha + age) / (alpha + age + span)) ** (r + x)
    ahead = (a + b + x - 1) / (a - 1) * (1 - kept * series)
    alive = 1.0
    if x > 0:
        odds: float = ((alpha + age) / (alpha + t_x)) ** (r + x)
        alive += a / (b + x - 1) * odds
    return ahead / alive


def probability_alive(model: BgNbd, history: History) -> float:
    """The chance the customer is still buying (Fader, Hardie and Lee, "Computing P(alive)
    using the BG/NBD model", 2008); 1 before any repeat purchase."""
    x = history.frequency
    if x == 0:
        return 1.0
    ratio = (model.alpha + history.age) / (model.alpha + history.recency)
    odds: float = ratio ** (model.r + x)
    return 1.0 / (1.0 + model.a / (model.b + x - 1) * odds)


def expected_spend(model: GammaGamma, history: History) -> float:
    """Fader and Hardie 2013, equation (6): the mean spend per purchase to expect; the
    population's mean for a customer with no repeat purchase. With q <= 1 the population's
    mean is not finite: the customer's own average stands (0 without repeat purchases)."""
    p, q, gamma = model.p, model.q, model.gamma
    x = history.frequency
    if q <= 1:
        return history.average_spend
    if x == 0 or history.average_spend <= 0:
        return p * gamma / (q - 1)
    weight = (q - 1) / (p * x + q - 1)
    return weight * p * gamma / (q - 1) + (1 - weight) * history.average_spend
