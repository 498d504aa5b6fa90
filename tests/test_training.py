"""Dead-neuron training against the contract, against PyTorch (the same network, data, initial weights and batch
order trained with torch.optim), against independent float64 recomputations and closed forms, across seeds."""

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from scipy.special import ndtr

from relu_viz import ACTIVATIONS
from relu_viz.datasets import DATASETS, make
from relu_viz.training import (
    MAX_EPOCHS,
    MAX_SEEDS,
    MAX_UNITS,
    SNAPSHOT_FLOATS,
    Hidden,
    TrainConfig,
    initial_state,
    snapshot_stride,
    standardized,
    train,
    train_seeds,
    unit_states,
)
from tests.torch_reference import torch_train

SEEDS = range(20)


def quiet_train(config, **kwargs):
    """Train with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return train(config, **kwargs)


def test_contract_shapes_status_and_standardised_inputs():
    run = quiet_train(TrainConfig(activation="relu", params={}, hidden=(32, 32), dataset="sine", n_samples=256,
                                  lr=0.05, epochs=300, init="he", bias_init=0.0, seed=0))
    assert run.status == "ok"
    assert run.loss.shape == (301,) and run.dead_fraction.shape == (301, 2)
    assert run.X.shape == (256, 1) and run.y.shape == (256, 1)
    assert [W.shape for W, _ in run.layers] == [(1, 32), (32, 32), (32, 1)]
    assert abs(run.X.mean()) < 1e-12 and abs(run.X.std() - 1) < 1e-12, "the network sees standardised inputs"
    raw = make("sine", 256, np.random.default_rng(np.random.SeedSequence(0).spawn(3)[0])).X
    assert np.allclose(run.X, (raw - raw.mean()) / raw.std()) and np.allclose(run.y, np.sin(raw))
    unscaled = quiet_train(TrainConfig(epochs=1, standardize=False))
    assert np.array_equal(unscaled.X, raw), "standardize=False keeps the raw inputs"


@pytest.mark.slow
def test_default_run_trains_for_at_least_19_of_seeds_0_to_19():
    runs = train_seeds(TrainConfig(), SEEDS)
    trained = [r.status == "ok" and r.loss[-1] < r.loss[0] for r in runs]
    assert sum(trained) >= 19, [(r.seed, r.status, r.loss[0], r.loss[-1]) for r in (x.config for x in runs)]


@pytest.mark.parametrize("config", [
    TrainConfig(dataset="moons", optimizer="momentum", lr=0.1, batch_size=64, epochs=30),
    TrainConfig(activation="sigmoid", epochs=30, lr=0.3, init="custom", init_std=4.0),
    TrainConfig(activation=("prelu", "rrelu"), params=({"weight": 0.1}, {}), dataset="moons", optimizer="adam",
                lr=0.01, batch_size=64, epochs=10),
    TrainConfig(activation="maxout", dataset="xor", optimizer="adam", lr=0.01, epochs=20)],
    ids=["momentum-batches", "sigmoid", "prelu-rrelu-batches", "maxout"])
def test_a_seed_of_a_sweep_is_exactly_the_single_run_of_that_seed(config):
    runs = train_seeds(config, [3, 7])
    assert not np.array_equal(runs[0].loss, runs[1].loss)
    for seed, run in zip([3, 7], runs):
        single = train(replace(config, seed=seed))
        assert run.config.seed == seed and run.status == single.status == "ok"
        for name in ("loss", "accuracy", "dead_fraction", "saturated_fraction", "negative_fraction", "prelu_weight"):
            a, b = getattr(run, name), getattr(single, name)
            assert (a is b is None) or np.array_equal(a, b, equal_nan=True), name
        for a, b in zip(run.activity + run.learning + run.gradient,
                        single.activity + single.learning + single.gradient):
            assert np.array_equal(a, b)
        for (W, b), (W1, b1) in zip(run.layers, single.layers):
            assert np.array_equal(W, W1) and np.array_equal(b, b1)
            assert W.dtype == b.dtype == np.float32 and W.ndim == 2 and b.ndim == 1, "float32, as PyTorch trains"


@pytest.mark.parametrize("config", [
    TrainConfig(epochs=60),
    TrainConfig(dataset="moons", lr=0.3, epochs=60),
    TrainConfig(dataset="moons", optimizer="momentum", lr=0.1, batch_size=32, epochs=15),
    TrainConfig(dataset="circles", optimizer="adam", lr=0.01, batch_size=100, epochs=15, init="xavier"),
    TrainConfig(dataset="spiral", activation="gelu", init="uniform", bias_init=0.3, lr=0.3, epochs=40),
    TrainConfig(activation=("relu", "tanh"), params=({}, {}), init="lecun", epochs=60),
    TrainConfig(activation="leaky_relu", params={"negative_slope": 0.2}, init="custom", init_std=0.5, epochs=60),
    TrainConfig(activation="sigmoid", dataset="xor", hidden=(16, 8, 4), optimizer="adam", lr=0.05, epochs=40),
    # (at lr 0.5 the loss jumps at epoch 30, where float32 rounding grows: 2.4e-5 apart with one BLAS thread)
    TrainConfig(dataset="digits", n_samples=1797, lr=0.3, epochs=30),
    TrainConfig(dataset="digits", n_samples=1797, optimizer="adam", lr=0.003, batch_size=128, epochs=3),
    TrainConfig(activation="prelu", epochs=60),
    TrainConfig(activation=("prelu", "prelu"), params=({"weight": -0.3}, {"weight": 0.6}), dataset="moons",
                optimizer="adam", lr=0.01, batch_size=64, epochs=15),
    TrainConfig(activation="rrelu", dataset="moons", lr=0.3, epochs=40),
    TrainConfig(activation=("rrelu", "relu"), params=({"lower": 0.05, "upper": 0.5}, {}), optimizer="momentum",
                lr=0.02, batch_size=50, epochs=10),
    TrainConfig(activation="maxout", dataset="xor", optimizer="adam", lr=0.01, epochs=30),
    TrainConfig(activation=("maxout", "tanh"), params=({"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}, {}),
                dataset="sine", init="xavier", lr=0.05, batch_size=64, epochs=10),
], ids=["default", "moons", "momentum-batches", "adam-batches", "gelu-uniform", "per-layer", "leaky-custom",
        "sigmoid-3-layers", "digits-softmax", "digits-adam-batches", "prelu", "prelu-adam-batches", "rrelu",
        "rrelu-momentum-batches", "maxout-adam", "maxout-2-pieces-batches"])
def test_training_matches_pytorch_epoch_by_epoch(config):
    """Same data, initial weights and batch order (and RReLU's random slopes); torch.nn (nn.PReLU),
    torch.nn.functional, autograd and torch.optim do the rest."""
    ref = torch_train(config)
    run = quiet_train(config)
    assert len(ref["loss"]) == len(run.loss)
    assert np.allclose(run.loss, ref["loss"], rtol=2e-5, atol=1e-7), np.max(np.abs(run.loss / ref["loss"] - 1))
    assert np.array_equal(run.dead_fraction, ref["dead_fraction"])
    assert np.array_equal(run.negative_fraction, ref["negative_fraction"])
    assert np.allclose(run.prelu_weight, ref["prelu_weight"], rtol=1e-4, atol=1e-6, equal_nan=True)


def test_one_gradient_step_moves_every_weight_by_lr_times_the_autograd_gradient():
    import torch

    config = TrainConfig(activation="elu", dataset="moons", hidden=(8, 4), lr=0.5, epochs=1, bias_init=0.1)
    start = initial_state(config)
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for layer in start.layers for p in layer]
    h = torch.tensor(start.X)
    for i in range(2):
        h = torch.nn.functional.elu(h @ params[2 * i] + params[2 * i + 1])
    loss = torch.nn.functional.binary_cross_entropy_with_logits(h @ params[4] + params[5], torch.tensor(start.y))
    loss.backward()
    run = quiet_train(config)
    moved = [p for layer in run.layers for p in layer]
    for before, after, p in zip([p for layer in start.layers for p in layer], moved, params):
        assert np.allclose((before - after) / config.lr, p.grad.numpy(), rtol=1e-3, atol=1e-6)


def finite_difference_gradient(config, layer, i, j, eps=1e-3):
    """d loss / d W[layer][i, j] by central differences of the float64 loss at the initial weights."""
    start = initial_state(config)

    def loss(delta):
        layers = [(W.copy(), b.copy()) for W, b in start.layers]
        layers[layer][0][i, j] += delta
        h = start.X
        for W, b in layers[:-1]:
            h = np.maximum(h @ W + b, 0)
        out = h @ layers[-1][0] + layers[-1][1]
        return np.mean((out - start.y) ** 2)

    return (loss(eps) - loss(-eps)) / (2 * eps)


def test_first_step_agrees_with_finite_differences():
    config = TrainConfig(hidden=(6, 5), lr=1.0, epochs=1, bias_init=0.2)
    start, run = initial_state(config), quiet_train(config)
    for layer, (i, j) in [(0, (0, 3)), (1, (2, 4)), (2, (1, 0))]:
        step = (start.layers[layer][0][i, j] - run.layers[layer][0][i, j]) / config.lr
        assert step == pytest.approx(finite_difference_gradient(config, layer, i, j), rel=1e-3, abs=1e-6)


@pytest.mark.parametrize("init, std", [
    ("he", lambda n_in, n_out: math.sqrt(2 / n_in)),
    ("xavier", lambda n_in, n_out: math.sqrt(2 / (n_in + n_out))),
    ("lecun", lambda n_in, n_out: math.sqrt(1 / n_in)),
    ("uniform", lambda n_in, n_out: 1 / math.sqrt(3 * n_in)),
    ("custom", lambda n_in, n_out: 0.37),
])
def test_each_init_draws_weights_with_the_documented_moments(init, std):
    """Sample standard deviation within 5 standard errors of the formula; the output layer N(0, gain^2/fan_in);
    the uniform init is PyTorch's, bounded by 1/sqrt(fan_in) for weights and biases."""
    config = TrainConfig(init=init, init_std=0.37, hidden=(128, 64), dataset="moons")
    weights = {0: [], 1: [], 2: []}
    biases = []
    for seed in range(6):
        layers = initial_state(replace(config, seed=seed)).layers
        for i, (W, _) in enumerate(layers):
            weights[i].append(W.ravel())
        biases.append(layers[1][1])
    for i, (n_in, n_out) in enumerate([(2, 128), (128, 64)]):
        w = np.concatenate(weights[i])
        expected = std(n_in, n_out)
        assert abs(w.std() - expected) < 5 * expected / math.sqrt(2 * len(w)), (i, w.std(), expected)
        assert abs(w.mean()) < 5 * expected / math.sqrt(len(w))
        if init == "uniform":
            assert np.abs(w).max() <= 1 / math.sqrt(n_in) and stats.kstest(
                w, stats.uniform(-1 / math.sqrt(n_in), 2 / math.sqrt(n_in)).cdf).pvalue > 1e-4
        elif init != "custom":
            assert stats.kstest(w / expected, "norm").pvalue > 1e-4
    if init == "xavier":  # PyTorch's xavier_normal_, with Glorot and Bengio's uniform variance 2 / (fan_in + fan_out)
        import torch

        torch.manual_seed(0)
        theirs = torch.nn.init.xavier_normal_(torch.empty(64, 128)).numpy()  # fan_in 128, fan_out 64
        assert abs(theirs.std() - std(128, 64)) < 5 * std(128, 64) / math.sqrt(2 * theirs.size)
        assert std(128, 64) ** 2 == pytest.approx((2 * math.sqrt(6 / 192)) ** 2 / 12)
    out = np.concatenate(weights[2])
    gain = 0.1  # the README's output layer: N(0, 0.01/fan_in), fan_in 64 here
    assert abs(out.std() - gain / 8) < 5 * gain / 8 / math.sqrt(2 * len(out))
    b = np.concatenate(biases)
    if init == "uniform":
        bound = 1 / math.sqrt(128)
        assert abs(b.std() - bound / math.sqrt(3)) < 0.2 * bound / math.sqrt(3) and np.abs(b).max() <= bound
    else:
        assert not b.any(), "biases start at bias_init (0)"


def independent_dead_fraction(run):
    """Recompute, in float64 from the final weights, the share of ReLU units with pre-activation <= 0 on all data."""
    h, fractions = run.X, []
    for W, b in run.layers[:-1]:
        pre = h @ W.astype(float) + b.astype(float)
        fractions.append(float(np.mean(np.all(pre <= 0, axis=0))))
        h = np.maximum(pre, 0)
    return fractions


@pytest.mark.parametrize("dataset, lr, bias", [("sine", 0.01, 0.0), ("moons", 4.0, 0.0), ("moons", 0.3, -1.5)])
def test_dead_fraction_agrees_with_recomputation_from_final_weights(dataset, lr, bias):
    run = quiet_train(TrainConfig(hidden=(64, 32), dataset=dataset, lr=lr, bias_init=bias, epochs=300, seed=3))
    assert run.status == "ok"
    recomputed = independent_dead_fraction(run)
    assert run.dead_fraction[-1].tolist() == pytest.approx(recomputed, abs=1e-12)
    assert np.array_equal(run.negative_fraction, run.dead_fraction), "for ReLU, negative everywhere = dead"
    if lr > 1 or bias < 0:
        assert recomputed[0] > 0.2, "this setting should kill a good share of the first layer"


def test_unit_states_on_a_hand_built_layer():
    """Three units, known by hand on inputs 1, 2, 3: unit 1 is negative on every input, unit 2 positive on every
    input, unit 3 crosses zero (pre -30, 0, 30). With ReLU unit 1 is dead; with sigmoid and these huge
    pre-activations units 1 and 2 are saturated on every input, unit 3 only on two of three."""
    X = np.array([[1.0], [2.0], [3.0]])
    pre = (X @ np.array([[-30.0, 30.0, 30.0]]) + np.array([0.0, 0.0, -60.0]))[None]
    relu = unit_states(pre, (pre > 0).astype(float))
    assert relu.dead.tolist() == [[True, False, False]] and relu.negative.tolist() == [[True, False, False]]
    assert relu.saturated.tolist() == [[True, False, False]]
    assert np.allclose(relu.activity, [[0, 1, 1 / 3]]) and np.allclose(relu.learning, [[0, 1, 1 / 3]])
    sigmoid = unit_states(pre, np.exp(-np.abs(pre)) / (1 + np.exp(-np.abs(pre))) ** 2)
    assert sigmoid.dead.tolist() == [[False, False, False]]
    assert sigmoid.saturated.tolist() == [[True, True, False]], "saturated means on every input, not on some"
    assert np.allclose(sigmoid.activity, [[1, 1, 1]])
    assert np.allclose(sigmoid.learning, [[0, 0, 1 / 3]]), "only the input at 0 gives unit 3 a usable slope (1/4)"
    edge = unit_states(np.zeros((1, 2, 1)), np.array([[[1e-3], [0.000999]]]))
    assert np.allclose(edge.learning, [[0.5]]) and edge.saturated.tolist() == [[False]], "|f'| = 0.001 counts"


def test_predict_is_the_network_output_and_a_probability_for_classification():
    regression = train(TrainConfig(hidden=(3,), epochs=1, lr=1e-5))
    regression.layers = [(np.array([[-1.0, 2.0, 0.5]]), np.array([0.0, -1.0, 1.0])),
                         (np.array([[1.0], [2.0], [3.0]]), np.array([0.5]))]
    X = np.array([[1.0], [-2.0]])
    by_hand = np.maximum(X @ regression.layers[0][0] + regression.layers[0][1], 0) @ np.array([[1.0], [2.0], [3.0]])
    assert np.allclose(regression.predict(X), by_hand + 0.5)
    classification = train(TrainConfig(dataset="moons", hidden=(3,), epochs=1))
    classification.layers[-1] = (classification.layers[-1][0] * 0, np.array([2.0], np.float32))
    assert np.allclose(classification.predict(classification.X[:4]), 1 / (1 + np.exp(-2.0))), "expit(logit)"


def test_recorded_dead_saturated_and_negative_shares_match_recomputation_at_start():
    config = TrainConfig(activation="sigmoid", init="custom", init_std=5.0, epochs=1, seed=4)
    run, start = train(config), initial_state(config)
    (W1, b1), (W2, b2) = [(W.astype(np.float32), b.astype(np.float32)) for W, b in start.layers[:2]]
    X = start.X.astype(np.float32)
    pre1 = X @ W1 + b1
    pre2 = (1 / (1 + np.exp(-pre1))) @ W2 + b2
    for i, pre in enumerate((pre1, pre2)):
        d = 1 / (1 + np.exp(-pre)) * (1 - 1 / (1 + np.exp(-pre)))
        assert run.saturated_fraction[0, i] == pytest.approx(np.mean(np.all(d < 1e-3, axis=0)))  # README: 0.001
        assert run.negative_fraction[0, i] == pytest.approx(np.mean(np.all(pre <= 0, axis=0)))
    assert run.saturated_fraction[0, 1] > 0.05, "std 5 saturates part of layer 2 from the start"


@pytest.mark.slow
def test_initial_dead_fraction_matches_closed_form_for_negative_bias():
    """w ~ N(0, 2) (He, fan_in 1), bias b < 0: a unit is dead iff w*x + b <= 0 for every data x, i.e.
    -b/|x_min| >= -w >= 0 or 0 <= w <= -b/x_max."""
    b, sigma = -0.5, math.sqrt(2)
    observed, expected = [], []
    for seed in range(20):
        run = quiet_train(TrainConfig(hidden=(MAX_UNITS,), bias_init=b, epochs=1, seed=seed))
        x_min, x_max = float(run.X.min()), float(run.X.max())
        expected.append(ndtr(-b / (x_max * sigma)) - 0.5 + ndtr(-b / (-x_min * sigma)) - 0.5)
        observed.append(run.dead_fraction[0, 0])
    p = float(np.mean(expected))
    standard_error = math.sqrt(p * (1 - p) / (20 * MAX_UNITS))
    assert abs(np.mean(observed) - p) < 4 * standard_error, f"observed {np.mean(observed):.4f}, closed form {p:.4f}"


@pytest.mark.slow
def test_one_layer_2_unit_in_four_is_born_dead_with_one_input_and_zero_biases():
    """Layer-2 input is a*x for x > 0 and b*|x| for x < 0 with a, b independent and symmetric: dead iff both
    are <= 0, probability 1/4."""
    runs = train_seeds(replace(TrainConfig(), epochs=1), SEEDS)
    share = np.mean([r.dead_fraction[0, 1] for r in runs])
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / (20 * 32)), share
    assert not any(r.dead_fraction[0, 0] for r in runs), "first-layer hinges through 0 are never dead"


