"""Timing: one harness for every activation (warm-up, turns, median, budget), what it times for f and f', and the
speed tab's sentences about how each function is written."""

import statistics

import numpy as np
import pytest
from scipy import special

from relu_viz import ACTIVATIONS, timing
from relu_viz.timing import POINTS, WARM_UP, in_turns, operations, time_activations


class Clock:
    """A fake perf_counter: each timed call of `name` lasts durations[name][k] on its k-th timed call."""

    def __init__(self, durations):
        self.durations, self.now, self.calls, self.log = durations, 0.0, {n: 0 for n in durations}, []

    def function(self, name):
        def fn():
            self.log.append(name)
            if len(self.log) > WARM_UP * len(self.durations):  # a timed call
                k = self.calls[name]
                self.calls[name] += 1
                self.now += self.durations[name][k]
        return fn

    def __call__(self):
        return self.now


def test_every_function_is_warmed_up_then_timed_in_turns_and_the_median_kept():
    clock = Clock({"a": [1.0, 3.0, 2.0], "b": [5.0, 4.0, 6.0]})
    medians = in_turns({n: clock.function(n) for n in "ab"}, rounds=3, clock=clock)
    assert medians == {"a": statistics.median([1.0, 3.0, 2.0]), "b": 5.0}
    assert WARM_UP == 2 and clock.log == ["a", "a", "b", "b"] + ["a", "b"] * 3, "warm-up each, then turns"


def test_rounds_stop_at_the_budget_but_never_below_three():
    clock = Clock({"a": [1.0] * 10, "b": [1.0] * 10})
    in_turns({n: clock.function(n) for n in "ab"}, rounds=10, budget=7.0, clock=clock)
    assert clock.calls == {"a": 4, "b": 4}, "8 s spent after four rounds: the first no longer below the budget 7"
    clock = Clock({"a": [9.0] * 10})
    in_turns({"a": clock.function("a")}, rounds=10, budget=1.0, clock=clock)
    assert clock.calls == {"a": 3}, "three rounds even past the budget"
    clock = Clock({"a": [1.0] * 10})
    in_turns({"a": clock.function("a")}, rounds=5, clock=clock)
    assert clock.calls == {"a": 5}, "no budget: the rounds asked for"
    clock = Clock({"a": [1.0] * 10, "b": [1.0] * 10})
    in_turns({n: clock.function(n) for n in "ab"}, rounds=10, budget=6.0, clock=clock)
    assert clock.calls == {"a": 3, "b": 3}, "6 s spent after three rounds: a budget of 6 is used up"
    clock = Clock({"a": [1.0] * 10})
    in_turns({"a": clock.function("a")}, clock=clock)
    assert clock.calls == {"a": 7}, "seven rounds by default"


@pytest.mark.parametrize("key, params", [("relu", {}), ("sigmoid", {}), ("tanh", {}), ("leaky_relu",
                                         {"negative_slope": 0.2}), ("gelu", {"approximate": "tanh"}),
                                         ("identity", {})])
def test_f_and_the_autograd_style_derivative_are_the_registrys_own_functions(key, params):
    """f' from the saved output for ReLU, sigmoid and tanh (as autograd's backward), from x for the others; no
    wrapper around either (the identity's f' is the constant array itself, not a copy of it)."""
    act = ACTIVATIONS[key]
    x = np.random.default_rng(1).uniform(-10, 10, 1000)
    calls = []
    spy = type(act)(**{**act.__dict__, "f": lambda x, **p: calls.append("f") or act.f(x, **p)})
    f, df = operations(spy, params, x)
    saved = calls == ["f"]
    assert saved == (key in ("relu", "sigmoid", "tanh")), "f runs once beforehand only to save its output"
    calls.clear()
    assert np.array_equal(f(), act(x, **params)) and calls == ["f"]
    calls.clear()
    from_output = {"relu": lambda y: y > 0, "sigmoid": lambda y: y * (1 - y), "tanh": lambda y: 1 - y * y}
    expected = from_output[key](act(x)) if saved else act.derivative(x, **params)
    assert np.array_equal(df(), expected) and calls == []
    if key == "identity":
        assert f() is x, "the identity does no work"


def test_every_activation_is_timed_on_the_same_inputs(monkeypatch):
    seen = {}

    def record(functions, rounds, budget):
        seen.update((name, fn()) for name, fn in functions.items())
        seen["settings"] = (rounds, budget)
        return {name: float(i) for i, name in enumerate(functions)}

    monkeypatch.setattr(timing, "in_turns", record)
    times = time_activations({"relu": (ACTIVATIONS["relu"], {}), "lr": (ACTIVATIONS["leaky_relu"],
                                                                         {"negative_slope": 0.2})},
                             points=1000, seed=4, rounds=5, budget=0.5)
    assert times == {"relu": (0.0, 1.0), "lr": (2.0, 3.0)} and seen["settings"] == (5, 0.5)
    x = np.random.default_rng(4).uniform(-10, 10, 1000)
    assert np.array_equal(seen[("relu", 0)], np.maximum(x, 0)) and np.array_equal(seen[("relu", 1)], x > 0)
    assert np.array_equal(seen[("lr", 0)], np.where(x > 0, x, 0.2 * x)), "the same x for every activation"
    seen.clear()
    time_activations({"relu": (ACTIVATIONS["relu"], {})}, points=1000)
    assert seen["settings"] == (7, float("inf")), "seven rounds, no budget, by default"
    assert np.array_equal(seen[("relu", 0)], np.maximum(np.random.default_rng(0).uniform(-10, 10, 1000), 0))
    assert POINTS == 1_000_000 and min(x) < -9.9 and max(x) > 9.9


def test_what_the_speed_tab_says_about_how_each_function_is_written():
    """Leaky ReLU is max(x, a x) and Softshrink x - clip(x, -l, l), value for value (the torch tests check the values
    themselves); a sigmoid built from tanh, (1 + tanh(x/2)) / 2, rounds the far negative tail to 0 where expit does
    not; scipy's erfc is what GELU uses (numpy has no erf)."""
    x = np.concatenate([np.linspace(-10, 10, 20001), [0.0, -0.0, -1e-300, 1e300]])
    for slope in (0.0, 0.01, 0.5, 1.0):
        assert np.array_equal(ACTIVATIONS["leaky_relu"].f(x, negative_slope=slope), np.where(x > 0, x, slope * x))
    for lambd in (0.0, 0.5, 3.0):
        reference = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))
        assert np.array_equal(ACTIVATIONS["softshrink"].f(x, lambd=lambd), reference)
    assert 0.5 * np.tanh(-20.0) + 0.5 == 0 and ACTIVATIONS["sigmoid"](-40.0) == pytest.approx(4.248354255291589e-18)
    assert not hasattr(np, "erf") and np.array_equal(ACTIVATIONS["gelu"](x), 0.5 * x * special.erfc(-x / np.sqrt(2)))
