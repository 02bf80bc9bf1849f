"""How fast the predicted CLV's models are fitted (BG/NBD and Gamma-Gamma, plain Python in
the domain; ADR 0003), on customers simulated from BG/NBD itself (r 0.8, alpha 40, a 1,
b 4, in days; spends uniform from 50 to 150), and how close the fit comes to the truth.

    .venv/bin/python bench/clv.py [--customers 20000 300000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' simulated shop

from tests.factories import simulated_histories

from evenhand.domain.clv import fit
from yardstick import print_yardstick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[20_000, 300_000])
    args = parser.parse_args()
    print_yardstick()
    for count in args.customers:
        customers = simulated_histories(count, seed=25)
        started = time.perf_counter()
        model = fit(customers)
        took = time.perf_counter() - started
        bg = model.frequency
        print(
            f"{count:,} customers (fitted on {model.fitted_on:,}): {took:.2f} s; "
            f"r {bg.r:.3f} alpha {bg.alpha:.2f} a {bg.a:.3f} b {bg.b:.3f}"
        )


if __name__ == "__main__":
    main()
