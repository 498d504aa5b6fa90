"""The live chart's frames: at every value a slider can take, what the browser draws from them (a grid value's
update, or the interpolation between two) is within half a pixel of the core's curve at that value; polylines
keep the points they need; the payload decodes back to the numbers."""

import base64
import math

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.curves import sample
from ui.charts import FLAT_PAD, PAD, Series, block_axes, block_offset, curves_figure, extents, scales
from ui.frames import TOLERANCE, corners, grid, thin
from ui.live_curves import slider_frames, step_values

CASES = [  # activation, parameter, other parameters, other activations shown
    ("leaky_relu", "negative_slope", {}, ()),
    ("elu", "alpha", {}, ("relu", "sigmoid")),
    ("swish", "beta", {}, ()),
    ("hardtanh", "min_val", {"max_val": 2.0}, ("tanh",)),
    ("softplus", "beta", {}, ()),
    ("threshold", "threshold", {"value": -1.0}, ()),
    ("custom", "b", {"formula": "x * sigmoid(b * x)"}, ()),
    ("custom", "a", {"formula": "where(x > 0, x, a * (exp(x) - 1))"}, ("leaky_relu",)),
]


def decode(value):
    """A payload's numbers back as numpy arrays (Plotly's typed-array form), independently of ui/frames.py."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype={"f4": "<f4", "f8": "<f8"}[value["dtype"]])
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    return [decode(v) for v in value] if isinstance(value, list) else value


def drawn_at(frames: dict, value: float) -> dict:
    """What the browser draws at `value`: the update of the grid value there, or the two neighbours' numbers
    interpolated, on top of what all updates share (ui/live_chart.js: frameAt)."""
    values = np.array(frames["values"])
    k = int(np.searchsorted(values, value + 1e-9) - 1)

    def mix(a, b, t):
        if isinstance(a, dict):
            return {key: mix(a[key], b[key], t) for key in a}
        if isinstance(a, np.ndarray):
            return a.astype(float) + t * (b.astype(float) - a)
        return [mix(x, y, t) for x, y in zip(a, b)] if isinstance(a, list) else a

    if abs(values[k] - value) < 1e-9:
        update = frames["updates"][k]
    else:
        assert frames["lerp"][k], f"{value} is neither a grid value nor between two that interpolate"
        t = (value - values[k]) / (values[k + 1] - values[k])
        update = mix(frames["updates"][k], frames["updates"][k + 1], t)

    def merge(base, part):
        if isinstance(base, dict) and isinstance(part, dict):
            return {**base, **{key: merge(base.get(key), v) for key, v in part.items()}}
        return part

    return merge(frames["common"], update)


def panel(low: float, high: float, others: tuple[float, float]) -> tuple[float, float]:
    """An axis's range as the browser pads it (charts._padded_range's rule, worked here again)."""
    lo, hi = min(low, others[0]), max(high, others[1])
    pad = PAD * (hi - lo) if hi > lo else FLAT_PAD * max(1.0, abs(hi))
    return lo - pad, hi + pad


def pixels_apart(x, y, reference_x, reference_y, g, params, kinks, height, axis) -> float:
    """How far apart a drawn polyline (x, y) and the core's curve are in pixels of a panel `height` pixels high
    showing `axis`: at the drawn points (against g itself, but at a kink, where a jump's limits are drawn) and at
    the core's points (the polyline there)."""
    scale = height / (axis[1] - axis[0])
    kinks = np.array(kinks or [np.inf])
    finite = np.isfinite(y) & (np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-5)
    at_points = np.abs(y[finite] - g(x[finite].astype(float), **params))
    between = [0.0]
    pieces = np.split(np.arange(len(x)), np.flatnonzero(~finite))  # continuous pieces between gaps
    for piece in pieces:
        piece = piece[np.isfinite(y[piece])]
        if len(piece) < 2:
            continue
        lo, hi = x[piece[0]], x[piece[-1]]
        inside = (reference_x > lo) & (reference_x < hi) & np.isfinite(reference_y)
        drawn = np.interp(reference_x[inside], x[piece].astype(float), y[piece].astype(float))
        between.append(np.max(np.abs(drawn - reference_y[inside]), initial=0))
    return max(np.max(at_points, initial=0), max(between)) * scale


@pytest.mark.parametrize("key, name, fixed, others", CASES)
def test_what_a_drag_draws_at_every_step_value_is_within_half_a_pixel_of_the_core(key, name, fixed, others):
    act = ACTIVATIONS[key]
    params = {**act.defaults, **fixed}
    keys = [key, *others]
    series = [Series(k, ACTIVATIONS[k].label, sample(ACTIVATIONS[k], params if k == key else {}, -10, 10))
              for k in keys]
    live = (key,)
    layout = curves_figure(series, -10, 10, live=live).to_plotly_json()["layout"]
    sizes = scales(layout)
    frames = slider_frames(key, params, name, -10.0, 10.0, None, 0, block_offset(series, 0, live), len(keys) == 1,
                           sizes, block_axes(series, 0, live), math.inf)  # (what is drawn, not how fast)
    payload = decode(frames.payload())
    rest = extents(series[1:])
    f_line, df_line = (str(block_offset(series, 0, live) + j) for j in (0, 1))
    for value in step_values(key, params, name):
        p = {**params, name: value}
        drawn = drawn_at(payload, value)
        exact = sample(act, p, -10, 10)
        for line, g, curve, axis, height, others_ends in ((f_line, act, exact.f, "yaxis", sizes[1], rest[:2]),
                                                         (df_line, act.derivative, exact.df, "yaxis2", sizes[2],
                                                          rest[2:])):
            low, high = drawn["extents"][axis]
            shown = panel(low, high, others_ends if np.isfinite(others_ends[0]) else (np.inf, -np.inf))
            finite = curve.y[np.isfinite(curve.y)]
            true = panel(finite.min(), finite.max(), others_ends if np.isfinite(others_ends[0]) else (np.inf, -np.inf))
            scale = height / (true[1] - true[0])
            axes_apart = max(abs(shown[0] - true[0]), abs(shown[1] - true[1])) * scale  # every curve moves this much
            kinks = act.kink_points(**p)  # at a jump the drawn ends are limits (at x in float32): compared beside it
            away = np.min(np.abs(curve.x[:, None] - np.array([*kinks, np.inf])[None, :]), axis=1) > 1e-5
            apart = pixels_apart(drawn["data"][line]["x"], drawn["data"][line]["y"], curve.x[away], curve.y[away],
                                 g, p, kinks, height, shown)
            assert apart + axes_apart <= TOLERANCE, f"{key} {name}={value} {axis}: {apart:.3f} + {axes_apart:.3f} px"


def test_a_piecewise_linear_curve_is_sent_as_its_kinks_and_a_linear_parameter_as_two_frames():
    """Leaky ReLU's f is x or slope * x: sent as its kinks, and linear in the slope, so interpolating is exact and
    a few grid values do (f' jumps at 0 from the slope to 1, except at slope 1: another shape)."""
    series = [Series("leaky_relu", "Leaky ReLU", sample(ACTIVATIONS["leaky_relu"], {}, -10, 10))]
    layout = curves_figure(series, -10, 10, live=("leaky_relu",)).to_plotly_json()["layout"]
    frames = slider_frames("leaky_relu", ACTIVATIONS["leaky_relu"].defaults, "negative_slope", -10.0, 10.0, None,
                           0, 0, True, scales(layout), block_axes(series, 0, ("leaky_relu",)), math.inf)
    f = decode(frames.payload())
    assert len(f["values"]) <= 4 and f["values"][0] == 0 and f["values"][-1] == 1
    update = drawn_at(f, 0.37)
    assert np.allclose(update["data"]["0"]["x"], [-10, 0, 10]) and np.allclose(update["data"]["0"]["y"], [-3.7, 0, 10])
    assert np.allclose(update["extents"]["yaxis"], [-3.7, 10]) and np.allclose(update["extents"]["yaxis2"], [0.37, 1])


def test_the_grid_keeps_a_value_where_interpolation_would_be_off_and_not_where_it_is_exact():
    x = np.linspace(0, 1, 5)
    values = [k / 10 for k in range(11)]
    linear = [{"y": v * x} for v in values]
    found = grid(values, linear, lambda path, m: 100.0)  # 100 pixels per unit
    assert found.values == (0.0, 1.0) and found.lerp == (True,)
    # v^2 interpolated from v to v + d is off by t (1 - t) d^2 at x = 1: at 20 pixels per unit, 0.2 px over two
    # steps (d = 0.2, t = 1/2), 0.4 px over three (t = 1/3): with 0.3 px allowed, every other value is kept
    square = [{"y": v * v * x} for v in values]
    found = grid(values, square, lambda path, m: 20.0, tolerance=0.3)
    assert found.values == (0.0, 0.2, 0.4, 0.6, 0.8, 1.0) and all(found.lerp)


def test_updates_of_another_shape_are_never_interpolated():
    values = [0.0, 0.5, 1.0]
    updates = [{"y": np.array([0.0, 1.0])}, {"y": np.array([0.0, np.nan, 1.0])}, {"y": np.array([0.0, 1.0])}]
    assert grid(values, updates, lambda path, m: 1.0).values == (0.0, 0.5, 1.0)


def test_thinning_keeps_kinks_gaps_and_a_curve_within_its_tolerance():
    x = np.linspace(-10, 10, 401)
    kinked = np.clip(x, -1, 2)
    assert list(x[corners(x, kinked, 50.0)]) == [-10, -1, 2, 10]
    stepped = np.where(x < 0, 0.0, 1.0)
    stepped[200] = np.nan  # a gap between two limits
    assert list(np.flatnonzero(corners(x, stepped, 50.0))) == [0, 199, 200, 201, 400]
    assert corners(x, np.sin(x), 50.0).sum() > 390, "a curve turns everywhere"
    ys = np.array([np.sin(x), np.sin(1.3 * x)])
    keep = thin(x, ys, np.array([50.0, 50.0]))
    assert keep[0] and keep[-1] and keep.sum() < 300
    for y in ys:
        assert np.max(np.abs(np.interp(x, x[keep], y[keep]) - y)) * 50 <= 0.1 + 1e-12


def test_the_payload_carries_float32_numbers_and_gaps():
    from ui.frames import Frames

    update = {"data": {"0": {"x": np.array([0, 1, 2], np.float32), "y": np.array([1.5, np.nan, 2.5], np.float32),
                             "marker": {"symbol": ["circle", "circle-open"]}}},
              "extents": {"yaxis": [1.5, 2.5]}}
    frames = Frames((0.0,), (update,), ())
    back = decode(frames.payload())
    line = back["common"]["data"]["0"]
    assert line["x"].dtype == np.float32 and np.array_equal(line["y"], update["data"]["0"]["y"], equal_nan=True)
    assert line["marker"]["symbol"] == ["circle", "circle-open"]
    assert list(back["common"]["extents"]["yaxis"]) == [1.5, 2.5]


def test_your_formulas_kinks_at_every_step_are_found_in_one_sandbox_task_and_answered_from_its_cache():
    """max(0, x) - 0.5 max(0, x - b) switches at 0 and at b (worked by hand): found for a slider's steps at once,
    then each step's kinks come from the cache (a task per step was 200 forks for one slider)."""
    from relu_viz import formula

    found = formula.parse("max(0, x) - 0.5 * max(0, x - b)")
    steps = (-2.5, 0.5, 3.0)
    formula.find_switches_along(found, "b", steps, 1.0, 7.0, 1.0)
    for b in steps:
        assert formula._switches.cache.get((found, 1.0, b, 1.0)) is not None, "answered from the cache"
        assert formula.switches(found, 1.0, b, 1.0) == tuple(sorted({0.0, b}))
    assert ACTIVATIONS["custom"].kink_points(formula="max(0, x) - 0.5 * max(0, x - b)", b=3.0) == (0.0, 3.0)


def test_past_the_runs_deadline_a_slider_gets_no_frames_and_asks_the_sandbox_nothing(monkeypatch):
    import time

    from relu_viz import sandbox
    from ui.live_curves import OverBudget

    params = {**ACTIVATIONS["custom"].defaults, "formula": "max(0, a * x) + max(0, x - 2.5)"}
    series = [Series("custom", "Your formula", sample(ACTIVATIONS["custom"], params, -10, 10))]  # (as the page has)
    layout = curves_figure(series, -10, 10, live=("custom",)).to_plotly_json()["layout"]
    tasks = []
    monkeypatch.setattr(sandbox, "run", lambda *args, **kwargs: tasks.append(args))
    with pytest.raises(OverBudget, match="switch points of your formula at every step of a"):
        slider_frames("custom", params, "a", -10.0, 10.0, None, 0, 0, True, scales(layout),
                      block_axes(series, 0, ("custom",)), time.perf_counter() - 1)
    assert tasks == []


def test_one_deadline_for_all_sliders_of_a_run_and_a_slider_past_it_moves_on_release(monkeypatch):
    """Three sliders of your formula (a, b, c): one deadline is shared by all; once it has passed, the slider's
    frames are not sent (and not cached: the next run tries again)."""
    from tests.apptest import live, open_app
    from ui import live_curves

    seen, real = [], live_curves.slider_frames

    def spy(*args):
        seen.append((args[2], args[-1]))
        if args[2] == "c":
            raise live_curves.OverBudget("the curves at every step of c")
        return real(*args[:-1], math.inf)  # (a loaded machine would pass the deadline any time)

    monkeypatch.setattr(live_curves, "slider_frames", spy)
    at = open_app({"act": "custom", "custom.formula": "a * x + b * tanh(c * x)"})
    assert [name for name, _ in seen] == ["a", "b", "c"] and len({deadline for _, deadline in seen}) == 1
    frames = {s["id"]: s["frames"] for s in live(at)["sliders"]}
    assert frames["custom.a"] and frames["custom.b"] and frames["custom.c"] is None
    seen.clear()
    at.run()
    assert [name for name, _ in seen] == ["c"], "the slider past the deadline was tried again, the others cached"
