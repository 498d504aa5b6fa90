"""Chart builders for a training run: pure functions from a recorded Run to Plotly figures (no streamlit)."""

from __future__ import annotations

import functools
import math
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from relu_viz import ACTIVATIONS
from relu_viz.curves import near_zero_intervals
from relu_viz.training import SATURATED, Run, raw_data
from relu_viz.units import dead_spells, unit_at
from ui.charts import PALETTE

HEATMAP_COLUMNS = 200  # epochs shown in the activity heatmap, at most
DEAD, ALIVE = PALETTE[3], PALETTE[0]  # vermillion, blue
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
# black for exactly 0 (no usable gradient on any input), then viridis from its dark blue: a dead or saturated row
# stands out from a merely quiet one
ACTIVITY_COLOURS = [[0, "#000000"], [1e-9, "#3b528b"], [0.5, "#21918c"], [1, "#fde725"]]


_FIGURES: weakref.WeakKeyDictionary[Run, OrderedDict] = weakref.WeakKeyDictionary()
_FIGURES_LOCK = threading.Lock()
FIGURES_PER_RUN = 32  # kept per run, least recently used dropped: the views every visitor opens stay


def per_run(builder):
    """Build each figure of a run once: a finished run is shared by every visitor who asks for its configuration
    (ui/run_store.py) and never changes, so a class that clicks the same scenario gets the same figure objects.
    At most FIGURES_PER_RUN are kept per run (an epoch scrubbed to is a figure of its own), as long as the run is.
    Callers must not change the figure (presenter.chart styles a copy)."""
    @functools.wraps(builder)
    def cached(run: Run, *args, **kwargs) -> go.Figure:
        key = (builder.__name__, args, tuple(sorted(kwargs.items())))
        with _FIGURES_LOCK:
            figures = _FIGURES.setdefault(run, OrderedDict())
            if key in figures:
                figures.move_to_end(key)
                return figures[key]
        figure = builder(run, *args, **kwargs)
        with _FIGURES_LOCK:
            figures[key] = figure
            while len(figures) > FIGURES_PER_RUN:
                figures.popitem(last=False)
        return figure
    return cached


def _epochs(run: Run) -> np.ndarray:
    return np.arange(run.epochs_run + 1)


