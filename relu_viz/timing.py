"""How long an activation and its derivative take over many points: median of repeats, within a time budget."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from relu_viz.activations import Activation

POINTS = 1_000_000


def median_seconds(fn: Callable[[], object], repeats: int = 7, budget: float = 0.25) -> float:
    """Median wall time of fn() over up to `repeats` calls, stopping early once `budget` seconds are spent
    (at least three calls, one of which warms up)."""
    fn()
    times: list[float] = []
    while len(times) < max(2, repeats) and (len(times) < 2 or sum(times) < budget):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_activation(activation: Activation, params: dict | None = None, points: int = POINTS, repeats: int = 7,
                    budget: float = 0.25, seed: int = 0) -> tuple[float, float]:
    """Median seconds of f and of f' over `points` float64 inputs uniform in [-10, 10]; f' as autograd computes it
    in a backward pass, from the output saved by the forward pass where it does so (its time excludes f)."""
    p = activation.resolve(params or {})
    x = np.random.default_rng(seed).uniform(-10, 10, points)
    if activation.df_from_output is None:
        backward = lambda: activation.derivative(x, **p)  # noqa: E731
    else:
        y = activation(x, **p)
        backward = lambda: activation.df_from_output(y)  # noqa: E731
    return (median_seconds(lambda: activation(x, **p), repeats, budget), median_seconds(backward, repeats, budget))
