"""The dead-neuron panel: train a small network with the explorer's activation and watch its units die."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import asdict

import numpy as np
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.datasets import DESCRIPTIONS
from relu_viz.training import Run, TrainConfig, train
from ui import presenter
from ui import training_charts as charts
from ui.controls import URL, param_widget, shown_activation
from ui.state import LR_CHOICES, SIM, View

SPEC = {p.name: p for p in SIM}
STORED_RUNS = 16  # finished runs kept for every visitor, least recently used dropped first
LIVE_UPDATES = 10  # chart refreshes during one run
PARTIAL, STOPPED = "sim.partial", "sim.stopped"

PRESETS = {
    "Healthy": (
        "ReLU on the moons, learning rate 0.3: it learns, and almost every unit stays alive.",
        {"sim.act": "relu", "sim.data": "moons", "sim.lr": "0.3", "sim.epochs": 500}),
    "Learning rate too high": (
        "The same network with learning rate 4: big updates push units to where they are negative on every input, "
        "and they never come back. CS231n warns that as much as 40% of a network can end up dead this way.",
        {"sim.act": "relu", "sim.data": "moons", "sim.lr": "4", "sim.epochs": 500}),
    "Bad bias init": (
        "Hidden biases start at -1.5: about half the first layer is switched off for every input from the start, "
        "so it never receives a gradient.",
        {"sim.act": "relu", "sim.data": "moons", "sim.lr": "0.3", "sim.bias": -1.5, "sim.epochs": 500}),
    "Leaky ReLU rescue": (
        "Learning rate 4 again, with Leaky ReLU (slope 0.01 for x < 0): f' is never 0, so no unit can die.",
        {"sim.act": "leaky_relu", "sim.data": "moons", "sim.lr": "4", "sim.epochs": 500}),
    "Sigmoid saturation": (
        "Sigmoid with large initial weights (std 3) on the sine, learning rate 0.3: training drives the units into "
        "the flat tails, where f' < 0.001 (dotted: saturated) and they learn almost nothing; some go so far that "
        "f' rounds to exactly 0 in float32 and they stop for good (solid: dead). The fit stays flat.",
        {"sim.act": "sigmoid", "sim.data": "sine", "sim.lr": "0.3", "sim.init": "custom", "sim.std": 3.0,
         "sim.epochs": 500}),
}


class RunStore:
    """Finished runs by configuration, shared by all visitors, bounded (least recently used dropped)."""

    def __init__(self, size: int):
        self.size, self.runs, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: str) -> Run | None:
        with self.lock:
            if key in self.runs:
                self.runs.move_to_end(key)
            return self.runs.get(key)

    def put(self, key: str, run: Run) -> None:
        with self.lock:
            self.runs[key] = run
            self.runs.move_to_end(key)
            while len(self.runs) > self.size:
                self.runs.popitem(last=False)


@st.cache_resource
def run_store() -> RunStore:
    return RunStore(STORED_RUNS)


def _apply_preset(settings: dict) -> None:
    """Set every simulation widget to the preset (defaults for what it does not name); show its activation."""
    for p in SIM:
        if p.name not in ("sim.compare",):
            st.session_state[p.name] = settings.get(p.name, p.default)
    act = ACTIVATIONS[settings["sim.act"]]
    picked = st.session_state.setdefault(f"pick.{act.group}", [])
    if act.key not in picked:
        st.session_state[f"pick.{act.group}"] = [*picked, act.key]
    st.session_state.pop(STOPPED, None)


def _controls(view: View) -> tuple[TrainConfig, str]:
    """Render the controls; return the configuration and the activation to compare with ("none" for none)."""
    left, middle, right = st.columns(3)
    with left:
        key = shown_activation(view, "sim.act", "Activation (from the explorer)", SPEC["sim.act"].help)
        data = param_widget(SPEC["sim.data"], "sim.data", "Dataset")
        st.caption(DESCRIPTIONS[data])
        layers = param_widget(SPEC["sim.layers"], "sim.layers", "Hidden layers")
        width = param_widget(SPEC["sim.width"], "sim.width", "Units per layer")
    with middle:
        lr = st.select_slider("Learning rate", LR_CHOICES, value=SPEC["sim.lr"].default, key="sim.lr", bind=URL,
                              help=SPEC["sim.lr"].help)
        epochs = param_widget(SPEC["sim.epochs"], "sim.epochs", "Epochs")
        samples = param_widget(SPEC["sim.samples"], "sim.samples", "Samples")
        optimizer = param_widget(SPEC["sim.opt"], "sim.opt", "Optimizer")
    with right:
        init = param_widget(SPEC["sim.init"], "sim.init", "Weight init")
        std = param_widget(SPEC["sim.std"], "sim.std", "Custom std") if init == "custom" else SPEC["sim.std"].default
        bias = param_widget(SPEC["sim.bias"], "sim.bias", "Initial bias")
        batch = param_widget(SPEC["sim.batch"], "sim.batch", "Batch")
        seed = st.number_input("Seed", 0, int(SPEC["sim.seed"].high), 0, 1, key="sim.seed", bind=URL,
                               help=SPEC["sim.seed"].help)
    compare = st.selectbox("Compare with", SPEC["sim.compare"].choices, key="sim.compare", bind=URL,
                           help=SPEC["sim.compare"].help)
    config = TrainConfig(activation=key, params=view.params.get(key, {}), hidden=(int(width),) * int(layers),
                         dataset=data, n_samples=int(samples), lr=float(lr), epochs=int(epochs), init=init,
                         bias_init=float(bias), seed=int(seed), optimizer=optimizer,
                         batch_size=None if batch == "full" else int(batch), init_std=float(std))
    view.panels.update({"sim.act": key, "sim.data": data, "sim.layers": layers, "sim.width": width, "sim.lr": lr,
                        "sim.epochs": epochs, "sim.samples": samples, "sim.opt": optimizer, "sim.init": init,
                        "sim.bias": bias, "sim.batch": batch, "sim.seed": seed, "sim.compare": compare,
                        **({"sim.std": std} if init == "custom" else {})})
    return config, compare


def render(view: View) -> None:
    st.markdown(
        "A hidden unit is **dead** when its activation's derivative is exactly 0 on every training input: it "
        "passes no gradient back, so its weights never change again (a ReLU whose input is negative everywhere). "
        "Train a small network below with the activation picked in the explorer and watch units die, then try a "
        "preset to see what causes it and what prevents it.")
    st.caption("Scenarios, one click each:")
    columns = st.columns(len(PRESETS))
    for column, (name, (text, settings)) in zip(columns, PRESETS.items()):
        column.button(name, key=f"sim.preset.{name}", on_click=_apply_preset, args=(settings,), help=text,
                      width="stretch")
    with st.expander("Network and training", expanded=not presenter.is_on()):
        config, compare = _controls(view)
    try:
        config.validate()
    except ValueError as error:
        st.error(f"This configuration cannot run: {error}.")
        return
    chosen = next((text for _, (text, s) in PRESETS.items() if _matches(view.panels, s)), None)
    if chosen:
        st.info(chosen)
    other = None
    if compare not in ("none", config.activation):
        other = TrainConfig(**{**asdict(config), "activation": compare, "params": view.params.get(compare, {})})
    _results(config, other)


def _results(config: TrainConfig, other: TrainConfig | None) -> None:
    """Training, live, and its charts. Not an st.fragment: a click inside a running fragment waits for it to end,
    so Stop could not interrupt the run, while a full rerun does."""
    run = _result(config)
    if run is None:
        return
    if other is None:
        _show(run, ACTIVATIONS[config.activation].label)
        return
    left, right = st.columns(2)
    with left:
        _show(run, ACTIVATIONS[config.activation].label, compact=True)
    with right:
        other_run = _result(other)
        if other_run is not None:
            _show(other_run, ACTIVATIONS[other.activation].label, compact=True)


def _matches(panels: dict, settings: dict) -> bool:
    return all(panels.get(name, SPEC[name].default) == settings.get(name, SPEC[name].default)
               for name in SPEC if name != "sim.compare")


def _result(config: TrainConfig) -> Run | None:
    """The run for `config`: from the store, or trained now with live charts. A stopped run is kept as it was."""
    key = repr(config)
    stopped = st.session_state.get(STOPPED)
    if stopped is not None and stopped[0] == key:
        st.info(f"Training stopped at epoch {stopped[1].epochs_run}.")
        st.button("Train again", key="sim.again", on_click=lambda: st.session_state.pop(STOPPED, None))
        return stopped[1]
    run = run_store().get(key)
    if run is not None:
        return run
    status = st.empty()
    stop = st.empty()
    live_loss, live_dead = st.columns(2)
    loss_slot, dead_slot = live_loss.empty(), live_dead.empty()
    stop.button("Stop training", key=f"sim.stop.{abs(hash(key))}", on_click=_mark_stopped, args=(key,))

    def progress(partial: Run) -> None:
        st.session_state[PARTIAL] = (key, partial)
        status.progress(partial.epochs_run / config.epochs, text=f"Training: epoch {partial.epochs_run} of "
                                                                   f"{config.epochs}")
        presenter.chart(charts.loss_figure(partial), config={"displayModeBar": False}, where=loss_slot)
        presenter.chart(charts.dead_figure(partial), config={"displayModeBar": False}, where=dead_slot)

    run = train(config, progress=progress, every=max(1, config.epochs // LIVE_UPDATES))
    for slot in (status, stop, loss_slot, dead_slot):
        slot.empty()
    run_store().put(key, run)
    st.session_state.pop(PARTIAL, None)
    return run


def _mark_stopped(key: str) -> None:
    partial = st.session_state.get(PARTIAL)
    if partial is not None and partial[0] == key:
        st.session_state[STOPPED] = (key, _as_stopped(partial[1]))


def _as_stopped(run: Run) -> Run:
    run.status = "stopped" if run.status == "ok" else run.status
    return run


def _show(run: Run, label: str, compact: bool = False) -> None:
    """Everything recorded about one run."""
    if compact:
        st.subheader(label)
    if run.status == "diverged":
        st.error(f"The loss stopped being finite at epoch {run.epochs_run}: the run diverged and ended there. "
                 f"The learning rate ({run.config.lr:g}) is too high for this network: try a lower one.")
    numbers = charts.summary(run)
    for column, (name, value) in zip(st.columns(len(numbers)), numbers.items()):
        column.metric(name, value)
    if compact:
        presenter.chart(charts.dead_figure(run, title=f"Dead units: {label}"))
        presenter.chart(charts.loss_figure(run, title=f"Loss: {label}"))
        return
    left, right = st.columns(2)
    presenter.chart(charts.loss_figure(run), where=left)
    presenter.chart(charts.dead_figure(run), where=right)
    if run.X.shape[1] == 1:
        presenter.chart(charts.fit_figure(run))
        st.caption("Each triangle is a first-layer unit at its hinge x = -b/w, pointing to the side where it is "
                   "active (w·x + b > 0). A unit whose active side misses the whole shaded data interval has "
                   "f' = 0 on every input: it is dead (vermillion) and gradient descent cannot move it back.")
    else:
        presenter.chart(charts.surface_figure(run))
    presenter.chart(charts.activity_figure(run))
    st.caption("Each row is a hidden unit, each column an epoch; the colour is the share of training inputs on "
               "which the unit's derivative is non-zero. A row that turns black has died at that epoch.")
    _downloads(run)


def history_csv(run: Run) -> str:
    """Per epoch: loss, accuracy, and the dead and saturated share of each layer."""
    columns = {"epoch": np.arange(run.epochs_run + 1), "loss": run.loss}
    if run.accuracy is not None:
        columns["accuracy"] = run.accuracy
    for i in range(run.dead_fraction.shape[1]):
        columns[f"dead_layer{i + 1}"] = run.dead_fraction[:, i]
        columns[f"saturated_layer{i + 1}"] = run.saturated_fraction[:, i]
    rows = [",".join(columns)] + [",".join(f"{c[i]:.6g}" for c in columns.values())
                                  for i in range(run.epochs_run + 1)]
    return "\n".join(rows) + "\n"


def final_json(run: Run) -> str:
    """The configuration, status, curves and the final dead units of each layer."""
    return json.dumps({
        "config": asdict(run.config), "status": run.status, "epochs_run": run.epochs_run,
        "loss": [None if not np.isfinite(v) else float(v) for v in run.loss],
        "dead_fraction": run.dead_fraction.tolist(),
        "dead_units": [np.flatnonzero(mask).tolist() for mask in run.dead_masks()],
    }, indent=1)


def _downloads(run: Run) -> None:
    left, right = st.columns(2)
    left.download_button("Download the history (CSV)", lambda: history_csv(run), file_name="relu-viz_training.csv",
                         mime="text/csv", on_click="ignore")
    right.download_button("Download the final state (JSON)", lambda: final_json(run),
                          file_name="relu-viz_training.json", mime="application/json", on_click="ignore")
