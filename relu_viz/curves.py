"""Sample an activation for drawing: f and f' on a grid, with gaps at jumps and the jump points themselves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.activations import Activation
from relu_viz.properties import is_jump, one_sided_limits, runs

POINTS = 401  # per curve: about two pixels a segment on a wide chart; fewer points repaint faster
NEAR_ZERO = 0.01  # |f'| below this is shaded as dead or saturated


@dataclass(frozen=True)
class Jump:
    """A discontinuity at x: the value taken there (filled marker) and the one-sided limits (open markers)."""

    x: float
    value: float
    left: float
    right: float


@dataclass(frozen=True)
class Trace:
    """One drawable curve: y over x with NaN gaps at jumps."""

    x: np.ndarray
    y: np.ndarray
    jumps: tuple[Jump, ...]


@dataclass(frozen=True)
class Sampled:
    f: Trace
    df: Trace


def sample(activation: Activation, params: dict, xmin: float, xmax: float, points: int = POINTS) -> Sampled:
    """f and f' over [xmin, xmax], every kink included, jumps split into gaps with their limits recorded."""
    p = activation.resolve(params)
    kinks = [k for k in activation.kink_points(**p) if xmin < k < xmax]
    x = np.union1d(np.linspace(xmin, xmax, points), kinks)
    return Sampled(_trace(activation, x, kinks, p), _trace(activation.derivative, x, kinks, p))


def _trace(g, x, kinks, p) -> Trace:
    y = g(x, **p)
    y = np.where(np.isfinite(y), y, np.nan)  # where your own formula overflows or is undefined: a gap
    jumps = []
    for k in kinks:
        left, right = one_sided_limits(g, k, p)
        if is_jump(left, right):
            jumps.append(Jump(float(k), float(g(k, **p)), left, right))
    for jump in reversed(jumps):  # replace the kink's point by: left limit, gap, right limit
        i = int(np.searchsorted(x, jump.x))
        x = np.concatenate([x[:i], [jump.x] * 3, x[i + 1:]])
        y = np.concatenate([y[:i], [jump.left, np.nan, jump.right], y[i + 1:]])
    return Trace(x, y, tuple(jumps))


def near_zero_intervals(x: np.ndarray, dy: np.ndarray, threshold: float = NEAR_ZERO,
                        crossing: bool = False) -> list[tuple[float, float]]:
    """Maximal intervals of the grid where |f'| < threshold (dead or saturated), ignoring NaN gaps. With
    `crossing`, an end next to a point above the threshold moves to where the line between the two crosses it (where
    the curve drawn through the points does): an end that moves with a parameter instead of jumping a grid step."""
    flat = np.abs(np.nan_to_num(dy, nan=np.inf)) < threshold
    found = [(a, b) for a, b in runs(flat) if x[b] > x[a]]
    if not crossing:
        return [(float(x[a]), float(x[b])) for a, b in found]
    return [(_crossing(x, dy, a, a - 1, threshold), _crossing(x, dy, b, b + 1, threshold)) for a, b in found]


def _crossing(x: np.ndarray, dy: np.ndarray, inside: int, outside: int, threshold: float) -> float:
    if not 0 <= outside < len(x) or not np.isfinite(dy[outside]) or x[outside] == x[inside]:
        return float(x[inside])  # the grid's end, a gap or a jump: the end stays
    level = np.copysign(threshold, dy[outside])
    t = (dy[outside] - level) / (dy[outside] - dy[inside])
    return float(x[outside] + t * (x[inside] - x[outside]))
