"""Born-dead networks and signal propagation against independent computations and closed forms."""

import math

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.depth import (
    Estimate,
    _init_layer,
    born_dead_by_depth,
    born_dead_probability,
    dead_at_point_probability,
    max_trials,
    positively_homogeneous,
    signal_propagation,
    single_input_closed_form,
)
from tests.reference import reference

# The paper's constants, typed here (not imported from the code under test): Lu, Shin, Su and Karniadakis, "Dying
# ReLU and Initialization", Commun. Comput. Phys. 28 (2020), sec. 5: RAI's symmetric part is N(0, sigma^2 / fan_in)
# with sigma = 0.6007 when the asymmetric entry is Beta(2, 1); He's variance is 2 / fan_in (He et al. 2015).
PAPER_RAI_SIGMA = 0.6007


def brute_force_born_dead(hidden_layers, width, trials, seed, points=1001):
    """One network at a time, on a dense grid of the domain: is some hidden layer zero everywhere?"""
    rng = np.random.default_rng(seed)
    x = np.linspace(-math.sqrt(7), math.sqrt(7), points)[:, None]
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
    values = np.array([float(e) for e in curve.dead])
    flat = np.array([float(e) for e in curve.nearly_constant])
    assert np.all(flat >= values) and np.all(np.diff(flat) >= 0)
    assert values[0] == 0 and np.all(np.diff(values) >= 0)
    single = born_dead_probability(12, 3, 20_000, seed=4)
    assert abs(values[-1] - single) < 4 * math.sqrt(2) * single.standard_error


@pytest.mark.slow
def test_leaky_relu_is_never_born_dead_and_wide_networks_essentially_never():
    assert born_dead_probability(30, 2, 5_000, activation="leaky_relu") == 0
    assert born_dead_probability(30, 2, 1_000, init="he_bias", activation="leaky_relu") == 0
    assert born_dead_probability(50, 100, 300) == 0


def brute_force_with_biases(hidden_layers, width, trials, seed, activation="relu", points=1001):
    """One network at a time, He weights and biases N(0, 2/fan_in), dense grid: is some layer constant?"""
    rng = np.random.default_rng(seed)
    f = ACTIVATIONS[activation].f
    x = np.linspace(-math.sqrt(7), math.sqrt(7), points)[:, None]
    dead = 0
    for _ in range(trials):
        h, fan_in = x, 1
        for _ in range(hidden_layers):
            s = math.sqrt(2 / fan_in)
            h = f(h @ rng.normal(0, s, (fan_in, width)) + rng.normal(0, s, width))
            fan_in = width
            if np.all(h == h[0]):
                dead += 1
                break
    return dead / trials


def test_born_dead_with_biases_agrees_with_brute_force():
    estimate = born_dead_probability(6, 3, 3000, seed=0, init="he_bias")
    brute = brute_force_with_biases(6, 3, 1500, seed=5)
    se = math.sqrt(estimate.standard_error**2 + brute * (1 - brute) / 1500)
    assert abs(estimate - brute) < 4 * se, (float(estimate), brute)


def test_he_bias_and_rai_draw_what_they_say():
    rng = np.random.default_rng(0)
    W, b = _init_layer(rng, 4000, 8, 6, "he_bias")
    for values, std in ((W, math.sqrt(2 / 8)), (b, math.sqrt(2 / 8))):
        assert abs(values.std() - std) < 5 * std / math.sqrt(2 * values.size)
    W, b = _init_layer(rng, 4000, 8, 6, "rai")
    v = np.concatenate([W, b], axis=1)  # (trials, fan_in + 1, width): one Beta(2, 1) entry per neuron
    sigma = PAPER_RAI_SIGMA / math.sqrt(8)
    beta_mean, beta_var = 2 / 3, 1 / 18  # Beta(2, 1)
    expected_mean = (beta_mean + 8 * 0) / 9
    assert abs(v.mean() - expected_mean) < 5 * math.sqrt((beta_var + 8 * sigma**2) / 9 / v.size) * 3
    column_max = v.max(axis=1)
    assert (v >= 0).sum(axis=1).min() >= 1, "every neuron has its positive Beta entry"
    symmetric = np.sort(v, axis=1)[:, :-1]  # mostly the normal entries
    assert abs(np.median(np.abs(symmetric)) / sigma - 0.6745) < 0.1
    assert float(column_max.mean()) > 0.5


