"""How long activations and their derivatives take over many points, all through one harness: the registry's own
functions as training calls them, on the same inputs, warmed up, then timed in turns.

What it measures: this code (numpy and scipy on float64 arrays) on this machine's CPU. Not a GPU kernel, not float32,
not a whole network.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping

import numpy as np

from relu_viz.activations import Activation

Call = Callable[[], object]
POINTS = 1_000_000
WARM_UP = 2  # untimed calls of each function first: the first calls in a process pay for fresh memory pages


def operations(activation: Activation, params: dict, x: np.ndarray) -> tuple[Call, Call]:
    """f and f' of `x` as training calls them: the registry's functions with parameters resolved once (no checks, no
    copies); f' as autograd computes it in a backward pass, from the output y saved by f where PyTorch does so (ReLU:
    y > 0, sigmoid: y(1 - y), tanh: 1 - y²), from x otherwise (its time excludes f)."""
    p = activation.resolve(params)
    if activation.df_from_output is None:
        backward = lambda: activation.df(x, **p)  # noqa: E731
    else:
        y = activation.f(x, **p)
        backward = lambda: activation.df_from_output(y)  # noqa: E731
    return (lambda: activation.f(x, **p)), backward


def in_turns(functions: Mapping[str, Call], rounds: int = 7, budget: float = float("inf"),
             clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Median seconds of each function: each called WARM_UP times untimed, then timed once per round, every function
    in each round, so that a drift in the machine's speed falls on all alike. Up to `rounds` rounds, stopping once
    `budget` seconds are spent, but never fewer than three."""
    for fn in functions.values():
        for _ in range(WARM_UP):
            fn()
    times: dict[str, list[float]] = {name: [] for name in functions}
    spent, done = 0.0, 0
    while done < max(3, rounds) and (done < 3 or spent < budget):
        for name, fn in functions.items():
            start = clock()
            fn()
            times[name].append(clock() - start)
            spent += times[name][-1]
        done += 1
    return {name: statistics.median(values) for name, values in times.items()}


def affordable_points(activations: Mapping[str, tuple[Activation, dict]]) -> int:
    """POINTS, or proportionally fewer when an activation costs more per element than Mish, the slowest built-in (your
    formula can), so that timing it takes no longer than timing Mish."""
    cost = max(activation.cost(**params) for activation, params in activations.values())
    return max(1000, int(POINTS / cost))


def time_activations(activations: Mapping[str, tuple[Activation, dict]], points: int = POINTS, rounds: int = 7,
                     budget: float = float("inf"), seed: int = 0) -> dict[str, tuple[float, float]]:
    """Median seconds of f and of f' of each activation (name -> (activation, parameters)) over the same `points`
    float64 inputs, uniform in [-10, 10], all timed in turns (in_turns)."""
    x = np.random.default_rng(seed).uniform(-10, 10, points)
    functions = {}
    for name, (activation, params) in activations.items():
        functions[(name, 0)], functions[(name, 1)] = operations(activation, params, x)
    with np.errstate(all="ignore"):  # your own formula may overflow on part of the range
        medians = in_turns(functions, rounds, budget)
    return {name: (medians[(name, 0)], medians[(name, 1)]) for name in activations}
