"""Chart builders for the depth panel: pure functions from estimates to Plotly figures (no streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from relu_viz.depth import ByDepth, Propagation, single_input_closed_form
from ui.charts import PALETTE

MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}
AT_ONE_INPUT = "some layer dead at one input"
CLOSED_FORM = f"dotted, each width: {AT_ONE_INPUT}, 1 - (1 - 2^-N)^L"


def born_dead_figure(by_width: dict[int, ByDepth], closed_form: bool, height: int = 460) -> go.Figure:
    """Probability of being born dead against depth, one curve per width with 95% Wilson intervals; dotted (where
    depth.single_input_share is 1/2), the single-input closed form 1 - (1 - 2^-N)^L for every width."""
    fig = go.Figure()
    for i, (width, curve) in enumerate(by_width.items()):
        estimates = curve.dead
        depths = np.arange(1, len(estimates) + 1)
        p = np.array([float(e) for e in estimates])
        low, high = np.array([e.interval() for e in estimates]).T
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=depths, y=p, name=f"width {width} ({estimates[0].trials:,} trials)", mode="lines+markers",
            line={"color": color, "width": 2.5}, marker={"size": 5},
            error_y={"type": "data", "symmetric": False, "array": high - p, "arrayminus": p - low, "thickness": 1,
                     "width": 2, "color": color},
            hovertemplate=f"width {width}, %{{x}} layers: %{{y:.3f}}<extra></extra>"))
        if closed_form:  # one legend entry for the dotted lines of every width, each in its width's colour
            fig.add_trace(go.Scatter(
                x=depths, y=[single_input_closed_form(int(d), width) for d in depths],
                name=CLOSED_FORM, mode="lines", showlegend=i == 0,
                legendgroup="closed", line={"color": color, "dash": "dot", "width": 1.5},
                hovertemplate=f"width {width}: 1 - (1 - 2^-{width})^%{{x}} = %{{y:.3f}}<extra>{AT_ONE_INPUT}</extra>"))
    fig.update_xaxes(title_text="hidden layers L (Lu et al. count weight layers: L + 1)", rangemode="tozero")
    fig.update_yaxes(title_text="probability", range=[-0.02, 1.02])
    fig.update_layout(title="Probability that the network is born dead", height=height, margin=MARGIN,
                      hovermode="x unified", legend={"orientation": "h", "y": -0.2})
    return fig


def propagation_figure(results: dict[str, Propagation], theory: dict[str, np.ndarray] | None = None,
                       height: int = 420) -> go.Figure:
    """Mean square pre-activation and gradient norm against layer, on log scales, one line per initialisation;
    dotted, the ReLU theory lines."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Signal: mean square pre-activation",
                                                        "Gradient: RMS of dLoss/dW"), horizontal_spacing=0.1)
    for i, (label, prop) in enumerate(results.items()):
        color = PALETTE[i % len(PALETTE)]
        layers = np.arange(1, len(prop.second_moment) + 1)
        for col, values in ((1, prop.second_moment), (2, prop.gradient_norm)):
            shown = np.where(values > 0, values, np.nan)
            fig.add_trace(go.Scatter(x=layers, y=shown, name=label, legendgroup=label, showlegend=col == 1,
                                     line={"color": color, "width": 2.5},
                                     hovertemplate=f"{label}, layer %{{x}}: %{{y:.3g}}<extra></extra>"),
                          row=1, col=col)
        if theory and label in theory:
            fig.add_trace(go.Scatter(x=layers, y=theory[label], name=f"{label}: ReLU theory", legendgroup=label,
                                     line={"color": color, "dash": "dot", "width": 1.5},
                                     hovertemplate="theory: %{y:.3g}<extra></extra>"), row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", dtick=1)
    fig.update_xaxes(title_text="layer")
    fig.update_layout(height=height, margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return fig
