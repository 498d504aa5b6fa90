"""Chart builders: pure functions from sampled arrays to Plotly figures (no streamlit, no computation of f)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from relu_viz.curves import NEAR_ZERO, Sampled, Trace, near_zero_intervals

# Okabe-Ito: distinguishable with every common colour-vision deficiency, readable on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
DASHES = ("solid", "dash", "dot")
STRIP = 16  # pixels of one activation's row of near-zero strips, added to the figure's height
STRIP_LARGE = 32  # the same in presenter mode, whose 18-pixel labels would overlap in 16-pixel rows
# Plotly's automargin measures every tick label in the browser on each redraw to size the margins, a tenth of a slider
# press's repaint (benchmarks/browser.py): the curves' margins are reckoned here instead, from the longest label at
# a generous 0.6 em a character; presenter mode's large type turns automargin back on (ui/presenter.py).
EM = 0.6
TICK_FONT, STRIP_FONT, TITLE_FONT, STANDOFF = 12, 10, 14, 15


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


def curves_figure(series: list[Series], xmin: float, xmax: float, height: int = 640, strip: int = STRIP) -> go.Figure:
    """f(x) above f'(x), sharing the x-axis and the hover; jumps as gaps with open/filled markers; below them a
    row per activation marking where |f'| is near zero, on an axis of its own labelled by activation. Built from
    plain dicts (tests check them against Plotly's schema), so a rerun does not pay for Plotly's validation."""
    data: list[dict] = []
    for i, s in enumerate(series):
        style = {"color": colour(i), "width": 2.5, "dash": DASHES[(i // len(PALETTE)) % len(DASHES)]}
        for row, trace, text in ((1, s.sampled.f, "f = %{y:.4g}"), (2, s.sampled.df, "f′ = %{y:.4g}")):
            data.append({"type": "scatter", **_axes(row), "x": _light(trace.x), "y": _light(trace.y),
                         "mode": "lines", "line": style, "name": s.label,
                         "legendgroup": s.key, "showlegend": row == 1,
                         "hovertemplate": f"{s.label}: {text}<extra></extra>"})
            data += _jump_markers(trace, colour(i), s.key, row)
        data += _pieces(s, xmin, xmax, colour(i))
        data += _integer_points(s, colour(i))
    flat = [near_zero_intervals(s.sampled.df.x, s.sampled.df.y) for s in series]
    data.append(_near_zero_strips(flat))
    shapes = _near_zero_bands(flat[0]) if len(series) == 1 else []
    fixed = {"automargin": False, "ticklabeloverflow": "allow"}
    x_axis = {"range": [xmin, xmax], "hoverformat": ".4g", "zeroline": True, "domain": [0, 1], **fixed}
    height += strip * max(len(series), 1)
    strips = strip * max(len(series), 1) / height  # the strip row's share of the figure
    layout = {
        "height": height, "hovermode": "x unified", "hoversubplots": "axis", "shapes": shapes, "uirevision": "curves",
        "margin": {"l": left_margin([s.label for s in series]), "r": 10, "t": 40,
                   "b": TICK_FONT + STANDOFF + TITLE_FONT + 12},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": {**x_axis, "anchor": "y", "matches": "x3", "showticklabels": False},
        "xaxis2": {**x_axis, "anchor": "y2", "matches": "x3", "showticklabels": False},
        "xaxis3": {**x_axis, "anchor": "y3", "zeroline": False, "title": {"text": "x"}},
        "yaxis": {**fixed, "anchor": "x", "domain": [0.55, 1], "zeroline": True, "title": {"text": "f(x)"},
                  "range": _padded_range([s.sampled.f.y for s in series])},
        "yaxis2": {**fixed, "anchor": "x2", "domain": [strips + 0.05, 0.5], "zeroline": True,
                   "title": {"text": "f′(x)"},
                   "range": _padded_range([s.sampled.df.y for s in series])},
        "yaxis3": {**fixed, "anchor": "x3", "domain": [0, strips], "range": [len(series) or 1, 0], "showgrid": False,
                   "zeroline": False, "fixedrange": True, "tickvals": [i + 0.5 for i in range(len(series))],
                   "ticktext": [s.label for s in series], "tickfont": {"size": STRIP_FONT},
                   "title": {"text": f"|f′| < {NEAR_ZERO:g}", "font": {"size": 11}}},
    }
    return go.Figure(data=data, layout=layout, _validate=False)


def left_margin(labels: list[str]) -> int:
    """Pixels left of the panels: the widest tick label (a number of up to 6 characters, or an activation's name in
    the strip row) and the rotated axis title at its standoff."""
    ticks = max([6 * TICK_FONT] + [len(label) * STRIP_FONT for label in labels]) * EM
    return round(ticks + STANDOFF + TITLE_FONT + 8)


def _axes(row: int) -> dict:
    return {"xaxis": "x", "yaxis": "y"} if row == 1 else {"xaxis": "x2", "yaxis": "y2"}


def chart_config(filename: str) -> dict:
    """Plotly config: PNG download named after the view, no Plotly logo, a short toolbar (on a phone a long one
    covers the legend)."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "modeBarButtonsToRemove": ["zoomIn2d", "zoomOut2d", "autoScale2d", "select2d", "lasso2d"]}


def _light(values: np.ndarray) -> np.ndarray:
    """float32 halves the payload; the charts need no more precision, unless a value is past float32's range (your
    formula exp(30 * x) reaches e^300), which float32 would turn into infinity, a gap."""
    values = np.asarray(values, dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    return values if finite.size and finite.max() > np.finfo(np.float32).max else values.astype(np.float32)


def _jump_markers(trace: Trace, color: str, group: str, row: int) -> list[dict]:
    """A filled dot at the value taken at each jump, an open dot at the limit that is not taken."""
    taken = [(j.x, j.value) for j in trace.jumps]
    missed = [(j.x, v) for j in trace.jumps for v in (j.left, j.right) if v != j.value]
    return [{"type": "scatter", **_axes(row), "x": [p[0] for p in points], "y": [p[1] for p in points],
             "mode": "markers", "legendgroup": group, "showlegend": False, "hoverinfo": "skip",
             "marker": {"symbol": symbol, "size": 9, "color": color, "line": {"width": 2, "color": color}}}
            for points, symbol in ((taken, "circle"), (missed, "circle-open")) if points]


def _near_zero_strips(flat: list[list[tuple[float, float]]]) -> dict:
    """Where |f'| is near zero (`flat`: each activation's intervals): a strip in each activation's own row under the
    f' panel (strips stay readable when several overlap). One horizontal bar trace for all rows: a Plotly shape per
    strip costs a tenth of a repaint."""
    bars = [(lo, hi, i) for i, intervals in enumerate(flat) for lo, hi in intervals]
    return {"type": "bar", "orientation": "h", "xaxis": "x3", "yaxis": "y3", "base": [lo for lo, _, _ in bars],
            "x": [hi - lo for lo, hi, _ in bars], "y": [i + 0.5 for _, _, i in bars], "width": 0.7,
            "marker": {"color": [colour(i) for _, _, i in bars], "opacity": 0.8, "line": {"width": 0}},
            "showlegend": False, "hoverinfo": "skip"}


def _near_zero_bands(intervals: list[tuple[float, float]]) -> list[dict]:
    """For a lone activation, where |f'| is near zero as a light band over both panels."""
    return [{"type": "rect", "x0": lo, "x1": hi, "fillcolor": colour(0), "line": {"width": 0}, "layer": "below",
             "xref": x, "yref": f"{y} domain", "y0": 0, "y1": 1, "opacity": 0.08}
            for lo, hi in intervals for x, y in (("x", "y"), ("x2", "y2"))]


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


def _padded_range(ys: list[np.ndarray]) -> list[float]:
    """The data's range with a margin."""
    values = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([0.0])
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    pad = 0.08 * (hi - lo) if hi > lo else 0.5 * max(1.0, abs(hi))
    return [lo - pad, hi + pad]