@pytest.mark.slow
def test_dead_first_layer_relu_never_revives_under_gradient_descent():
    runs = train_seeds(TrainConfig(hidden=(64, 64), dataset="moons", lr=4.0, epochs=300), range(5))
    for run in runs:
        dead = run.activity[0] == 0  # (epochs + 1, units)
        assert not np.any(dead[:-1] & ~dead[1:]), "a dead first-layer unit came back to life"
    assert sum(int((r.activity[0][-1] == 0).sum()) for r in runs) >= 20, "the setting should kill units"


@pytest.mark.slow
def test_deeper_units_revive_under_gradient_descent_and_first_layer_units_under_adam():
    gd = train_seeds(TrainConfig(), range(5))
    assert any(np.any((r.activity[1][:-1] == 0) & (r.activity[1][1:] > 0)) for r in gd), "no layer-2 revival"
    adam = train_seeds(TrainConfig(dataset="moons", optimizer="adam", lr=2.0, epochs=300), range(5))
    assert any(np.any((r.activity[0][:-1] == 0) & (r.activity[0][1:] > 0)) for r in adam), "no Adam revival"


@pytest.mark.parametrize("lr", [0.05, 0.3, 3.0])
def test_leaky_relu_never_has_dead_units(lr):
    run = quiet_train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.01}, lr=lr, bias_init=-1.0,
                                  epochs=200))
    assert not run.dead_fraction.any()


