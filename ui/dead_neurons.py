"""The dead-neuron panel: train a small network with the explorer's activation and watch its units die."""

from __future__ import annotations

import functools
import io
import itertools
import json
import threading
from dataclasses import asdict, replace

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx

from relu_viz import ACTIVATIONS, datasets
from relu_viz.datasets import DESCRIPTIONS, UPLOAD
from relu_viz.export import pytorch_script
from relu_viz.scenarios import SCENARIOS, SEEDS, Scenario, check, spread
from relu_viz.training import MAX_SEEDS, SATURATED, Run, TrainConfig, raw_data, train, train_seeds
from ui import lock, own_data, presenter, unit_inspector, visitor
from ui import training_charts as charts
from ui.controls import activation_select, set_parameters, shown_activation
from ui.run_store import SLOTS, RunStore, Training
from ui.state import LR_CHOICES, SIM, View, format_number
from ui.widgets import URL, number_box, param_widget

SPEC = {p.name: p for p in SIM}
CONTROLS = "sim.controls"  # the expander of the network and training controls: open or folded
STORED_RUNS = 16  # finished runs kept for every visitor, least recently used dropped first
LIVE_UPDATES = 10  # chart refreshes during one run
FOLLOW_POLL = 0.1  # seconds between looks at a run another visitor is training
PARTIAL, STOPPED, SWEEP = "sim.partial", "sim.stopped", "sim.sweep"
INTRO = (
    "A hidden unit is **dead** when its activation's derivative is exactly 0 on every training input: it passes "
    "no gradient back, so its incoming weights get no gradient (a ReLU whose input is negative everywhere). Under "
    "plain gradient descent a dead first-layer unit stays dead for good; a deeper unit can come back when the "
    "layers below it change, and momentum or Adam keep moving a unit for a while after it dies, with the steps they "
    "remember (a unit dead from the start got no gradient to remember, and stays dead). Train a small network "
    "below with the activation picked in the explorer, then try a scenario to see what causes dead units and what "
    "prevents them.")


def settings(config: TrainConfig) -> dict:
    """The panel's URL settings (sim.*) that reproduce a configuration."""
    keys = [key for key, _ in config.layer_activations()]
    uploaded = datasets.uploaded(config.dataset)
    out = {"sim.act": keys[-1], "sim.layer1": keys[0] if keys[0] != keys[-1] else "same",
           "sim.data": UPLOAD if uploaded else config.dataset, "sim.layers": len(config.hidden),
           "sim.width": config.hidden[0], "sim.lr": format_number(config.lr), "sim.epochs": config.epochs,
           "sim.samples": config.n_samples, "sim.init": config.init, "sim.std": config.init_std,
           "sim.bias": config.bias_init, "sim.seed": config.seed, "sim.opt": config.optimizer,
           "sim.batch": "full" if config.batch_size is None else str(config.batch_size)}
    if uploaded or config.dataset in datasets.FIXED:
        del out["sim.samples"]  # every row of a fixed dataset is used
    return out


@st.cache_resource
def run_store() -> RunStore:
    return RunStore(STORED_RUNS)


@st.cache_data(max_entries=16, show_spinner=False)
def story_check(key: str) -> tuple[int, str]:
    """In how many of the 20 seeds a scenario's story holds, and the sentence saying so (computed once, shared)."""
    with run_store().slots:
        result = check(SCENARIOS[key])
    return result.count, result.sentence()


@st.cache_data(max_entries=16, show_spinner=False)
def seed_sweep(config_json: str) -> charts.Sweep:
    """The configuration trained from seeds 0-19 at once, kept as the curves the spread chart needs."""
    with run_store().slot(visitor.check):  # (a visitor who closed the page neither waits nor trains: Left)
        return charts.Sweep.of(train_seeds(TrainConfig.from_json(config_json), SEEDS, visitor.check))


@st.cache_resource
def warm_up() -> threading.Thread:
    """Once per server, in the background: check every scenario's story and train its run, so a class that clicks
    a scenario finds both ready (about 11 s of one core in all, a slot at a time)."""
    thread = threading.Thread(target=warm, args=(run_store(),), name="relu-viz-warm-up", daemon=True)
    add_script_run_ctx(thread)
    thread.start()
    return thread


