"""Properties of an activation (range, monotonicity, smoothness, mean output, ...), derived from the function itself.

Nothing here is typed in per activation: each property comes from f and f' on a dense grid that contains every
kink wherever it lies, refined near the extremes, from the behaviour far out in both tails, and from an integral
against the standard normal density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from relu_viz import sandbox
from relu_viz.activations import ACTIVATIONS, Activation
from relu_viz.training import derivative_in_training

FAR = 1e6  # "infinity" for tail limits (farther when a kink lies farther out)
MAX_KINK = 1e12  # properties are read for kinks within this of 0 (Maxout's slopes 0 and 1e-308 cross at -1.5e308)
FLAT = 1e-9  # |f'| below this far out means f tends to a finite limit
JUMP = 1e-6  # a relative change larger than this across a kink is a discontinuity
STEP = 1e-12  # a relative change larger than this across a kink splits the range there (limits are exact to ~1e-14)
ROUNDING = 1e-9  # range pieces whose ends differ by less than this share of their size touch (a one-sided limit of
# a steep f is exact only to about eps^2 f'' / f, 4e-12 for exp at 1e6): a smaller gap in the values is not shown
CENTRED = 0.05  # zero-centred: |E f(Z)| below this share of the RMS output sqrt(E f(Z)^2)
NEAR = 12.0  # the grid is finest on [-NEAR, NEAR], where every registry shape has its structure
GRID_POINTS = 24001
MAX_TURNS = 4  # more changes of sign of f' than this beyond NEAR on one side: f keeps turning (sin x)


class NotFinite(ValueError):
    """f or f' is not a finite number somewhere on the grid (a formula such as log(x) or 1 / x)."""


@dataclass(frozen=True)
class Interval:
    """A piece of the range: [lo, hi] with each end closed (attained) or open; lo == hi is a single value."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    def contains(self, y: float, tolerance: float = 0.0) -> bool:
        """Whether y lies in this piece; with a tolerance, within it of either end (open or closed)."""
        above = y > self.lo or (self.lo_closed or tolerance > 0) and y >= self.lo - tolerance
        below = y < self.hi or (self.hi_closed or tolerance > 0) and y <= self.hi + tolerance
        return bool(above and below)

    @property
    def text(self) -> str:
        if self.lo == self.hi:
            return "{" + _number(self.lo) + "}"
        return (f"{'[' if self.lo_closed else '('}{_number(self.lo)}, {_number(self.hi)}"
                f"{']' if self.hi_closed else ')'}")


@dataclass(frozen=True)
class Properties:
    """What an activation's graph looks like, for one set of parameters."""

    range: tuple[Interval, ...]  # the set of values f takes, as disjoint sorted pieces
    monotonic: str  # "increasing", "non-decreasing", "decreasing", "non-increasing" or "no"
    mean_output: float  # E[f(Z)] for Z ~ N(0, 1)
    rms_output: float  # sqrt(E[f(Z)^2])
    continuous: bool
    smooth: bool  # f' continuous
    saturates_left: bool  # f' -> 0 as x -> -inf
    saturates_right: bool  # f' -> 0 as x -> +inf
    dead_zone: tuple[tuple[float, float], ...]  # closed intervals of positive length where f' = 0 exactly
    window: float = math.inf  # finite: f keeps turning or overflows far out, so range and tails are read on |x| <= it
    float32_dead_zone: tuple[tuple[float, float], ...] = ()  # where f' is exactly 0 as training computes it, in
    # float32 (ends: the first float32 at which it is 0); wider than dead_zone where f' underflows or rounds to 0

    @property
    def lower(self) -> float:
        return self.range[0].lo

    @property
    def upper(self) -> float:
        return self.range[-1].hi

    @property
    def zero_centred(self) -> bool:
        """The mean output for a standard normal input is zero, up to CENTRED of the RMS output."""
        return abs(self.mean_output) <= CENTRED * self.rms_output

    @property
    def range_text(self) -> str:
        if all(piece.lo == piece.hi for piece in self.range):
            text = "{" + ", ".join(_number(piece.lo) for piece in self.range) + "}"
        else:
            text = " ∪ ".join(piece.text for piece in self.range)
        return text + self._within

    @property
    def _within(self) -> str:
        return f" for |x| ≤ {self.window:,.15g}" if math.isfinite(self.window) else ""

    @property
    def dead_zone_text(self) -> str:
        return zones_text(self.dead_zone)

    @property
    def float32_dead_zone_text(self) -> str:
        return zones_text(self.float32_dead_zone)

    def contains(self, y: float, tolerance: float = 0.0) -> bool:
        """Whether y lies in the range (within `tolerance`)."""
        return any(piece.contains(y, tolerance) for piece in self.range)

    def rows(self) -> list[tuple[str, str]]:
        """(property, value) pairs for a table."""
        sides = [side for side, flag in (("x → -∞", self.saturates_left), ("x → +∞", self.saturates_right)) if flag]
        return [
            ("Range", self.range_text),
            ("Monotonic", self.monotonic),
            ("Mean output E[f(Z)], Z ~ N(0, 1)", fixed(self.mean_output)),
            (f"Zero-centred (|mean| ≤ {CENTRED:g} × RMS)", _yes(self.zero_centred)),
            ("Continuous", _yes(self.continuous)),
            ("Smooth (f' continuous)", _yes(self.smooth)),
            ("Saturating (f' → 0)", (", ".join(sides) if sides else "no")
             + (f" (f′ read at |x| = {self.window:,.15g})" if math.isfinite(self.window) else "")),
            ("Dead zone (f' = 0)", self.dead_zone_text),
            (FLOAT32_ROW, self.float32_dead_zone_text),
        ]


