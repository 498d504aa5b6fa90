"""Timing: the median of repeats within a budget, and what is timed for f and f'."""

import statistics
import time

import numpy as np

from relu_viz import ACTIVATIONS, timing
from relu_viz.timing import POINTS, median_seconds, time_activation


def test_median_of_the_timed_repeats_after_one_warm_up(monkeypatch):
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])  # durations 1, 3, 2 after the warm-up call
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(ticks))
    calls = []
    assert median_seconds(lambda: calls.append(1), repeats=3, budget=100) == statistics.median([1.0, 3.0, 2.0])
    assert len(calls) == 4, "one warm-up, then three timed calls"


def test_exactly_the_repeats_asked_for_and_the_budget_is_a_strict_bound(monkeypatch):
    ticks = iter(float(t) for t in range(100))  # every timed call lasts exactly 1
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(ticks))
    calls = []
    median_seconds(lambda: calls.append(1), repeats=2, budget=100)
    assert len(calls) == 3, "two repeats asked for: one warm-up and two timed calls"
    calls.clear()
    median_seconds(lambda: calls.append(1), repeats=10, budget=2.0)
    assert len(calls) == 3, "stops once the time spent (2) is no longer below the budget (2)"


def test_repeats_stop_at_the_budget_but_never_below_two():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    median_seconds(slow, repeats=50, budget=0.05)
    assert len(calls) == 3, "one warm-up, then repeats only until the budget is spent (at least two)"
    calls.clear()
    median_seconds(lambda: calls.append(1), repeats=5, budget=10)
    assert len(calls) == 6, "a fast function runs the number of repeats asked for"


def test_time_activation_times_f_and_the_autograd_style_derivative(monkeypatch):
    timed, settings = [], []

    def fake(fn, repeats, budget):
        timed.append(fn())
        settings.append((repeats, budget))
        return len(timed)

    monkeypatch.setattr(timing, "median_seconds", fake)
    assert time_activation(ACTIVATIONS["tanh"], {}, points=1000, seed=1, repeats=4, budget=0.5) == (1, 2)
    assert settings == [(4, 0.5), (4, 0.5)]
    x = np.random.default_rng(1).uniform(-10, 10, 1000)
    f, d = timed
    assert np.array_equal(f, np.tanh(x)) and np.allclose(d, 1 - np.tanh(x) ** 2), "f' from the saved output"
    timed.clear()
    settings.clear()
    time_activation(ACTIVATIONS["leaky_relu"], {"negative_slope": 0.2}, points=1000)
    x = np.random.default_rng(0).uniform(-10, 10, 1000)
    assert np.array_equal(timed[0], np.where(x > 0, x, 0.2 * x)), "f with the parameters given, seed 0 by default"
    assert np.array_equal(timed[1], np.where(x > 0, 1.0, 0.2)), "f' from x, with the parameters given"
    assert settings == [(7, 0.25), (7, 0.25)], "defaults: 7 repeats within 0.25 s"
    assert POINTS == 1_000_000 and min(x) < -9.9 and max(x) > 9.9