def test_wilson_interval_does_not_collapse_at_zero():
    lo, hi = Estimate(0.0, 4000).interval()
    assert lo == 0 and hi == pytest.approx(1.96**2 / (4000 + 1.96**2))
    lo, hi = Estimate(0.5, 100).interval()
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_positive_homogeneity_is_decided_by_the_function_itself(key):
    """Against the mpmath reference at default parameters: f(a x) = a f(x) for all a > 0 and x?"""
    params = ACTIVATIONS[key].defaults
    pairs = [(a, x) for a in (0.3, 2.0, 7.5) for x in (-4.0, -1.3, -0.2, 0.0, 0.7, 1.9, 5.0)]
    holds = all(abs(reference(key, a * x, **params) - a * reference(key, x, **params)) < 1e-12 for a, x in pairs)
    assert positively_homogeneous(key) == holds


def test_the_three_point_shortcut_agrees_with_the_grid_where_it_is_used():
    from relu_viz.depth import first_constant_layer

    for key, params in (("relu", {}), ("leaky_relu", {"negative_slope": 0.0}), ("maxout",
                        {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)})):
        assert positively_homogeneous(key, params)
        exact, _ = first_constant_layer(8, 3, 3000, seed=9, activation=key, params=params)
        grid, _ = first_constant_layer(8, 3, 3000, seed=9, activation=key, params=params,
                                       inputs=np.linspace(-math.sqrt(7), math.sqrt(7), 257))
        assert np.array_equal(exact > 0, grid > 0), key
    assert not positively_homogeneous("hardtanh") and not positively_homogeneous("relu6")


def test_binary_step_is_not_born_dead_at_depth_one():
    assert born_dead_probability(1, 3, 2000, activation="binary_step") == 0


def test_random_asymmetric_init_dies_less_than_symmetric_init():
    rai = born_dead_probability(10, 3, 1_500, init="rai")
    he_bias = born_dead_probability(10, 3, 1_500, init="he_bias")
    assert rai < he_bias - 4 * math.sqrt(rai.standard_error**2 + he_bias.standard_error**2)


@pytest.mark.slow
def test_he_keeps_relu_signal_within_factor_two_over_30_layers():
    q = signal_propagation("relu", depth=30, width=256, init="he", seed=0).second_moment
    assert q.max() / q.min() < 2, q


@pytest.mark.slow
def test_xavier_halves_relu_signal_per_layer():
    q = signal_propagation("relu", depth=30, width=256, init="xavier", seed=0).second_moment
    ratios = q[1:] / q[:-1]
    assert abs(ratios.mean() - 0.5) < 0.02 and np.all(np.abs(ratios - 0.5) < 0.1), ratios


@pytest.mark.slow
def test_sigmoid_gradients_vanish_towards_the_input_and_tanh_gradients_do_not():
    g = signal_propagation("sigmoid", depth=20, width=128, init="xavier").gradient_norm
    assert g[0] < 1e-6 * g[-1]
    for init in ("xavier", "he"):
        t = signal_propagation("tanh", depth=30, width=256, init=init).gradient_norm
        assert t[0] > t[-1], f"tanh gradients grow towards the input under {init}"


def test_limits_are_enforced():
    with pytest.raises(ValueError, match="too large"):
        born_dead_probability(50, 10, 10_000, init="he_bias")
    assert max_trials(50, 10, "he_bias") < 10_000 <= max_trials(50, 10, "he")
    with pytest.raises(ValueError):
        born_dead_probability(101, 3)
    with pytest.raises(ValueError):
        signal_propagation(depth=1000)


