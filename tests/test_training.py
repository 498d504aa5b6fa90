"""Dead-neuron training: the contract's shapes, dead units checked independently, and the dynamics it teaches."""

import math
import warnings

import numpy as np
import pytest
from scipy.special import ndtr

from relu_viz.datasets import DATASETS
from relu_viz.training import MAX_EPOCHS, MAX_UNITS, TrainConfig, train


def quiet_train(config, **kwargs):
    """Train with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return train(config, **kwargs)


def test_contract_shapes_and_status():
    run = quiet_train(TrainConfig(activation="relu", params={}, hidden=(32, 32), dataset="sine", n_samples=256,
                                  lr=0.05, epochs=300, init="he", bias_init=0.0, seed=0))
    assert run.status == "ok"
    assert run.loss.shape == (301,) and run.dead_fraction.shape == (301, 2)
    assert run.X.shape == (256, 1) and run.y.shape == (256, 1)
    assert [W.shape for W, _ in run.layers] == [(1, 32), (32, 32), (32, 1)]
    assert run.X.min() >= -math.pi and run.X.max() <= math.pi
    assert np.allclose(run.y, np.sin(run.X))
    assert run.loss[-1] < run.loss[0] / 10, "training should fit the sine"


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
    if lr > 1 or bias < 0:
        assert recomputed[0] > 0.2, "this setting should kill a good share of the first layer"


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


def test_dead_first_layer_relu_never_revives_under_gradient_descent():
    run = quiet_train(TrainConfig(hidden=(64, 64), dataset="moons", lr=4.0, epochs=400, seed=1))
    dead = run.activity[0] == 0  # (epochs + 1, units)
    assert dead[-1].sum() >= 5, "the setting should kill some first-layer units"
    assert not np.any(dead[:-1] & ~dead[1:]), "a dead first-layer unit came back to life"


@pytest.mark.parametrize("lr", [0.05, 0.3, 3.0])
def test_leaky_relu_never_has_dead_units(lr):
    run = quiet_train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.01}, lr=lr, bias_init=-1.0,
                                  epochs=200))
    assert not run.dead_fraction.any()


def test_diverging_run_ends_with_status_and_no_warnings():
    run = quiet_train(TrainConfig(lr=8.0, epochs=500))
    assert run.status == "diverged"
    assert not math.isfinite(run.loss[-1]) and np.isfinite(run.loss[:-1]).all()
    assert run.epochs_run < 500 and run.dead_fraction.shape == (run.epochs_run + 1, 2)


def test_same_seed_same_run_and_other_seed_other_run():
    config = TrainConfig(hidden=(16, 16), epochs=50, optimizer="momentum", lr=0.01)
    a, b = train(config), train(config)
    assert np.array_equal(a.loss, b.loss) and np.array_equal(a.dead_fraction, b.dead_fraction)
    c = train(TrainConfig(hidden=(16, 16), epochs=50, optimizer="momentum", lr=0.01, seed=1))
    assert not np.array_equal(a.loss, c.loss)


@pytest.mark.parametrize("changes, named", [
    ({"epochs": MAX_EPOCHS + 1}, "epochs"),
    ({"hidden": (MAX_UNITS + 1,)}, "units"),
    ({"hidden": (8,) * 5}, "hidden layers"),
    ({"n_samples": 10_000}, "samples"),
    ({"lr": float("nan")}, "learning rate"),
    ({"dataset": "mnist"}, "dataset"),
    ({"init": "orthogonal"}, "init"),
    ({"activation": "swiglu"}, "activation"),
    ({"params": {"negative_slope": 3.0}, "activation": "leaky_relu"}, "negative_slope"),
    ({"hidden": (128,) * 4, "n_samples": 512, "epochs": 2000}, "too large"),
])
def test_configurations_beyond_the_limits_are_rejected_clearly(changes, named):
    with pytest.raises(ValueError, match=named):
        train(TrainConfig(**changes))


def test_progress_is_reported_and_can_stop_the_run():
    seen = []

    def progress(run):
        seen.append(run.epochs_run)
        return run.epochs_run < 50

    run = train(TrainConfig(epochs=300), progress=progress, every=25)
    assert seen[:3] == [0, 25, 50] and run.status == "stopped" and run.epochs_run == 50
    assert len(run.loss) == 51


@pytest.mark.parametrize("dataset", DATASETS[3:])
def test_classification_sets_record_accuracy_and_learn(dataset):
    run = quiet_train(TrainConfig(dataset=dataset, hidden=(32, 32), optimizer="adam", lr=0.01, epochs=400))
    assert run.X.shape == (256, 2) and set(np.unique(run.y)) == {0.0, 1.0}
    assert run.accuracy is not None and run.accuracy[-1] > max(0.8, run.accuracy[0])


def test_sigmoid_saturates_but_does_not_die():
    run = quiet_train(TrainConfig(activation="sigmoid", init="custom", init_std=6.0, epochs=20))
    assert run.saturated_fraction[0].max() > 0.1 and not run.dead_fraction.any()


def test_minibatch_and_every_init_run():
    for init in ("he", "xavier", "lecun", "uniform", "custom"):
        run = quiet_train(TrainConfig(init=init, init_std=0.3, batch_size=32, epochs=20, lr=0.01))
        assert run.status == "ok" and run.loss[-1] < run.loss[0]