@per_run
def loss_figure(run: Run, title: str = "Loss", height: int = 300) -> go.Figure:
    """Training loss (log scale) over epochs, and accuracy for classification."""
    fig = make_subplots(specs=[[{"secondary_y": run.accuracy is not None}]])
    finite = np.where(np.isfinite(run.loss), run.loss, np.nan)
    fig.add_trace(go.Scatter(x=_epochs(run), y=finite, name="loss", line={"color": PALETTE[0], "width": 2},
                             hovertemplate="epoch %{x}: loss %{y:.4g}<extra></extra>"))
    if run.accuracy is not None:
        fig.add_trace(go.Scatter(x=_epochs(run), y=run.accuracy, name="accuracy",
                                 line={"color": PALETTE[1], "width": 2, "dash": "dash"},
                                 hovertemplate="epoch %{x}: accuracy %{y:.1%}<extra></extra>"), secondary_y=True)
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", dtick=0.25, secondary_y=True, title_text="accuracy")
    fig.update_yaxes(type="log", title_text="loss", secondary_y=False, **log_ticks(finite))
    fig.update_xaxes(title_text="epoch", range=[0, run.config.epochs])
    fig.update_layout(title=title, height=height, margin=MARGIN, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def log_ticks(values: np.ndarray, most: int = 6) -> dict:
    """Tick settings of a log axis over `values` with at most about `most` labels: 1, 2, 5 within two decades,
    powers of ten beyond, every k-th power over many decades (a diverged run spans 20 or more)."""
    positive = values[np.isfinite(values) & (values > 0)]
    decades = float(np.log10(positive.max() / positive.min())) if positive.size else 0.0
    if decades <= 2:
        return {"dtick": "D2", "tickformat": ".2g"}
    return {"dtick": max(1, math.ceil(decades / most)), "exponentformat": "power"}


def _layer_colour(i: int) -> str:
    return PALETTE[(i + 3) % len(PALETTE)] if i else DEAD


def maxout_layers(run: Run) -> list[bool]:
    """Which hidden layers are Maxout units (k learned pieces each, not a function of one pre-activation)."""
    return [key == "maxout" for key, _ in run.config.layer_activations()]


IDLE_PIECE = "with a piece idle on every input"  # Maxout's "negative": some piece is the maximum on no input


@per_run
def dead_figure(run: Run, title: str = "Dead units per layer", height: int = 300) -> go.Figure:
    """The share of dead units (f' = 0 on every input) per hidden layer; where they differ from it, saturated
    (|f'| < 1e-3 on every input) dotted and negative on every input dashed."""
    fig = go.Figure()
    for i, maxout in enumerate(maxout_layers(run)):
        color = _layer_colour(i)
        fig.add_trace(go.Scatter(x=_epochs(run), y=run.dead_fraction[:, i], name=f"layer {i + 1} dead",
                                 line={"color": color, "width": 2.5},
                                 hovertemplate=f"layer {i + 1}: %{{y:.0%}} dead<extra></extra>"))
        negative = IDLE_PIECE if maxout else "negative on every input"
        for values, name, dash in ((run.saturated_fraction, "saturated", "dot"),
                                   (run.negative_fraction, negative, "dash")):
            if np.any(values[:, i] != run.dead_fraction[:, i]):
                fig.add_trace(go.Scatter(x=_epochs(run), y=values[:, i], name=f"layer {i + 1} {name}",
                                         line={"color": color, "dash": dash},
                                         hovertemplate=f"layer {i + 1}: %{{y:.0%}} {name}<extra></extra>"))
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%", title_text="share of units")
    fig.update_xaxes(title_text="epoch", range=[0, run.config.epochs])
    fig.update_layout(title=title, height=height, margin=MARGIN, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.25})
    return fig


def prelu_layers(run: Run) -> list[int]:
    """The hidden layers (0-based) whose PReLU slope the run learned."""
    if run.prelu_weight is None:
        return []
    return [i for i in range(run.prelu_weight.shape[1]) if not np.isnan(run.prelu_weight[0, i])]


@per_run
def prelu_figure(run: Run, height: int = 260) -> go.Figure:
    """Each PReLU layer's learned negative slope after each epoch (nn.PReLU: one per layer), from the explorer's
    value at epoch 0."""
    fig = go.Figure()
    for i in prelu_layers(run):
        fig.add_trace(go.Scatter(x=_epochs(run), y=run.prelu_weight[:, i], name=f"layer {i + 1}",
                                 line={"color": _layer_colour(i), "width": 2.5},
                                 hovertemplate=f"layer {i + 1}: slope %{{y:.4g}}<extra></extra>"))
    fig.add_hline(y=0, line={"color": PALETTE[7], "dash": "dot"})
    fig.update_yaxes(title_text="negative slope")
    fig.update_xaxes(title_text="epoch", range=[0, run.config.epochs])
    fig.update_layout(title="PReLU's learned slope per layer", height=height, margin=MARGIN, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.3})
    return fig


def prelu_caption(run: Run) -> str:
    """Where each PReLU layer's slope started and ended."""
    moves = ", ".join(f"layer {i + 1} from {run.prelu_weight[0, i]:.3g} to {run.prelu_weight[-1, i]:.3g}"
                      for i in prelu_layers(run))
    return (f"PReLU's negative slope is learned with the weights, one per layer as nn.PReLU() has it, starting at "
            f"the explorer's value: {moves}. A PReLU unit is dead only while its layer's slope is exactly 0.")