def test_per_layer_activations_apply_to_their_own_layer():
    config = TrainConfig(activation=("relu", "leaky_relu"), params=({}, {"negative_slope": 0.1}),
                         dataset="moons", hidden=(32, 32), bias_init=-1.5, epochs=50)
    run = quiet_train(config)
    assert run.dead_fraction[0, 0] > 0 and not run.dead_fraction[:, 1].any()
    assert run.negative_fraction[0, 1] > 0, "layer 2 has units negative everywhere, alive through the slope"
    with pytest.raises(ValueError, match="activation for every hidden layer"):
        TrainConfig(activation=("relu",), params=({},), hidden=(8, 8)).validate()


def test_diverging_run_ends_with_status_and_no_warnings():
    run = quiet_train(TrainConfig(lr=10.0, epochs=500))
    assert run.status == "diverged"
    assert not math.isfinite(run.loss[-1]) and np.isfinite(run.loss[:-1]).all()
    assert run.epochs_run < 500 and run.dead_fraction.shape == (run.epochs_run + 1, 2)


def test_a_diverging_seed_ends_alone_in_a_sweep():
    runs = train_seeds(TrainConfig(lr=1.0, epochs=100), range(6))
    assert {r.status for r in runs} <= {"ok", "diverged"}
    for run in runs:
        if run.status == "diverged":
            assert not math.isfinite(run.loss[-1]) and np.isfinite(run.loss[:-1]).all()
        else:
            assert len(run.loss) == 101


def test_same_seed_same_run_and_other_seed_other_run():
    config = TrainConfig(hidden=(16, 16), epochs=50, optimizer="momentum", lr=0.01)
    a, b = train(config), train(config)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.dead_fraction, b.dead_fraction)
    c = train(replace(config, seed=1))
    assert not np.array_equal(a.loss, c.loss)