def test_estimates_pickle_with_their_trials_and_error():
    import pickle

    e = Estimate(0.25, 400)
    back = pickle.loads(pickle.dumps(e))
    assert float(back) == 0.25 and back.trials == 400 and back.standard_error == pytest.approx(math.sqrt(0.25 * 0.75
                                                                                                           / 400))
    assert math.isnan(Estimate(0.0, 0).standard_error)


def test_trials_beyond_one_chunk_are_all_simulated():
    from relu_viz.depth import CHUNK, first_constant_layer

    trials = CHUNK + 37
    constant, flat = first_constant_layer(6, 2, trials, seed=3)
    assert constant.shape == flat.shape == (trials,)
    assert np.all((constant == 0) | (flat <= constant)), "a constant layer is also nearly constant"
    assert set(np.unique(constant)) <= set(range(7)) and 0.2 < np.mean(constant[CHUNK:] > 0) < 0.9
    brute = brute_force_born_dead(6, 2, 2000, seed=11)
    p = np.mean(constant > 0)
    assert abs(p - brute) < 4 * math.sqrt(p * (1 - p) / trials + brute * (1 - brute) / 2000)


def test_nearly_constant_networks_against_a_brute_force():
    """RAI at depth 30, width 3: the share whose last layer varies by less than 1e-6 over a dense grid."""
    rng = np.random.default_rng(4)
    x = np.linspace(-math.sqrt(7), math.sqrt(7), 129)[None, :]
    flat = 0
    for _ in range(300):
        h = x  # units x inputs
        for fan_in in [1] + [3] * 29:
            v = rng.normal(0, PAPER_RAI_SIGMA / math.sqrt(fan_in), (fan_in + 1, 3))
            v[rng.integers(0, fan_in + 1, 3), np.arange(3)] = rng.beta(2, 1, 3)
            h = np.maximum(v[:fan_in].T @ h + v[fan_in:].T, 0)
        flat += np.ptp(h, axis=1).max() < 1e-6
    estimate = born_dead_by_depth(30, 3, 2000, seed=0, init="rai").nearly_constant[-1]
    brute = flat / 300
    assert abs(estimate - brute) < 4 * math.sqrt(estimate.standard_error**2 + brute * (1 - brute) / 300)


def torch_propagation(activation, depth, width, batch, std, seed, networks):
    """The documented procedure, in torch autograd: N(0, 1) inputs, N(0, std^2) weights, a random linear loss
    g . h_last / batch; per layer the mean square pre-activation and the RMS of dLoss/dW."""
    import torch

    from tests.torch_reference import TORCH

    rng = np.random.default_rng(seed)
    moments, squares = np.zeros(depth), np.zeros(depth)
    for _ in range(networks):
        h = torch.tensor(rng.normal(0, 1, (batch, width)))
        weights = [torch.tensor(rng.normal(0, std, (width, width)), requires_grad=True) for _ in range(depth)]
        out = h
        for layer, W in enumerate(weights):
            pre = out @ W
            moments[layer] += float((pre.detach() ** 2).mean()) / networks
            out = TORCH[activation](pre)
        g = torch.tensor(rng.normal(0, 1, (batch, width))) / batch
        (out * g).sum().backward()
        for layer, W in enumerate(weights):
            squares[layer] += float((W.grad**2).mean()) / networks
    return moments, np.sqrt(squares)


@pytest.mark.parametrize("activation, init, std", [("relu", "he", math.sqrt(2 / 6)), ("tanh", "xavier",
                                                   math.sqrt(1 / 6)), ("sigmoid", "custom", 0.7)])
def test_signal_propagation_against_torch_autograd(activation, init, std):
    got = signal_propagation(activation, depth=4, width=6, init=init, init_std=0.7, batch=5, seed=2, networks=3)
    moments, gradients = torch_propagation(activation, 4, 6, 5, std, seed=2, networks=3)
    assert np.allclose(got.second_moment, moments, rtol=1e-12)
    assert np.allclose(got.gradient_norm, gradients, rtol=1e-10)