@per_run
def activity_figure(run: Run, height: int | None = None) -> go.Figure:
    """Unit-by-epoch heatmap: the share of inputs on which each hidden unit's |f'| is at least SATURATED, so 0
    (black) is a unit with no usable gradient: dead (f' = 0) or saturated on every input."""
    columns = np.unique(np.linspace(0, run.epochs_run, min(HEATMAP_COLUMNS, run.epochs_run + 1)).round().astype(int))
    z = np.concatenate([a[columns].T for a in run.learning])  # units (all layers) x shown epochs
    labels = [f"L{i + 1} u{j + 1}" for i, a in enumerate(run.activity) for j in range(a.shape[1])]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=labels, zmin=0, zmax=1, colorscale=ACTIVITY_COLOURS,
        colorbar={"title": {"text": "learning on"}, "tickformat": ".0%"},
        hovertemplate=f"%{{y}}, epoch %{{x}}: |f′| ≥ {SATURATED:g} on %{{z:.0%}} of inputs<extra></extra>"))
    # a handle left of each row, to click (a heatmap cell cannot be selected): dead at the end in vermillion
    units = np.array([(i + 1, j + 1) for i, a in enumerate(run.activity) for j in range(a.shape[1])])
    dead = np.concatenate(run.dead_masks())
    fig.add_trace(go.Scatter(x=np.full(len(labels), -0.04 * max(run.epochs_run, 1) - 0.5), y=labels, mode="markers",
                             marker={"symbol": "square", "size": 7, "color": np.where(dead, DEAD, ALIVE)},
                             customdata=units, showlegend=False,
                             hovertemplate="%{y}: click to inspect this unit<extra></extra>"))
    boundary = 0
    for a in run.activity[:-1]:
        boundary += a.shape[1]
        fig.add_hline(y=boundary - 0.5, line={"color": "white", "width": 2})
    fig.update_yaxes(autorange="reversed", showticklabels=len(labels) <= 64)
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(title=f"Activity of every hidden unit (black: |f′| < {SATURATED:g} on every input, dead or "
                            "saturated)", margin=MARGIN,
                      height=height or min(900, 200 + 6 * len(labels)))
    return fig