@pytest.mark.parametrize("changes, named", [
    ({"epochs": MAX_EPOCHS + 1}, "epochs"),
    ({"epochs": 0}, "epochs"),
    ({"hidden": (MAX_UNITS + 1,)}, "units"),
    ({"hidden": (0,)}, "units"),
    ({"hidden": (8,) * 5}, "hidden layers"),
    ({"hidden": ()}, "hidden layers"),
    ({"n_samples": 10_000}, "samples"),
    ({"n_samples": 7}, "samples"),
    ({"lr": float("nan")}, "learning rate"),
    ({"lr": 11.0}, "learning rate"),
    ({"lr": 1e-6}, "learning rate"),
    ({"dataset": "mnist"}, "dataset"),
    ({"init": "orthogonal"}, "init"),
    ({"bias_init": 5.5}, "bias init"),
    ({"bias_init": -5.5}, "bias init"),
    ({"init_std": 0.0}, "custom std"),
    ({"init_std": 10.5}, "custom std"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"batch_size": 0}, "batch size"),
    ({"batch_size": 513}, "batch size"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**32}, "seed"),
    ({"activation": "swiglu"}, "activation"),
    ({"params": {"negative_slope": 3.0}, "activation": "leaky_relu"}, "negative_slope"),
    ({"hidden": (128,) * 4, "n_samples": 512, "epochs": 2000}, "too large"),
])
def test_configurations_beyond_the_limits_are_rejected_clearly(changes, named):
    with pytest.raises(ValueError, match=named):
        train(TrainConfig(**changes))


def test_the_limits_themselves_are_allowed():
    for changes in ({"lr": 1e-5, "epochs": 1}, {"lr": 10.0, "epochs": 1}, {"bias_init": -5.0, "epochs": 1},
                    {"bias_init": 5.0, "epochs": 1}, {"init": "custom", "init_std": 1e-3, "epochs": 1},
                    {"init": "custom", "init_std": 10.0, "epochs": 1}, {"n_samples": 8, "epochs": 1},
                    {"n_samples": 512, "epochs": 1}, {"batch_size": 512, "epochs": 1}, {"seed": 2**32 - 1, "epochs": 1},
                    {"hidden": (MAX_UNITS,), "epochs": 1}, {"hidden": (1,) * 4, "epochs": 1}):
        TrainConfig(**changes).validate()


def test_sweeps_are_bounded_in_seeds_and_cost():
    with pytest.raises(ValueError, match="seeds"):
        train_seeds(TrainConfig(epochs=5), range(MAX_SEEDS + 1))
    big = TrainConfig(hidden=(128,) * 4, n_samples=512, epochs=TrainConfig(hidden=(128,) * 4, n_samples=512)
                      .max_epochs())
    big.validate()
    with pytest.raises(ValueError, match="too large"):
        big.validate(MAX_SEEDS)
    assert 1 <= big.max_epochs(MAX_SEEDS) < big.max_epochs()


def test_progress_is_reported_and_can_stop_the_run():
    seen = []

    def progress(run):
        seen.append(run.epochs_run)
        return run.epochs_run < 50

    run = train(TrainConfig(epochs=300), progress=progress, every=25)
    assert seen[:3] == [0, 25, 50] and run.status == "stopped" and run.epochs_run == 50
    assert len(run.loss) == 51


def test_mini_batches_take_ceil_n_over_b_steps_per_epoch_in_the_seeded_order():
    """With lr 1 and plain gradient descent on a linear-output model, the step count shows in the weights: compare
    against torch driven by the same batch order (already in test_training_matches_pytorch) and check the
    count of optimizer steps directly."""
    from relu_viz import training

    steps = []
    real = training.Optimizer.step

    def counting(self, grads):
        steps.append(grads[0][0].shape)
        return real(self, grads)

    training.Optimizer.step = counting
    try:
        train(TrainConfig(n_samples=100, batch_size=32, epochs=3))
    finally:
        training.Optimizer.step = real
    assert len(steps) == 3 * math.ceil(100 / 32)


@pytest.mark.parametrize("dataset", DATASETS[3:])
def test_classification_sets_record_accuracy_and_learn(dataset):
    run = quiet_train(TrainConfig(dataset=dataset, hidden=(32, 32), optimizer="adam", lr=0.01, epochs=400))
    assert run.X.shape == (256, 2) and set(np.unique(run.y)) == {0.0, 1.0}
    assert run.accuracy is not None and run.accuracy[-1] > max(0.8, run.accuracy[0])
    predicted = (run.predict(run.X) > 0.5) == (run.y > 0.5)
    assert run.accuracy[-1] == pytest.approx(np.mean(predicted), abs=1 / 256)


def test_recorded_gradient_is_zero_exactly_while_a_unit_is_dead():
    run = quiet_train(TrainConfig(dataset="moons", lr=0.3, bias_init=-1.5, epochs=50))
    for activity, gradient in zip(run.activity, run.gradient):
        assert np.all(gradient[activity == 0] == 0) and np.all(gradient[activity > 0] >= 0)
    assert np.any(run.gradient[0] > 0)


@pytest.mark.slow
def test_about_half_the_relu_outputs_are_exact_zeros_at_initialisation():
    runs = train_seeds(replace(TrainConfig(), epochs=1), SEEDS)
    start = np.array([r.zero_fraction(at_start=True) for r in runs])
    assert 0.45 < start[:, 0].mean() < 0.55 and 0.35 < start[:, 1].mean() < 0.6
    run = runs[0]
    h, shares = run.X, []
    for W, b in run.layers[:-1]:
        h = np.maximum(h @ W.astype(float) + b.astype(float), 0)
        shares.append(np.mean(h == 0))
    assert run.zero_fraction() == pytest.approx(shares)


def test_dead_masks_are_taken_at_the_epoch_asked_for():
    run = quiet_train(TrainConfig(dataset="moons", lr=4.0, epochs=60, seed=1))
    start, end = run.dead_masks(0), run.dead_masks()
    assert [m.tolist() for m in start] == [(a[0] == 0).tolist() for a in run.activity]
    assert [m.tolist() for m in end] == [(a[-1] == 0).tolist() for a in run.activity]
    assert [m.mean() for m in end] == pytest.approx(run.dead_fraction[-1].tolist())
    assert sum(m.sum() for m in end) > sum(m.sum() for m in start), "units died during this run"


@pytest.mark.parametrize("changes, wanted", [
    ({"hidden": (8,) * 5}, "1 to 4 hidden layers"),
    ({"hidden": (0,)}, "1 to 128 units a layer"),
    ({"activation": ("relu",), "params": ({},)}, "a known activation for every hidden layer"),
    ({"dataset": "mnist"}, "a dataset among sine, abs, step, moons, circles, xor, spiral, digits or an uploaded one "
                           "the server holds"),
    ({"dataset": "upload-000000000000"}, "a dataset among sine, abs, step, moons, circles, xor, spiral, digits or an "
                                         "uploaded one the server holds"),
    ({"n_samples": 7}, "8 to 512 samples (all the rows of a fixed dataset)"),
    ({"dataset": "digits", "n_samples": 512}, "8 to 512 samples (all the rows of a fixed dataset)"),
    ({"epochs": 0}, "1 to 2000 epochs"),
    ({"lr": 0.0}, "a learning rate in [1e-05, 10]"),
    ({"init": "orthogonal"}, "an init among he, xavier, lecun, uniform, custom"),
    ({"bias_init": 6.0}, "a bias init in [-5, 5]"),
    ({"init_std": 20.0}, "a custom std in [0.001, 10]"),
    ({"optimizer": "sgd"}, "an optimizer among gd, momentum, adam"),
    ({"batch_size": 0}, "a batch size from 1 to 512 (or None for full batch)"),
    ({"seed": -1}, "a seed in [0, 2^32)"),
    ({"standardize": 1}, "standardize True or False"),
    ({"n_samples": True}, "8 to 512 samples (all the rows of a fixed dataset)"),
    ({"lr": True}, "a learning rate in [1e-05, 10]"),
])
def test_each_limit_says_what_training_needs(changes, wanted):
    config = TrainConfig(**changes)
    with pytest.raises(ValueError) as error:
        config.validate()
    assert str(error.value) == f"training needs {wanted}; got {config}"