def warm(store: RunStore) -> None:
    """Every scenario's story checked and its run in `store` (unless there already or being trained)."""
    for key, scenario in SCENARIOS.items():
        story_check(key)
        run_key = scenario.config.canonical().to_json()
        if store.get(run_key) is None and store.start(run_key)[1]:
            store.compute(run_key, lambda config=scenario.config: train(config))


def _apply(scenario: Scenario) -> None:
    """Set every simulation widget to the scenario (defaults for what it does not name); show its activation, with
    the scenario's parameters (a Leaky ReLU slope moved in the explorer would make it another run)."""
    for name, value in settings(scenario.config).items():
        st.session_state[name] = value
    for key, params in scenario.config.canonical().layer_activations():
        set_parameters(key, params)
    act = ACTIVATIONS[scenario.config.activation]
    picked = st.session_state.setdefault(f"pick.{act.group}", [])
    if act.key not in picked:
        st.session_state[f"pick.{act.group}"] = [*picked, act.key]
    st.session_state.pop(STOPPED, None)
    st.session_state[CONTROLS] = False  # fold the controls: the story and the results come into view


def _controls(view: View) -> tuple[TrainConfig | None, str]:
    """Render the controls; return the configuration (None while the visitor's own data is missing or unusable)
    and the activation to compare with ("none" for none)."""
    left, middle, right = st.columns(3)
    with left:
        key = shown_activation(view, "sim.act", "Activation (from the explorer)", SPEC["sim.act"].help)
        first = activation_select("First hidden layer", ["same", *(view.acts or ["relu"])], "sim.layer1",
                                  SPEC["sim.layer1"].help)
        data = param_widget(SPEC["sim.data"], "sim.data", "Dataset")
        if data == UPLOAD:
            data = own_data.uploaded() or UPLOAD  # UPLOAD: no usable file yet
        else:
            st.caption(DESCRIPTIONS[data] + " (standardised before training)")
        layers = param_widget(SPEC["sim.layers"], "sim.layers", "Hidden layers")
        width = param_widget(SPEC["sim.width"], "sim.width", "Units per layer")
    with middle:
        lr = st.select_slider("Learning rate", LR_CHOICES, value=SPEC["sim.lr"].default, key="sim.lr", bind=URL,
                              help=SPEC["sim.lr"].help)
        epochs = param_widget(SPEC["sim.epochs"], "sim.epochs", "Epochs")
        rows = datasets.size(data) if data != UPLOAD else 0
        if rows is None:
            samples = param_widget(SPEC["sim.samples"], "sim.samples", "Samples")
        else:
            samples = rows
            if rows:
                st.caption(f"Samples: all {rows:,} rows of the data.")
        optimizer = param_widget(SPEC["sim.opt"], "sim.opt", "Optimizer")
    with right:
        init = param_widget(SPEC["sim.init"], "sim.init", "Weight init")
        std = param_widget(SPEC["sim.std"], "sim.std", "Custom std") if init == "custom" else SPEC["sim.std"].default
        bias = param_widget(SPEC["sim.bias"], "sim.bias", "Initial bias")
        batch = param_widget(SPEC["sim.batch"], "sim.batch", "Batch")
        seed = number_box(SPEC["sim.seed"], "Seed")
    compare = activation_select("Compare with", list(SPEC["sim.compare"].choices), "sim.compare",
                                SPEC["sim.compare"].help)
    activation, params = key, view.params.get(key, {})
    if first not in ("same", key):
        activation = (first,) + (key,) * (int(layers) - 1)
        params = (view.params.get(first, {}),) + (params,) * (int(layers) - 1)
    config = TrainConfig(activation=activation, params=params, hidden=(int(width),) * int(layers),
                         dataset=data, n_samples=int(samples), lr=float(lr), epochs=int(epochs), init=init,
                         bias_init=float(bias), seed=int(seed), optimizer=optimizer,
                         batch_size=None if batch == "full" else int(batch), init_std=float(std))
    view.panels.update({name: value for name, value in settings(config).items()
                        if name != "sim.std" or init == "custom"})
    # the widgets' own choices: with one hidden layer given its own activation, the config alone cannot tell them
    view.panels.update({"sim.act": key, "sim.layer1": first, "sim.compare": compare})
    return (None if data == UPLOAD else config), compare


