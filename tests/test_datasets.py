"""The toy datasets against their definitions, checked point by point (not against the generating code)."""

import gc
import hashlib
import math

import numpy as np
import pytest

from relu_viz import datasets
from relu_viz.datasets import DATASETS, DESCRIPTIONS, FIXED, Dataset, input_dim, make, outputs, size, task_of


def data(name, n=400, seed=0):
    return make(name, n, np.random.default_rng(seed))


def test_the_registry_lists_every_dataset_with_its_task_size_and_description():
    assert DATASETS == ("sine", "abs", "step", "moons", "circles", "xor", "spiral")
    assert set(DESCRIPTIONS) == set(DATASETS + FIXED)
    for name in DATASETS:
        d = data(name, 37)
        regression = name in ("sine", "abs", "step")
        assert d.name == name and d.task == task_of(name) == ("regression" if regression else "classification")
        assert d.X.shape == (37, input_dim(name)) == (37, 1 if regression else 2) and d.y.shape == (37, 1)
        assert d.X.dtype == d.y.dtype == np.float64


@pytest.mark.parametrize("name, target", [("sine", np.sin), ("abs", np.abs), ("step", lambda x: (x > 0) * 1.0)])
def test_regression_curves_on_minus_pi_to_pi(name, target):
    d = data(name)
    x = d.X[:, 0]
    assert x.min() >= -math.pi and x.max() <= math.pi and x.min() < -3 and x.max() > 3, "uniform on [-pi, pi]"
    assert abs(x.mean()) < 0.3 and abs(x.std() - math.pi / math.sqrt(3)) < 0.15
    assert np.array_equal(d.y[:, 0], target(x))


def test_classification_labels_are_0_and_1_roughly_balanced():
    for name in DATASETS[3:]:
        y = data(name).y[:, 0]
        assert set(np.unique(y)) == {0.0, 1.0} and 0.35 < y.mean() < 0.65, name


def test_moons_points_lie_near_their_half_circles():
    d = data("moons", 2000)
    x, label = d.X, d.y[:, 0]
    upper = np.abs(np.hypot(x[label == 0, 0], x[label == 0, 1]) - 1)  # centre (0, 0), radius 1, y >= 0
    lower = np.abs(np.hypot(x[label == 1, 0] - 1, x[label == 1, 1] - 0.5) - 1)  # centre (1, 0.5), y <= 0.5
    assert np.median(upper) < 0.1 and np.median(lower) < 0.1 and upper.max() < 0.6 and lower.max() < 0.6
    assert np.mean(x[label == 0, 1]) > 0.4 and np.mean(x[label == 1, 1]) < 0.1
    assert 0.07 < np.std(np.hypot(x[label == 0, 0], x[label == 0, 1]) - 1) < 0.13, "noise 0.1"
    for arm, centre in ((0, (0.0, 0.0)), (1, (1.0, 0.5))):  # t uniform on [0, pi]: the whole half circle
        angles = np.arctan2(x[label == arm, 1] - centre[1], x[label == arm, 0] - centre[0]) * (1 if arm == 0 else -1)
        assert np.percentile(angles, 5) < 0.3 and np.percentile(angles, 95) > math.pi - 0.3, arm
        assert abs(np.median(angles) - math.pi / 2) < 0.15, arm


def test_circles_radii_are_one_and_a_half():
    d = data("circles", 2000)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    label = d.y[:, 0]
    assert abs(np.median(r[label == 1]) - 0.5) < 0.02 and abs(np.median(r[label == 0]) - 1.0) < 0.02
    assert 0.06 < np.std(r[label == 0] - 1) < 0.1, "noise 0.08"
    angles = np.arctan2(d.X[:, 1], d.X[:, 0])
    assert np.histogram(angles, bins=4)[0].min() > 350, "angles uniform around the circle"


def test_xor_label_is_the_sign_of_the_product_on_the_square():
    d = data("xor", 1000)
    assert np.all(np.abs(d.X) <= 1) and np.abs(d.X).max() > 0.98
    assert np.array_equal(d.y[:, 0], (d.X[:, 0] * d.X[:, 1] > 0) * 1.0)
    assert np.histogram(d.X[:, 0], bins=4, range=(-1, 1))[0].min() > 200, "uniform on [-1, 1]"