FLOAT32_ROW = "Dead zone in float32 (f' = 0 as training computes it)"


def zones_text(zones) -> str:
    """Closed intervals as text, an infinite end open: (-∞, -104] ∪ [16.64, ∞); "none" if there are none."""
    if not zones:
        return "none"
    return " ∪ ".join(f"{'(' if math.isinf(lo) else '['}{_number(lo)}, {_number(hi)}{')' if math.isinf(hi) else ']'}"
                      for lo, hi in zones)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def fixed(v: float, digits: int = 3) -> str:
    """v with `digits` decimals, without a minus sign on a value that rounds to zero."""
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _number(v: float) -> str:
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def derive(activation: Activation, **params) -> Properties:
    """Derive the properties of `activation` at `params` from its values and derivative (in the sandbox, for an
    activation that is a visitor's formula: sandbox.TooCostly if it takes too long)."""
    p = activation.resolve(params)
    if activation.untrusted:
        return _derive_untrusted(activation.key, tuple(sorted(p.items())))
    return _derive(activation, p)


@sandbox.task
def _derive_untrusted(key: str, params: tuple) -> Properties:
    return _derive(ACTIVATIONS[key], dict(params))


def _derive(activation: Activation, p: dict) -> Properties:
    kinks = activation.kink_points(**p)
    if far_out := [k for k in kinks if not abs(k) <= MAX_KINK]:
        raise NotFinite(f"it has a kink at x = {_number(far_out[0])}, too far out (beyond ±{MAX_KINK:g}) for its "
                        "properties to be read in floating point")
    grid = _grid(kinks)
    _require_finite(activation, p, grid)
    far = _finite_reach(activation, p, max([FAR] + [4 * abs(k) for k in kinks]))
    turns, keeps_turning = _far_turns(activation, p, far)
    window = far if keeps_turning or far < FAR else math.inf
    x = np.union1d(grid, turns)
    if math.isfinite(window):
        x = np.union1d(x, [-window, window])
    f, d = activation(x, **p), activation.derivative(x, **p)
    (d_left, d_right) = activation.derivative([-far, far], **p)
    limits = {k: one_sided_limits(activation, k, p) for k in kinks}
    jumps = [k for k in kinks if is_jump(*limits[k])]
    steps = [k for k in kinks if is_jump(*limits[k], STEP)]  # threshold 0, value 1e-8: too small a jump to call f
    # discontinuous, but the values between the two limits are still never taken
    mean, rms = mean_output(activation, p)
    return Properties(
        range=_range(activation, p, x, f, steps, far, math.isfinite(window)),
        monotonic=_monotonic(np.diff(f)),
        mean_output=mean,
        rms_output=rms,
        continuous=not jumps,
        smooth=not jumps and not any(is_jump(*one_sided_limits(activation.derivative, k, p)) for k in kinks),
        saturates_left=bool(abs(d_left) < 1e-6),
        saturates_right=bool(abs(d_right) < 1e-6),
        dead_zone=_dead_zone(x, d, d_left, d_right),
        window=window,
        float32_dead_zone=float32_dead_zone(activation, p, x, far, math.isfinite(window)),
    )


