"""Chart builders for the Build panel: pure functions from sampled hinges (relu_viz.build.Drawn) and arrays to
Plotly figures (no streamlit, no computation of g)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from relu_viz.build import Drawn
from ui.charts import PALETTE
from ui.training_charts import ALIVE, DEAD

TARGET = PALETTE[7]  # grey, drawn thick under the network's line
MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
ROW_TITLES = ("the target and g(x) = c + Σ hinges", "each hinge a·relu(w·x + b), its kink marked")


def _y_range(target_y: np.ndarray, total: np.ndarray) -> list[float]:
    """The target's scale, widened to show g where it stays within three times the target's spread."""
    lo, hi = float(np.min(target_y)), float(np.max(target_y))
    span = max(hi - lo, 1e-9, 0.1 * max(abs(lo), abs(hi)))
    g = total[np.isfinite(total)]
    lo = max(min(lo, float(g.min(initial=lo))), lo - 3 * span)
    hi = min(max(hi, float(g.max(initial=hi))), hi + 3 * span)
    pad = 0.08 * (hi - lo)
    return [lo - pad, hi + pad]


def target_trace(x: np.ndarray, y: np.ndarray, points: bool, name: str = "target") -> go.Scatter:
    """The target: your points as dots, a formula as a thick line."""
    if points:
        return go.Scatter(x=x, y=y, mode="markers", name=name, marker={"color": TARGET, "size": 5},
                          hovertemplate="x %{x:.4g}: %{y:.4g}<extra>data</extra>")
    return go.Scatter(x=x, y=y, mode="lines", name=name, line={"color": TARGET, "width": 7}, opacity=0.7,
                      hovertemplate="x %{x:.4g}: %{y:.4g}<extra>target</extra>")


def total_trace(d: Drawn, name: str = "g(x): the network") -> go.Scatter:
    return go.Scatter(x=d.x, y=d.total, mode="lines", name=name, line={"color": ALIVE, "width": 3},
                      meta={"hinges": "g"}, hovertemplate="x %{x:.4g}: g = %{y:.4g}<extra></extra>")


def kink_traces(d: Drawn) -> list[go.Scatter]:
    """Each hinge's kink on the network's line, a triangle pointing to the side where the hinge is active (▶ right,
    ◀ left), clipped to the view: live ones blue, dead ones (inactive on every data point) vermillion."""
    traces = []
    for is_dead, color, name in ((False, ALIVE, "kink of a live hinge"), (True, DEAD, "kink of a dead hinge")):
        units = np.flatnonzero((d.dead == is_dead) & np.isfinite(d.kinks))
        shown = np.clip(d.kinks[units], *d.view)
        y = np.where(d.kinks[units] == shown, d.at_kinks[units], np.interp(shown, d.x, d.total))
        traces.append(go.Scatter(
            x=shown, y=y, mode="markers", name=name, showlegend=True, cliponaxis=False,
            meta={"hinges": "kinks", "units": units.tolist()},
            marker={"symbol": np.where(d.side[units] > 0, "triangle-right", "triangle-left"), "size": 13,
                    "color": color, "line": {"color": "white", "width": 1}},
            customdata=np.column_stack([units + 1, d.kinks[units]]) if len(units) else None,
            hovertemplate="hinge %{customdata[0]}: kink at x = %{customdata[1]:.4g}<extra></extra>"))
    return traces


def _interval(fig: go.Figure, d: Drawn, **where) -> None:
    fig.add_vrect(x0=d.interval[0], x1=d.interval[1], fillcolor=PALETTE[7], opacity=0.1, line_width=0,
                  layer="below", **where)


def hinges_figure(target_x: np.ndarray, target_y: np.ndarray, points: bool, d: Drawn, height: int = 620) -> go.Figure:
    """Above, the target, g and the kinks; below, each hinge's part a_j relu(w_j x + b_j) as a faint line (dead ones
    vermillion) with a dot at its kink; the data interval shaded in both. Each trace drawn from the hinges names
    its part and hinges in `meta` (g, kinks, parts, dots), for the browser to redraw while a hinge is dragged
    (ui/hinge_drag.js)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.08,
                        subplot_titles=ROW_TITLES)
    fig.add_trace(target_trace(target_x, target_y, points), row=1, col=1)
    fig.add_trace(total_trace(d), row=1, col=1)
    for trace in kink_traces(d):
        fig.add_trace(trace, row=1, col=1)
    for is_dead, color in ((False, ALIVE), (True, DEAD)):
        units = np.flatnonzero(d.dead == is_dead)
        if not len(units):
            continue
        # every hinge of one kind as one line, hinges apart by a gap: 32 traces would cost 32 legend entries
        x = np.concatenate([np.append(d.x, np.nan) for _ in units])
        y = np.concatenate([np.append(d.parts[:, j], np.nan) for j in units])
        which = np.concatenate([np.full(len(d.x) + 1, j + 1) for j in units])
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name="dead hinge" if is_dead else "hinge", opacity=0.55,
                                 meta={"hinges": "parts", "units": units.tolist()},
                                 line={"color": color, "width": 1.5}, customdata=which, showlegend=False,
                                 hovertemplate="hinge %{customdata}: %{y:.4g}<extra></extra>"), row=2, col=1)
        kinked = units[np.isfinite(d.kinks[units])]
        fig.add_trace(go.Scatter(x=d.kinks[kinked], y=np.zeros(len(kinked)), mode="markers", showlegend=False,
                                 marker={"color": color, "size": 7}, customdata=kinked + 1, hoverinfo="skip",
                                 meta={"hinges": "dots", "units": kinked.tolist()}),
                      row=2, col=1)
    _interval(fig, d, row="all", col=1)
    fig.update_xaxes(range=list(d.view))
    fig.update_xaxes(title_text="x", row=2, col=1)
    fig.update_yaxes(range=_y_range(target_y, d.total), row=1, col=1)
    # margins fixed (no automargin): the panels stay put while a hinge is dragged and the lower y-axis rescales
    fig.update_layout(height=height, margin={**MARGIN, "l": 60, "b": 50}, hovermode="closest", uirevision="build",
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0})
    return fig


