"""One hidden unit of a recorded run: its weights and pre-activations at a kept epoch, and when it was dead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.properties import runs
from relu_viz.training import Run, _affine


@dataclass(frozen=True)
class UnitAt:
    """A hidden unit after `epoch` epochs: incoming weights, bias, pre-activation w·h + b on each training input
    (h: the input x for the first layer, the layer below's outputs for a deeper one), and the share of inputs on
    which its activation's derivative is not 0. A Maxout unit has k of each: weights (fan_in, k), bias (k,) and
    pre (inputs, k), one column per piece."""

    layer: int  # 0-based
    unit: int  # 0-based
    epoch: int
    weights: np.ndarray
    bias: float | np.ndarray
    pre: np.ndarray
    active: float

    @property
    def pieces(self) -> int:
        return 1 if self.pre.ndim == 1 else self.pre.shape[1]

    def wins(self) -> np.ndarray:
        """Maxout: on how many training inputs each piece is the maximum (the first, where several are)."""
        return np.bincount(np.argmax(self.pre.reshape(len(self.pre), -1), axis=1), minlength=self.pieces)


def unit_at(run: Run, layer: int, unit: int, epoch: int) -> UnitAt:
    """The unit at a kept epoch (run.snapshot_epochs); pre-activations computed in float32, as in training, by the
    network in evaluation mode (a PReLU layer with its slope of that epoch, RReLU with its mean slope)."""
    h = run.X[None].astype(np.float32)
    stack, hidden = run.network_at(run.hidden_layers_at(epoch)[:layer + 1], epoch)
    with np.errstate(all="ignore"):  # a diverged run's weights may overflow
        for (W, b, *learned), below in zip(stack, hidden):
            pre = _affine(h, W, b)
            h = below.apply(pre, learned)[0]
    k = hidden[layer].pieces
    columns = slice(unit * k, unit * k + k) if k > 1 else unit
    bias = b[0, 0, columns]
    return UnitAt(layer, unit, epoch, W[0][:, columns].astype(np.float64),
                  bias.astype(np.float64) if k > 1 else float(bias), pre[0, :, columns].astype(np.float64),
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