def test_spiral_arms_turn_with_radius_and_are_half_a_turn_apart():
    d = data("spiral", 2000)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    assert r.min() > 0.1 and r.max() < 1.15 and abs(np.median(r) - 0.625) < 0.05, "t uniform in [0.75 pi, 3 pi]"
    label = d.y[:, 0]
    angle = np.arctan2(d.X[:, 1], d.X[:, 0])
    for arm, shift in ((0, 0.0), (1, math.pi)):
        t = r[label == arm] * 3 * math.pi  # radius r = t / (3 pi), angle t + shift
        for offset, near in ((shift, True), (shift + math.pi, False)):
            residual = np.median(np.abs(np.angle(np.exp(1j * (angle[label == arm] - t - offset)))))
            assert (residual < 0.35) == near, (arm, offset, residual)
            if near:
                assert residual > 0.02, "each point has its own noise"


def test_same_generator_same_data_and_bad_name_refused():
    a, b = data("moons", 50, seed=3), data("moons", 50, seed=3)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, data("moons", 50, seed=4).X)
    with pytest.raises(ValueError, match="dataset must be one of sine, abs, step, moons, circles, xor, spiral, "
                                         "digits, got 'mnist'"):
        data("mnist")


def test_the_digits_are_the_uci_set_as_published():
    """1,797 images of 8 x 8 pixels with intensities 0-16, and the class counts UCI's test split states."""
    d = make("digits", 1797, np.random.default_rng(0))
    assert (d.task, task_of("digits"), input_dim("digits"), outputs("digits"), size("digits")) == (
        "multiclass", "multiclass", 64, 10, 1797)
    assert d.X.shape == (1797, 64) and d.y.shape == (1797, 1)
    assert np.all(np.round(d.X) == d.X) and d.X.min() == 0 and d.X.max() == 16
    counts = np.bincount(d.y[:, 0].astype(int))
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert make("digits", 1797, np.random.default_rng(5)) is d, "a fixed dataset draws nothing from the seed"
    with pytest.raises(ValueError, match="digits has 1797 rows; got n_samples 256"):
        make("digits", 256, np.random.default_rng(0))


def test_an_uploaded_dataset_is_kept_under_a_name_made_from_its_content():
    X = np.linspace(-1, 1, 10)[:, None]
    held = datasets.add(Dataset("upload", X, X**2, "regression"))
    first = held.name
    digest = hashlib.sha256(b"regression" + X.tobytes() + (X**2).tobytes()).hexdigest()
    assert first == "upload-" + digest, "the whole SHA-256 of the task and the numbers"
    assert datasets.add(Dataset("upload", X.copy(), X**2, "regression")) is held, "same data, same name"
    other = datasets.add(Dataset("upload", X, X**3, "regression"))
    assert other.name != first
    d = make(first, 10, np.random.default_rng(0))
    assert d.name == first and np.array_equal(d.y, X**2) and (size(first), input_dim(first)) == (10, 1)
    assert datasets.known(first) and not datasets.known("upload-000000000000") and not datasets.known("upload")
    assert (task_of(first), outputs(first)) == ("regression", 1)
    for name in DATASETS:
        assert (outputs(name), size(name)) == (1, None), "a generated dataset: one output, any number of rows"


def test_an_upload_stays_while_its_visitor_holds_it_whatever_others_upload_and_goes_when_none_does():
    mine = datasets.add(Dataset("upload", np.arange(10.0)[:, None] - 50, np.zeros((10, 1)), "regression"))
    others = [datasets.add(Dataset("upload", np.arange(10.0)[:, None] + k, np.zeros((10, 1)), "regression"))
              for k in range(200)]
    assert datasets.known(mine.name) and all(datasets.known(d.name) for d in others), "no visitor evicts another"
    name = mine.name
    del mine, others
    gc.collect()
    assert not datasets.known(name)
    with pytest.raises(ValueError) as error:
        make(name, 10, np.random.default_rng(0))
    assert str(error.value) == "this uploaded dataset is no longer on the server: upload the file again"
