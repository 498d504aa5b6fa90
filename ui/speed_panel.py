"""The speed panel: f and f' of the shown activations timed on this server, relative to ReLU."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.timing import POINTS, time_activation
from ui import presenter
from ui.charts import PALETTE
from ui.state import View

BUDGET = 0.1  # seconds of repeats per function, after one warm-up call


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def measured(key: str, params: tuple) -> tuple[float, float]:
    return time_activation(ACTIVATIONS[key], dict(params), repeats=7, budget=BUDGET)


def figure(times: dict[str, tuple[float, float]]) -> go.Figure:
    """Grouped bars: f and f' of each activation, as multiples of ReLU's f."""
    relu_f = times["ReLU"][0]
    labels = list(times)
    fig = go.Figure()
    for i, name in enumerate(("f", "f′")):
        ratios = [times[label][i] / relu_f for label in labels]
        fig.add_trace(go.Bar(x=labels, y=ratios, name=name, marker_color=PALETTE[i],
                             text=[f"{r:.1f}×" for r in ratios], textposition="outside",
                             customdata=[times[label][i] * 1e3 for label in labels],
                             hovertemplate=f"%{{x}} {name}: %{{customdata:.2f}} ms (%{{y:.2f}}× ReLU's f)"
                                           "<extra></extra>"))
    fig.update_yaxes(title_text="time relative to ReLU's f", rangemode="tozero")
    fig.update_layout(barmode="group", height=420, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title=f"Time over {POINTS:,} float64 inputs (median of repeats)", legend={"orientation": "h"})
    return fig


def render(view: View) -> None:
    st.markdown("How long each shown activation and its derivative take over a million inputs, measured on the "
                "server showing this page, relative to ReLU. The derivative is computed as autograd does in a "
                "backward pass: from the output saved by the forward pass where PyTorch does that (ReLU: y > 0, "
                "sigmoid: y(1 − y), tanh: 1 − y²), from the input otherwise. This is the cost of the arithmetic; "
                "the classic claim that ReLU networks train faster is about convergence (Krizhevsky et al. 2012, "
                "Fig. 1: six times fewer epochs to 25% training error on CIFAR-10 than tanh, for one network).")
    _measurements({k: tuple(sorted(view.params.get(k, {}).items())) for k in dict.fromkeys(["relu", *view.acts])})


@st.fragment
def _measurements(shown: dict[str, tuple]) -> None:
    """Timings, chart and table: a fragment, so measuring again reruns only this part of the page."""
    if st.button("Measure again", key="speed.again"):
        measured.clear()
    with st.spinner("Timing…"):
        times = {ACTIVATIONS[k].label: measured(k, params) for k, params in shown.items()}
    presenter.chart(figure(times))
    rows = [{"activation": label, "f (ms)": f"{f * 1e3:.2f}", "f′ (ms)": f"{d * 1e3:.2f}",
             "f vs ReLU": f"{f / times['ReLU'][0]:.1f}×"} for label, (f, d) in times.items()]
    st.table(rows, hide_index=True)
    st.caption("What this shows: numpy on this server's CPU, one call over a 1e6-element array, median of up to 7 "
               "repeats (results kept for an hour). What it does not show: a GPU kernel, where an activation is "
               "usually fused with the layer before it and costs little beside the matrix multiply, nor the "
               "time of a whole network. The ratios vary between machines and from run to run.")