def float32_dead_zone(activation: Activation, p: dict, x: np.ndarray, far: float,
                      within: bool = False) -> tuple[tuple[float, float], ...]:
    """Where f' is exactly 0 in float32 as training computes it (training.derivative_in_training), on the grid `x`
    and a geometric one out to ±far, each end refined by bisection to the first float32 where f' is 0 (f' is taken
    to change between 0 and not 0 once between neighbouring grid points). A zone reaching ±far runs on to ±∞
    unless `within` (the properties are read on [-far, far] only)."""
    out = np.geomspace(NEAR, far, 4001)
    x = np.unique(np.concatenate([x, -out, out]).astype(np.float32))
    zero = derivative_in_training(activation, p, x) == 0
    zones = []
    for start, stop in runs(zero):
        lo = -math.inf if start == 0 and not within else _first_zero(activation, p, x[max(start - 1, 0)], x[start])
        hi = math.inf if stop == len(x) - 1 and not within else _first_zero(
            activation, p, x[min(stop + 1, len(x) - 1)], x[stop])
        if hi > lo:
            zones.append((lo, hi))
    return tuple(zones)


def _first_zero(activation: Activation, p: dict, alive: np.float32, dead: np.float32) -> float:
    """The float32 nearest `alive` between it and `dead` at which training's f' is 0 (bisection on float32)."""
    while True:
        mid = np.float32((float(alive) + float(dead)) / 2)
        if mid in (alive, dead):
            return float(dead)
        if derivative_in_training(activation, p, np.array([mid]))[0] == 0:
            dead = mid
        else:
            alive = mid


def _require_finite(activation, p, x) -> None:
    """NotFinite names where f or f' is infinite or undefined on the fine grid."""
    with np.errstate(all="ignore"):
        bad = ~(np.isfinite(activation(x, **p)) & np.isfinite(activation.derivative(x, **p)))
    if bad.any():
        raise NotFinite(f"f or f′ is infinite or undefined at x = {_number(float(x[bad][0]))}"
                        + (f" and {bad.sum() - 1} other points of [{_number(x[0])}, {_number(x[-1])}]"
                           if bad.sum() > 1 else "") + "; they need a formula defined there")


def _finite_reach(activation, p, far: float) -> float:
    """`far`, or the farthest round number below it (500, 200, 100, ...) where f and f' are finite on both sides (a
    formula such as exp(x) overflows long before 10⁶)."""
    rounds = sorted({m * 10.0 ** e for e in range(1, 7) for m in (1, 2, 5) if NEAR <= m * 10.0 ** e < far})
    for reach in [far, *reversed(rounds)]:
        x = np.array([-reach, reach])
        with np.errstate(all="ignore"):
            if np.isfinite(activation(x, **p)).all() and np.isfinite(activation.derivative(x, **p)).all():
                return float(reach)
    return NEAR


