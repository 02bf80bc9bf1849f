"""The yardstick every bench prints beside its figures, timed in the same run: machines
differ (the same code runs 2.5 times faster on some), so figures compare only beside it."""

from __future__ import annotations

import time


def machine_speed() -> float:
    """Seconds for sum(range(10**8)) in this interpreter."""
    started = time.perf_counter()
    sum(range(10**8))
    return time.perf_counter() - started


def print_yardstick() -> None:
    print(f"yardstick: sum(range(10**8)) in {machine_speed():.2f} s on this machine")