def errors_figure(ks: np.ndarray, mse: np.ndarray, largest: np.ndarray, k: int, bound: np.ndarray | None,
                  height: int = 340) -> go.Figure:
    """The errors of k evenly placed hinges against k (log scales), the current k marked; dotted, the bound
    h² max|f''| / 8 on the largest error where the target has a second derivative."""
    fig = go.Figure()
    for values, name, color in ((largest, "largest error", PALETTE[1]), (mse, "mean squared error", PALETTE[0])):
        shown = np.where(values > 0, values, np.nan)  # exact fits (0) have no place on a log scale
        fig.add_trace(go.Scatter(x=ks, y=shown, mode="lines+markers", name=name, line={"color": color, "width": 2},
                                 marker={"size": 5}, hovertemplate=f"k = %{{x}}: {name} %{{y:.3g}}<extra></extra>"))
    if bound is not None:
        fig.add_trace(go.Scatter(x=ks, y=bound, mode="lines", name="bound h² max|f″| / 8",
                                 line={"color": PALETTE[1], "dash": "dot", "width": 1.5},
                                 hovertemplate="k = %{x}: bound %{y:.3g}<extra></extra>"))
    fig.add_vline(x=k, line={"color": PALETTE[7], "dash": "dash", "width": 1})
    fig.update_xaxes(type="log", title_text="k, hinges placed evenly", tickvals=[1, 2, 4, 8, 16, 32])
    fig.update_yaxes(type="log", exponentformat="power", title_text="error")
    fig.update_layout(title="Error of the evenly placed hinges against k", height=height, margin=MARGIN,
                      legend={"orientation": "h", "y": -0.3}, hovermode="closest")
    return fig


def training_figure(target_x: np.ndarray, target_y: np.ndarray, points: bool, frames: Sequence[Drawn],
                    epochs: Sequence[int], shown: int, height: int = 480) -> go.Figure:
    """The network during training at frame `shown`, and every frame kept for Plotly's Play button (which runs on
    from the frame shown): the target, g, and the kinks (dead ones vermillion) as gradient descent moves them."""
    def data(d: Drawn) -> list[go.Scatter]:
        return [total_trace(d), *kink_traces(d)]

    d = frames[shown]
    fig = go.Figure([target_trace(target_x, target_y, points), *data(d)])
    fig.frames = [go.Frame(data=data(f), traces=[1, 2, 3], name=str(e),
                           layout={"title": {"text": f"<b>Training, epoch {e}</b>"}}) for f, e in zip(frames, epochs)]
    _interval(fig, d)
    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    play = {**still, "frame": {"duration": 150, "redraw": False}, "fromcurrent": True}
    fig.update_layout(
        height=height, margin={**MARGIN, "t": 80, "b": 60}, hovermode="closest",
        title=f"Training, epoch {epochs[shown]}", legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0, "y": -0.1, "xanchor": "left",
                      "yanchor": "top", "showactive": False, "buttons": [
                          {"label": "▶ Play", "method": "animate", "args": [[str(e) for e in epochs[shown:]], play]},
                          {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]}]}])
    fig.update_xaxes(range=list(d.view), title_text="x")
    fig.update_yaxes(range=_y_range(target_y, np.concatenate([f.total for f in frames])))
    return fig


def sawtooth_figure(x: np.ndarray, curves: dict[int, np.ndarray], titles: dict[int, str],
                    height: int = 420) -> go.Figure:
    """The tent map composed L times for each L, one small panel each."""
    depths = list(curves)
    cols = 4
    rows = -(-len(depths) // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[titles[L] for L in depths], shared_yaxes=True,
                        vertical_spacing=0.16, horizontal_spacing=0.05)
    for i, L in enumerate(depths):
        fig.add_trace(go.Scatter(x=x, y=curves[L], mode="lines", line={"color": ALIVE, "width": 1.5}, showlegend=False,
                                 hovertemplate=f"L = {L}, x %{{x:.4g}}: %{{y:.4g}}<extra></extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_annotations(font={"size": 12})
    fig.update_xaxes(tickvals=[0, 1])
    fig.update_yaxes(tickvals=[0, 1], range=[-0.05, 1.1])
    fig.update_layout(height=height, margin={**MARGIN, "t": 40}, hovermode="closest")
    return fig


def attempt_figure(x: np.ndarray, y: np.ndarray, d: Drawn, title: str, height: int = 380) -> go.Figure:
    """The sawtooth, and a one-layer fit of it with its kinks."""
    fig = go.Figure([target_trace(x, y, False, "sawtooth"), total_trace(d, "best 10-unit fit found"),
                     *kink_traces(d)])
    _interval(fig, d)
    fig.update_xaxes(range=list(d.view), title_text="x")
    fig.update_yaxes(range=[-0.15, 1.15])
    fig.update_layout(title=title, height=height, margin=MARGIN, hovermode="closest",
                      legend={"orientation": "h", "y": -0.2})
    return fig