def hinges_caption(run: Run) -> str:
    """What the hinge plot shows, and whether missing the data makes a unit dead for this first-layer activation:
    only if its f' is 0 on the whole side w·x + b <= 0 (ReLU, ReLU6), not for Leaky ReLU, ELU, sigmoid, tanh, ..."""
    key, params = run.config.layer_activations()[0]
    act = ACTIVATIONS[key]
    with np.errstate(all="ignore"):
        flat = not np.any(act.derivative(np.append(-np.logspace(-6, 6, 241), 0.0), **params))
    if key == "prelu":  # its slope is learned: the hinges are drawn with the network's last weights and slope
        start, end = float(run.prelu_weight[0][0]), float(run.prelu_weight[-1][0])
        verdict = (f"For {act.label}, f′ on the side w·x + b ≤ 0 is the layer's slope, learned with the weights: "
                   f"{start:.3g} at the start, {end:.3g} at the end. A unit whose active side misses the data is dead "
                   "only while that slope is exactly 0 (vermillion: f′ = 0 on every input), and comes back when the "
                   "slope moves" + (": at the end it is 0, so such units are dead." if end == 0 else
                                    "; at the end it is not 0, so missing the data does not make a unit dead."))
    elif flat:
        verdict = (f"For {act.label}, f′ is 0 wherever w·x + b ≤ 0, so a unit whose active side misses the whole "
                   "shaded data interval has f′ = 0 on every input: it is dead (vermillion) and gets no gradient; "
                   "under plain gradient descent a first-layer unit then stays dead.")
    else:
        verdict = (f"For {act.label}, f′ is not 0 on the whole side w·x + b ≤ 0, so a unit whose active side misses "
                   "the data is not dead for that: vermillion marks only a unit whose f′ is 0 on every input.")
    return ("Each triangle is a first-layer unit at its hinge x = -b/w, pointing to the side where w·x + b > 0; x is "
            f"the standardised input the network sees. {verdict} Click a triangle to inspect that unit below.")


EXPORT_CAPTION = (
    "The PyTorch script trains this network from the same data, initial weights and mini-batch order with "
    "torch.nn.functional, autograd and torch.optim, and prints the loss and dead share per epoch. Both train in "
    "float32 but sum in different orders, so the two runs drift apart. The tests find the loss within 2e-5 relative "
    "and the same dead shares at all 500 epochs of the Healthy setup in each of seeds 0-19, and for the first 200 "
    "epochs of the default run in every seed (some seeds pass 2e-5 later); a chaotic run such as Adam at learning "
    "rate 2 passes 2e-5 within 40 epochs.")

MAXOUT_FIRST_LAYER = (
    "Maxout units have k pieces each, each with its own weights, so a unit has no single hinge or boundary line to "
    "draw here; the inspector below shows, for any unit, on how many training inputs each piece is the maximum.")


def render(view: View) -> None:
    warm_up()
    st.markdown(INTRO)
    scenarios = lock.group("scenarios")
    scenarios.caption("Scenarios, one click each:")
    with scenarios.container(horizontal=True, key="sim.scenarios"):
        for scenario in SCENARIOS.values():
            st.button(scenario.title, key=f"sim.preset.{scenario.key}", on_click=_apply, args=(scenario,),
                      help=scenario.text)
    with lock.group("training").expander("Network and training", expanded=not presenter.is_on(), key=CONTROLS,
                                          on_change="rerun"):
        config, compare = _controls(view)
    if config is None:
        return
    try:
        config.validate()
    except ValueError as error:
        st.error(f"This configuration cannot run: {error}.")
        return
    chosen = next((s for s in SCENARIOS.values() if config.canonical() == s.config.canonical()), None)
    if chosen:
        _story(chosen)
    other = None
    if compare not in ("none", config.activation):
        other = replace(config, activation=compare, params=view.params.get(compare, {}))
    _results(config, other, view)
    _sweep(config)


def _story(scenario: Scenario) -> None:
    """The scenario's story and how often it holds."""
    with st.spinner("Checking this story over 20 seeds…"):
        _, sentence = story_check(scenario.key)
    st.info(f"**{scenario.title}.** {scenario.text}\n\n{sentence}")


