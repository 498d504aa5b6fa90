"""The speed panel: f and f' of the shown activations timed on this server, in turns, relative to ReLU."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.timing import WARM_UP, affordable_points, time_activations
from ui import presenter
from ui.charts import PALETTE
from ui.state import View

ROUNDS, BUDGET = 7, 1.0  # up to 7 rounds, stopping after a second of timed calls (never fewer than three rounds)

INTRO = (
    "Two claims are made for ReLU's speed. One is about arithmetic: a rectifier is cheap to compute, with no "
    "exponential (Glorot, Bordes and Bengio 2011). The other is about convergence: Krizhevsky et al. (2012, Fig. 1) "
    "report a four-layer convolutional network with ReLUs reaching 25% training error on CIFAR-10 in six times fewer "
    "epochs than the same network with tanh, adding that the size of the effect varies with the architecture. This "
    "tab measures the first, for this app's code on this server; no timing of a function can show the second.")
METHOD = (
    "Each shown activation's f and f′ over the same {points:,} float64 inputs, relative to ReLU's f. Every function "
    "goes through one harness: the app's own numpy or scipy code, the code training runs, with its parameters "
    "checked beforehand; f′ as autograd computes it in a backward pass, from the output saved by f for ReLU (y > 0), "
    "sigmoid (y(1 − y)) and tanh (1 − y²), from the input otherwise. Each function is called {warm} first "
    "(the first calls in a process pay for fresh memory), then all are timed in turns, once per round, so that a "
    "change in the machine's speed falls on all alike; the bars are the medians.")
CAVEATS = (
    "What this measures: this app's numpy and scipy code, one call over a float64 array of that many elements, on this "
    "server's CPU (kept for an hour). The code is written for exact values first (PyTorch's, checked against "
    "40-digit references); where we found a faster numpy form that gives the same numbers, it is used: Leaky ReLU as "
    "max(x, a·x), a multiplication and a maximum where ReLU needs only the maximum; Softshrink as x − clip(x, −λ, λ); "
    "Maxout one piece at a time. Sigmoid is scipy's expit, slower than numpy's tanh but exact in both tails (a "
    "sigmoid built from tanh rounds the far negative tail to 0), and GELU uses scipy's erfc, as numpy has no erf. "
    "What it does not measure: a GPU, where an elementwise activation is memory-bound (reading and writing each "
    "value costs more than the arithmetic on it) and eager PyTorch runs it as a kernel of its own after the matrix "
    "multiply, unless a compiler fuses the two; float32; or a whole network, whose time the matrix multiplies "
    "dominate. The ratios vary between machines and from run to run.")


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def measured(shown: tuple[tuple[str, tuple], ...]) -> tuple[int, dict[str, tuple[float, float]]]:
    """The inputs timed (a million, fewer if your formula costs more than Mish), and the seconds of f and f' of each
    shown activation (key, parameters), timed together in turns."""
    activations = {key: (ACTIVATIONS[key], dict(params)) for key, params in shown}
    points = affordable_points(activations)
    return points, time_activations(activations, points, rounds=ROUNDS, budget=BUDGET)


def figure(times: dict[str, tuple[float, float]], points: int) -> go.Figure:
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
                      title=f"Time over {points:,} float64 inputs (median of rounds)", legend={"orientation": "h"})
    return fig


def render(view: View) -> None:
    st.markdown(INTRO)
    _measurements(tuple((k, tuple(sorted(view.params.get(k, {}).items())))
                        for k in dict.fromkeys(["relu", *view.acts])))


@st.fragment
def _measurements(shown: tuple[tuple[str, tuple], ...]) -> None:
    """Timings, chart and table: a fragment, so measuring again reruns only this part of the page."""
    if st.button("Measure again", key="speed.again"):
        measured.clear()
    with st.spinner("Timing…"):
        points, seconds = measured(shown)
    st.markdown(METHOD.format(points=points, warm="twice" if WARM_UP == 2 else f"{WARM_UP} times"))
    times = {ACTIVATIONS[key].label: seconds[key] for key, _ in shown}
    presenter.chart(figure(times, points))
    rows = [{"activation": label, "f (ms)": f"{f * 1e3:.2f}", "f′ (ms)": f"{d * 1e3:.2f}",
             "f vs ReLU": f"{f / times['ReLU'][0]:.1f}×"} for label, (f, d) in times.items()]
    st.table(rows, hide_index=True)
    st.caption(CAVEATS)
