"""The depth panel: networks that are born dead, and how signals and gradients scale through depth."""

from __future__ import annotations

import numpy as np
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.depth import (
    GRID,
    NEARLY_CONSTANT,
    born_dead_by_depth,
    exact_inputs,
    max_trials,
    signal_propagation,
    single_input_share,
)
from ui import depth_charts as charts
from ui import lock, presenter
from ui.controls import shown_activation
from ui.explorer import failure, properties
from ui.state import DEPTH, View
from ui.widgets import number_box, param_widget

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
        "A network can be dead before training starts: if some hidden layer gives the same output for every "
        "input and has f' = 0 there, the network's output is constant and no gradient reaches the layers below it. "
        "Here each network has 1 input, 1 output and L hidden layers of N units, initialised at random; it is "
        "**born dead** when some layer's output is the same at every input in [-√7, √7] (for ReLU: the layer is all "
        "zero) (Lu, Shin, Su and Karniadakis, *Dying ReLU and Initialization*, Commun. Comput. Phys. 28, 2020).")
    left, middle, right = lock.group("depth", "born-dead").columns(3)
    with left:
        act = shown_activation(view, "depth.act", "Activation (born dead)", SPEC["depth.act"].help)
        init = param_widget(SPEC["depth.init"], "depth.init", "Initialisation")
    with middle:
        max_layers = param_widget(SPEC["depth.layers"], "depth.layers", "Deepest network (hidden layers)")
        trials = int(param_widget(SPEC["depth.trials"], "depth.trials", "Trials"))
    with right:
        seed = number_box(SPEC["depth.seed"], "Seed")
    view.panels.update({"depth.act": act, "depth.init": init, "depth.layers": max_layers,
                        "depth.trials": str(trials), "depth.seed": seed})
    params = tuple(sorted(view.params.get(act, {}).items()))
    try:
        with st.spinner("Drawing random networks…"):
            by_width = {w: born_dead(max_layers, w, min(trials, max_trials(max_layers, w, init, act, dict(params))),
                                     seed, init, act, params) for w in WIDTHS}
    except ValueError as error:  # your formula may be too costly for even one network at this depth
        st.error(f"Not estimated: {error}.")
        return
    share = dead_share(act, params, init)
    closed_form = share[0] == 0.5
    presenter.chart(charts.born_dead_figure(by_width, closed_form=closed_form))
    st.caption(born_dead_caption(by_width, max_layers, exact_inputs(init, act, dict(params)), closed_form))
    if all(float(c.dead[-1]) == 0 for c in by_width.values()):
        slope = dict(params).get("negative_slope")
        st.info(f"{ACTIVATIONS[act].label}: no network was born dead. A layer is constant only where every unit's "
                "output does not change with the input" + (f": with a negative slope of {slope:g}, Leaky ReLU's "
                                                             "f' is never 0, so it cannot happen." if slope else "."))
    st.markdown(born_dead_meaning(by_width, init, ACTIVATIONS[act].label, share))


def born_dead_caption(by_width: dict, max_layers: int, exact: bool, closed_form: bool) -> str:
    """What the chart shows at the deepest network, and how it was computed."""
    dead = ", ".join(f"width {w}: {float(c.dead[-1]):.1%}" for w, c in by_width.items())
    flat = ", ".join(f"width {w}: {float(c.nearly_constant[-1]):.1%}" for w, c in by_width.items())
    method = ("With zero biases and a positively homogeneous activation (f(a·x) = a·f(x) for a > 0, checked on "
              "the function itself), a layer's output is x·h(1) for x > 0 and |x|·h(-1) for x < 0, so the inputs "
              "-√7, 0 and √7 decide exactly. " if exact else f"Checked on {GRID} inputs across the domain. ")
    return (f"Born dead at {max_layers} hidden layers: {dead}. Born dead or nearly constant (some layer varies "
            f"by less than {NEARLY_CONSTANT:g} over the whole domain): {flat}. Error bars: 95% Wilson intervals. "
            + method + ("Dotted, for every width: the probability that some layer is dead at one given non-zero "
                        "input (f' = 0 at every unit), 1 - (1 - 2^-N)^L; being dead on the whole domain is rarer, "
                        "since both signs of x must die." if closed_form else ""))


