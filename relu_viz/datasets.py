"""Small seeded toy datasets: 1-D regression curves and 2-D binary classification shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Inputs X of shape (n, d) and targets y of shape (n, 1): real values, or 0/1 labels for classification."""

    name: str
    X: np.ndarray
    y: np.ndarray
    task: str  # "regression" or "classification"


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
}


def task_of(name: str) -> str:
    """"regression" or "classification"."""
    return _MAKERS[name][1]


def input_dim(name: str) -> int:
    """Features per sample: 1 for the regression curves, 2 for the classification shapes."""
    return 1 if task_of(name) == "regression" else 2


def make(name: str, n_samples: int, rng: np.random.Generator) -> Dataset:
    """`n_samples` points of dataset `name`, drawn from `rng`."""
    if name not in _MAKERS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {name!r}")
    maker, task = _MAKERS[name]
    X, y = maker(rng, n_samples)
    return Dataset(name, np.asarray(X, float), np.asarray(y, float).reshape(-1, 1), task)