@per_run
def fit_figure(run: Run, height: int = 380) -> go.Figure:
    """1-D data, the network's fit, and each first-layer unit's hinge x = -b/w with its active side: a unit whose
    active side misses every data point is dead (not drawn for Maxout units, which have k pieces)."""
    x_lo, x_hi = float(run.X.min()), float(run.X.max())
    span = x_hi - x_lo
    lo, hi = x_lo - 0.35 * span, x_hi + 0.35 * span
    grid = np.linspace(lo, hi, 400)[:, None]
    fig = go.Figure()
    fig.add_vrect(x0=x_lo, x1=x_hi, fillcolor=PALETTE[7], opacity=0.12, line_width=0, layer="below",
                  annotation_text="data", annotation_position="top left")
    fig.add_trace(go.Scatter(x=run.X[:, 0], y=run.y[:, 0], mode="markers", name="data",
                             marker={"color": PALETTE[7], "size": 5}, hoverinfo="skip"))
    prediction = run.predict(grid)[:, 0]
    fig.add_trace(go.Scatter(x=grid[:, 0], y=np.where(np.isfinite(prediction), prediction, np.nan), name="network",
                             line={"color": PALETTE[0], "width": 3}, hovertemplate="x %{x:.3g}: %{y:.3g}"
                             "<extra>network</extra>"))
    W, b = run.layers[0]
    dead = run.dead_masks()[0]
    y_lo = float(np.nanmin(run.y)) - 0.25 * max(1e-9, float(np.ptp(run.y)))
    with_hinges = not maxout_layers(run)[0]
    for is_dead, color, name in ((False, ALIVE, "hinge of a live unit"), (True, DEAD, "hinge of a dead unit")
                                 ) if with_hinges else ():
        for side, symbol in ((1, "triangle-right"), (-1, "triangle-left")):
            units = np.flatnonzero((dead == is_dead) & (np.sign(W[0]) == side))
            hinges = -b[units] / W[0, units]
            shown = np.clip(hinges, lo, hi)
            fig.add_trace(go.Scatter(
                x=shown, y=np.full(len(units), y_lo), mode="markers", name=name, legendgroup=name,
                showlegend=side == 1, marker={"symbol": symbol, "size": 11, "color": color},
                customdata=np.column_stack([np.ones(len(units)), units + 1, hinges]),
                hovertemplate="unit %{customdata[1]}: hinge at x = %{customdata[2]:.3g}, active to the "
                              + ("right" if side == 1 else "left") + "<extra></extra>"))
    y_hi = float(np.nanmax(run.y)) + 0.25 * max(1e-9, float(np.ptp(run.y)))
    fig.update_xaxes(range=[lo, hi], title_text="x")
    fig.update_yaxes(range=[y_lo - 0.1 * (y_hi - y_lo), y_hi])  # the data's scale, even when the fit runs off it
    title = "Fit and first-layer hinges (▶ active to the right, ◀ to the left)" if with_hinges else "Fit"
    fig.update_layout(title=title, height=height, margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig


@per_run
def surface_figure(run: Run, height: int = 420) -> go.Figure:
    """2-D data coloured by class over the network's predicted probability of class 1."""
    (x0, y0), (x1, y1) = run.X.min(axis=0) - 0.3, run.X.max(axis=0) + 0.3
    gx, gy = np.linspace(x0, x1, 80), np.linspace(y0, y1, 80)
    grid = np.column_stack([np.repeat(gx, len(gy)), np.tile(gy, len(gx))])
    p = run.predict(grid)[:, 0].reshape(len(gx), len(gy)).T
    fig = go.Figure(go.Contour(x=gx, y=gy, z=np.nan_to_num(p, nan=0.5), zmin=0, zmax=1, colorscale="RdBu",
                               opacity=0.75, contours={"start": 0, "end": 1, "size": 0.1},
                               colorbar={"title": {"text": "P(class 1)"}}, hoverinfo="skip"))
    for label, color, symbol in ((0, PALETTE[3], "circle"), (1, PALETTE[0], "diamond")):
        rows = run.y[:, 0] == label
        fig.add_trace(go.Scatter(x=run.X[rows, 0], y=run.X[rows, 1], mode="markers", name=f"class {label}",
                                 marker={"color": color, "symbol": symbol, "size": 6,
                                         "line": {"color": "white", "width": 0.5}}))
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    fig.update_layout(title="Decision surface", height=height, margin=MARGIN, legend={"orientation": "h", "y": -0.1})
    return fig


@per_run
def units_figure(run: Run, epoch: int, height: int = 460) -> go.Figure:
    """2-D data and each first-layer unit's boundary w·x + b = 0 at `epoch`, with a tick pointing to its active side
    (w·x + b > 0); dead units (f' = 0 on every input at that epoch) in vermillion, live ones in blue."""
    (x0, y0), (x1, y1) = run.X.min(axis=0) - 0.3, run.X.max(axis=0) + 0.3
    fig = go.Figure()
    for label, symbol in ((0, "circle"), (1, "diamond")):
        rows = run.y[:, 0] == label
        fig.add_trace(go.Scatter(x=run.X[rows, 0], y=run.X[rows, 1], mode="markers", name=f"class {label}",
                                 marker={"color": PALETTE[7], "symbol": symbol, "size": 5}, hoverinfo="skip"))
    W, b = (a.astype(np.float64) for a in run.hidden_layers_at(epoch)[0])
    dead = run.activity[0][epoch] == 0
    outside = 0
    for is_dead, color, name in ((False, ALIVE, "live unit"), (True, DEAD, "dead unit")):
        xs, ys, text, units = [], [], [], []
        for unit in np.flatnonzero(dead == is_dead):
            w = W[:, unit]
            ends = boundary_in_box(w, b[unit], (x0, x1), (y0, y1))
            if ends is None:
                outside += 1
                continue
            middle = ends.mean(axis=0)
            tick = middle + 0.06 * max(x1 - x0, y1 - y0) * w / np.linalg.norm(w)
            label = f"unit {unit + 1}: w = ({w[0]:.3g}, {w[1]:.3g}), b = {b[unit]:.3g}"
            xs += [*ends[:, 0], None, middle[0], tick[0], None]
            ys += [*ends[:, 1], None, middle[1], tick[1], None]
            text += [label] * 6
            units += [(1, unit + 1)] * 6
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=name, line={"color": color, "width": 1.5},
                                 marker={"size": 4, "color": color}, text=text, customdata=units,
                                 hovertemplate="%{text}<extra></extra>"))
    fig.update_xaxes(range=[x0, x1], title_text="x₁")
    fig.update_yaxes(range=[y0, y1], title_text="x₂", scaleanchor="x", scaleratio=1)
    away = f"<br><sup>{outside} units' lines lie outside this view</sup>" if outside else ""
    fig.update_layout(title=f"First-layer units at epoch {epoch}: {int(dead.sum())} of {len(dead)} dead{away}",
                      height=height, margin=MARGIN, legend={"orientation": "h", "y": -0.15})
    return fig


