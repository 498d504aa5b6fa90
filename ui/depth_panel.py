"""The depth panel: networks that are born dead, and how signals and gradients scale through depth."""

from __future__ import annotations

import numpy as np
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.depth import GRID, HOMOGENEOUS, born_dead_by_depth, max_trials, signal_propagation
from ui import depth_charts as charts
from ui import presenter
from ui.controls import URL, param_widget, shown_activation
from ui.state import DEPTH, View

SPEC = {p.name: p for p in DEPTH}
WIDTHS = (2, 3, 4, 5, 10)


@st.cache_data(max_entries=64, show_spinner=False)
def born_dead(max_layers: int, width: int, trials: int, seed: int, init: str, activation: str, params: tuple):
    return born_dead_by_depth(max_layers, width, trials, seed, init, activation, dict(params))


@st.cache_data(max_entries=64, show_spinner=False)
def propagation(activation: str, params: tuple, depth: int, width: int, init: str, std: float):
    return signal_propagation(activation, dict(params), depth, width, init, std, batch=width)


def render(view: View) -> None:
    born_dead_section(view)
    propagation_section(view)


def born_dead_section(view: View) -> None:
    st.subheader("Born dead")
    st.markdown(
        "A network can be dead before training starts: if some hidden layer outputs zero for every input, the "
        "network's output is constant and no gradient reaches the layers below. Here each network has 1 input, "
        "1 output and L hidden layers of N units, initialised at random; it is **born dead** when some layer has "
        "f' = 0 for every unit at every input in [-√7, √7], so its output is constant (Lu, Shin, Su and "
        "Karniadakis, *Dying ReLU and Initialization*, 2020).")
    left, middle, right = st.columns(3)
    with left:
        act = shown_activation(view, "depth.act", "Activation", SPEC["depth.act"].help)
        init = param_widget(SPEC["depth.init"], "depth.init", "Initialisation")
    with middle:
        max_layers = param_widget(SPEC["depth.layers"], "depth.layers", "Deepest network (layers)")
        trials = int(param_widget(SPEC["depth.trials"], "depth.trials", "Trials"))
    with right:
        seed = st.number_input("Seed", 0, int(SPEC["depth.seed"].high), 0, 1, key="depth.seed", bind=URL,
                               help=SPEC["depth.seed"].help)
    view.panels.update({"depth.act": act, "depth.init": init, "depth.layers": max_layers,
                        "depth.trials": str(trials), "depth.seed": seed})
    params = tuple(sorted(view.params.get(act, {}).items()))
    with st.spinner("Drawing random networks…"):
        by_width = {w: born_dead(max_layers, w, min(trials, max_trials(max_layers, w, init, act)), seed, init, act,
                                 params) for w in WIDTHS}
    exact = init == "he" and act in HOMOGENEOUS
    presenter.chart(charts.born_dead_figure(by_width, closed_form=act == "relu" and init == "he"))
    deepest = {w: float(e[-1]) for w, e in by_width.items()}
    st.caption(
        f"At {max_layers} layers: " + ", ".join(f"width {w}: {p:.1%}" for w, p in deepest.items()) + ". Error "
        "bars: 95% (±1.96 standard errors). "
        + ("With zero biases a ReLU network is positively homogeneous (h(x) = x·h(1) for x > 0), so checking "
           "x = -1 and x = 1 decides it exactly. " if exact else f"Checked on {GRID} inputs across the domain. ")
        + ("Dotted: the probability that some layer is all zero at one given input, 1 - (1 - 2^-N)^L; being "
           "dead on the whole domain is rarer, since both signs of x must die." if act == "relu" and init == "he"
           else ""))
    if max(deepest.values()) == 0 and act != "relu":
        st.info(f"{ACTIVATIONS[act].label}: no network was born dead. A layer dies only where f' = 0 for every "
                "unit at every input" + (": Leaky ReLU's slope is never 0, so it cannot happen."
                                        if "leaky" in act else "."))
    st.markdown(
        "**What it means.** Narrow, deep ReLU networks are often dead at birth: with 3 units per layer most "
        "networks of 10 or more layers are. Width saves them (each layer dies with probability about 2^-N), and "
        "so does a better initialisation: compare *rai*, the randomized asymmetric initialisation, with *he*.")


def propagation_section(view: View) -> None:
    st.subheader("Signal propagation")
    st.markdown(
        "Push a batch of inputs through a deep network at initialisation: He initialisation (variance 2/fan_in) "
        "keeps the size of ReLU signals steady through depth, Xavier's 1/fan_in halves it at every layer, and "
        "sigmoid and tanh gradients shrink towards the input layers (He et al. 2015; Glorot and Bengio 2010).")
    left, middle, right = st.columns(3)
    with left:
        sig_act = shown_activation(view, "depth.sig_act", "Activation ", SPEC["depth.sig_act"].help)
    with middle:
        depth = param_widget(SPEC["depth.sig_depth"], "depth.sig_depth", "Layers")
        width = param_widget(SPEC["depth.sig_width"], "depth.sig_width", "Width")
    with right:
        std = param_widget(SPEC["depth.sig_std"], "depth.sig_std", "Custom std (0: none)")
    view.panels.update({"depth.sig_act": sig_act, "depth.sig_depth": depth, "depth.sig_width": width,
                        "depth.sig_std": std})
    params = tuple(sorted(view.params.get(sig_act, {}).items()))
    runs = {"He": ("he", 1.0), "Xavier": ("xavier", 1.0)}
    if std > 0:
        runs[f"std {std:g}"] = ("custom", std)
    with st.spinner("Propagating…"):
        results = {label: propagation(sig_act, params, depth, width, init, s) for label, (init, s) in runs.items()}
    theory = None
    if sig_act == "relu":
        layers = np.arange(depth)
        theory = {"He": results["He"].second_moment[0] * np.ones(depth),
                  "Xavier": results["Xavier"].second_moment[0] * 0.5**layers}
    presenter.chart(charts.propagation_figure(results, theory))
    he, xavier = results["He"].second_moment, results["Xavier"].second_moment
    st.caption(f"Measured over 8 random networks of {depth} layers of {width} units. Signal from layer 1 to "
               f"layer {depth}: He ×{he[-1] / he[0]:.3g}, Xavier ×{xavier[-1] / xavier[0]:.3g}"
               + (f" (ReLU theory: ×1 and ×{0.5 ** (depth - 1):.3g})." if sig_act == "relu" else "."))
