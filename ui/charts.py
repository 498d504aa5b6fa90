"""Chart builders: pure functions from sampled arrays to Plotly figures (no streamlit, no computation of f)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from relu_viz.curves import NEAR_ZERO, Sampled, Trace, near_zero_intervals

# Okabe-Ito: distinguishable with every common colour-vision deficiency, readable on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
# A dash per curve as well as a colour: orange and vermillion (Leaky ReLU and GELU side by side) look alike on a
# washed-out projector. Six patterns against eight colours: no two of the first 24 curves share both.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
STRIP = 16  # pixels of one activation's row of near-zero strips, added to the figure's height
STRIP_LARGE = 32  # the same in presenter mode, whose 18-pixel labels would overlap in 16-pixel rows
# Plotly's automargin measures every tick label in the browser on each redraw to size the margins, a tenth of a slider
# press's repaint (benchmarks/browser.py): the curves' margins are reckoned here instead, from the longest label at
# a generous 0.6 em a character; presenter mode's large type turns automargin back on (ui/presenter.py).
EM = 0.6
TICK_FONT, STRIP_FONT, TITLE_FONT, STANDOFF = 12, 10, 14, 15
TOP, BOTTOM = 40, TICK_FONT + STANDOFF + TITLE_FONT + 12  # margins above and below the panels, in pixels
F_PANEL, DF_PANEL = (0.55, 1.0), (0.05, 0.5)  # the panels' shares of the plot height (f' panel: above the strips)


@dataclass(frozen=True)
class Series:
    """One activation to draw: its label, its sampled curves, and (for Maxout) the linear pieces under the max."""

    key: str
    label: str
    sampled: Sampled
    pieces: tuple[tuple[float, float], ...] = ()
    integer_points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # x, f(x), f'(x) at integer x


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def curves_figure(series: list[Series], xmin: float, xmax: float, height: int = 640, strip: int = STRIP,
                  live: tuple[str, ...] = ()) -> go.Figure:
    """f(x) above f'(x) on one x-axis, so one hover shows x, f and f' of every curve; jumps as gaps with
    open/filled markers; below them a row per activation marking where |f'| is near zero, on an axis of its own
    labelled by activation. Each activation's traces are one block (`_block`); a `live` activation's (whose
    parameters have live sliders) has the same traces whatever its parameters, for a live chart's frames to
    replace. Built from plain dicts (tests check them against Plotly's schema), so a rerun does not pay for
    Plotly's validation; few traces, as Plotly's redraw takes a share of its time for each."""
    flat = [near_zero_intervals(s.sampled.df.x, s.sampled.df.y, crossing=True) for s in series]
    data = [trace for i, (s, intervals) in enumerate(zip(series, flat)) for trace in _block(s, i, intervals, live)]
    data.append(_near_zero_strips([(i, intervals) for i, (s, intervals) in enumerate(zip(series, flat))
                                   if s.key not in live]))
    data += [piece for i, s in enumerate(series) for piece in _pieces(s, xmin, xmax, colour(i))]
    fixed = {"automargin": False, "ticklabeloverflow": "allow"}
    height += strip * max(len(series), 1)
    strips = strip * max(len(series), 1) / height  # the strip row's share of the figure
    layout = {
        "height": height, "hovermode": "x unified", "hoversubplots": "axis", "uirevision": "curves",
        "shapes": _near_zero_bands(flat[0]) if len(series) == 1 else [],
        "margin": {"l": left_margin([s.label for s in series]), "r": 10, "t": TOP, "b": BOTTOM},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": {**fixed, "range": [xmin, xmax], "hoverformat": ".4g", "zeroline": True, "domain": [0, 1],
                  "anchor": "y3", "title": {"text": "x"}},
        "yaxis": {**fixed, "anchor": "x", "domain": list(F_PANEL), "zeroline": True, "title": {"text": "f(x)"},
                  "range": _padded_range([s.sampled.f.y for s in series])},
        "yaxis2": {**fixed, "anchor": "x", "domain": [strips + DF_PANEL[0], DF_PANEL[1]], "zeroline": True,
                   "title": {"text": "f′(x)"}, "range": _padded_range([s.sampled.df.y for s in series])},
        "yaxis3": {**fixed, "anchor": "x", "domain": [0, strips], "range": [len(series) or 1, 0], "showgrid": False,
                   "zeroline": False, "fixedrange": True, "tickvals": [i + 0.5 for i in range(len(series))],
                   "ticktext": [s.label for s in series], "tickfont": {"size": STRIP_FONT},
                   "title": {"text": f"|f′| < {NEAR_ZERO:g}", "font": {"size": 11}}},
    }
    return go.Figure(data=data, layout=layout, _validate=False)


def curves_frame(s: Series, i: int, offset: int, lone: bool) -> dict:
    """The update that redraws activation `s`, the `i`-th, whose block starts at trace `offset`: its block's
    arrays, the extremes of its f and f' (the axes' ranges are padded around them and the other activations'
    extremes, as `_padded_range` does), and for a `lone` activation its near-zero bands."""
    intervals = near_zero_intervals(s.sampled.df.x, s.sampled.df.y, crossing=True)
    data = {}
    for j, trace in enumerate(_block(s, i, intervals, (s.key,))):
        data[str(offset + j)] = {k: v for k, v in trace.items() if k in MOVING}
        if isinstance(symbols := trace.get("marker", {}).get("symbol"), list):  # the jumps' dots, filled or open
            data[str(offset + j)]["marker"] = {"symbol": symbols}
    ends = extents([s])
    update = {"data": data, "extents": {"yaxis": list(ends[:2]), "yaxis2": list(ends[2:])}}
    if lone:
        update["layout"] = {"shapes": _near_zero_bands(intervals)}
    return update


MOVING = ("x", "y", "base")  # what a block's traces change with the activation's parameters (with the dots)
Extents = tuple[float, float, float, float]  # the least and greatest finite f, then f', of some activations


def extents(series: list[Series]) -> Extents:
    """The finite extremes of f and of f' over these activations: all that the axes' ranges need of them (NaN
    where there are none)."""
    def ends(ys) -> tuple[float, float]:
        values = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.empty(0)
        return (float(values.min()), float(values.max())) if values.size else (np.nan, np.nan)
    return (*ends([s.sampled.f.y for s in series]), *ends([s.sampled.df.y for s in series]))


WIDEST = 2560  # pixels: the widest a chart is drawn (a 2560-pixel screen), for how far an x difference shows
Scales = tuple[float, float, float]  # pixels per unit of x, and the heights in pixels of the f and f' panels


def scales(layout: dict) -> Scales:
    """How big a curves figure (its `layout`) is drawn, at most: presenter mode's larger margins leave less."""
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    low, high = layout["xaxis"]["range"]
    heights = [plot * (layout[a]["domain"][1] - layout[a]["domain"][0]) for a in ("yaxis", "yaxis2")]
    return WIDEST / (high - low), *heights