def test_limits_and_messages_of_the_depth_core():
    from relu_viz.depth import MAX_CELLS, MAX_DEPTH, MAX_TRIALS, MAX_WIDTH, _cost_per_trial

    assert _cost_per_trial(10, 4, "he", "relu") == 10 * 3 * (16 + 40)
    assert _cost_per_trial(10, 4, "he_bias", "relu") == 10 * 129 * (16 + 40)
    assert _cost_per_trial(10, 4, "he", "tanh") == 10 * 129 * (16 + 40)
    assert max_trials(10, 4, "he_bias") == int(MAX_CELLS // (10 * 129 * 56)) and max_trials(1, 1) == MAX_TRIALS
    with pytest.raises(ValueError) as error:
        born_dead_probability(MAX_DEPTH + 1, 3, 10)
    assert str(error.value) == (f"born-dead estimates take 1 to {MAX_DEPTH} layers, 1 to {MAX_WIDTH} units and 1 to "
                                f"{MAX_TRIALS} trials; got {MAX_DEPTH + 1}, 3, 10")
    for args in ((0, 3, 10), (5, 0, 10), (5, 3, 0), (5, MAX_WIDTH + 1, 10), (5, 3, MAX_TRIALS + 1)):
        with pytest.raises(ValueError, match="born-dead estimates take"):
            born_dead_probability(*args)
    with pytest.raises(ValueError) as error:
        born_dead_probability(5, 3, 10, init="orthogonal")
    assert str(error.value) == "init must be one of he, he_bias, rai, got 'orthogonal'"
    with pytest.raises(ValueError) as error:
        born_dead_probability(5, 3, 10, activation="swiglu")
    assert str(error.value) == "unknown activation 'swiglu'"
    with pytest.raises(ValueError) as error:
        born_dead_probability(50, 10, 10_000, init="he_bias")
    assert str(error.value) == ("this estimate is too large (1.3e+10 > 5e+08 multiply-adds): use fewer trials, "
                                "layers or units")
    born_dead_probability(MAX_DEPTH, 1, 1), born_dead_probability(1, MAX_WIDTH, 1)
    for kwargs in ({"depth": MAX_DEPTH + 1}, {"width": MAX_WIDTH + 1}, {"batch": MAX_WIDTH + 1}, {"networks": 17},
                   {"depth": 0}, {"networks": 0}, {"init": "lecun"}, {"init": "custom", "init_std": 0.0},
                   {"init": "custom", "init_std": 10.5}):
        with pytest.raises(ValueError):
            signal_propagation(**kwargs)
    signal_propagation(depth=2, width=4, batch=4, networks=16, init="custom", init_std=10.0)


def test_leaky_relu_networks_are_never_born_dead_even_when_narrow():
    assert born_dead_probability(20, 2, 500, activation="leaky_relu") == 0
    assert born_dead_probability(20, 2, 300, init="he_bias", activation="leaky_relu") == 0


def test_rai_puts_the_beta_entry_on_any_of_the_fan_in_plus_one_entries():
    """With one input, each neuron has [w, b]: the Beta(2, 1) entry is w half the time, so P(w >= 0) = 3/4."""
    W, b = _init_layer(np.random.default_rng(8), 8000, 1, 4, "rai")
    share = np.mean(W >= 0)
    assert abs(share - 0.75) < 4 * math.sqrt(0.75 * 0.25 / W.size) and abs(np.mean(b >= 0) - 0.75) < 0.02


def test_by_depth_has_one_estimate_per_depth_including_deaths_in_layer_1():
    curve = born_dead_by_depth(4, 1, 2000, seed=5, init="he_bias")  # one chunk: layer 1 drawn first, as alone
    assert len(curve.dead) == len(curve.nearly_constant) == 4 and all(e.trials == 2000 for e in curve.dead)
    first = born_dead_probability(1, 1, 2000, seed=5, init="he_bias")
    assert float(curve.dead[0]) == float(first) > 0.05, "a single biased unit can be dead on the whole domain"
    assert float(born_dead_probability(4, 1, 2000, seed=5, init="he_bias")) == float(curve.dead[-1])
    other_seed = born_dead_by_depth(4, 1, 2000, seed=6, init="he_bias")
    assert [float(e) for e in other_seed.dead] != [float(e) for e in curve.dead], "the seed is used"


def test_parameters_reach_the_simulation():
    """Leaky ReLU with slope 0 is ReLU: born dead as often, from the same seed."""
    relu = born_dead_by_depth(8, 2, 2000, seed=1)
    flat_leaky = born_dead_by_depth(8, 2, 2000, seed=1, activation="leaky_relu", params={"negative_slope": 0.0})
    assert [float(e) for e in flat_leaky.dead] == [float(e) for e in relu.dead] and float(relu.dead[-1]) > 0.3
    assert float(born_dead_probability(8, 2, 2000, seed=1, activation="leaky_relu",
                                       params={"negative_slope": 0.0})) == float(relu.dead[-1])


def test_signal_propagation_defaults_and_parameters_against_torch():
    got = signal_propagation("leaky_relu", {"negative_slope": 0.2}, depth=3, width=4, init="custom", init_std=0.9,
                             batch=3, seed=4, networks=2)
    moments, gradients = torch_propagation_leaky(3, 4, 3, 0.9, seed=4, networks=2)
    assert np.allclose(got.second_moment, moments, rtol=1e-12) and np.allclose(got.gradient_norm, gradients,
                                                                               rtol=1e-10)
    default = signal_propagation(depth=2, width=16)
    moments, gradients = torch_propagation("relu", 2, 16, 256, math.sqrt(2 / 16), seed=0, networks=8)
    assert np.allclose(default.second_moment, moments, rtol=1e-12), "defaults: He, batch 256, seed 0, 8 networks"
    assert np.allclose(signal_propagation(depth=2, width=16, init="custom").second_moment,
                       torch_propagation("relu", 2, 16, 256, 1.0, seed=0, networks=8)[0], rtol=1e-12), "std 1"


def torch_propagation_leaky(depth, width, batch, std, seed, networks):
    import torch

    from tests import torch_reference

    torch_reference.TORCH["_leaky_0.2"] = lambda x: torch.nn.functional.leaky_relu(x, 0.2)
    try:
        return torch_propagation("_leaky_0.2", depth, width, batch, std, seed, networks)
    finally:
        del torch_reference.TORCH["_leaky_0.2"]


def test_signal_propagation_bounds_are_inclusive_and_messages_exact():
    from relu_viz.depth import MAX_DEPTH, MAX_WIDTH

    signal_propagation(depth=1, width=1, batch=1, networks=1)
    signal_propagation(depth=MAX_DEPTH, width=2, batch=2, networks=1)
    signal_propagation(depth=1, width=MAX_WIDTH, batch=MAX_WIDTH, networks=1)
    with pytest.raises(ValueError) as error:
        signal_propagation(depth=MAX_DEPTH + 1)
    assert str(error.value) == (f"signal propagation takes 1 to {MAX_DEPTH} layers, 1 to {MAX_WIDTH} units and "
                                "inputs, and 1 to 16 networks")
    with pytest.raises(ValueError) as error:
        signal_propagation(init="lecun")
    assert str(error.value) == "init must be he, xavier or custom (std in (0, 10])"
    assert Estimate(1.0, 10).interval()[1] == 1.0 and Estimate(0.0, 10).interval()[0] == 0.0
    lo, hi = Estimate(0.9, 50).interval()
    assert hi < 1 and lo == pytest.approx(0.7864, abs=1e-4)


def test_the_cost_bounds_by_hand_take_the_activations_parameters_into_account():
    """Maxout through the origin (intercepts 0) is positively homogeneous: three inputs decide, where the default
    pieces (intercepts 0, 1, -2) need the 129-input grid; the trial cap and the check follow. Signal propagation:
    as many of 8 networks as fit one training run's budget, 4e10 weight-updates (3 products of batch x width^2 per
    layer, and 500 per unit and input for f and f')."""
    from relu_viz.depth import MAX_CELLS, _cost_per_trial, propagation_networks

    through_origin = {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}
    assert _cost_per_trial(10, 4, "he", "maxout", through_origin) == 10 * 3 * (16 + 40)
    assert _cost_per_trial(10, 4, "he", "maxout") == 10 * 129 * (16 + 40)
    assert max_trials(40, 10, "he", "maxout", through_origin) == min(100_000, int(5e8 // (40 * 3 * 200)))
    assert max_trials(40, 10, "he", "maxout") == int(5e8 // (40 * 129 * 200)) == int(MAX_CELLS // (40 * 129 * 200))
    trials = int(5e8 // (40 * 129 * 200)) + 1  # too many for the grid, allowed with three inputs
    assert 0 <= born_dead_probability(40, 10, trials, init="he", activation="maxout", params=through_origin) <= 1
    with pytest.raises(ValueError, match="too large"):
        born_dead_probability(40, 10, trials, init="he", activation="maxout")
    per_layer = 3 * 256 * 256**2 + 500 * 256 * 256
    assert propagation_networks("relu", {}, 100, 256, 256) == 4e10 // (100 * per_layer) == 4
    assert propagation_networks("relu", None, 10, 16, 16) == 8 and propagation_networks("relu", {}, 10, 16, 16, 3) == 3
    assert 0 <= born_dead_probability(1, 1, 100_000) <= 1, "the most trials allowed"


MAXOUT_RELU = {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}


@pytest.mark.parametrize("activation, params, init", [
    ("relu", {}, "he"), ("relu", {}, "he_bias"), ("leaky_relu", {"negative_slope": 0.0}, "he"),
    ("maxout", MAXOUT_RELU, "he_bias"), ("prelu", {"weight": 0.0}, "he")])
def test_the_2_to_the_minus_n_rule_holds_where_its_condition_does_against_monte_carlo(activation, params, init):
    """single_input_share is 1/2 (f' = 0 exactly on x <= 0, pre-activations symmetric about 0), and the Monte Carlo
    death at one input matches 1 - (1 - 2^-N)^L."""
    from relu_viz.depth import single_input_share
    from relu_viz.properties import derive

    share, why = single_input_share(init, derive(ACTIVATIONS[activation], **params).dead_zone)
    assert share == 0.5 and "symmetric about 0" in why
    estimate = dead_at_point_probability(10, 3, trials=20_000, seed=4, init=init, activation=activation,
                                         params=params)
    exact = single_input_closed_form(10, 3)
    assert abs(estimate - exact) < 4 * estimate.standard_error, f"{estimate:.4f} vs {exact:.4f}"


@pytest.mark.parametrize("activation, params, init, far", [
    ("relu", {}, "rai", True), ("hardshrink", {}, "he", True), ("relu6", {}, "he", False)])
def test_where_its_condition_fails_the_rule_is_not_claimed_and_monte_carlo_departs_from_it(activation, params, init,
                                                                                          far):
    """RAI (asymmetric), Hardshrink (f' = 0 on [-0.5, 0.5]) and ReLU6 (also on [6, inf)): no share is claimed, and
    the Monte Carlo differs from 2^-N (far: by more than 10 standard errors; ReLU6 only slightly, above it)."""
    from relu_viz.depth import single_input_share
    from relu_viz.properties import derive

    share, why = single_input_share(init, derive(ACTIVATIONS[activation], **params).dead_zone)
    assert share is None and why
    estimate = dead_at_point_probability(10, 3, trials=20_000, seed=4, init=init, activation=activation,
                                         params=params)
    exact = single_input_closed_form(10, 3)
    assert abs(estimate - exact) > 10 * estimate.standard_error if far else estimate > exact


def test_with_no_dead_zone_no_layer_is_dead_at_one_input():
    from relu_viz.depth import single_input_share
    from relu_viz.properties import derive

    assert single_input_share("he", derive(ACTIVATIONS["leaky_relu"]).dead_zone)[0] == 0
    assert dead_at_point_probability(10, 2, trials=5_000, seed=0, activation="leaky_relu") == 0
