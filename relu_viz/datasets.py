"""The training data: small seeded toy datasets (1-D regression curves, 2-D binary classification shapes),
scikit-learn's bundled handwritten digits, and datasets a visitor uploaded (kept by content, see `add`)."""

from __future__ import annotations

import functools
import hashlib
import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Inputs X of shape (n, d) and targets y of shape (n, 1): real values, or 0/1 labels for classification."""

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str  # "regression", "classification" (labels 0 and 1) or "multiclass" (labels 0 .. classes - 1)

    @property
    def outputs(self) -> int:
        """The network's outputs: one, or one per class for multiclass data."""
        return int(self.y.max()) + 1 if self.task == "multiclass" else 1


def _line(rng, n):
    return rng.uniform(-math.pi, math.pi, (n, 1))


def _sine(rng, n):
    x = _line(rng, n)
    return x, np.sin(x)


def _abs(rng, n):
    x = _line(rng, n)
    return x, np.abs(x)


def _step(rng, n):
    x = _line(rng, n)
    return x, (x > 0).astype(float)


def _moons(rng, n):
    t = rng.uniform(0, math.pi, n)
    label = rng.integers(0, 2, n)
    x = np.where(label == 0, np.cos(t), 1 - np.cos(t))
    y = np.where(label == 0, np.sin(t), 0.5 - np.sin(t))
    return np.column_stack([x, y]) + rng.normal(0, 0.1, (n, 2)), label


def _circles(rng, n):
    label = rng.integers(0, 2, n)
    t = rng.uniform(0, 2 * math.pi, n)
    r = np.where(label == 1, 0.5, 1.0)
    return np.column_stack([r * np.cos(t), r * np.sin(t)]) + rng.normal(0, 0.08, (n, 2)), label


def _xor(rng, n):
    X = rng.uniform(-1, 1, (n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _spiral(rng, n):
    label = rng.integers(0, 2, n)
    t = rng.uniform(0.25, 1, n) * 3 * math.pi
    r = t / (3 * math.pi)
    angle = t + label * math.pi
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]) + rng.normal(0, 0.03, (n, 2)), label


_MAKERS = {"sine": (_sine, "regression"), "abs": (_abs, "regression"), "step": (_step, "regression"),
           "moons": (_moons, "classification"), "circles": (_circles, "classification"),
           "xor": (_xor, "classification"), "spiral": (_spiral, "classification")}
DATASETS = tuple(_MAKERS)
DESCRIPTIONS = {
    "sine": "y = sin(x), x uniform in [-π, π]",
    "abs": "y = |x|, x uniform in [-π, π]",
    "step": "y = 1 if x > 0 else 0, x uniform in [-π, π]",
    "moons": "two interleaving half-moons (2-D, two classes)",
    "circles": "a small circle inside a large one (2-D, two classes)",
    "xor": "points in [-1, 1]²; the class is the sign of x₁·x₂ (2-D)",
    "spiral": "two interleaved spirals (2-D, two classes)",
    "digits": "1,797 handwritten digits, 8 x 8 pixels (64 inputs), 10 classes (scikit-learn's bundled copy of UCI's "
              "Optical Recognition of Handwritten Digits)",
}


UPLOAD = "upload"  # the name a visitor's own data goes by before it is read (in links and the dataset choice)
FIXED = ("digits",)  # datasets with a fixed set of rows: every row is used, whatever the seed
_uploads: weakref.WeakValueDictionary[str, Dataset] = weakref.WeakValueDictionary()  # held by their visitors
_uploads_lock = threading.Lock()


@functools.cache
def digits() -> Dataset:
    """Scikit-learn's handwritten digits (bundled with it, nothing downloaded): 1,797 images of 8 x 8 pixels with
    intensities 0-16, flattened to 64 inputs, labels 0-9 (UCI Optical Recognition of Handwritten Digits)."""
    from sklearn.datasets import load_digits  # imported here: only this dataset needs scikit-learn
    data = load_digits()
    return Dataset("digits", data.data.astype(float), data.target.astype(float).reshape(-1, 1), "multiclass")


def add(dataset: Dataset) -> Dataset:
    """A visitor's dataset under a name made from its whole content ("upload-" and the 64 hex digits of its SHA-256),
    so that a run can name it in its configuration; the same data always gets the same name. The server holds it as
    long as someone holds the dataset returned (the page keeps it in its visitor's session): one visitor's uploads
    never push out another's, and it is gone when no session needs it."""
    digest = hashlib.sha256(dataset.task.encode() + dataset.X.tobytes() + dataset.y.tobytes()).hexdigest()
    name = f"{UPLOAD}-{digest}"
    with _uploads_lock:
        kept = _uploads.get(name)
        if kept is None:
            kept = _uploads[name] = Dataset(name, dataset.X, dataset.y, dataset.task)
    return kept


def uploaded(name: str) -> bool:
    """Whether `name` is the name `add` gives a visitor's dataset."""
    return name.startswith(UPLOAD + "-")


def fixed(name: str) -> Dataset | None:
    """The rows of a fixed dataset (the digits, or an uploaded one), or None for a generated one."""
    if name == "digits":
        return digits()
    if uploaded(name):
        with _uploads_lock:
            kept = _uploads.get(name)
        if kept is None:
            raise ValueError("this uploaded dataset is no longer on the server: upload the file again")
        return kept
    return None


def known(name: str) -> bool:
    """A dataset a run can train on: a generated one, the digits, or an upload the server still holds."""
    if not isinstance(name, str) or name not in _MAKERS and name not in FIXED and not uploaded(name):
        return False
    try:
        fixed(name)
    except ValueError:
        return False
    return True


def task_of(name: str) -> str:
    """"regression", "classification" or "multiclass"."""
    rows = fixed(name)
    return _MAKERS[name][1] if rows is None else rows.task


def input_dim(name: str) -> int:
    """Features per sample: 1 for the regression curves, 2 for the classification shapes, 64 for the digits."""
    rows = fixed(name)
    if rows is not None:
        return rows.X.shape[1]
    return 1 if task_of(name) == "regression" else 2


def outputs(name: str) -> int:
    """The network's outputs for this dataset: 1, or 10 for the digits."""
    rows = fixed(name)
    return 1 if rows is None else rows.outputs


def size(name: str) -> int | None:
    """The number of rows of a fixed dataset, None for a generated one (any number may be drawn)."""
    rows = fixed(name)
    return None if rows is None else len(rows.X)


def make(name: str, n_samples: int, rng: np.random.Generator) -> Dataset:
    """`n_samples` points of dataset `name`, drawn from `rng`; a fixed dataset gives all its rows (n_samples must be
    its size) and draws nothing."""
    rows = fixed(name)
    if rows is not None:
        if n_samples != len(rows.X):
            raise ValueError(f"{name} has {len(rows.X)} rows; got n_samples {n_samples}")
        return rows
    if name not in _MAKERS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS + FIXED)}, got {name!r}")
    maker, task = _MAKERS[name]
    X, y = maker(rng, n_samples)
    return Dataset(name, np.asarray(X, float), np.asarray(y, float).reshape(-1, 1), task)