def frame_scales(path: tuple, update: dict, sizes: Scales, axes: dict[str, str]) -> float:
    """Pixels per unit of the numbers at `path` in an update of `curves_frame` (`axes`: trace index -> "y", "y2"
    or "bars"), at most: a panel's range is at least its activation's own extremes, padded. The near-zero strips
    and bands mark the sampled f' at its own resolution and count a fourth (a 2-pixel error as half a pixel)."""
    x_scale, heights = sizes[0], dict(zip(("yaxis", "yaxis2"), sizes[1:]))

    def y_scale(axis: str) -> float:
        low, high = update["extents"][axis]
        return heights[axis] / ((1 + 2 * PAD) * (high - low)) if high > low else 1e12  # flat: only exact

    if path[0] == "extents":
        return (1 + 2 * PAD) * y_scale(path[1])  # an end moved by d moves a point in the panel by up to 1.16 d
    if path[0] == "layout":
        return x_scale / STRIP_SLACK
    kind = axes[path[1]]
    if kind == "bars":
        return x_scale / STRIP_SLACK if path[2] in ("base", "x") else 0.0
    return x_scale if path[2] == "x" else y_scale("yaxis" if kind == "y" else "yaxis2")


STRIP_SLACK = 4


def block_axes(series: list[Series], i: int, live: tuple[str, ...]) -> dict[str, str]:
    """Trace index -> "y" (the f panel), "y2" (the f' panel) or "bars" (the strips) for live activation `i`'s
    block."""
    offset = block_offset(series, i, live)
    return {str(offset + j): "bars" if trace["type"] == "bar" else trace["yaxis"]
            for j, trace in enumerate(_block(series[i], i, [], live))}


def block_offset(series: list[Series], i: int, live: tuple[str, ...]) -> int:
    """The index of the first trace of activation `i`'s block in curves_figure(series, live=live)."""
    return sum(len(_block(s, j, [], live)) for j, s in enumerate(series[:i]))


def _block(s: Series, i: int, intervals: list[tuple[float, float]], live: tuple[str, ...]) -> list[dict]:
    """One activation's traces: f, f', the dots at the jumps of each, and the integer points if marked; a live
    activation's, the same whatever its parameters: dots where there are none yet, and its own row of near-zero
    strips (the others' share one trace)."""
    style = {"color": colour(i), "width": 2.5, "dash": DASHES[i % len(DASHES)]}
    block = []
    for row, trace, text in ((1, s.sampled.f, "f = %{y:.4g}"), (2, s.sampled.df, "f′ = %{y:.4g}")):
        block.append({"type": "scatter", **_axes(row), "x": _light(trace.x), "y": _light(trace.y),
                      "mode": "lines", "line": style, "name": s.label, "legendgroup": s.key, "showlegend": row == 1,
                      "hovertemplate": f"{s.label}: {text}<extra></extra>"})
    block += [_jump_markers(trace, colour(i), s.key, row) for row, trace in ((1, s.sampled.f), (2, s.sampled.df))
              if trace.jumps or s.key in live]
    if s.key in live:
        block.append(_near_zero_strips([(i, intervals)]))
    return block + _integer_points(s, colour(i))


