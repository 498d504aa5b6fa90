"""Frames of a live chart: a figure's updates at a grid of one slider's values, so the browser redraws the figure
while the slider moves with no round trip to Python. Pure (no streamlit); ui/live_chart.py sends them and
ui/live_chart.js draws them.

The grid is as coarse as correctness allows: between two neighbouring grid values the browser interpolates each
number of the update linearly, and a stretch of values is interpolated only if, at every step value inside it, the
interpolated update is drawn within `TOLERANCE` pixels of the exact one (checked here against the exact updates
at every step value, in a chart's own pixels per unit); elsewhere every step value is a grid value. A polyline is
sent with the points it needs (`thin`, `corners`): a piecewise-linear curve with its kinks only.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.5  # pixels: the most a frame, interpolated or thinned, may be drawn away from the exact curves
THINNED = 0.1  # pixels of that for thinning a polyline; the rest is split between a point's own interpolation and
# its axis's (whose ends are interpolated too)
INTERPOLATED = (TOLERANCE - THINNED) / 2

Update = dict  # a figure update: {"data": {trace index: partial trace}, "layout": partial layout}


@dataclass(frozen=True)
class Frames:
    """One slider's frames: its grid values, the figure's update at each, and whether the browser interpolates
    between neighbouring grid values (it does not need to where they are neighbouring step values)."""

    values: tuple[float, ...]
    updates: tuple[Update, ...]
    lerp: tuple[bool, ...]  # lerp[k]: the values strictly between values[k] and values[k + 1] are interpolated

    def payload(self) -> dict:
        """The frames as JSON-able data for the browser: what every update shares (`common`) and each update's
        remainder, numbers in arrays as Plotly's typed arrays (base64), and a digest of it all (the page sends
        frames once, then their digest)."""
        common, rest = _split_common(list(self.updates))
        payload = {"values": list(self.values), "lerp": list(self.lerp), "common": _encode(common or {}),
                   "updates": [_encode(u or {}) for u in rest]}
        return {**payload, "digest": hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]}


def grid(values: Sequence[float], updates: Sequence[Update], scales: Callable[[tuple, int], float],
         tolerance: float = INTERPOLATED) -> Frames:
    """The frames of a slider from the exact update at each of its step `values` (ascending): from each grid
    value, the next is the farthest one to which interpolation stays within `tolerance` pixels at every step value
    between; updates interpolate only between equal shapes (`shape`). `scales(path, m)`: pixels per unit of the
    numbers at `path` in update `m` (an axis may rescale with the values)."""
    shapes = [shape(u) for u in updates]
    numbers = [_numbers(u) for u in updates]
    rows = [np.concatenate([v for _, v in found] or [np.empty(0)]) for found in numbers]
    weights = [np.concatenate([np.full(len(v), scales(path, m)) for path, v in found] or [np.empty(0)])
               for m, found in enumerate(numbers)]
    last = len(values) - 1

    def fits(i: int, j: int) -> bool:
        if any(shapes[m] != shapes[i] for m in range(i + 1, j + 1)):
            return False
        inside = range(i + 1, j)
        t = (np.array([values[m] for m in inside]) - values[i]) / (values[j] - values[i])
        drawn = rows[i] + t[:, None] * (rows[j] - rows[i])
        error = np.abs(drawn - np.array([rows[m] for m in inside])) * np.array([weights[m] for m in inside])
        return bool(np.all(np.nan_to_num(error) <= tolerance))  # gaps (NaN) sit at the same places

    kept, between = [0], []
    while kept[-1] < last:
        i = kept[-1]
        good, bad, reach = i + 1, None, 2  # i + 1 always fits: there is no step value between
        while bad is None and good < last:  # double the reach while it fits, then halve the gap
            j = min(i + reach, last)
            if fits(i, j):
                good, reach = j, reach * 2
            else:
                bad = j
        while bad is not None and bad - good > 1:
            middle = (good + bad) // 2
            good, bad = (middle, bad) if fits(i, middle) else (good, middle)
        kept.append(good)
        between.append(good > i + 1)
    return Frames(tuple(float(values[k]) for k in kept), tuple(updates[k] for k in kept), tuple(between))


def lerp(a, b, t: float):
    """a + t (b - a) for every number of two updates of the same shape (what ui/live_chart.js does)."""
    if isinstance(a, dict):
        return {k: lerp(a[k], b[k], t) for k in a}
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return a.astype(np.float64) + t * (b.astype(np.float64) - a)
    if _is_number(a):
        return a + t * (b - a)
    if isinstance(a, list) and a and (isinstance(a[0], dict) or _is_number(a[0])):
        return [lerp(x, y, t) for x, y in zip(a, b)]
    return a


def shape(update) -> object:
    """What must be equal for two updates to interpolate: keys, array lengths, where the gaps (NaN) are, and every
    value that is not a number."""
    if isinstance(update, dict):
        return tuple((k, shape(v)) for k, v in sorted(update.items()))
    if isinstance(update, np.ndarray):
        return ("array", len(update), np.isnan(update).tobytes()) if update.dtype.kind == "f" else update.tobytes()
    if isinstance(update, list | tuple):
        return tuple(shape(v) for v in update)
    return "number" if _is_number(update) else update


def _numbers(update, path: tuple = ()) -> list[tuple[tuple, np.ndarray]]:
    """The numbers of an update by path (sorted keys), each as a float array: what interpolation acts on."""
    if isinstance(update, dict):
        return [found for k in sorted(update) for found in _numbers(update[k], (*path, k))]
    if isinstance(update, np.ndarray) and update.dtype.kind == "f":
        return [(path, update.astype(np.float64))]
    if _is_number(update):
        return [(path, np.array([float(update)]))]
    if isinstance(update, list | tuple) and update and all(_is_number(v) for v in update):
        return [(path, np.asarray(update, dtype=np.float64))]
    if isinstance(update, list | tuple):
        return [found for k, v in enumerate(update) for found in _numbers(v, (*path, k))]
    return []


def thin(x: np.ndarray, ys: np.ndarray, scales: np.ndarray, tolerance: float = THINNED) -> np.ndarray:
    """Which points of the polylines (x, ys[k]) (several curves on the same x) to send, so that each drawn
    through the points kept is within `tolerance` pixels of itself (vertical distance; `scales[k]`: pixels per
    unit of curve k). Always kept: the ends, and every gap (NaN) with its neighbours (so a jump's two limits).
    A piecewise-linear curve keeps its kinks."""
    fixed, keep = _fixed(ys), np.ones(len(x), bool)
    for _ in range(len(x)):
        dropped = False
        for parity in (1, 2):  # every other point not fixed, then the others
            candidates = np.flatnonzero(keep)[parity::2]
            candidates = candidates[~fixed[candidates]]
            if not candidates.size:
                continue
            trial = keep.copy()
            trial[candidates] = False
            segment, error = _deviation(x, ys, trial, scales)
            restore = candidates[np.isin(segment[candidates], segment[(error > tolerance).any(axis=0)])]
            trial[restore] = True
            dropped |= restore.size < candidates.size
            keep = trial
        if not dropped:
            break
    return keep


def corners(x: np.ndarray, y: np.ndarray, scale: float, tolerance: float = THINNED) -> np.ndarray | None:
    """The points where a polyline turns (by more than a thousandth of a pixel; `scale`: pixels per unit of y), with
    its ends and gaps, if the line through them alone stays within `tolerance` pixels of it (else None): a
    piecewise-linear curve's kinks."""
    same = np.zeros(len(x), bool)
    same[1:] = (np.diff(x) == 0) & (np.diff(y) == 0)  # a point given twice (a kink on a grid point, in float32)
    at = np.flatnonzero(~same)
    u, v = x[at], y[at]
    turns = _fixed(v[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        between = v[:-2] + (u[1:-1] - u[:-2]) / (u[2:] - u[:-2]) * (v[2:] - v[:-2])
    turns[1:-1] |= ~(np.abs(between - v[1:-1]) * scale <= 1e-3)  # a turn (NaN: a gap's side, kept anyway)
    keep = np.zeros(len(x), bool)
    keep[at[turns]] = True
    return keep if np.max(_deviation(x, y[None, :], keep, np.array([scale]))[1], initial=0) <= tolerance else None


def _fixed(ys: np.ndarray) -> np.ndarray:
    """The points a polyline always keeps: its ends, and every gap (NaN) with its neighbours (a jump's limits)."""
    fixed = np.zeros(ys.shape[1], bool)
    fixed[[0, -1]] = True
    gap = np.isnan(ys).any(axis=0)
    fixed[:-1] |= gap[1:]
    fixed[1:] |= gap[:-1]
    return fixed | gap


def _deviation(x: np.ndarray, ys: np.ndarray, keep: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every point: the index of the kept segment it lies in, and each curve's distance in pixels from the
    line through that segment's ends."""
    kept = np.flatnonzero(keep)
    index = np.arange(len(x))
    segment = np.minimum(np.searchsorted(kept, index, side="right") - 1, len(kept) - 2)
    a, b = kept[segment], kept[segment + 1]
    with np.errstate(invalid="ignore", divide="ignore"):  # a jump's points are kept: 0 / 0 there, and no error
        weight = (x - x[a]) / (x[b] - x[a])
        drawn = ys[:, a] + weight * (ys[:, b] - ys[:, a])
        error = np.abs(drawn - ys) * scales[:, None]
    return segment, np.nan_to_num(error)


def _split_common(updates: list) -> tuple[object, list]:
    """What every update has equal (None if nothing), and what is left of each (None where nothing is)."""
    first = updates[0]
    if all(_equal(first, u) for u in updates[1:]):
        return first, [None] * len(updates)
    if not all(isinstance(u, dict) and u.keys() == first.keys() for u in updates):
        return None, updates
    common, rest = {}, [{} for _ in updates]
    for key in first:
        inner, left = _split_common([u[key] for u in updates])
        if inner is not None:
            common[key] = inner
        for out, part in zip(rest, left):
            if part is not None:
                out[key] = part
    return common or None, [r or None for r in rest]


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b


def _encode(value):
    """JSON-able: numbers in arrays and lists as Plotly's typed arrays (base64; float32 where the values fit, as
    the figure's own traces), so a gap (NaN) survives JSON."""
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and value and all(_is_number(v) for v in value):
        value = np.asarray(value, dtype=np.float64)
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, np.ndarray):
        kind = "f4" if value.dtype == np.float32 else "f8"
        return {"dtype": kind, "bdata": base64.b64encode(value.astype("<" + kind).tobytes()).decode()}
    return value.item() if isinstance(value, np.generic) else value


def _is_number(value) -> bool:
    return isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool)