def boundary_in_box(w: np.ndarray, b: float, xs: tuple[float, float], ys: tuple[float, float]) -> np.ndarray | None:
    """The two ends of the segment of the line w·x + b = 0 inside the box xs x ys, or None if it misses it."""
    points = []
    for axis, (lo, hi), (other_lo, other_hi) in ((0, xs, ys), (1, ys, xs)):
        if w[1 - axis] == 0:
            continue
        for edge in (lo, hi):  # where the line meets the box's edges x = lo, x = hi (or y = ...)
            other = -(b + w[axis] * edge) / w[1 - axis]
            if other_lo <= other <= other_hi:
                points.append((edge, other) if axis == 0 else (other, edge))
    unique = np.unique(np.round(np.array(points), 12), axis=0) if points else np.empty((0, 2))
    if len(unique) < 2:
        return None
    return unique[[0, -1]]


def active_side_in_box(w: np.ndarray, b: float, xs: tuple[float, float], ys: tuple[float, float]) -> np.ndarray:
    """The corners of the part of the box xs x ys where w·x + b >= 0 (the box cut by one half-plane, corner by
    corner), in order around it; empty if the unit is negative on the whole box."""
    box = [(xs[0], ys[0]), (xs[1], ys[0]), (xs[1], ys[1]), (xs[0], ys[1])]
    corners = []
    for p, q in zip(box, box[1:] + box[:1]):
        vp, vq = w @ p + b, w @ q + b
        if vp >= 0:
            corners.append(p)
        if (vp >= 0) != (vq >= 0):  # the edge crosses the line: add the crossing
            t = vp / (vp - vq)
            corners.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return np.array(corners, float).reshape(-1, 2)


