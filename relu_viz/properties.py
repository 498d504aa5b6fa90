"""Properties of an activation (range, monotonicity, smoothness, ...), derived by evaluating the function itself.

Nothing here is typed in per activation: each property comes from f and f' on a dense grid that contains every
kink, refined near the extremes, plus the behaviour far out in both tails (|x| = 1e6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from relu_viz.activations import Activation

FAR = 1e6  # "infinity" for tail limits: the largest |x| the activations guarantee to handle
FLAT = 1e-9  # |f'| below this far out means f tends to a finite limit
JUMP = 1e-6  # a relative change larger than this across a kink is a discontinuity
GRID_POINTS = 24001


@dataclass(frozen=True)
class Properties:
    """What an activation's graph looks like, for one set of parameters."""

    lower: float  # infimum of f (may be -inf)
    upper: float  # supremum of f (may be inf)
    lower_attained: bool
    upper_attained: bool
    monotonic: str  # "increasing", "non-decreasing", "decreasing", "non-increasing" or "no"
    zero_centred: bool  # f(0) = 0 and f takes both signs
    continuous: bool
    smooth: bool  # f' continuous
    saturates_left: bool  # f' -> 0 as x -> -inf
    saturates_right: bool  # f' -> 0 as x -> +inf
    dead_zone: tuple[tuple[float, float], ...]  # closed intervals of positive length where f' = 0 exactly

    @property
    def range_text(self) -> str:
        left = "[" if self.lower_attained else "("
        right = "]" if self.upper_attained else ")"
        return f"{left}{_number(self.lower)}, {_number(self.upper)}{right}"

    @property
    def dead_zone_text(self) -> str:
        if not self.dead_zone:
            return "none"
        return " ∪ ".join(
            f"{'(' if math.isinf(lo) else '['}{_number(lo)}, {_number(hi)}{')' if math.isinf(hi) else ']'}"
            for lo, hi in self.dead_zone)

    def rows(self) -> list[tuple[str, str]]:
        """(property, value) pairs for a table."""
        sides = [side for side, flag in (("x → -∞", self.saturates_left), ("x → +∞", self.saturates_right)) if flag]
        return [
            ("Range", self.range_text),
            ("Monotonic", self.monotonic),
            ("Zero-centred", _yes(self.zero_centred)),
            ("Continuous", _yes(self.continuous)),
            ("Smooth (f' continuous)", _yes(self.smooth)),
            ("Saturating (f' → 0)", ", ".join(sides) if sides else "no"),
            ("Dead zone (f' = 0)", self.dead_zone_text),
        ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _number(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    return f"{v:.4g}".replace("-0", "0") if abs(v) < 5e-5 else f"{v:.4g}"


def derive(activation: Activation, **params) -> Properties:
    """Derive the properties of `activation` at `params` from its values and derivative."""
    p = activation.resolve(params)
    kinks = activation.kink_points(**p)
    reach = min(max([12.0] + [2.0 * abs(k) for k in kinks]), 100.0)
    x = _grid(reach, [k for k in kinks if abs(k) < reach])
    f, d = activation(x, **p), activation.derivative(x, **p)
    (f_left, f_right), (d_left, d_right) = activation([-FAR, FAR], **p), activation.derivative([-FAR, FAR], **p)

    limit_left = f_left if abs(d_left) < FLAT else (-math.inf if d_left > 0 else math.inf)
    limit_right = f_right if abs(d_right) < FLAT else (math.inf if d_right > 0 else -math.inf)
    low, low_attained = _extreme(activation, p, x, f, sign=1)
    high, high_attained = _extreme(activation, p, x, f, sign=-1)
    lower, upper = min(low, limit_left, limit_right), max(high, limit_left, limit_right)

    return Properties(
        lower=float(lower),
        upper=float(upper),
        lower_attained=bool(low_attained and low <= lower),
        upper_attained=bool(high_attained and high >= upper),
        monotonic=_monotonic(np.diff(f)),
        zero_centred=bool(activation(0.0, **p) == 0 and lower < 0 < upper),
        continuous=_continuous(x, f, d),
        smooth=_continuous(x, f, d) and not any(is_jump(*one_sided_limits(activation.derivative, k, p))
                                                for k in kinks),
        saturates_left=bool(abs(d_left) < 1e-6),
        saturates_right=bool(abs(d_right) < 1e-6),
        dead_zone=_dead_zone(x, d, d_left, d_right),
    )


def _grid(reach: float, kinks: list[float]) -> np.ndarray:
    """An even grid over [-reach, reach] with the kinks in it (and no grid point a rounding error from one)."""
    x = np.linspace(-reach, reach, GRID_POINTS)
    if kinks:
        x = x[np.min(np.abs(x[:, None] - np.asarray(kinks)[None, :]), axis=1) > 1e-9 * reach]
    return np.union1d(x, kinks)


def _extreme(activation, p, x, f, sign):
    """The minimum (sign=1) or maximum (sign=-1) of f on the grid, refined between the neighbouring grid points,
    and whether it is attained (a grid point, a flat spot, or a smooth turning point) rather than approached."""
    i = int(np.argmin(sign * f))
    best_x, best_f = x[i], f[i]
    lo, hi = x[max(i - 1, 0)], x[min(i + 1, len(x) - 1)]
    for _ in range(3):
        fine = np.linspace(lo, hi, 2001)
        values = activation(fine, **p)
        j = int(np.argmin(sign * values))
        if sign * values[j] < sign * best_f:
            best_x, best_f = fine[j], values[j]
        lo, hi = fine[max(j - 1, 0)], fine[min(j + 1, len(fine) - 1)]
    attained = best_x == x[i] or abs(activation.derivative(best_x, **p)) < 1e-6
    return float(best_f), bool(attained)


def _monotonic(steps: np.ndarray) -> str:
    if np.all(steps > 0):
        return "increasing"
    if np.all(steps >= 0):
        return "non-decreasing"
    if np.all(steps < 0):
        return "decreasing"
    if np.all(steps <= 0):
        return "non-increasing"
    return "no"


def _continuous(x, f, d) -> bool:
    """No step of f on the grid is larger than the derivative allows (a jump shows up wherever it is)."""
    slope = np.maximum(np.abs(d[:-1]), np.abs(d[1:]))
    return bool(np.all(np.abs(np.diff(f)) <= 10 * slope * np.diff(x) + JUMP))


def one_sided_limits(g, k: float, params: dict) -> tuple[float, float]:
    """g just left and just right of k."""
    eps = 1e-9 * max(1.0, abs(k))
    return float(g(k - eps, **params)), float(g(k + eps, **params))


def is_jump(left: float, right: float) -> bool:
    """Whether two one-sided limits differ by more than rounding and the tiny steps PyTorch's forms have."""
    return abs(left - right) > JUMP * (1 + max(abs(left), abs(right)))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every maximal run of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def _dead_zone(x, d, d_left, d_right) -> tuple[tuple[float, float], ...]:
    zones = []
    for start, stop in runs(d == 0):
        lo = -math.inf if start == 0 and d_left == 0 else float(x[start])
        hi = math.inf if stop == len(x) - 1 and d_right == 0 else float(x[stop])
        if hi > lo:
            zones.append((lo, hi))
    return tuple(zones)