def _results(config: TrainConfig, other: TrainConfig | None, view: View) -> None:
    """Training, live, and its charts. Not an st.fragment: a click inside a running fragment waits for it to end,
    so Stop could not interrupt the run, while a full rerun does."""
    run = _result(config)
    if run is None:
        return
    if other is None:
        _show(run, label(config), view)
        return
    left, right = st.columns(2)
    with left:
        _show(run, label(config), view, compact=True)
    with right:
        other_run = _result(other)
        if other_run is not None:
            _show(other_run, label(other), view, compact=True)


def label(config: TrainConfig) -> str:
    """The activations of a run's hidden layers, by name: "ReLU", or "Your formula, then ReLU"."""
    keys = [key for key, _ in config.layer_activations()]
    return ", then ".join(ACTIVATIONS[k].label for k in dict.fromkeys(keys))


def _result(config: TrainConfig) -> Run | None:
    """The run for `config`: from the store, or trained now with live charts. A stopped run is kept as it was."""
    key = config.canonical().to_json()
    stopped = st.session_state.get(STOPPED)
    if stopped is not None and stopped[0] == key:
        st.info(f"Training stopped at epoch {stopped[1].epochs_run}.")
        st.button("Train again", key="sim.again", on_click=lambda: st.session_state.pop(STOPPED, None))
        return stopped[1]
    store = run_store()
    run = store.get(key)
    if run is not None:
        return run
    status = st.empty()
    stop = st.empty()
    live_loss, live_dead = st.columns(2)
    loss_slot, dead_slot = live_loss.empty(), live_dead.empty()
    stop.button("Stop training", key=f"sim.stop.{abs(hash(key))}", on_click=_mark_stopped, args=(key,))

    draws = itertools.count()  # a follower who takes over draws the same epochs again: keys keep them apart

    def progress(partial: Run) -> None:
        st.session_state[PARTIAL] = (key, partial)
        status.progress(partial.epochs_run / config.epochs, text=f"Training: epoch {partial.epochs_run} of "
                                                                   f"{config.epochs}")
        n = next(draws)
        for slot, figure in ((loss_slot, charts.loss_figure), (dead_slot, charts.dead_figure)):
            presenter.chart(figure(partial), config={"displayModeBar": False}, where=slot,
                            key=f"sim.live.{abs(hash(key))}.{figure.__name__}.{n}")

    def queued() -> None:
        status.progress(0.0, text=f"Waiting for the server: {SLOTS} other trainings are running on it; this one "
                                  "starts when one of them ends.")

    while run is None:  # train it, or follow the visitor who is training it (and take over if they leave)
        training, mine = store.start(key)
        if mine:
            run = store.compute(key, functools.partial(_train_live, config, training, progress), queued)
        else:
            run = _follow(training, progress)
    for slot in (status, stop, loss_slot, dead_slot):
        slot.empty()
    st.session_state.pop(PARTIAL, None)
    return run


