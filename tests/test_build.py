"""Hinges (relu_viz.build) against references: numpy.linalg.lstsq, the interpolation error bound, exact fits worked
by hand, the tent map's closed form and a brute-force search over one-layer networks, the dead-neuron panel's
trainer and PyTorch."""

import itertools
import math

import numpy as np
import pytest

from relu_viz import build
from relu_viz.build import Hinges
from relu_viz.training import TrainConfig, initial_state, train
from tests.torch_reference import torch_train

SEEDS = range(20)


def random_hinges(seed: int, k: int, lo: float = -3.0, hi: float = 3.0) -> Hinges:
    rng = np.random.default_rng(seed)
    w = rng.choice([-1.0, 1.0], k) * rng.uniform(0.2, 3.0, k)
    kinks = rng.uniform(lo, hi, k)
    return Hinges(w, -w * kinks, rng.normal(0, 1, k), rng.normal())


def test_a_hinge_is_a_relu_of_w_x_plus_b_times_a_and_the_sum_adds_c():
    h = Hinges([2.0, -1.0], [-1.0, 0.5], [3.0, -2.0], 0.25)
    x = np.array([-2.0, 0.0, 0.5, 1.0, 4.0])
    by_hand = [0.25 + 3 * max(0, 2 * v - 1) - 2 * max(0, -v + 0.5) for v in x]
    assert np.allclose(h(x), by_hand) and h.k == 2
    assert np.allclose(h.units(x).sum(axis=1) + 0.25, by_hand)
    assert np.allclose(h.kinks, [0.5, 0.5])
    assert np.isnan(Hinges([0.0], [1.0], [1.0]).kinks[0])
    with pytest.raises(ValueError, match="same length"):
        Hinges([1.0, 2.0], [0.0], [1.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_snapped_output_weights_are_numpys_least_squares_solution(seed):
    x, y = build.sample(np.sin, -3, 3)
    h = random_hinges(seed, 1 + seed % 12)
    fit = build.fit_output(h.w, h.b, x, y)
    A = np.column_stack([np.maximum(np.outer(x, h.w) + h.b, 0), np.ones(len(x))])
    reference, *_ = np.linalg.lstsq(A, y, rcond=None)
    assert np.allclose(np.append(fit.a, fit.c), reference, rtol=1e-7, atol=1e-9)
    assert fit.errors(x, y)[0] == pytest.approx(np.mean((A @ reference - y) ** 2), rel=1e-9, abs=1e-15)
    # the residual is orthogonal to every hinge and to the constant: no output weight can lower the error
    assert np.allclose(A.T @ (fit(x) - y), 0, atol=1e-8)
    assert np.allclose(fit.w, h.w) and np.allclose(fit.b, h.b)


def test_snapping_coinciding_and_dead_hinges_gives_the_minimum_norm_fit():
    x, y = build.sample(np.sin, -3, 3)
    w = np.array([1.0, 1.0, 1.0, -1.0])
    b = np.array([0.5, 0.5, -10.0, 1.0])  # hinges 1 and 2 coincide; hinge 3's kink is at x = 10: dead on [-3, 3]
    fit = build.fit_output(w, b, x, y)
    A = np.column_stack([np.maximum(np.outer(x, w) + b, 0), np.ones(len(x))])
    reference, *_ = np.linalg.lstsq(A, y, rcond=None)
    assert np.allclose(np.append(fit.a, fit.c), reference, atol=1e-9)
    assert fit.a[0] == pytest.approx(fit.a[1]) and fit.a[2] == 0
    assert list(fit.dead(x)) == [False, False, True, False]


def test_abs_is_fitted_exactly_by_two_hinges():
    x, y = build.sample(np.abs, -3, 3)
    fit = build.fit_output([1.0, -1.0], [0.0, 0.0], x, y)  # relu(x) + relu(-x) = |x|
    assert np.allclose(fit.a, [1, 1], atol=1e-12) and fit.c == pytest.approx(0, abs=1e-12)
    assert fit.errors(x, y)[1] < 1e-12
    for lo, hi in ((-3.0, 3.0), (-1.0, 2.0)):  # kinks evenly placed at lo and (lo + hi) / 2
        x, y = build.sample(np.abs, lo, hi)
        even = build.even(np.abs, lo, hi, 2)
        assert even.errors(x, y)[1] < 1e-12 if lo + hi == 0 else even.errors(x, y)[1] > 0.1


@pytest.mark.parametrize("lo, hi", [(-3.0, 3.0), (-math.pi, math.pi), (0.1, 1.3), (-7.5, 2.0)])
def test_even_hinges_interpolate_the_sine_within_the_bound_h_squared_max_f2_over_8(lo, hi):
    fine = np.linspace(lo, hi, 20_001)
    curvature = build.max_curvature("sine", lo, hi)
    assert curvature == pytest.approx(np.max(np.abs(np.sin(fine))), abs=1e-7)  # |sin''| = |sin|
    for k in range(1, build.MAX_HINGES + 1):
        h = build.even(np.sin, lo, hi, k)
        nodes = np.linspace(lo, hi, k + 1)
        assert np.allclose(h(nodes), np.sin(nodes), atol=1e-12), f"k = {k}: not through the k + 1 points"
        largest = np.max(np.abs(h(fine) - np.sin(fine)))
        assert largest <= build.interpolation_bound(curvature, lo, hi, k) * (1 + 1e-9), k


def test_the_bound_is_reached_for_x_squared_at_the_midpoints():
    """x^2 minus its chord on a piece of length h is h^2/4 at the middle: the bound h^2 * 2 / 8, exactly."""
    for k in (1, 3, 8, 32):
        h = build.even(np.square, -2, 3, k)
        middles = np.linspace(-2, 3, k + 1)[:-1] + 2.5 / k
        assert np.allclose(h(middles) - middles**2, build.interpolation_bound(2.0, -2, 3, k), rtol=1e-9)


def test_errors_by_k_are_the_errors_of_each_even_placement():
    x, y = build.sample(np.sin, -3, 3)
    mse, largest = build.errors_by_k(np.sin, -3, 3, x, y, most=6)
    for k in range(1, 7):
        assert (mse[k - 1], largest[k - 1]) == build.even(np.sin, -3, 3, k).errors(x, y)
    assert np.all(np.diff(largest[1:]) < 0)  # more evenly placed hinges, a smaller error (past the first)


@pytest.mark.parametrize("depth", range(1, build.MAX_DEPTH + 1))
def test_the_tent_composed_L_times_has_2_to_the_L_pieces_from_2L_units(depth):
    x = np.linspace(0, 1, 2**12 + 1)  # dyadic: every kink i / 2^L is a point, and the values are exact
    network = build.tent_network(depth)
    y = build.forward(network, x)
    tent = lambda z: 2 * np.maximum(z, 0) - 4 * np.maximum(z - 0.5, 0)  # noqa: E731
    z = x
    for _ in range(depth):
        z = tent(z)
    assert np.array_equal(y, z) and np.array_equal(y, build.sawtooth(x, depth))
    assert build.units(network) == 2 * depth and len(network) == depth + 1
    assert build.linear_pieces(x, y) == 2**depth
    slopes = np.diff(y) / np.diff(x)
    kinks = x[1:-1][np.diff(slopes) != 0]
    assert np.allclose(kinks, np.arange(1, 2**depth) / 2**depth)  # the kinks, found one by one


def test_linear_pieces_counts_by_hand():
    x = np.linspace(-2, 2, 9)
    assert build.linear_pieces(x, 3 * x + 1) == 1
    assert build.linear_pieces(x, np.abs(x)) == 2
    assert build.linear_pieces(x, np.maximum(0, x - 1) - np.maximum(0, -x - 1)) == 3


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_one_hidden_layer_needs_2_to_the_L_units_for_the_sawtooth(depth):
    """Brute force: an exact one-layer fit must bend at every one of the 2^L - 1 kinks, so 2^L - 1 units would
    sit one at each, facing either way; no choice of sides fits exactly. 2^L evenly placed units do."""
    x, y = build.sample(build.target("sawtooth", depth), 0, 1)
    kinks = np.arange(1, 2**depth) / 2**depth
    best = min(build.fit_output(np.array(sides), -np.array(sides) * kinks, x, y).errors(x, y)[1]
               for sides in itertools.product([-1.0, 1.0], repeat=len(kinks)))
    assert best > 0.05  # no rounding error: a miss
    assert build.even(build.target("sawtooth", depth), 0, 1, 2**depth).errors(x, y)[1] < 1e-12


@pytest.mark.slow
def test_no_ten_unit_one_layer_fit_of_the_L5_sawtooth_beats_the_floor():
    x, y = build.sample(build.target("sawtooth", 5), 0, 1)
    floor_mse, floor_largest = build.one_layer_floor(5, 10, x)
    # closed form: 6 of 16 teeth fitted by their best line, the flat 1/2, which misses a tooth by 1/12 in mean square
    assert floor_largest == 0.5 and floor_mse == pytest.approx(6 / 16 / 12, rel=0.01)
    best = build.best_found(x, y, 10)
    mse, largest = best.errors(x, y)
    assert mse >= floor_mse and largest >= floor_largest
    flat = Hinges(np.ones(10), np.zeros(10), np.zeros(10), 0.5)
    assert flat.errors(x, y)[1] == 0.5  # the floor of the largest error is reached by a flat line
    snapped_even = build.even(build.target("sawtooth", 5), 0, 1, 10)
    assert mse <= build.fit_output(snapped_even.w, snapped_even.b, x, y).errors(x, y)[0]
    for k in (16, 20):
        assert build.one_layer_floor(5, k, x) == (0.0, 0.0)


def test_the_floor_holds_for_random_one_layer_networks():
    x, y = build.sample(build.target("sawtooth", 4), 0, 1)
    floor_mse, floor_largest = build.one_layer_floor(4, 5, x)
    for seed in SEEDS:
        h = random_hinges(seed, 5, 0, 1)
        snapped = build.fit_output(h.w, h.b, x, y)
        mse, largest = snapped.errors(x, y)
        assert mse >= floor_mse and largest >= floor_largest


def test_the_search_finds_an_exact_fit_when_there_are_enough_units():
    x, y = build.sample(build.target("sawtooth", 3), 0, 1)
    assert build.best_found(x, y, 8, starts=2).errors(x, y)[1] < 1e-9


def test_a_hinge_is_dead_when_every_point_is_on_its_flat_side():
    x = np.linspace(-1, 1, 11)
    h = Hinges([1.0, 1.0, -1.0, -1.0, 2.0, 0.0, 0.0], [-1.0, -1.5, -1.0, 0.0, 0.0, -1.0, 1.0], np.ones(7))
    # kink at 1 facing right (0 at x = 1: relu'(0) = 0), beyond the data, facing left from -1, alive, alive,
    # flat and off (w = 0, b < 0), flat and on (w = 0, b > 0: relu' = 1)
    assert list(h.dead(x)) == [True, True, True, False, False, True, False]


def test_targets_and_samples():
    x, y = build.sample(build.target("step"), -1, 1)
    assert len(x) == build.POINTS and x[0] == -1 and x[-1] == 1 and set(y) == {0.0, 1.0} and y[x == 0] == 0
    assert np.array_equal(build.sample(build.target("square"), -2, 2)[1], x * 0 + (2 * x) ** 2)
    with pytest.raises(ValueError, match=r"f\(0\) is not finite"):
        build.sample(lambda t: 1 / t, 0, 1)
    with pytest.raises(ValueError, match="beyond 1e"):
        build.sample(lambda t: np.exp(30 * t), 0, 1)
    pole = lambda t: 1 / (t - 1)  # noqa: E731 (finite on the 513 points of [-3, 3], infinite at x = 1)
    x, y = build.sample(pole, -3, 3)
    with pytest.raises(ValueError, match=r"f\(1\) is not finite \(at 1 of the 4 points\)"):
        build.even(pole, -3, 3, 3)
    mse, largest = build.errors_by_k(pole, -3, 3, x, y, most=4)
    assert np.isnan(mse[2]) and np.isfinite(mse[3]) and np.isfinite(largest[:2]).all()
    f = build.through([2.0, 0.0, 2.0, 1.0], [1.0, 0.0, 3.0, 5.0])  # repeated x = 2: their mean, 2
    assert np.allclose(f([0.0, 0.5, 1.0, 2.0, 9.0]), [0.0, 2.5, 5.0, 2.0, 2.0])
    assert build.max_curvature("square", -1, 1) == 2 and build.max_curvature("abs", -1, 1) is None


def test_default_and_resized_hinges():
    h = build.default(3, 0.0, 3.0)
    assert np.allclose(h.kinks, [0.5, 1.5, 2.5]) and not h.a.any() and np.all(h.w == 1)
    placed = Hinges([2.0, -1.0, 1.0], [1.0, 1.0, 1.0], [5.0, 6.0, 7.0], 0.5)
    shrunk = build.resized(placed, 2, 0.0, 3.0)
    assert np.array_equal(shrunk.a, [5, 6]) and shrunk.c == 0.5
    grown = build.resized(placed, 5, 0.0, 5.0)
    assert np.array_equal(grown.a, [5, 6, 7, 0, 0]) and np.allclose(grown.kinks[3:], [3.5, 4.5])


def test_drawn_hinges_include_every_kink_in_view():
    h = Hinges([1.0, -1.0, 1.0], [-0.123, 0.777, -50.0], [1.0, 2.0, 3.0], 1.0)
    d = build.drawn(h, np.linspace(-1, 1, 5))
    assert d.interval == (-1, 1) and d.view == pytest.approx((-1.2, 1.2))
    assert 0.123 in d.x and 0.777 in d.x and d.x.max() == pytest.approx(1.2)
    assert np.allclose(d.total, h(d.x)) and np.allclose(d.parts, h.units(d.x))
    assert np.allclose(d.at_kinks, h(h.kinks)) and list(d.dead) == [False, False, True]


SINE_POINTS = build.points(*build.sample(np.sin, -3, 3))  # held here: the server keeps points while they are held


def data_config(**changes) -> TrainConfig:
    settings = {"lr": 0.01, "epochs": 200, "optimizer": "adam", "seed": 0, **changes}
    return build.training_config(SINE_POINTS, 6, **settings)


def test_training_starts_from_the_given_hinges():
    x, y = build.sample(np.sin, -3, 3)
    h = random_hinges(3, 6)
    config = build.training_config(SINE_POINTS, 6, start=h, lr=0.01, epochs=5, optimizer="gd", seed=0)
    start = initial_state(config)
    assert Hinges.of_layers(start.layers).errors(x, y) == h.errors(x, y)
    assert np.array_equal(start.X[:, 0], x) and np.array_equal(start.y[:, 0], y)  # not standardised
    trained = build.train(config)
    assert trained.run.loss[0] == pytest.approx(h.errors(x, y)[0], rel=1e-5)  # float32 training
    assert trained.epochs[0] == 0 and trained.epochs[-1] == 5


@pytest.mark.parametrize("seed", range(4))
def test_trained_hinges_are_the_dead_neuron_trainers_network_on_the_same_configuration(seed):
    """Build's training is relu_viz.training's, run by run: the same configuration on the sine the dead-neuron
    panel uses (standardised, He init) and on the Build tab's points (as given, PyTorch's init)."""
    for config in (TrainConfig(activation="relu", hidden=(8,), dataset="sine", lr=0.05, epochs=120, seed=seed),
                   data_config(seed=seed)):
        trained = build.train(config)
        run = train(config)
        assert trained.run.loss.tolist() == run.loss.tolist()
        final = Hinges.of_layers(run.layers)
        assert all(np.array_equal(getattr(trained.frames[-1], n), getattr(final, n)) for n in "wbac")
        assert np.array_equal(trained.frames[-1].dead(run.X[:, 0]), run.dead_masks()[0])


@pytest.mark.slow
@pytest.mark.parametrize("optimizer, lr", [("gd", 0.01), ("adam", 0.01)])
def test_training_from_placed_hinges_matches_pytorch(optimizer, lr):
    x, y = build.sample(np.sin, -3, 3)
    start = random_hinges(1, 8).with_output(np.full(8, 0.1), 0.0)
    config = build.training_config(SINE_POINTS, 8, start=start, lr=lr, epochs=150, optimizer=optimizer, seed=0)
    reference = torch_train(config)
    trained = build.train(config)
    assert np.allclose(trained.run.loss, reference["loss"], rtol=2e-5, atol=1e-8)
    assert trained.run.loss[-1] < trained.run.loss[0]


def test_the_animation_keeps_about_40_frames_and_the_last_epoch():
    trained = build.train(data_config(epochs=1000))
    assert 40 <= len(trained.frames) <= 42 and trained.epochs[-1] == 1000
    assert list(trained.epochs) == sorted(set(trained.epochs))


def test_a_diverging_run_keeps_only_its_finite_frames():
    trained = build.train(data_config(lr=10.0, optimizer="gd", epochs=200))
    assert trained.run.status == "diverged"
    assert all(np.all(np.isfinite(f.w)) and np.isfinite(f.c) for f in trained.frames)


def test_training_epochs_are_bounded_by_the_budget():
    config = data_config()
    assert build.epochs_allowed(config) == config.max_epochs() > 0
    x = np.linspace(0, 1, 5000)
    many = build.points(x, np.sin(x))
    big = build.training_config(many, build.MAX_HINGES, lr=0.01, epochs=10, optimizer="adam", seed=0)
    assert build.epochs_allowed(big) < 2000
    with pytest.raises(ValueError, match="too large"):
        build.train(TrainConfig(**{**big.__dict__, "epochs": build.epochs_allowed(big) + 10}))


def test_under_gradient_descent_a_dead_hinge_stays_where_it_died_across_seeds():
    """The page's claim: a hinge with every point on its flat side gets no gradient, so plain gradient descent
    leaves its kink where it is (seeds 0-19, random starts, a learning rate that pushes some off)."""
    x = build.sample(np.sin, -3, 3)[0]
    pushed_off = 0
    for seed in SEEDS:
        frames = build.train(data_config(seed=seed, optimizer="gd", lr=0.3, epochs=200)).frames
        for i, frame in enumerate(frames):
            for j in np.flatnonzero(frame.dead(x)):
                pushed_off += i > 0 and not frames[i - 1].dead(x)[j]
                assert all(later.w[j] == frame.w[j] and later.b[j] == frame.b[j] for later in frames[i:])
    assert pushed_off >= 5, "the seeds must show hinges pushed off during training for the claim to be tested"


def test_the_random_start_is_what_its_help_text_says():
    """build.start=random: w and b uniform in [-1, 1] (nn.Linear's bound 1/sqrt(fan_in) = 1 for one input), the
    output weights N(0, 0.01/k) and the output bias 0, over 20 seeds of 32 hinges (a Kolmogorov-Smirnov test each)."""
    from scipy import stats

    from ui.state import SPECS

    help_text = SPECS["build.start"].help
    assert "w and b uniform in [-1, 1]" in help_text and "N(0, 0.01/k)" in help_text and "bias c at 0" in help_text
    x = np.linspace(-3, 3, 64)
    data = build.points(x, np.sin(x))
    w, b, a = [], [], []
    for seed in range(20):
        (W1, b1), (W2, b2) = initial_state(build.training_config(data, 32, None, seed=seed)).layers
        w += list(W1.ravel())
        b += list(b1)
        a += list(W2.ravel() / math.sqrt(0.01 / 32))
        assert np.all(b2 == 0)
    for values, law in ((w, stats.uniform(-1, 2)), (b, stats.uniform(-1, 2)), (a, stats.norm())):
        assert stats.kstest(values, law.cdf).pvalue > 1e-3
