"""Born-dead networks and signal propagation against independent computations and closed forms."""

import math

import numpy as np
import pytest

from relu_viz.depth import (
    DOMAIN,
    born_dead_by_depth,
    born_dead_probability,
    dead_at_point_probability,
    max_trials,
    signal_propagation,
    single_input_closed_form,
)


def brute_force_born_dead(hidden_layers, width, trials, seed, points=1001):
    """One network at a time, on a dense grid of the domain: is some hidden layer zero everywhere?"""
    rng = np.random.default_rng(seed)
    x = np.linspace(-DOMAIN, DOMAIN, points)[:, None]
    dead = 0
    for _ in range(trials):
        h, fan_in = x, 1
        for _ in range(hidden_layers):
            h = np.maximum(h @ rng.normal(0, math.sqrt(2 / fan_in), (fan_in, width)), 0)
            fan_in = width
            if not h.any():
                dead += 1
                break
    return dead / trials


@pytest.mark.parametrize("layers, width", [(5, 3), (9, 3), (10, 2), (8, 5)])
def test_born_dead_estimate_agrees_with_brute_force_on_a_dense_grid(layers, width):
    estimate = born_dead_probability(layers, width, trials=20_000, seed=0)
    brute = brute_force_born_dead(layers, width, trials=2_000, seed=1)
    se = math.sqrt(estimate.standard_error**2 + brute * (1 - brute) / 2_000)
    assert abs(estimate - brute) < 4 * se, f"estimate {estimate:.4f}, brute force {brute:.4f}"


@pytest.mark.parametrize("layers, width", [(1, 1), (5, 3), (10, 3), (20, 2), (15, 4)])
def test_death_at_one_input_matches_the_closed_form(layers, width):
    estimate = dead_at_point_probability(layers, width, trials=20_000, seed=2)
    exact = single_input_closed_form(layers, width)
    assert abs(estimate - exact) < 4 * max(estimate.standard_error, 1e-3), f"{estimate:.4f} vs {exact:.4f}"


def test_contract_call_and_standard_error():
    p = born_dead_probability(hidden_layers=9, width=3, trials=20000, seed=0)
    assert 0 < p < 1 and p.trials == 20000
    assert p.standard_error == pytest.approx(math.sqrt(p * (1 - p) / 20000))
    assert born_dead_probability(hidden_layers=9, width=3, trials=20000, seed=0) == p, "reproducible from the seed"


def test_by_depth_is_monotonic_and_agrees_with_single_depth_estimates():
    curve = born_dead_by_depth(12, 3, 20_000, seed=3)
    values = np.array([float(e) for e in curve])
    assert values[0] == 0 and np.all(np.diff(values) >= 0)
    single = born_dead_probability(12, 3, 20_000, seed=4)
    assert abs(values[-1] - single) < 4 * math.sqrt(2) * single.standard_error


def test_leaky_relu_is_never_born_dead_and_wide_networks_essentially_never():
    assert born_dead_probability(30, 2, 5_000, activation="leaky_relu") == 0
    assert born_dead_probability(30, 2, 1_000, init="he_bias", activation="leaky_relu") == 0
    assert born_dead_probability(50, 100, 400) == 0


def test_random_asymmetric_init_dies_less_than_symmetric_init():
    rai = born_dead_probability(10, 3, 1_500, init="rai")
    he_bias = born_dead_probability(10, 3, 1_500, init="he_bias")
    assert rai < he_bias - 4 * math.sqrt(rai.standard_error**2 + he_bias.standard_error**2)


def test_he_keeps_relu_signal_within_factor_two_over_30_layers():
    q = signal_propagation("relu", depth=30, width=256, init="he", seed=0).second_moment
    assert q.max() / q.min() < 2, q


def test_xavier_halves_relu_signal_per_layer():
    q = signal_propagation("relu", depth=30, width=256, init="xavier", seed=0).second_moment
    ratios = q[1:] / q[:-1]
    assert abs(ratios.mean() - 0.5) < 0.02 and np.all(np.abs(ratios - 0.5) < 0.1), ratios


def test_sigmoid_gradients_vanish_towards_the_input():
    g = signal_propagation("sigmoid", depth=20, width=128, init="xavier").gradient_norm
    assert g[0] < 1e-6 * g[-1]


def test_limits_are_enforced():
    with pytest.raises(ValueError, match="too large"):
        born_dead_probability(50, 10, 10_000, init="he_bias")
    assert max_trials(50, 10, "he_bias") < 10_000 <= max_trials(50, 10, "he")
    with pytest.raises(ValueError):
        born_dead_probability(101, 3)
    with pytest.raises(ValueError):
        signal_propagation(depth=1000)
