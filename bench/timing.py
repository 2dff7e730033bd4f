"""Timing for the page benchmarks: p50 and p95 of repeated actions, in milliseconds."""

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }


def timed(action: Callable[[], Any], repeat: int, *, warm: bool = True) -> dict[str, float]:
    """``action`` ``repeat`` times; first once untimed, as a running server would have."""
    if warm:
        action()
    return timed_each([action] * repeat)


def timed_each(actions: list[Callable[[], Any]]) -> dict[str, float]:
    """Each action once (a search of a different case each, say)."""
    samples = []
    for action in actions:
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)