def test_the_cost_model_by_hand():
    from relu_viz.training import MAX_WORK, STEP_COST, UNIT_COST

    full = TrainConfig()  # widths 1-32-32-1: 32 + 1024 + 32 weights, 64 units, 256 samples
    per_sample = 1088 + UNIT_COST * 64
    assert full.batches == 1 and full.work == 256 * per_sample + STEP_COST
    batched = TrainConfig(batch_size=32)
    assert batched.batches == 8 and batched.work == 2 * 256 * per_sample + 8 * STEP_COST
    assert TrainConfig(batch_size=100).batches == 3 and TrainConfig(dataset="moons").work == 256 * (
        64 + 1024 + 32 + UNIT_COST * 64) + STEP_COST
    assert full.cost() == 300 * full.work
    assert full.cost(20) == 300 * (20 * 256 * per_sample + STEP_COST)
    assert full.max_epochs() == MAX_EPOCHS
    big = TrainConfig(hidden=(128,) * 4, n_samples=512)
    assert big.max_epochs() == int(MAX_WORK // big.work)
    assert big.max_epochs(20) == int(3 * MAX_WORK // (20 * (big.work - STEP_COST) + STEP_COST)), "3x for sweeps"
    message = f"this run is too large: at this size at most {big.max_epochs()} epochs fit"
    with pytest.raises(ValueError, match=message):
        replace(big, epochs=big.max_epochs() + 1).validate()
    replace(big, epochs=big.max_epochs()).validate()


def test_canonical_json_and_per_layer_activations():
    leaky = TrainConfig(activation="leaky_relu")
    assert leaky.canonical().params == {"negative_slope": 0.01}
    assert leaky.canonical() == TrainConfig(activation="leaky_relu", params={"negative_slope": 0.01}).canonical()
    mixed = TrainConfig(activation=("relu", "elu"), params=({}, {"alpha": 2}), hidden=(4, 4))
    assert mixed.layer_activations() == [("relu", {}), ("elu", {"alpha": 2})]
    assert mixed.canonical().params == ({}, {"alpha": 2.0})
    assert TrainConfig(hidden=(3, 3, 3)).layer_activations() == [("relu", {})] * 3
    for config in (leaky, mixed, TrainConfig(batch_size=16, seed=9)):
        assert TrainConfig.from_json(config.to_json()) == config


def test_standardized_has_zero_mean_and_unit_variance_per_feature():

    X = np.array([[1.0, 10.0], [2.0, 30.0], [6.0, 20.0]])
    Z = standardized(X)
    assert np.allclose(Z.mean(axis=0), 0) and np.allclose(Z.std(axis=0), 1)
    assert np.allclose(Z[:, 0], (X[:, 0] - 3) / np.std([1.0, 2.0, 6.0]))


def test_a_stopped_run_keeps_what_it_recorded():
    run = train(TrainConfig(epochs=100, dataset="moons"), progress=lambda r: r.epochs_run < 20, every=10)
    assert run.status == "stopped" and run.epochs_run == 20
    for values in (run.loss, run.accuracy, run.dead_fraction, run.saturated_fraction, run.negative_fraction,
                   *run.activity, *run.learning, *run.gradient):
        assert len(values) == 21 and np.isfinite(values).all()
    reported = []
    train(TrainConfig(epochs=30), progress=lambda r: reported.append(r.epochs_run), every=7)
    assert reported == [0, 7, 14, 21, 28, 30], "every few epochs, and at the end"


def test_zero_fraction_counts_exact_zeros_with_the_initial_or_final_weights():
    run = quiet_train(TrainConfig(hidden=(8, 4), epochs=20, lr=0.1, bias_init=0.2))
    for at_start, layers in ((True, initial_state(run.config).layers), (False, run.layers)):
        h, shares = run.X.astype(np.float32), []
        for W, b in layers[:-1]:
            h = np.maximum(h @ W.astype(np.float32) + b.astype(np.float32), 0)
            shares.append(float(np.mean(h == 0)))
        assert run.zero_fraction(at_start=at_start).tolist() == pytest.approx(shares, abs=1e-9)
    assert run.zero_fraction(at_start=True).tolist() != run.zero_fraction().tolist()


def test_sweep_progress_defaults_to_every_25_epochs():
    seen = []
    train_seeds(TrainConfig(epochs=60), [0, 1], progress=lambda runs: seen.append([r.epochs_run for r in runs]))
    assert seen == [[0, 0], [25, 25], [50, 50], [60, 60]]


def test_learning_share_agrees_with_the_saturated_and_dead_fractions():
    """A unit learns on no input exactly when it is saturated on every input, and the saturated share of each layer
    is the share of its units with no learning input; dead units are among them."""
    run = quiet_train(TrainConfig(activation="sigmoid", init="custom", init_std=5.0, epochs=20))
    for i, (learning, activity) in enumerate(zip(run.learning, run.activity)):
        assert np.array_equal(np.mean(learning == 0, axis=1), run.saturated_fraction[:, i])
        assert np.all(learning <= activity) and np.all(learning[activity == 0] == 0)
    assert run.saturated_fraction[0, 1] > 0 and np.any((run.learning[1][0] > 0) & (run.learning[1][0] < 1))


@pytest.mark.parametrize("config", [TrainConfig(epochs=12), TrainConfig(dataset="moons", epochs=12, optimizer="adam",
                                                                         lr=0.01, batch_size=32, hidden=(8, 4, 4))])
def test_the_layers_kept_at_each_epoch_are_the_layers_after_that_many_epochs(config):
    run = train(config)
    assert list(run.snapshot_epochs) == list(range(13))
    widths = (run.X.shape[1], *config.hidden)
    assert [s.shape for s in run.snapshots] == [(13, a + 1, b) for a, b in zip(widths, widths[1:])]
    assert all(s.dtype == np.float32 for s in run.snapshots)
    for epoch, layers in [(0, initial_state(config).layers)] + [(e, train(replace(config, epochs=e)).layers)
                                                               for e in (1, 5, 12)]:
        for (W, b), (kept_W, kept_b) in zip(layers[:-1], run.hidden_layers_at(epoch)):
            assert np.array_equal(kept_W, W.astype(np.float32)) and np.array_equal(kept_b, b.astype(np.float32))


def test_a_large_network_keeps_every_kth_epoch_and_the_last_within_the_budget():
    config = TrainConfig(dataset="moons", hidden=(128, 128, 128, 128), epochs=203, n_samples=64)
    per_epoch = 3 * 128 + 3 * 129 * 128  # weights and biases of the four hidden layers
    stride = snapshot_stride(config)
    assert stride == -(-204 * per_epoch // SNAPSHOT_FLOATS) > 1
    run = train(config)
    kept = list(run.snapshot_epochs)
    assert kept == list(range(0, 204, stride)) + ([203] if 203 % stride else [])
    assert sum(s.size for s in run.snapshots) <= SNAPSHOT_FLOATS + per_epoch  # the budget, and the last epoch
    epoch = int(kept[1])
    for (W, b), (kept_W, kept_b) in zip(train(replace(config, epochs=epoch)).layers, run.hidden_layers_at(epoch)):
        assert np.array_equal(kept_W, W) and np.array_equal(kept_b, b)
    with pytest.raises(ValueError, match=f"every {stride} epochs"):
        run.hidden_layers_at(1)


def test_a_seed_that_diverged_in_a_sweep_keeps_the_layers_of_its_last_epoch_as_a_run_of_its_own_does():
    config = TrainConfig(lr=0.3, epochs=40)
    runs = train_seeds(config, [4, 5])
    assert [run.status for run in runs] == ["diverged", "ok"], "the sweep mixes diverged and finished seeds"
    for seed, run in zip([4, 5], runs):
        alone = train(replace(config, seed=seed))
        assert run.snapshot_epochs[-1] == run.epochs_run == alone.epochs_run
        for (W, b), (kept_W, kept_b) in zip(alone.layers, run.hidden_layers_at(run.epochs_run)):
            np.testing.assert_array_equal(kept_W, W)
            np.testing.assert_array_equal(kept_b, b)


def test_a_feature_constant_over_the_sample_is_shifted_to_zero_not_divided_by_zero():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    assert np.array_equal(standardized(X), [[-1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("epochs, seeds, stride", [(41, 1, 1), (42, 1, 2), (83, 2, 1), (84, 2, 2)])
def test_every_epoch_is_kept_while_it_fits_the_budget_by_hand(epochs, seeds, stride):
    """4 x 128 units on 2-D data: 3·128 + 3·129·128 = 49,920 weights and biases an epoch. One run may keep 2^21
    values: 42 epochs' worth (2,096,640), not 43; a sweep four times that over its seeds: 84 epochs of 2 seeds."""
    config = TrainConfig(dataset="moons", hidden=(128,) * 4, n_samples=32, epochs=epochs)
    assert snapshot_stride(config, seeds) == stride


def test_a_sweep_keeps_its_seeds_layers_at_the_sweeps_stride():
    config = TrainConfig(dataset="moons", hidden=(128,) * 4, n_samples=32, epochs=84)
    for run in train_seeds(config, [0, 1]):
        assert list(run.snapshot_epochs) == list(range(0, 85, 2))


def test_standardising_divides_by_the_standard_deviation_even_below_one():
    assert np.array_equal(standardized(np.array([[0.0], [0.5]])), [[-1.0], [1.0]])


def test_the_digits_classes_and_probabilities_from_the_final_weights():
    """Recomputed here with a float64 forward pass and a softmax written out."""
    run = train(TrainConfig(dataset="digits", n_samples=1797, lr=0.3, epochs=15))
    h = run.X.astype(np.float64)
    for W, b in run.layers[:-1]:
        h = np.maximum(h @ W + b, 0)
    logits = h @ run.layers[-1][0] + run.layers[-1][1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert np.allclose(run.predict(run.X), p, atol=1e-5)
    labels = np.argmax(run.y, axis=1)
    true, predicted = run.classes()
    assert np.array_equal(true, labels) and np.array_equal(predicted, np.argmax(logits, axis=1))
    expected = [np.mean(np.argmax(logits, axis=1)[labels == c] == c) for c in range(10)]
    assert np.allclose(run.class_accuracy(), expected) and min(expected) < max(expected), "classes differ here"
    assert run.accuracy[-1] == pytest.approx(np.mean(predicted == labels), abs=1e-9)


def test_a_sweep_over_the_digits_is_each_seed_trained_alone():
    config = TrainConfig(dataset="digits", n_samples=1797, lr=0.3, epochs=5, hidden=(16,))
    for seed, run in zip([0, 1], train_seeds(config, [0, 1])):
        alone = train(replace(config, seed=seed))
        assert np.array_equal(run.loss, alone.loss) and np.array_equal(run.accuracy, alone.accuracy)


def test_a_run_can_start_from_given_weights_of_the_networks_shape():
    start = ((1.0, -2.0, 0.5), (0.0, 1.0, -0.5)), ((0.3,), (-0.1,), (0.2,), (0.05,))
    config = TrainConfig(hidden=(3,), epochs=20, start=start, lr=0.01)
    layers = initial_state(config).layers
    assert np.array_equal(layers[0][0], [[1.0, -2.0, 0.5]]) and np.array_equal(layers[0][1], [0.0, 1.0, -0.5])
    assert np.array_equal(layers[1][0], [[0.3], [-0.1], [0.2]]) and np.array_equal(layers[1][1], [0.05])
    assert TrainConfig.from_json(config.to_json()) == config
    run = quiet_train(config)
    assert np.allclose(run.loss, torch_train(config)["loss"], rtol=2e-5)
    assert not np.array_equal(run.loss, quiet_train(replace(config, start=None)).loss)  # not the drawn weights


@pytest.mark.parametrize("start", [
    (((1.0, 2.0), (0.0, 0.0)), ((1.0,), (1.0,), (0.0,))),  # two hidden units, not three
    (((1.0, 2.0, 3.0), (0.0, 0.0, 0.0)),),  # no output layer
    (((1.0, float("nan"), 3.0), (0.0, 0.0, 0.0)), ((1.0,), (1.0,), (1.0,), (0.0,))),
    (((1.0, 2e6, 3.0), (0.0, 0.0, 0.0)), ((1.0,), (1.0,), (1.0,), (0.0,))),
    (((1.0, 2.0, 3.0), (0.0, 0.0)), ((1.0,), (1.0,), (1.0,), (0.0,))),  # ragged
    "weights",
])
def test_start_weights_of_another_shape_or_not_finite_are_refused(start):
    with pytest.raises(ValueError, match="start weights"):
        TrainConfig(hidden=(3,), epochs=5, start=start).validate()


def test_rrelu_in_training_is_torchs_rrelu_given_its_draws_and_draws_as_it_does():
    """F.rrelu(training=True) multiplies each x <= 0 (0 included) by its own slope r ~ U(lower, upper), passes x > 0
    unchanged, and its gradient is r (1 for x > 0). Given torch's own draws, the reference's form
    where(x > 0, x, x r) (tests/torch_reference.py, the export) gives the same values and gradients; the trainer's
    draws are uniform on [lower, upper] too, one per element."""
    import torch

    from relu_viz.training import Hidden
    from tests.torch_reference import in_training

    lower, upper = 0.1, 0.4
    torch.manual_seed(0)
    x = torch.cat([torch.linspace(-3, 3, 20_001), torch.zeros(3)]).requires_grad_()
    y = torch.nn.functional.rrelu(x, lower, upper, training=True)
    y.sum().backward()
    negative = x.detach() < 0
    r = torch.where(negative, y.detach() / torch.where(negative, x.detach(), 1), x.grad)  # torch's draws
    assert torch.equal(y[x > 0], x[x > 0]) and torch.all(x.grad[x > 0] == 1)
    assert torch.all((r[x <= 0] >= lower) & (r[x <= 0] <= upper)), "x = 0 gets a drawn slope too"
    assert stats.kstest(r[negative].numpy(), stats.uniform(lower, upper - lower).cdf).pvalue > 1e-3

    class Given:
        def uniform(self, lo, hi, shape):
            assert (lo, hi, shape) == (lower, upper, tuple(x.shape))
            return r.double().numpy()

    ours = x.detach().clone().requires_grad_()
    f, _ = in_training("rrelu", {"lower": lower, "upper": upper}, Given(), torch.float32)
    y_ours = f(ours)
    y_ours.sum().backward()
    assert torch.allclose(y_ours, y, rtol=1e-6, atol=0) and torch.allclose(ours.grad, x.grad, rtol=1e-6, atol=0)
    layer = Hidden(ACTIVATIONS["rrelu"], {"lower": lower, "upper": upper})
    drawn = layer.draw([np.random.default_rng(1), np.random.default_rng(2)], (2, 5000, 4))
    assert drawn.shape == (2, 5000, 4) and drawn.dtype == np.float32
    assert stats.kstest(drawn.ravel(), stats.uniform(lower, upper - lower).cdf).pvalue > 1e-3
    z = np.float32([[[-2.0, 0.0, 3.0]]])
    out, d = layer.apply(z, drawn=np.float32([[[0.2, 0.3, 0.25]]]))
    assert out.tolist() == [[[np.float32(-2.0) * np.float32(0.2), 0.0, 3.0]]] and np.allclose(d, [[[0.2, 0.3, 1]]])


def test_evaluation_uses_rrelus_mean_slope_and_prelus_learned_slope():
    """predict is the network in evaluation mode, written out here in float64: RReLU with (lower + upper) / 2, PReLU
    with the slope it learned (which moved from the explorer's starting value, recorded at every epoch)."""
    run = quiet_train(TrainConfig(activation=("rrelu", "prelu"), params=({"lower": 0.1, "upper": 0.3},
                                                                          {"weight": 0.4}),
                                  dataset="moons", hidden=(8, 8), lr=0.3, epochs=30))
    slopes = run.prelu_weight
    assert np.isnan(slopes[:, 0]).all() and slopes[0, 1] == np.float32(0.4) and slopes.shape == (31, 2)
    assert abs(slopes[-1, 1] - 0.4) > 1e-3, "the slope is learned"
    (W1, b1), (W2, b2), (W3, b3) = [(W.astype(float), b.astype(float)) for W, b in run.layers]
    z1 = run.X @ W1 + b1
    z2 = np.where(z1 > 0, z1, 0.2 * z1) @ W2 + b2
    logit = np.where(z2 > 0, z2, slopes[-1, 1] * z2) @ W3 + b3
    assert np.allclose(run.predict(run.X), 1 / (1 + np.exp(-logit)), atol=1e-5)


def test_maxout_units_have_k_pieces_each_with_its_own_weights():
    """Goodfellow et al.'s maxout: each unit's output is the largest of k affine pieces of the layer's input, its
    k columns drawn as nn.Linear(fan_in, units * k) would be (Xavier: fan_out = units * k)."""
    config = TrainConfig(activation="maxout", params={"slopes": (1.0, 2.0, 3.0, 4.0), "intercepts": (0.0,) * 4},
                         dataset="moons", hidden=(64, 16), init="xavier", lr=0.1, epochs=5)
    start = initial_state(config)
    assert [W.shape for W, _ in start.layers] == [(2, 256), (64, 64), (16, 1)]
    for (W, _), (n_in, n_out) in zip(start.layers, [(2, 256), (64, 64)]):
        expected = math.sqrt(2 / (n_in + n_out))
        assert abs(W.std() - expected) < 5 * expected / math.sqrt(2 * W.size)
    run = quiet_train(config)
    h = run.X.astype(float)
    for W, b in run.layers[:-1]:
        pieces = (h @ W.astype(float) + b).reshape(len(h), -1, 4)
        h = pieces.max(axis=2)
    logit = h @ run.layers[-1][0] + run.layers[-1][1]
    assert np.allclose(run.predict(run.X), 1 / (1 + np.exp(-logit)), atol=1e-5)
    assert run.gradient[0].shape == (6, 64) and np.all(run.gradient[0] > 0)


def test_maxout_unit_states_on_a_hand_built_layer():
    """Two units of two pieces on three inputs. Unit 1's pieces: (1, 2, 3) and (0, 0, 0): piece 1 wins everywhere,
    piece 2 never. Unit 2's: (-1, 5, 0) and (1, 1, 1): each wins somewhere. The derivative of a unit's output is 1
    on its winning piece on every input, so no maxout unit is dead; unit 1 has a piece that never wins (the
    maxout form of ReLU's negative unit: max(0, z) whose piece z never wins)."""
    pre = np.array([[[1.0, 0.0, -1.0, 1.0], [2.0, 0.0, 5.0, 1.0], [3.0, 0.0, 0.0, 1.0]]])
    _, d = Hidden(ACTIVATIONS["maxout"], {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}).apply(pre)
    assert d.tolist() == [[[1, 0, 0, 1], [1, 0, 1, 0], [1, 0, 0, 1]]]
    states = unit_states(pre, d, pieces=2)
    assert states.dead.tolist() == [[False, False]] and states.activity.tolist() == [[1.0, 1.0]]
    assert states.negative.tolist() == [[True, False]]
    tie = Hidden(ACTIVATIONS["maxout"], {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}).apply(np.ones((1, 1, 2)))
    assert tie[1].tolist() == [[[1, 0]]], "a tie goes to the first piece, as torch.max's gradient does"


@pytest.mark.slow
def test_no_maxout_unit_ever_dies_but_pieces_go_idle():
    """Across seeds 0-19 of the too-high learning rate that kills ReLU units: maxout units never have f' = 0 with
    respect to all their pieces on every input, while some units have a piece that is the maximum on no input."""
    runs = train_seeds(TrainConfig(activation="maxout", dataset="moons", optimizer="adam", lr=2.0, epochs=200),
                       SEEDS)
    assert not any(r.dead_fraction.any() for r in runs)
    assert sum(bool(r.negative_fraction[-1].any()) for r in runs) >= 18


@pytest.mark.slow
def test_exponential_units_die_too_when_pushed_far_enough():
    """ELU's summary: the 'Learning rate too high' setup with ELU (and SELU, CELU) leaves units whose f' is exactly 0
    on every input in float32, in most of seeds 0-19."""
    from relu_viz.scenarios import SCENARIOS

    for key in ("elu", "selu", "celu"):
        runs = train_seeds(replace(SCENARIOS["lr_too_high"].config, activation=key), SEEDS)
        assert sum(bool(r.dead_fraction.any()) for r in runs) >= 15, key


def test_a_maxout_piece_that_never_wins_gets_no_gradient_and_every_other_piece_does():
    from relu_viz.training import _pass, backward, hidden_layers, network

    config = TrainConfig(activation="maxout", dataset="xor", hidden=(16,), epochs=1)
    start, hidden = initial_state(config), hidden_layers(config)
    start.layers[0][1][[2, 4, 9]] = -100.0  # these pieces (of units 1, 2 and 4) now lose on every input
    stack = network(start.layers, hidden)
    X, y = start.X[None].astype(np.float32), start.y[None].astype(np.float32)
    pre, inputs, slopes, _, _, grad_out = _pass(stack, X, y, hidden, "classification")
    gW, gb = backward(stack, hidden, pre, inputs, slopes, grad_out)[0]
    pieces = (start.X @ start.layers[0][0] + start.layers[0][1]).reshape(len(X[0]), 16, 3)
    wins = np.stack([np.sum(np.argmax(pieces, axis=2) == j, axis=0) for j in range(3)], axis=1).ravel()
    idle = wins == 0
    assert np.flatnonzero(idle).tolist() == [2, 4, 9]
    assert np.all(gW[0][:, idle] == 0) and np.all(gb[0, 0, idle] == 0)
    assert np.all(np.abs(gW[0][:, ~idle]).sum(axis=0) > 0)


def test_the_limits_and_thresholds_are_the_ones_the_readme_states():
    """Typed from the README (Bounded; the dead-neuron panel), not read from the code: 1 to 4 layers of 1 to 128
    units, 32 to 512 samples, 10 to 2000 epochs (the core allows 1), sweeps of 20 seeds, saturated below 0.001, the
    output layer N(0, 0.01/fan_in), 2^21 float32 values of kept weights (8 MiB)."""
    from relu_viz import training

    assert (training.MAX_LAYERS, training.MAX_UNITS, training.MAX_SAMPLES, training.MAX_EPOCHS) == (4, 128, 512, 2000)
    assert training.MAX_SEEDS == 20 and training.SATURATED == 0.001 and abs(training.OUTPUT_GAIN**2 - 0.01) < 1e-15
    assert SNAPSHOT_FLOATS * 4 == 8 * 2**20


def test_the_mean_square_of_the_largest_of_three_normal_pieces():
    """README: E[max(z1, z2, z3)^2] = (1 + sqrt(3)/(2 pi)) sigma^2 for independent N(0, sigma^2) pieces, against
    E[relu(z)^2] = sigma^2 / 2; by quadrature of the density of the maximum, 3 phi(z) Phi(z)^2."""
    from scipy import integrate, stats

    second, _ = integrate.quad(lambda z: z * z * 3 * stats.norm.pdf(z) * stats.norm.cdf(z) ** 2, -np.inf, np.inf)
    assert second == pytest.approx(1 + math.sqrt(3) / (2 * math.pi), rel=1e-9)
    assert round(2 * second, 2) == 2.55
    relu, _ = integrate.quad(lambda z: z * z * stats.norm.pdf(z), 0, np.inf)
    assert relu == pytest.approx(0.5)


def test_prelus_zero_share_uses_the_slope_of_the_start_or_the_end():
    """With a learned slope of exactly 0 a PReLU output is 0 wherever its input is <= 0; the share of exact zeros
    at the start uses the starting slope (0 here) and at the end the learned one (no longer 0)."""
    run = quiet_train(TrainConfig(activation="prelu", params={"weight": 0.0}, dataset="moons", hidden=(8,), lr=0.3,
                                  epochs=20))
    start = initial_state(run.config)
    z0 = run.X.astype(np.float32) @ start.layers[0][0].astype(np.float32) + start.layers[0][1].astype(np.float32)
    assert run.zero_fraction(at_start=True)[0] == pytest.approx(np.mean(z0 <= 0)) and np.mean(z0 <= 0) > 0.3
    assert run.prelu_weight[-1, 0] != 0 and run.zero_fraction()[0] == 0


def test_a_sigmoid_unit_is_dead_where_its_saved_output_rounds_to_1_in_float32():
    """As autograd computes it, sigmoid's f' = y (1 - y) from the saved float32 output: exactly 0 where y rounds to
    1 (or to 0), though the exact derivative is positive there; recomputed here at the start of the std-5 run."""
    config = TrainConfig(activation="sigmoid", init="custom", init_std=5.0, epochs=1, seed=4)
    run, start = quiet_train(config), initial_state(config)
    (W1, b1), (W2, b2) = [(W.astype(np.float32), b.astype(np.float32)) for W, b in start.layers[:2]]
    y1 = 1 / (1 + np.exp(-(start.X.astype(np.float32) @ W1 + b1)))
    y2 = 1 / (1 + np.exp(-(y1 @ W2 + b2)))
    dead = np.all(y2 * (1 - y2) == 0, axis=0)
    assert run.dead_fraction[0, 1] == pytest.approx(np.mean(dead)) and dead.any()


def test_given_start_weights_of_a_maxout_layer_have_k_columns_per_unit():
    maxout = {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}
    hidden = ((1.0, -1.0, 0.5, 2.0), (0.0, 0.1, 0.0, -0.1))  # 2 units x 2 pieces from 1 input, and the biases
    output = ((0.3,), (-0.2,), (0.0,))
    config = TrainConfig(activation="maxout", params=maxout, hidden=(2,), epochs=3, start=(hidden, output))
    assert config.validate() is config
    run = quiet_train(config)
    z = run.X @ np.array([hidden[0]]) + np.array(hidden[1])
    out = np.maximum(z[:, 0::2], z[:, 1::2]) @ np.array([[0.3], [-0.2]])  # unit u's pieces: columns 2u and 2u + 1
    assert run.loss[0] == pytest.approx(np.mean((out - run.y) ** 2), rel=1e-6) and run.layers[0][0].shape == (1, 4)
    with pytest.raises(ValueError, match="start weights of the network's shape"):
        one_column_a_unit = ((1.0, 2.0), (0.0, 0.0))
        TrainConfig(activation="maxout", params=maxout, hidden=(2,), start=(one_column_a_unit, output)).validate()


def test_training_and_the_depth_simulations_compute_with_one_blas_thread(monkeypatch):
    """The time budgets assume one core a computation: a 5000-row upload trained with all of OpenBLAS's threads
    took 10-15x its budget (hostile review). Whatever the caller's setting, the matrix products run on one."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from relu_viz import depth, training

    seen = []
    real_forward, real_init = training._forward, depth._init_layer

    def spy(real):
        def recorded(*args, **kwargs):
            seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
            return real(*args, **kwargs)
        return recorded

    monkeypatch.setattr(training, "_forward", spy(real_forward))
    monkeypatch.setattr(depth, "_init_layer", spy(real_init))
    with threadpool_limits(2):
        training.train(TrainConfig(epochs=2))
        depth.first_constant_layer(2, 4, 10)
        depth.dead_at_point_probability(2, 4, 10)
        depth.signal_propagation(depth=2, width=8)
        after = {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    assert len(seen) >= 5 and all(s == {1} for s in seen), seen
    assert after == {2}, "the caller's setting is restored"


@pytest.mark.parametrize("most, advice", [(3, "use fewer samples, units or layers, larger batches or a cheaper "
                                              "activation (fewer epochs than 10 are not offered)"),
                                          (10, "use fewer epochs, samples or units, or larger batches")])
def test_a_run_too_large_is_told_what_can_make_it_fit(monkeypatch, most, advice):
    """24 nested erf fit 3 epochs; 'use fewer epochs' pointed at a slider that starts at 10 (hostile review)."""
    monkeypatch.setattr(TrainConfig, "max_epochs", lambda self, seeds=1: most)
    with pytest.raises(ValueError, match=f"at most {most} epochs fit") as refused:
        TrainConfig(epochs=20).validate()
    assert str(refused.value).endswith(advice)


@pytest.mark.parametrize("optimizer, lr", [("momentum", 0.3), ("adam", 0.01), ("adam", 0.1)])
def test_a_unit_dead_from_the_start_stays_dead_under_momentum_and_adam(optimizer, lr):
    """What the panel says of momentum and Adam: they move a unit with the steps they remember, and a first-layer
    unit dead from the start never had a gradient to remember (the Bad bias init setup, biases -1.5; an expert
    review found the old text, 'momentum or Adam can move any unit back', false on 46 such units)."""
    born_dead = 0
    for seed in range(3):
        run = train(TrainConfig(dataset="moons", lr=lr, epochs=200, bias_init=-1.5, optimizer=optimizer, seed=seed))
        at_start = run.dead_masks(0)[0]
        born_dead += int(at_start.sum())
        assert all(np.all(run.dead_masks(epoch)[0][at_start]) for epoch in range(run.epochs_run + 1))
    assert born_dead > 0, "the setup has units dead from the start"