def _far_turns(activation, p, far: float) -> tuple[np.ndarray, bool]:
    """Fine grids around each place beyond the fine grid where f' changes sign (a small parameter stretches a
    function: Swish with beta 1/16 has its minimum at x = -20.4), found on a geometric grid out to `far`, and
    whether f keeps turning (more than MAX_TURNS changes on a side, as sin x). Only a strict change of sign counts:
    f' rounding to 0 far out (tanh beyond 19) is not a turn."""
    out = np.geomspace(NEAR, far, 4001)
    x = np.concatenate([-out[::-1], out])
    with np.errstate(all="ignore"):
        d = np.asarray(activation.derivative(x, **p), dtype=float)
    turns = np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)
    keeps_turning = max(np.sum(x[turns] < 0), np.sum(x[turns] > 0)) > MAX_TURNS
    if keeps_turning:  # the turns are too many to refine each: the geometric grid itself is the sample
        return x, True
    return np.concatenate([np.linspace(x[i], x[i + 1], 201) for i in turns] or [np.empty(0)]), False


def _grid(kinks) -> np.ndarray:
    """Fine on [-NEAR, NEAR], even across the reach of every kink, with the kinks on it and a point between each two
    neighbouring kinks (a piece narrower than the grid's step, Hardtanh on [-1e-196, 0], is still sampled). Beyond
    the grid every registry function runs monotonically to its tail limit."""
    reach = max([NEAR] + [1.5 * abs(k) + 1 for k in kinks])
    kinks = np.sort(np.asarray(kinks, dtype=float))
    return np.unique(np.concatenate([np.linspace(-NEAR, NEAR, GRID_POINTS), np.linspace(-reach, reach, GRID_POINTS),
                                     kinks, kinks[:-1] + 0.5 * np.diff(kinks)]))


def _range(activation, p, x, f, jumps, far, within: bool) -> tuple[Interval, ...]:
    """The set of values: the image of each continuous piece between jumps (an interval, since f is continuous
    there), each jump point's own value, merged; `within`: on [-far, far] only, the tails not extrapolated."""
    bounds = [-math.inf, *jumps, math.inf]
    pieces = [Interval(float(v), float(v), True, True) for v in activation(np.asarray(jumps, float), **p)]
    for a, b in zip(bounds, bounds[1:]):
        inside = (x > a) & (x < b)
        ends = [_end_limit(activation, p, e, side, far, within) for e, side in ((a, 1), (b, -1))]
        low = _extreme(activation, p, x[inside], f[inside], 1, far if within else math.inf)
        high = _extreme(activation, p, x[inside], f[inside], -1, far if within else math.inf)
        lo, lo_closed = _side(low, ends, min)
        hi, hi_closed = _side(high, ends, max)
        pieces.append(Interval(lo, hi, lo_closed, hi_closed))
    return _merge(pieces)


def _end_limit(activation, p, end: float, side: int, far: float, within: bool) -> float:
    """The limit of f at one end of a piece (side +1: its left end, approached from the right): a one-sided limit
    at a jump, or the tail limit (±inf if f' does not vanish far out; f(±far) itself `within` [-far, far])."""
    if math.isfinite(end):
        return one_sided_limits(activation, end, p)[side > 0]
    x = -side * far
    value, slope = float(activation(x, **p)), float(activation.derivative(x, **p))
    return value if within or abs(slope) < FLAT else math.copysign(math.inf, slope * x)


def _side(extreme: tuple[float, bool], limits: list[float], pick) -> tuple[float, bool]:
    """The inf (pick=min) or sup (pick=max) of a piece: its extreme on the grid, or a limit it only approaches."""
    value, attained = extreme
    limit = pick(limits)
    if pick(value, limit) == value or attained and math.isclose(value, limit, rel_tol=1e-12, abs_tol=1e-15):
        return value, attained
    return limit, False


