"""One first-layer unit of a recorded run: its weights and pre-activations at any epoch, and when it was dead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.properties import runs
from relu_viz.training import Run


@dataclass(frozen=True)
class UnitAt:
    """A first-layer unit after `epoch` epochs: incoming weights, bias, pre-activation w·x + b on each training
    input, and the share of inputs on which its activation's derivative is not 0."""

    unit: int  # 0-based
    epoch: int
    weights: np.ndarray
    bias: float
    pre: np.ndarray
    active: float


def first_layer_unit(run: Run, unit: int, epoch: int) -> UnitAt:
    recorded = run.first_layer[epoch].astype(np.float64)
    weights, bias = recorded[:-1, unit], float(recorded[-1, unit])
    return UnitAt(unit, epoch, weights, bias, run.X.astype(np.float64) @ weights + bias,
                  float(run.activity[0][epoch, unit]))


def dead_spells(activity: np.ndarray) -> list[tuple[int, int | None]]:
    """The stretches of epochs in which a unit was dead (f' = 0 on every input): (first dead epoch, first epoch
    alive again, or None if dead to the end)."""
    dead = np.asarray(activity) == 0
    return [(first, last + 1 if last + 1 < len(dead) else None) for first, last in runs(dead)]


def life_sentence(activity: np.ndarray) -> str:
    """When the unit died and revived, in words (epoch e: after e epochs of training)."""
    spells = dead_spells(activity)
    if not spells:
        return "Never dead: at every epoch f′ ≠ 0 on at least one training input."
    parts = []
    for start, end in spells:
        part = "dead from the start" if start == 0 else f"died at epoch {start}"
        parts.append(part + (f", alive again at epoch {end}" if end is not None else ", dead to the end"))
    return "; ".join(parts).capitalize() + "."