def dead_share(act: str, params: tuple, init: str) -> tuple[float | None, str]:
    """depth.single_input_share for this activation's dead zone (None, and why, if its properties fail)."""
    try:
        zone = properties(act, params).dead_zone
    except Exception as error:  # noqa: BLE001 (your formula: the explorer says why)
        return None, f"its properties could not be derived ({failure(error)})"
    return single_input_share(init, zone)


def born_dead_meaning(by_width: dict, init: str, label: str, share: tuple[float | None, str]) -> str:
    """The lesson, with the numbers taken from this figure, and the 2^-N rule where it holds for this activation
    and initialisation (share: depth.single_input_share)."""
    value, why = share
    text = "**What it means.** Narrow, deep ReLU networks are often dead at birth. "
    if value == 0.5:
        text += (f"Width helps: with {label} and this initialisation {why}, so at one given non-zero input a layer "
                 "of N units whose layer below is alive is dead (f' = 0 at every unit) with probability 2^-N.")
    elif value == 0:
        text += f"With {label} it cannot happen at one input: {why}."
    else:
        text += (f"The 2^-N rule (a layer of N units dead at one input with probability 2^-N) does not hold for "
                 f"{label} here: {why}.")
    curve = by_width.get(3)
    if curve is not None and len(curve.dead) >= 10:
        text += f" Here, with 3 units per layer, {float(curve.dead[9]):.0%} of the networks of 10 hidden layers are."
    if init == "rai":
        saved = {w: float(c.nearly_constant[-1]) - float(c.dead[-1]) for w, c in by_width.items()}
        text += (" The randomized asymmetric initialisation (RAI) makes exact death rarer, but many of the "
                 "networks it saves are nearly constant at this depth: " + ", ".join(
                     f"width {w}: {v:.0%} of all networks" for w, v in saved.items()) + ".")
    else:
        text += " Compare the randomized asymmetric initialisation, *rai*, which Lu et al. designed against this."
    return text


def propagation_section(view: View) -> None:
    st.subheader("Signal propagation")
    st.markdown(
        "Push a batch of inputs through a deep network at initialisation, and a gradient back. For ReLU, He "
        "initialisation (variance 2/fan_in) keeps the mean square of the signal steady through depth, while "
        "Xavier's (2/(fan_in + fan_out), here 1/width) halves it at every layer (He et al. 2015; Glorot and Bengio "
        "2010). Other activations behave differently: the caption gives what was measured for the one picked.")
    left, middle, right = lock.group("depth", "signal").columns(3)
    with left:
        sig_act = shown_activation(view, "depth.sig_act", "Activation (signal propagation)",
                                   SPEC["depth.sig_act"].help)
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
    try:
        with st.spinner("Propagating…"):
            results = {label: propagation(sig_act, params, depth, width, init, s) for label, (init, s) in runs.items()}
    except ValueError as error:  # your formula may be too costly for one network of this size
        st.error(f"Not propagated: {error}.")
        return
    theory = None
    if sig_act == "relu":
        layers = np.arange(depth)
        theory = {"He": results["He"].second_moment[0] * np.ones(depth),
                  "Xavier": results["Xavier"].second_moment[0] * 0.5**layers}
    presenter.chart(charts.propagation_figure(results, theory))
    st.caption(propagation_caption(results, ACTIVATIONS[sig_act].label, depth, width, sig_act == "relu"))


def propagation_caption(results: dict, label: str, depth: int, width: int, relu: bool) -> str:
    """The measured change of the signal and of the gradient through depth, per initialisation."""
    signal = ", ".join(f"{name} ×{r.second_moment[-1] / r.second_moment[0]:.3g}" for name, r in results.items())
    parts = []
    for name, r in results.items():
        ratio = r.gradient_norm[0] / r.gradient_norm[-1]
        trend = "shrinks" if ratio < 0.5 else "grows" if ratio > 2 else "stays within a factor 2"
        parts.append(f"{name} ×{ratio:.3g} ({trend} towards the input)")
    networks = min(r.networks for r in results.values())
    return (f"{label}, measured over {networks} random network{'s' * (networks > 1)} of {depth} layers of {width} "
            "units. Signal from layer 1 to "
            f"layer {depth}: {signal}" + (f" (ReLU theory: ×1 and ×{0.5 ** (depth - 1):.3g})" if relu else "")
            + f". Gradient at layer 1 relative to layer {depth}: " + ", ".join(parts) + ".")