def _extreme(activation, p, x, f, sign, window=math.inf):
    """The minimum (sign=1) or maximum (sign=-1) of f on the grid points of a piece, refined by a bounded scalar
    search between the neighbouring grid points, and whether it is attained (a turning point, a flat spot or the
    end of a finite window) rather than only approached at the edge of the piece."""
    if len(x) == 0:
        return math.inf * sign, False  # a piece too short to hold a grid point adds nothing
    i = int(np.argmin(sign * f))
    if 0 < i < len(x) - 1:
        from scipy import optimize  # imported on first use: the page draws its chart before paying for it

        found = optimize.minimize_scalar(lambda t: sign * float(activation(t, **p)), bounds=(x[i - 1], x[i + 1]),
                                         method="bounded", options={"xatol": 1e-12})
        return min(float(f[i]), sign * found.fun, key=lambda v: sign * v), True
    return float(f[i]), bool(abs(x[i]) == window or activation.derivative(x[i], **p) == 0)  # flat: ReLU's 0


def _merge(pieces: list[Interval]) -> tuple[Interval, ...]:
    """Sorted, with overlapping or touching pieces joined (touching: ends equal up to rounding, ROUNDING, one of
    them taken)."""
    merged: list[Interval] = []
    for piece in sorted(pieces, key=lambda q: (q.lo, not q.lo_closed)):
        if merged:
            last = merged[-1]
            meet = abs(piece.lo - last.hi) <= ROUNDING * max(abs(piece.lo), abs(last.hi))
            touching = piece.lo < last.hi or meet and (last.hi_closed or piece.lo_closed)
            if touching:
                if piece.hi > last.hi:
                    last = Interval(last.lo, piece.hi, last.lo_closed, piece.hi_closed)
                elif piece.hi == last.hi:
                    last = Interval(last.lo, last.hi, last.lo_closed, last.hi_closed or piece.hi_closed)
                merged[-1] = last
                continue
        merged.append(piece)
    return tuple(merged)


def mean_output(activation: Activation, params: dict) -> tuple[float, float]:
    """E[f(Z)] and sqrt(E[f(Z)^2]) for Z ~ N(0, 1), by adaptive quadrature over [-40, 40] (the density beyond is
    below 1e-300)."""
    from scipy import integrate  # imported on first use: the page draws its chart before paying for it

    def moment(power):
        with np.errstate(all="ignore"):  # a value past float64 is inf, and so is the moment
            return integrate.quad(lambda z: _weighted(float(activation.f(np.float64(z), **params)), power, z), -40, 40,
                                  limit=200, epsabs=1e-12, epsrel=1e-10)[0]

    mean, square = moment(1), moment(2)
    if not (math.isfinite(mean) and math.isfinite(square)):
        raise NotFinite("f grows too fast for its mean and RMS output over a standard normal input to be computed "
                        "in floating point")
    return mean, math.sqrt(square)


def _weighted(value: float, power: int, z: float) -> float:
    """value^power times the standard normal density at z, in logarithms: exp(10 z)^2 at z = 40 overflows, the
    product does not."""
    if value == 0 or not math.isfinite(value):
        return value * _normal_density(z)
    log_term = power * math.log(abs(value)) - 0.5 * z * z - 0.5 * math.log(2 * math.pi)
    return math.copysign(1.0, value) ** power * float(np.exp(log_term))  # inf past float64, where math.exp raises


def _normal_density(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


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


def one_sided_limits(g, k: float, params: dict) -> tuple[float, float]:
    """The limits of g at k from the left and from the right, extrapolated linearly from two points on each side
    (exact where g is linear next to k, within about eps^2 * g'' elsewhere)."""
    eps = 2.0 ** round(math.log2(1e-7 * max(1.0, abs(k))))  # a power of two: k -+ eps exact for short k
    near = g(np.array([k - eps, k - 2 * eps, k + eps, k + 2 * eps]), **params)
    return float(2 * near[0] - near[1]), float(2 * near[2] - near[3])


def is_jump(left: float, right: float, tolerance: float = JUMP) -> bool:
    """Whether two one-sided limits differ by more than rounding and (by default) the tiny steps PyTorch's forms
    have."""
    return abs(left - right) > tolerance * (1 + max(abs(left), abs(right)))


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
