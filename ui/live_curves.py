"""The explorer's live sliders: for one numeric parameter of a shown activation, the curves the core computes at
every step of the parameter, as frames of the curves figure (ui/frames.py chooses the grid). Pure: no streamlit;
ui/explorer.py caches and shows them."""

from __future__ import annotations

import time

import numpy as np

from relu_viz import ACTIVATIONS, Param, formula
from relu_viz.curves import sample
from ui.charts import PAD, Scales, Series, curves_frame, frame_scales
from ui.frames import Frames, corners, grid, thin

BUDGET = 2.0  # seconds to sample all sliders' curves in one run (your formula's may be slow): past it, no frames


class OverBudget(Exception):
    """A slider's frames would take longer than the run's budget: the slider moves the curve on release only."""


def numeric(key: str, used: set[str] | None = None) -> list[Param]:
    """The parameters of activation `key` that get a live slider (your formula's: those it uses)."""
    return [p for p in ACTIVATIONS[key].params if p.kind == "number" and (used is None or p.name in used)]


def step_values(key: str, params: dict, name: str) -> list[float]:
    """Every value the slider of parameter `name` can take, the other parameters as in `params` (Hardtanh's
    min_val stays below its max_val)."""
    act = ACTIVATIONS[key]
    p = act.param(name)
    values = [round(p.low + k * p.step, 10) for k in range(round((p.high - p.low) / p.step) + 1)]
    return [v for v in values if act.check(**{**params, name: v}) is None]


def slider_frames(key: str, params: dict, name: str, xmin: float, xmax: float, ints: np.ndarray | None, i: int,
                  offset: int, lone: bool, sizes: Scales, axes: dict[str, str],
                  deadline: float | None = None) -> Frames:
    """The frames of parameter `name` of activation `key` (the `i`-th shown, its traces from `offset`; `lone`:
    the only one), the other parameters as in `params`. OverBudget if they would not be done by `deadline` (a
    time.perf_counter() reading; by default BUDGET from now), judged before each step by the step before."""
    deadline = time.perf_counter() + BUDGET if deadline is None else deadline
    act, values = ACTIVATIONS[key], step_values(key, params, name)
    if key == "custom" and (time.perf_counter() > deadline or not formula.find_switches_along(
            formula.parse(params["formula"]), name, tuple(values), *(params[n] for n in "abc"))):
        raise OverBudget(f"the switch points of your formula at every step of {name}")  # (each a task of its own)
    updates, step = [], 0.0
    for v in values:
        started = time.perf_counter()
        if started + step > deadline:
            raise OverBudget(f"the curves at every step of {name}")
        p = {**params, name: v}
        points = None if ints is None else (ints, act(ints, **p), act.derivative(ints, **p))
        series = Series(key, act.label, sample(act, p, xmin, xmax), integer_points=points)  # (Maxout has no slider)
        updates.append(curves_frame(series, i, offset, lone))
        step = time.perf_counter() - started
    for j, axis in enumerate(("yaxis", "yaxis2")):
        _thin_line(updates, str(offset + j), axis, sizes[1 + j])
    return grid(values, updates, lambda path, m: frame_scales(path, updates[m], sizes, axes))


def _thin_line(updates: list[dict], index: str, axis: str, height: float) -> None:
    """Thin one curve of every update, in pixels of each update's own axis, the smaller of two ways: each to its
    corners (a piecewise-linear curve: its kinks, which interpolate as they move with the parameter), or over each
    run of updates whose points share x, to the points any of them needs (a smooth curve can then interpolate)."""
    lines = [u["data"][index] for u in updates]
    scales = np.array([height / max((1 + 2 * PAD) * np.subtract(*u["extents"][axis][::-1]), 1e-300)
                       for u in updates])
    masks = [corners(np.asarray(line["x"], float), np.asarray(line["y"], float), scale)
             for line, scale in zip(lines, scales)]
    if any(keep is None for keep in masks) or sum(map(np.sum, masks)) > sum(len(line["x"]) for line in lines) / 4:
        shared = _shared(lines, scales)  # not mostly kinks: try the other way
        if any(keep is None for keep in masks) or sum(map(np.sum, shared)) < sum(map(np.sum, masks)):
            masks = shared
    for line, keep in zip(lines, masks):
        line["x"], line["y"] = line["x"][keep], line["y"][keep]


def _shared(lines: list[dict], scales: np.ndarray) -> list[np.ndarray]:
    """For each run of lines on the same x, the points any line of the run needs."""
    masks, start = [], 0
    while start < len(lines):
        stop = start + 1
        while stop < len(lines) and np.array_equal(lines[stop]["x"], lines[start]["x"]):
            stop += 1
        ys = np.array([line["y"] for line in lines[start:stop]], dtype=float)
        masks += [thin(np.asarray(lines[start]["x"], float), ys, scales[start:stop])] * (stop - start)
        start = stop
    return masks