@per_run
def unit_plane_figure(run: Run, unit: int, epoch: int, height: int = 360) -> go.Figure:
    """2-D data: a first-layer unit's active side (w·x + b > 0) shaded over the training points, those it is active
    on filled: a dead ReLU unit's shade holds no point."""
    at = unit_at(run, 0, unit, epoch)
    (x0, y0), (x1, y1) = run.X.min(axis=0) - 0.3, run.X.max(axis=0) + 0.3
    side = active_side_in_box(at.weights, at.bias, (x0, x1), (y0, y1))
    fig = go.Figure()
    if len(side):
        fig.add_trace(go.Scatter(x=[*side[:, 0], side[0, 0]], y=[*side[:, 1], side[0, 1]], fill="toself",
                                 mode="lines", line={"width": 0}, fillcolor=ALIVE, opacity=0.15,
                                 name="positive side (w·x + b > 0)", hoverinfo="skip"))
    active = at.pre > 0
    for rows, name, symbol in ((active, "w·x + b > 0", "circle"), (~active, "w·x + b ≤ 0", "circle-open")):
        fig.add_trace(go.Scatter(x=run.X[rows, 0], y=run.X[rows, 1], mode="markers", name=f"{name}: {rows.sum()}",
                                 marker={"color": ALIVE if name.endswith("> 0") else PALETTE[7], "symbol": symbol,
                                         "size": 5}, hoverinfo="skip"))
    fig.update_xaxes(range=[x0, x1], title_text="x₁")
    fig.update_yaxes(range=[y0, y1], title_text="x₂", scaleanchor="x", scaleratio=1)
    fig.update_layout(title=f"{unit_name(run, 0, unit)}, epoch {epoch}: its positive side<br><sup>shaded: w·x + b > 0 "
                            "in the input plane; filled: the training points there</sup>", height=height,
                      margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig


@per_run
def pre_activation_figure(run: Run, layer: int, unit: int, epoch: int, height: int = 320) -> go.Figure:
    """A hidden unit's pre-activation w·h + b over the training inputs (at a kept epoch), with the zero line and
    where its activation's derivative is exactly 0 shaded: a dead ReLU is a histogram entirely in the shade. A
    Maxout unit: on how many inputs each of its pieces is the maximum (an idle piece gets no gradient)."""
    at = unit_at(run, layer, unit, epoch)
    if maxout_layers(run)[layer]:
        return _pieces_figure(run, at, height)
    key, params = run.config.layer_activations()[layer]
    name = "w·x + b" if layer == 0 else "w·h + b"
    span = max(float(np.ptp(at.pre)), 1e-3)
    lo, hi = min(float(at.pre.min()), 0.0) - 0.1 * span, max(float(at.pre.max()), 0.0) + 0.1 * span
    grid = np.linspace(lo, hi, 801)
    fig = go.Figure(go.Histogram(x=at.pre, nbinsx=40, marker={"color": ALIVE if at.active else DEAD},
                                 name="inputs", hovertemplate=name + " in %{x}: %{y} inputs<extra></extra>"))
    exactly_zero = np.nextafter(0.0, 1.0)  # |f'| below the smallest positive float: f' = 0
    if key == "prelu":  # the slope it had learned by then
        params = {"weight": float(np.clip(run.prelu_weight[epoch, layer], -1, 1))}
    for a, b in near_zero_intervals(grid, ACTIVATIONS[key].derivative(grid, **params), threshold=exactly_zero):
        fig.add_vrect(x0=a, x1=b, fillcolor=PALETTE[7], opacity=0.18, line_width=0, layer="below",
                      annotation_text="f′ = 0", annotation_position="top left")
    fig.add_vline(x=0, line={"color": PALETTE[7], "dash": "dot"})
    fig.update_xaxes(range=[lo, hi], title_text=f"pre-activation {name}")
    fig.update_yaxes(title_text="training inputs")
    fig.update_layout(title=f"{unit_name(run, layer, unit)}, epoch {at.epoch}: its input {name}<br><sup>one count per "
                            "training example; shaded: f′ = 0</sup>",
                      height=height, margin=MARGIN, showlegend=False, bargap=0.05)
    return fig


def _pieces_figure(run: Run, at, height: int) -> go.Figure:
    """A Maxout unit: a bar per piece, the training inputs on which it is the maximum (vermillion: on none)."""
    wins = at.wins()
    pieces = [f"piece {j + 1}" for j in range(len(wins))]
    fig = go.Figure(go.Bar(x=pieces, y=wins, marker={"color": [DEAD if w == 0 else ALIVE for w in wins]},
                           text=[str(w) for w in wins], textposition="outside",
                           hovertemplate="%{x}: the maximum on %{y} training inputs<extra></extra>"))
    fig.update_yaxes(title_text="training inputs", range=[0, 1.15 * len(at.pre)])
    fig.update_layout(title=f"{unit_name(run, at.layer, at.unit)}, epoch {at.epoch}: which piece is the maximum"
                            "<br><sup>only that piece's weights get a gradient from an input</sup>", height=height,
                      margin=MARGIN, showlegend=False)
    return fig


@per_run
def gradient_figure(run: Run, layer: int, unit: int, epoch: int, height: int = 320) -> go.Figure:
    """The size of the gradient a hidden unit's weights and bias received at each epoch, its dead stretches
    shaded, and the epoch shown."""
    fig = go.Figure(go.Scatter(x=_epochs(run), y=run.gradient[layer][:, unit], mode="lines", name="gradient",
                               line={"color": ALIVE, "width": 2}, hovertemplate="epoch %{x}: %{y:.3g}<extra></extra>"))
    for start, end in dead_spells(run.activity[layer][:, unit]):
        fig.add_vrect(x0=start - 0.5, x1=(run.epochs_run if end is None else end) - 0.5, fillcolor=DEAD,
                      opacity=0.2, line_width=0, layer="below", annotation_text="dead", annotation_position="top left")
    fig.add_vline(x=epoch, line={"color": PALETTE[7], "dash": "dot"})
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="|gradient| of w and b", rangemode="tozero")
    fig.update_layout(title=f"{unit_name(run, layer, unit)}: gradient received<br><sup>per epoch; 0 while dead "
                            "(shaded)</sup>",
                      height=height,
                      margin=MARGIN, showlegend=False)
    return fig