def _train_live(config: TrainConfig, training: Training, progress) -> Run:
    """Train `config`, drawing each partial state and handing it to the visitors who follow this run."""
    def share(partial: Run) -> None:
        training.partial = partial
        progress(partial)

    return train(config, progress=share, every=max(1, config.epochs // LIVE_UPDATES))


def _follow(training: Training, progress) -> Run | None:
    """Another visitor's run of the same configuration, drawn live as it goes; None if they gave up."""
    shown = None
    while not training.done.wait(FOLLOW_POLL):
        if training.partial is not shown:
            shown = training.partial
            progress(shown)
    return training.run


def _mark_stopped(key: str) -> None:
    partial = st.session_state.get(PARTIAL)
    if partial is not None and partial[0] == key:
        st.session_state[STOPPED] = (key, _as_stopped(partial[1]))


def _as_stopped(run: Run) -> Run:
    """A copy marked stopped: the partial run may be another visitor's run in progress."""
    return replace(run, status="stopped" if run.status == "ok" else run.status)


def _show(run: Run, label: str, view: View, compact: bool = False) -> None:
    """Everything recorded about one run."""
    if compact:
        st.subheader(label)
    if run.status == "diverged":
        why = (f"The learning rate ({run.config.lr:g}) is too high for this network: try a lower one."
               if run.epochs_run > 0 else "Its first loss, before any update, is already not finite: the "
               "activation's outputs overflow on this data (no learning rate helps; pick another activation).")
        st.error(f"The loss stopped being finite at epoch {run.epochs_run}: the run diverged and ended there. {why}")
    numbers = charts.summary(run)
    for column, (name, value) in zip(st.columns(len(numbers)), numbers.items()):
        column.metric(name, value)
    if compact:
        presenter.chart(charts.dead_figure(run, title=f"Dead units: {label}"))
        presenter.chart(charts.loss_figure(run, title=f"Loss: {label}"))
        if charts.prelu_layers(run):
            presenter.chart(charts.prelu_figure(run))
        return
    left, right = st.columns(2)
    presenter.chart(charts.loss_figure(run), where=left)
    presenter.chart(charts.dead_figure(run), where=right)
    st.caption(charts.dead_caption(run) + " " + sparsity_sentence(run))
    if charts.prelu_layers(run):
        presenter.chart(charts.prelu_figure(run))
        st.caption(charts.prelu_caption(run))
    maxout = charts.maxout_layers(run)[0]
    if run.X.shape[1] == 1:
        unit_inspector.pick_on_click(charts.fit_figure(run))
        st.caption(MAXOUT_FIRST_LAYER if maxout else hinges_caption(run))
    elif run.X.shape[1] == 2:
        presenter.chart(charts.surface_figure(run))
        if maxout:
            st.caption(MAXOUT_FIRST_LAYER)
        else:
            _units_in_plane(run, view)
    else:
        _digits(run)
    unit_inspector.pick_on_click(charts.activity_figure(run))
    st.caption(f"Each row is a hidden unit, each column an epoch; the colour is the share of training inputs on "
               f"which the unit's derivative is at least {SATURATED:g} in size, so it gets a usable gradient. A row "
               "is black while the unit is dead (f′ = 0 on every input) or saturated (a sigmoid unit in its flat "
               "tails for every input); it can turn colour again if the unit revives. Click the square left of a row "
               "(vermillion: dead at the end) to inspect that unit below.")
    unit_inspector.render(run, view)
    _downloads(run)


@st.fragment
def _units_in_plane(run: Run, view: View) -> None:
    """Every first-layer unit as its line in the input plane, at an epoch the visitor scrubs to (only this
    reruns; the epoch is in the share link)."""
    epoch = unit_inspector.shared_epoch(run, view, "sim.plane_epoch", "Epoch shown in the input plane",
                                        "sim.units.epoch",
                                        help="Scrub through training: watch units being pushed off the data.")
    unit_inspector.pick_on_click(charts.units_figure(run, epoch))
    st.caption("Each line is a first-layer unit's boundary w·x + b = 0 in the input plane the network sees "
               "(standardised); the short tick points to its active side, where w·x + b > 0. A ReLU unit whose "
               "active side holds no training point has f′ = 0 on every input: it is dead (vermillion) and gets no "
               "gradient. Lines outside the view are counted in the title. Click a line to inspect that unit below.")


def _digits(run: Run) -> None:
    """The digits: accuracy per class, and some training digits the network gets wrong."""
    left, right = st.columns(2)
    presenter.chart(charts.class_accuracy_figure(run), where=left)
    presenter.chart(charts.misclassified_figure(run), where=right)
    dead = [f"{int(mask.sum())} of {len(mask)} units in layer {i + 1}" for i, mask in enumerate(run.dead_masks())]
    st.caption(f"Dead at the end: {', '.join(dead)}; the network classifies {run.accuracy[-1]:.1%} of the training "
               "digits right. A first-layer unit is dead when its weighted sum of the 64 (standardised) pixels plus "
               "its bias gives f′ = 0 for every digit (for ReLU: ≤ 0): it sees no digit at all. The inspector below "
               "draws a first-layer unit's 64 weights as an 8 × 8 image.")


def sparsity_sentence(run: Run) -> str:
    """How many hidden outputs are exactly 0, at the start and at the end."""
    start, end = run.zero_fraction(at_start=True), run.zero_fraction()
    layers = ", ".join(f"layer {i + 1} {a:.0%} → {b:.0%}" for i, (a, b) in enumerate(zip(start, end)))
    return f"Exact zeros among the hidden outputs (sparsity), start → end: {layers}."


def _sweep(config: TrainConfig) -> None:
    """The same setup over seeds 0-19: the spread of the dead share, on request."""
    st.subheader("Over 20 seeds")
    key = config.canonical().to_json()
    try:
        config.validate(MAX_SEEDS)
    except ValueError as error:
        st.caption(f"Too large to train over {MAX_SEEDS} seeds at once here: {error}.")
        return
    if st.session_state.get(SWEEP) != key:
        st.caption("One run is one seed. Train the same setup from seeds 0 to 19 at once (vectorised, a few "
                   "seconds) to see how much the dead share varies.")
        st.button("Run over 20 seeds", key="sim.sweep.run", on_click=lambda: st.session_state.update({SWEEP: key}))
        return
    with st.spinner("Training 20 seeds…"):
        try:
            sweep = seed_sweep(key)
        except visitor.Left:
            st.stop()
    presenter.chart(charts.sweep_figure(sweep))
    finals = sweep.dead[:, -1]
    layers = ", ".join(f"layer {i + 1} {spread(finals[:, i])}" for i in range(finals.shape[1]))
    st.caption(f"Dead at the end over seeds 0-19: {layers}. Diverged: {sweep.diverged} of {len(SEEDS)}. Thin "
               "lines are single seeds, thick lines the median.")


def data_csv(config: TrainConfig) -> str:
    """The training data as drawn, before standardisation: x, y for a curve; x1, x2, label for a 2-D shape (x1 ...
    x64, label for the digits' pixels)."""
    data = raw_data(config)
    inputs = data.X.shape[1]
    names = "x,y" if data.task == "regression" else ",".join([f"x{i + 1}" for i in range(inputs)] + ["label"])
    text = io.StringIO()
    np.savetxt(text, np.column_stack([data.X, data.y]), delimiter=",", header=names, comments="", fmt="%.17g")
    return text.getvalue()


def history_csv(run: Run) -> str:
    """Per epoch: loss, accuracy, and the dead, saturated and negative share of each layer."""
    columns = {"epoch": np.arange(run.epochs_run + 1), "loss": run.loss}
    if run.accuracy is not None:
        columns["accuracy"] = run.accuracy
    for i in range(run.dead_fraction.shape[1]):
        columns[f"dead_layer{i + 1}"] = run.dead_fraction[:, i]
        columns[f"saturated_layer{i + 1}"] = run.saturated_fraction[:, i]
        columns[f"negative_layer{i + 1}"] = run.negative_fraction[:, i]
        if i in charts.prelu_layers(run):
            columns[f"prelu_weight_layer{i + 1}"] = run.prelu_weight[:, i]
    rows = [",".join(columns)] + [",".join(f"{c[i]:.6g}" for c in columns.values())
                                  for i in range(run.epochs_run + 1)]
    return "\n".join(rows) + "\n"


def final_json(run: Run) -> str:
    """The configuration, status, curves and the final dead units of each layer."""
    return json.dumps({
        "config": asdict(run.config), "status": run.status, "epochs_run": run.epochs_run,
        "loss": [None if not np.isfinite(v) else float(v) for v in run.loss],
        "dead_fraction": run.dead_fraction.tolist(),
        "prelu_weight": {f"layer{i + 1}": run.prelu_weight[:, i].tolist() for i in charts.prelu_layers(run)},
        "dead_units": [np.flatnonzero(mask).tolist() for mask in run.dead_masks()],
    }, indent=1)


def _downloads(run: Run) -> None:
    data, left, middle, right = st.columns(4)
    data.download_button("Download the data (CSV)", lambda: data_csv(run.config), file_name="relu-viz_data.csv",
                         mime="text/csv", on_click="ignore")
    left.download_button("Download the history (CSV)", lambda: history_csv(run), file_name="relu-viz_training.csv",
                         mime="text/csv", on_click="ignore")
    middle.download_button("Download the final state (JSON)", lambda: final_json(run),
                           file_name="relu-viz_training.json", mime="application/json", on_click="ignore")
    right.download_button("Reproduce in PyTorch (.py)", lambda: pytorch_script(run.config),
                          file_name="relu_viz_run.py", mime="text/x-python", on_click="ignore")
    st.caption(EXPORT_CAPTION)
