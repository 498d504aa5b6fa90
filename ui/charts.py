"""Chart builders: pure functions from sampled arrays to Plotly figures (no streamlit, no computation of f)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from relu_viz.curves import NEAR_ZERO, Sampled, Trace, near_zero_intervals

# Okabe-Ito: distinguishable with every common colour-vision deficiency, readable on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
DASHES = ("solid", "dash", "dot")


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


def curves_figure(series: list[Series], xmin: float, xmax: float, height: int = 640) -> go.Figure:
    """f(x) above f'(x), sharing the x-axis and the hover; jumps as gaps with open/filled markers; near-zero
    derivative shaded."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=("f(x)", f"f′(x)  (shaded: |f′| < {NEAR_ZERO:g})"))
    for i, s in enumerate(series):
        style = {"color": colour(i), "width": 2.5, "dash": DASHES[(i // len(PALETTE)) % len(DASHES)]}
        for row, trace, text in ((1, s.sampled.f, "f = %{y:.4g}, f′ = %{customdata:.4g}"),
                                 (2, s.sampled.df, "f′ = %{y:.4g}, f = %{customdata:.4g}")):
            fig.add_trace(go.Scatter(
                x=_light(trace.x), y=_light(trace.y), customdata=_light(trace.other), mode="lines", line=style,
                name=s.label, legendgroup=s.key, showlegend=row == 1,
                hovertemplate=f"{s.label}: {text}<extra></extra>"), row=row, col=1)
            _add_jump_markers(fig, trace, colour(i), s.key, row)
        _shade_near_zero(fig, s, i, alone=len(series) == 1)
        if s.pieces:
            _add_pieces(fig, s, xmin, xmax, colour(i))
        if s.integer_points is not None:
            _add_integer_points(fig, s, colour(i))
    fig.update_xaxes(range=[xmin, xmax], hoverformat=".4g", zeroline=True)
    fig.update_xaxes(title_text="x", row=2, col=1)
    fig.update_yaxes(zeroline=True)
    for row, traces in ((1, [s.sampled.f for s in series]), (2, [s.sampled.df for s in series])):
        fig.update_yaxes(range=_padded_range([t.y for t in traces]), row=row, col=1)
    fig.update_layout(height=height, hovermode="x unified", hoversubplots="axis", margin={"l": 10, "r": 10, "t": 60,
                      "b": 10}, legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
                      uirevision="curves")
    return fig


def chart_config(filename: str) -> dict:
    """Plotly config: PNG download named after the view, no Plotly logo."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def _light(values: np.ndarray) -> np.ndarray:
    """float32 halves the payload; the charts need no more precision."""
    return np.asarray(values, dtype=np.float32)


def _add_jump_markers(fig: go.Figure, trace: Trace, color: str, group: str, row: int) -> None:
    if not trace.jumps:
        return
    taken = [(j.x, j.value) for j in trace.jumps]
    missed = [(j.x, v) for j in trace.jumps for v in (j.left, j.right) if v != j.value]
    for points, symbol in ((taken, "circle"), (missed, "circle-open")):
        if points:
            xs, ys = zip(*points)
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", legendgroup=group, showlegend=False,
                                     marker={"symbol": symbol, "size": 9, "color": color,
                                             "line": {"width": 2, "color": color}},
                                     hoverinfo="skip"), row=row, col=1)


def _shade_near_zero(fig: go.Figure, s: Series, i: int, alone: bool) -> None:
    """Where |f'| is near zero: a strip per activation along the bottom of the f' panel (strips stay readable
    when several overlap) and, for a lone activation, a light band over both panels."""
    for lo, hi in near_zero_intervals(s.sampled.df.x, s.sampled.df.y):
        fig.add_shape(type="rect", xref="x2", yref="y2 domain", x0=lo, x1=hi, y0=0.045 * i, y1=0.045 * i + 0.035,
                      fillcolor=colour(i), opacity=0.55, line_width=0, layer="below")
        if alone:
            fig.add_vrect(x0=lo, x1=hi, fillcolor=colour(i), opacity=0.08, layer="below", line_width=0)


def _add_pieces(fig: go.Figure, s: Series, xmin: float, xmax: float, color: str) -> None:
    """Each linear piece of a Maxout, faint, so the max over them is visible as their upper envelope."""
    x = np.array([xmin, xmax])
    for j, (slope, intercept) in enumerate(s.pieces):
        fig.add_trace(go.Scatter(x=x, y=slope * x + intercept, mode="lines", legendgroup=s.key, showlegend=False,
                                 line={"color": color, "width": 1, "dash": "dot"}, opacity=0.45,
                                 hovertemplate=f"piece {j + 1}: {slope:g}x + {intercept:g}<extra></extra>"),
                      row=1, col=1)


def _add_integer_points(fig: go.Figure, s: Series, color: str) -> None:
    """The integer inputs, as in the classic plot of ReLU over range(-10, 11)."""
    x, f, df = s.integer_points
    for row, y in ((1, f), (2, df)):
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", legendgroup=s.key, showlegend=False,
                                 marker={"color": color, "size": 7}, hoverinfo="skip"), row=row, col=1)


def _padded_range(ys: list[np.ndarray]) -> list[float]:
    values = np.concatenate([y[np.isfinite(y)] for y in ys]) if ys else np.array([0.0])
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    pad = 0.08 * (hi - lo) if hi > lo else 0.5 * max(1.0, abs(hi))
    return [lo - pad, hi + pad]