def left_margin(labels: list[str]) -> int:
    """Pixels left of the panels: the widest tick label (a number of up to 6 characters, or an activation's name in
    the strip row) and the rotated axis title at its standoff."""
    ticks = max([6 * TICK_FONT] + [len(label) * STRIP_FONT for label in labels]) * EM
    return round(ticks + STANDOFF + TITLE_FONT + 8)


def _axes(row: int) -> dict:
    return {"xaxis": "x", "yaxis": "y" if row == 1 else "y2"}


def _light(values: np.ndarray) -> np.ndarray:
    """float32 halves the payload; the charts need no more precision, unless a value is past float32's range (your
    formula exp(30 * x) reaches e^300), which float32 would turn into infinity, a gap."""
    values = np.asarray(values, dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    return values if finite.size and finite.max() > np.finfo(np.float32).max else values.astype(np.float32)


def _jump_markers(trace: Trace, color: str, group: str, row: int) -> dict:
    """A filled dot at the value taken at each jump, an open dot at the limit that is not taken (one trace, maybe
    empty, so that an activation's block has the same traces whatever its parameters)."""
    points = _jump_points(trace)
    return {"type": "scatter", **_axes(row), "x": [x for x, _, _ in points], "y": [y for _, y, _ in points],
            "mode": "markers", "legendgroup": group, "showlegend": False, "hoverinfo": "skip",
            "marker": {"symbol": [symbol for *_, symbol in points], "size": 9, "color": color,
                       "line": {"width": 2, "color": color}}}


def _jump_points(trace: Trace) -> list[tuple[float, float, str]]:
    return [(j.x, j.value, "circle") for j in trace.jumps] + [
        (j.x, v, "circle-open") for j in trace.jumps for v in (j.left, j.right) if v != j.value]


def _near_zero_strips(rows: list[tuple[int, list[tuple[float, float]]]]) -> dict:
    """Where |f'| is near zero (`rows`: activation i's intervals): strips in each activation's own row under the f'
    panel (strips stay readable when several overlap), as one horizontal bar trace: a Plotly shape per strip costs
    a tenth of a repaint."""
    bars = [(lo, hi, i) for i, intervals in rows for lo, hi in intervals]
    color = colour(rows[0][0]) if len(rows) == 1 else [colour(i) for _, _, i in bars]  # a live row: fixed
    return {"type": "bar", "orientation": "h", "xaxis": "x", "yaxis": "y3", "base": [lo for lo, _, _ in bars],
            "x": [hi - lo for lo, hi, _ in bars], "y": [i + 0.5 for _, _, i in bars], "width": 0.7,
            "marker": {"color": color, "opacity": 0.8, "line": {"width": 0}}, "showlegend": False,
            "hoverinfo": "skip"}


def _near_zero_bands(intervals: list[tuple[float, float]]) -> list[dict]:
    """For a lone activation, where |f'| is near zero as a light band over both panels."""
    return [{"type": "rect", "x0": lo, "x1": hi, "fillcolor": colour(0), "line": {"width": 0}, "layer": "below",
             "xref": x, "yref": f"{y} domain", "y0": 0, "y1": 1, "opacity": 0.08}
            for lo, hi in intervals for x, y in (("x", "y"), ("x", "y2"))]


def _pieces(s: Series, xmin: float, xmax: float, color: str) -> list[dict]:
    """Each linear piece of a Maxout, faint, so the max over them is visible as their upper envelope."""
    return [{"type": "scatter", **_axes(1), "x": [xmin, xmax], "mode": "lines",
             "y": [slope * xmin + intercept, slope * xmax + intercept],
             "legendgroup": s.key, "showlegend": False, "opacity": 0.45,
             "line": {"color": color, "width": 1, "dash": "dot"},
             "hovertemplate": f"piece {j + 1}: {slope:g}x + {intercept:g}<extra></extra>"}
            for j, (slope, intercept) in enumerate(s.pieces)]


def _integer_points(s: Series, color: str) -> list[dict]:
    """The integer inputs, as in the classic plot of ReLU over range(-10, 11)."""
    if s.integer_points is None:
        return []
    x, f, df = s.integer_points
    return [{"type": "scatter", **_axes(row), "x": x, "y": y, "mode": "markers", "legendgroup": s.key,
             "showlegend": False, "marker": {"color": color, "size": 7}, "hoverinfo": "skip"}
            for row, y in ((1, f), (2, df))]


PAD, FLAT_PAD = 0.08, 0.5  # an axis's margin: a share of the data's range, or of its level (|level| >= 1) if flat


def _padded_range(ys: list[np.ndarray]) -> list[float]:
    """The data's range with a margin (ui/live_chart.js pads a live chart's extremes the same way)."""
    values = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([0.0])
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    pad = PAD * (hi - lo) if hi > lo else FLAT_PAD * max(1.0, abs(hi))
    return [lo - pad, hi + pad]
