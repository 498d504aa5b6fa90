"""One hidden unit of a recorded run: its weights and pre-activations at a kept epoch, and when it was dead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.properties import runs
from relu_viz.training import Run, _affine, _resolved


@dataclass(frozen=True)
class UnitAt:
    """A hidden unit after `epoch` epochs: incoming weights, bias, pre-activation w·h + b on each training input
    (h: the input x for the first layer, the layer below's outputs for a deeper one), and the share of inputs on
    which its activation's derivative is not 0."""

    layer: int  # 0-based
    unit: int  # 0-based
    epoch: int
    weights: np.ndarray
    bias: float
    pre: np.ndarray
    active: float


def unit_at(run: Run, layer: int, unit: int, epoch: int) -> UnitAt:
    """The unit at a kept epoch (run.snapshot_epochs); pre-activations computed in float32, as in training."""
    h = run.X[None].astype(np.float32)
    with np.errstate(all="ignore"):  # a diverged run's weights may overflow
        for (W, b), (act, params) in zip(run.hidden_layers_at(epoch)[:layer + 1], _resolved(run.config)):
            pre = _affine(h, W[None], b[None, None])
            h = act.f(pre, **params)
    return UnitAt(layer, unit, epoch, W[:, unit].astype(np.float64), float(b[unit]), pre[0, :, unit].astype(np.float64),
                  float(run.activity[layer][epoch, unit]))


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
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