@per_run
def class_accuracy_figure(run: Run, height: int = 320) -> go.Figure:
    """Multiclass: a bar per class, the share of its training examples classified right at the end."""
    accuracy = run.class_accuracy()
    classes = [str(c) for c in range(len(accuracy))]
    fig = go.Figure(go.Bar(x=classes, y=accuracy, marker={"color": ALIVE}, text=[f"{a:.0%}" for a in accuracy],
                           textposition="outside", hovertemplate="digit %{x}: %{y:.1%} right<extra></extra>"))
    fig.update_xaxes(title_text="class (digit)", type="category")
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%", title_text="classified right")
    fig.update_layout(title="Accuracy per class (training digits)", height=height, margin=MARGIN)
    return fig


@per_run
def misclassified_figure(run: Run, most: int = 8, height: int = 320) -> go.Figure:
    """Up to `most` training digits the final network gets wrong, drawn from their 8 x 8 pixels (as drawn, 0-16),
    each titled with its true and predicted class."""
    pixels = raw_data(run.config).X
    true, predicted = run.classes()
    wrong = np.flatnonzero(true != predicted)[:most]
    if not len(wrong):
        fig = go.Figure()
        fig.update_layout(title="No training digit is misclassified", height=60, margin=MARGIN,
                          xaxis={"visible": False}, yaxis={"visible": False})
        return fig
    titles = [f"{true[i]} taken for {predicted[i]}" for i in wrong]
    cols = (most + 1) // 2  # two rows
    fig = make_subplots(rows=2, cols=cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.12)
    for k, i in enumerate(wrong):
        where = {"row": k // cols + 1, "col": k % cols + 1}
        fig.add_trace(go.Heatmap(z=pixels[i].reshape(8, 8), zmin=0, zmax=16, colorscale="gray_r", showscale=False,
                                 hovertemplate="pixel (%{x}, %{y}): %{z:g} of 16<extra></extra>"), **where)
        fig.update_yaxes(scaleanchor="x" if k == 0 else f"x{k + 1}", **where)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    fig.update_annotations(font={"size": 12})
    fig.update_layout(title=f"Misclassified training digits ({int(np.sum(true != predicted))} in all)",
                      height=height, margin={**MARGIN, "t": 70})
    return fig


@per_run
def weights_image_figure(run: Run, unit: int, epoch: int, height: int = 300) -> go.Figure:
    """The digits: a first-layer unit's 64 incoming weights at a kept epoch, drawn where their pixels are (8 x 8),
    red for positive, blue for negative, on a scale symmetric about 0."""
    W = run.hidden_layers_at(epoch)[0][0][:, unit].astype(np.float64)
    top = float(np.abs(W).max()) or 1.0
    fig = go.Figure(go.Heatmap(z=W.reshape(8, 8), zmin=-top, zmax=top, colorscale="RdBu_r",
                               colorbar={"title": {"text": "weight"}},
                               hovertemplate="pixel (%{x}, %{y}): weight %{z:.3g}<extra></extra>"))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_layout(title=f"{unit_name(run, 0, unit)}, epoch {epoch}: its 64 weights<br><sup>as an 8 × 8 image; "
                            "red: a bright pixel there pushes w·x + b up, blue: down</sup>", height=height,
                      margin=MARGIN)
    return fig


def unit_name(run: Run, layer: int, unit: int) -> str:
    """"Unit 5", or "Layer 2, unit 5" in a network of several hidden layers (1-based, as the page counts)."""
    return f"Unit {unit + 1}" if len(run.config.hidden) == 1 else f"Layer {layer + 1}, unit {unit + 1}"


def dead_caption(run: Run) -> str:
    """What the lines of the dead-unit chart mean, for the lines this run draws."""
    parts = ["Solid: dead, f' = 0 on every training input (no gradient reaches the unit's weights)."]
    if np.any(run.saturated_fraction != run.dead_fraction):
        parts.append("Dotted: saturated, |f'| < 0.001 on every input (a gradient, but a tiny one).")
    maxout = np.array(maxout_layers(run))
    differs = np.any(run.negative_fraction != run.dead_fraction, axis=0)
    if np.any(differs & ~maxout):
        parts.append("Dashed: pre-activation negative on every input; with a non-zero slope there (Leaky ReLU) the "
                     "unit is alive but learns only through that slope.")
    if maxout.any():
        parts.append("A Maxout unit's output is the largest of its k pieces, with derivative 1 on that piece, so "
                     "on every input the gradient reaching the unit passes on to one piece's weights: a Maxout unit "
                     "cannot be dead." +
                     (" Dashed (Maxout): units with a piece that is the maximum on no input, whose weights get no "
                      "gradient, as ReLU = max(0, z)'s piece z gets none in a unit negative on every input."
                      if np.any(differs & maxout) else ""))
    return " ".join(parts)


@dataclass(frozen=True)
class Sweep:
    """The dead share of one configuration trained from many seeds: (seeds, epochs + 1, layers), NaN after a
    seed diverged."""

    dead: np.ndarray
    diverged: int

    @classmethod
    def of(cls, runs: list[Run]) -> Sweep:
        epochs = max(len(r.loss) for r in runs)
        dead = np.full((len(runs), epochs, runs[0].dead_fraction.shape[1]), np.nan)
        for s, r in enumerate(runs):
            dead[s, :len(r.dead_fraction)] = r.dead_fraction
        return cls(dead, sum(r.status == "diverged" for r in runs))


def sweep_figure(sweep: Sweep, height: int = 320) -> go.Figure:
    """Every seed's dead share per layer, thin, and the median over seeds, thick."""
    fig = go.Figure()
    epochs = np.arange(sweep.dead.shape[1])
    for i in range(sweep.dead.shape[2]):
        color = _layer_colour(i)
        for s, curve in enumerate(sweep.dead[:, :, i]):
            fig.add_trace(go.Scatter(x=epochs, y=curve, mode="lines", line={"color": color, "width": 1},
                                     opacity=0.35, legendgroup=f"layer {i + 1}", showlegend=False,
                                     hovertemplate=f"seed {s}, layer {i + 1}: %{{y:.0%}} dead<extra></extra>"))
        with np.errstate(all="ignore"):
            median = np.nanmedian(sweep.dead[:, :, i], axis=0)
        fig.add_trace(go.Scatter(x=epochs, y=median, mode="lines", name=f"layer {i + 1}, median",
                                 legendgroup=f"layer {i + 1}", line={"color": color, "width": 3.5},
                                 hovertemplate=f"median, layer {i + 1}: %{{y:.0%}} dead<extra></extra>"))
    fig.update_yaxes(range=[-0.02, 1.02], tickformat=".0%", title_text="share of units dead")
    fig.update_xaxes(title_text="epoch")
    fig.update_layout(title="Dead units over seeds 0-19", height=height, margin=MARGIN,
                      legend={"orientation": "h", "y": -0.25})
    return fig


def summary(run: Run) -> dict[str, str]:
    """Headline numbers of a run, formatted."""
    last = run.epochs_run
    out = {"epochs": f"{last}", "loss": f"{run.loss[-1]:.3g}" if math.isfinite(run.loss[-1]) else "not finite"}
    if run.accuracy is not None:
        out["accuracy"] = f"{run.accuracy[-1]:.0%}"
    for i, frac in enumerate(run.dead_fraction[-1]):
        out[f"dead L{i + 1}"] = f"{frac:.0%}"
    return out
