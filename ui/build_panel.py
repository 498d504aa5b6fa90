"""The Build panel: fit a curve with a sum of ReLU hinges by hand, by least squares, evenly or by training, and see
why depth helps (Telgarsky 2016). The numbers come from relu_viz.build; this view only lays them out."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from relu_viz import ACTIVATIONS, build
from relu_viz.build import Hinges
from relu_viz.formula import MAX_LENGTH
from relu_viz.text import inert
from relu_viz.training import TrainConfig
from relu_viz.upload import MAX_BYTES, MAX_ROWS
from ui import build_charts as charts
from ui import links, live_chart, lock, presenter, visitor
from ui.dead_neurons import run_store
from ui.links import set_query
from ui.own_data import LINK_NOTE, read_upload
from ui.state import BUILD, HINGE_LISTS, LR_CHOICES, MIN_WIDTH, View, format_number, placed_hinges, too_narrow
from ui.widgets import URL, number_box, param_widget

SPEC = {p.name: p for p in BUILD}
BASE, VERSION, LAST = "build.base", "build.version", "build.last"  # the hinge table's rows, editor, last written
VALID_FORMULA, READ = "build.formula.valid", "build.own.read"
FIT, FIT_SWITCH, EPOCH, POINTS = "build.fit", "build.fit.switch", "build.epoch.shown", "build.points"
REFUSED = "build.refused"  # why the last button could not do what it says, shown once
VIEW = "build.view"  # the hinge chart's x-range as last drawn: where a kink can be dragged to
ATTEMPT_DEPTH, ATTEMPT_UNITS = 5, 10  # the sawtooth a student tries to fit with one layer
INTRO = (
    "A network with one hidden layer of ReLUs and one input computes g(x) = c + Σ aⱼ·relu(wⱼ·x + bⱼ). Each unit is "
    "a **hinge**: flat on one side of its kink x = −b/w, a straight line on the other; the sum of k hinges is a "
    "broken line with at most k kinks, and every broken line on an interval is such a sum. Place the hinges to "
    "build the target (as in Nielsen's *visual proof that neural nets can compute any function*, with ReLUs, "
    "which draw any broken line exactly), let least squares or gradient descent place them, then see why a "
    "deeper network needs far fewer units for some curves.")


def render(view: View) -> None:
    st.markdown(INTRO)
    data = _target(view)
    if data is not None:
        x, y, f, points, key = data
        hinges = _hinges(view)
        _chart(view, hinges, x, y, points)
        _errors(view, hinges, x, y, f, key)
        _training(view, hinges, x, y, points)
    _depth()


# --- the target -----------------------------------------------------------------------------------------------------

def _target(view: View):
    """The target controls; (x, y, f, points, key): the data fitted, a function through it for even placement,
    whether it is points of your own, and the target's key. None, with a message, when there is nothing to fit."""
    where = lock.group("build", "target")
    left, middle, right = where.columns(3)
    with left:
        key = param_widget(SPEC["build.target"], "build.target", "Target")
    view.panels["build.target"] = key
    if key == "upload":
        with middle:
            return _uploaded()
    with middle:
        lo = number_box(SPEC["build.xmin"], "Interval from", bounds=f"≥ {SPEC['build.xmin'].low:g}")
    with right:
        hi = number_box(SPEC["build.xmax"], "to", bounds=f"≤ {SPEC['build.xmax'].high:g}")
    if too_narrow(lo, hi):
        st.error(f"The interval's left end must be at least {MIN_WIDTH:g} below its right end; showing "
                 f"[{SPEC['build.xmin'].default:g}, {SPEC['build.xmax'].default:g}].")
        lo, hi = SPEC["build.xmin"].default, SPEC["build.xmax"].default
    view.panels.update({"build.xmin": lo, "build.xmax": hi})
    if key == "formula":
        with where:
            f = _formula(view)
    elif key == "sawtooth":
        with left:
            depth = param_widget(SPEC["build.depth"], "build.depth", "Sawtooth: tent composed L times")
        view.panels["build.depth"] = depth
        f = build.target(key, depth, (lo, hi))
    else:
        f = build.target(key)
    try:
        x, y = build.sample(f, lo, hi)
    except ValueError as error:
        st.error(f"This target cannot be fitted on [{lo:g}, {hi:g}]: {error}. Pick another interval or formula.")
        return None
    return x, y, f, False, key


def _formula(view: View):
    """Your own target: a formula of x (the explorer's grammar and limits); a rejected one is named and the last
    that worked is fitted."""
    spec = SPEC["build.formula"]
    text = st.text_input("Your target: f(x) =", spec.default, max_chars=MAX_LENGTH, key="build.formula", bind=URL,
                         help=spec.help[0].upper() + spec.help[1:] + ". Press Enter to fit it.")
    try:
        spec.validate(text)
        st.session_state[VALID_FORMULA] = text
    except ValueError as error:
        text = st.session_state.get(VALID_FORMULA, spec.default)
        st.error(f"Not used: {str(error).removeprefix('build.formula: ')}.\n\nStill fitting the last formula that "
                 f"worked: `{text}`")
    view.panels["build.formula"] = text
    return functools.partial(ACTIVATIONS["custom"], formula=text)


def _curve(dataset) -> None:
    if dataset.X.shape[1] != 1:
        raise ValueError("it has three columns (x1, x2, label); the Build tab fits a curve: two columns, x and y")


def _uploaded():
    """Your points from a CSV file of x, y (relu_viz.upload); None with a message until there are some."""
    found = read_upload("Your points (a CSV file of x, y)", "build.own.file", READ,
                        f"Two columns, x and y, a header row optional; up to {MAX_ROWS:,} rows and "
                        f"{MAX_BYTES / 1e6:g} MB.",
                        f"Upload a CSV file with columns x, y: the hinges are fitted to its points. {LINK_NOTE}",
                        _curve)
    if found is None:
        return None
    name, dataset = found
    x, y = dataset.X[:, 0], dataset.y[:, 0]
    st.caption(f"{inert(name)}: {len(x):,} points, x from {x.min():.4g} to {x.max():.4g}.")
    return x, y, build.through(x, y), True, "upload"


# --- the hinges -----------------------------------------------------------------------------------------------------

def _lists() -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(st.session_state[name]) for name in HINGE_LISTS)


def _start_table(hinges: Hinges) -> None:
    """Make the lists of `hinges` the current ones and start a fresh table on them."""
    lists = tuple(tuple(map(float, getattr(hinges, name[-1]))) for name in HINGE_LISTS)
    st.session_state.update(dict(zip(HINGE_LISTS, lists)))
    st.session_state.update({BASE: lists, LAST: lists, VERSION: st.session_state.get(VERSION, 0) + 1})


def _outside(hinges: Hinges) -> str | None:
    """What of `hinges` a link cannot hold (beyond the ranges of build.w, build.b, build.a, build.c), or None."""
    for name, values in (*zip(HINGE_LISTS, (hinges.w, hinges.b, hinges.a)), ("build.c", [hinges.c])):
        spec = SPEC[name]
        for j, value in enumerate(values):
            if not spec.low <= value <= spec.high:
                which = name[-1] + ("" if name == "build.c" else f" of hinge {j + 1}")
                return f"{which} would be {value:.3g}, outside [{spec.low:g}, {spec.high:g}]"
    return None


def use(hinges: Hinges, action: str) -> None:
    """From a button: make `hinges` the current ones, k and c included (before the widgets are drawn); or, if a link
    could not hold them, keep the current ones and say why."""
    problem = _outside(hinges)
    if problem:
        st.session_state[REFUSED] = f"{action}: not done, {problem} (hinges almost on top of each other, or a very "
        "short interval, ask for huge weights)."
        return
    _start_table(hinges)
    st.session_state.update({"build.k": hinges.k, "build.c": float(hinges.c)})


def _current() -> Hinges:
    return Hinges(*_lists(), st.session_state.get("build.c", SPEC["build.c"].default))


def _interval() -> tuple[float, float]:
    return (st.session_state.get("build.xmin", SPEC["build.xmin"].default),
            st.session_state.get("build.xmax", SPEC["build.xmax"].default))


def _resize() -> None:
    use(build.resized(_current(), st.session_state["build.k"], *_interval()), "More hinges")


def _snap(x, y) -> None:
    hinges = _current()
    use(build.fit_output(hinges.w, hinges.b, x, y), "Snap the output weights")


def _even(f, lo: float, hi: float) -> None:
    k = st.session_state["build.k"]
    try:
        use(build.even(f, lo, hi, k), f"Place {k} hinges evenly")
    except ValueError as error:  # a formula finite on the target's points but not at one of these
        st.session_state[REFUSED] = f"{k} hinges cannot be placed evenly on this target: {error}."


def _hinges(view: View) -> Hinges:
    """The hinge table with k and c beside it; the hinges in use (the table's last valid state)."""
    k_spec = SPEC["build.k"]
    if "build.w" not in st.session_state:  # a visit's first run: the link's hinges, or its k placed afresh
        values = st.session_state[links.CHECKED].values
        st.session_state.update({**placed_hinges(values), **{n: values[n] for n in HINGE_LISTS if n in values}})
    k = st.session_state.get("build.k", st.session_state[links.CHECKED].values.get("build.k", k_spec.default))
    if _lists() != st.session_state.get(LAST) or len(st.session_state["build.w"]) != k:
        # set from outside the table (a link, a tour step), or not k of them: start a fresh table
        _start_table(build.resized(Hinges(*_lists()), k, *_interval()))
    table, side = lock.group("build", "hinges").columns([3, 2])
    with side:
        k = st.slider("Hinges k", int(k_spec.low), int(k_spec.high), int(k_spec.default), key="build.k", bind=URL,
                      on_change=_resize, help=k_spec.help + " New hinges start with a = 0.")
        c = number_box(SPEC["build.c"], "Output bias c", bounds=f"±{SPEC['build.c'].high:g}", format="%.6g")
    with table:
        hinges = _edited(c)
    view.panels.update({"build.k": hinges.k, "build.c": c})
    placed = placed_hinges(view.panels)
    for name, values in zip(HINGE_LISTS, _lists()):
        set_query(name, None if values == placed[name] else ",".join(format_number(v) for v in values))
        if values != placed[name]:
            view.panels[name] = values
    return hinges


def _edited(c: float) -> Hinges:
    """The table of hinges (kink, w, a per row); returns the hinges it holds, or the last valid ones with a
    warning naming what is wrong."""
    w, b, a = st.session_state[BASE]
    last = Hinges(*st.session_state[LAST], c)
    kinks = Hinges(w, b, a).kinks
    frame = pd.DataFrame({"kink x": np.where(np.isfinite(kinks), kinks, None), "w": w, "a": a},
                         index=pd.RangeIndex(1, len(w) + 1, name="hinge"))
    number = {"required": True, "format": "%.6g"}
    table = st.data_editor(
        frame, key=f"build.table.{st.session_state[VERSION]}", num_rows="fixed", width="stretch",
        column_config={
            "kink x": st.column_config.NumberColumn("kink x", help="Where the hinge bends: x = -b/w.", **number),
            "w": st.column_config.NumberColumn("w", help="The input weight: its sign is the side the hinge is "
                                               "active on (+ right, - left); with a it sets the slope there.",
                                               min_value=SPEC["build.w"].low, max_value=SPEC["build.w"].high,
                                               **number),
            "a": st.column_config.NumberColumn("a", help="The output weight: the change of slope at the kink is "
                                               "a·|w|.", min_value=SPEC["build.a"].low,
                                               max_value=SPEC["build.a"].high, **number)})
    try:
        if len(table) != len(w):  # (the table's rows are fixed; only a forged message adds or deletes one)
            raise ValueError(f"the table must keep its {len(w)} rows, one per hinge (change k to add or remove one)")
        hinges = _rows(table, last)
    except ValueError as error:
        st.warning(f"{error}; still drawing the last valid hinges.")
        return last
    st.session_state.update(dict(zip(HINGE_LISTS, (tuple(hinges.w), tuple(hinges.b), tuple(hinges.a)))))
    st.session_state[LAST] = _lists()
    return Hinges(*_lists(), c)


def _rows(table: pd.DataFrame, last: Hinges) -> Hinges:
    """The hinges of the table's rows: b = -w · kink (a hinge with w = 0 keeps its b); ValueError naming the first
    bad row."""
    w, b, a = [], [], []
    for row, (kink, weight, out) in enumerate(zip(table["kink x"], table["w"], table["a"])):
        kink, weight, out = (np.nan if v is None else float(v) for v in (kink, weight, out))
        where = f"Hinge {row + 1}"
        if not (np.isfinite(weight) and np.isfinite(out)):
            raise ValueError(f"{where}: w and a must be numbers")
        if weight == 0:
            if row >= last.k or last.w[row] != 0:
                raise ValueError(f"{where}: w must not be 0 (the hinge would be flat everywhere, with no kink)")
            bias = last.b[row]
        elif not np.isfinite(kink):
            raise ValueError(f"{where}: the kink must be a number")
        else:
            bias = -weight * kink
        for spec, value in ((SPEC["build.w"], weight), (SPEC["build.b"], bias), (SPEC["build.a"], out)):
            if not spec.low <= value <= spec.high:
                raise ValueError(f"{where}: {spec.name[-1]} = {value:g} is outside [{spec.low:g}, {spec.high:g}]")
        w.append(weight), b.append(bias + 0.0), a.append(out)
    return Hinges(w, b, a, last.c)


def _chart(view: View, hinges: Hinges, x, y, points: bool) -> None:
    """The target, g and the hinges, each hinge with handles to drag its kink and its slope change (none on a
    locked link): ui/hinge_drag.js in the live chart."""
    drawn = build.drawn(hinges, x)
    st.session_state[VIEW] = drawn.view
    a = SPEC["build.a"]
    handles = None if "build" in view.hide else {
        "w": hinges.w.tolist(), "b": hinges.b.tolist(), "a": hinges.a.tolist(), "c": hinges.c,
        "view": list(drawn.view), "a_range": [a.low, a.high]}
    live_chart.show(presenter.style(charts.hinges_figure(x, y, points, drawn)), [], key="build.chart",
                    on_release=released, filename="relu-viz_build", hinges=handles)


def released(values) -> None:
    """A hinge let go on the chart, {"hinge": index, "kink": x, "a": a} as the browser sent it: checked as a link's
    hinges are (numbers, within the table's ranges, a kink that moved within the chart's x-range), then made the
    current hinges; or, if anything is wrong, the hinges stay and a warning says why."""
    try:
        hinges = _dragged(values)
    except ValueError as error:
        st.session_state[REFUSED] = (f"The hinge dragged on the chart was not used: {error}. The hinges stay as "
                                     "they were.")
        return
    _start_table(hinges)


def _dragged(values) -> Hinges:
    """The current hinges with the dragged one moved; ValueError naming what is wrong with `values`."""
    if not isinstance(values, dict) or set(values) != {"hinge", "kink", "a"}:
        raise ValueError(f"expected a hinge, its kink and a, got {inert(values)}")
    if "build.w" not in st.session_state or VIEW not in st.session_state:
        raise ValueError("there are no hinges on the chart")
    hinges, j = _current(), values["hinge"]
    if not isinstance(j, int) or isinstance(j, bool) or not 0 <= j < hinges.k:
        raise ValueError(f"there is no hinge with index {inert(j)} (k = {hinges.k}: 0 to {hinges.k - 1})")
    number = {}
    for name in ("kink", "a"):
        value = values[name]
        try:
            if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(float(value)):
                raise OverflowError
        except OverflowError:
            raise ValueError(f"{name} must be a finite number, got {inert(value)}") from None
        number[name] = float(value)
    lo, hi = st.session_state[VIEW]
    if hinges.w[j] == 0:
        raise ValueError(f"hinge {j + 1} has w = 0: it has no kink to move")
    b, a = hinges.b.copy(), hinges.a.copy()
    if number["kink"] != hinges.kinks[j]:  # moved (a kink left where it was, even beyond the chart, stays)
        if not lo <= number["kink"] <= hi:
            raise ValueError(f"the kink of hinge {j + 1} would be at {number['kink']:.4g}, outside the chart's "
                             f"x-range [{lo:.4g}, {hi:.4g}]")
        b[j] = -hinges.w[j] * number["kink"] + 0.0
    a[j] = number["a"]
    moved = Hinges(hinges.w, b, a, hinges.c)
    problem = _outside(moved)
    if problem:
        raise ValueError(problem)
    return moved


@st.cache_data(max_entries=64, show_spinner=False)
def _even_errors(key: str, formula: str, depth: int, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    f = (functools.partial(ACTIVATIONS["custom"], formula=formula) if key == "formula"
         else build.target(key, depth, (lo, hi)))
    x, y = build.sample(f, lo, hi)
    return build.errors_by_k(f, lo, hi, x, y)


def _errors(view: View, hinges: Hinges, x, y, f, key: str) -> None:
    """The error now, the buttons that place hinges, and the error of evenly placed hinges against k."""
    mse, largest = hinges.errors(x, y)
    dead = int(hinges.dead(x).sum())
    inside = int(np.sum((hinges.kinks >= x.min()) & (hinges.kinks <= x.max())))
    numbers = {"Mean squared error": f"{mse:.4g}", "Largest error": f"{largest:.4g}",
               "Kinks on the interval": f"{inside} of {hinges.k}", "Dead hinges": str(dead)}
    for column, (name, value) in zip(st.columns(len(numbers)), numbers.items()):
        column.metric(name, value)
    lo, hi = float(x.min()), float(x.max())
    if key == "upload":
        errors = build.errors_by_k(f, lo, hi, x, y)
    else:
        errors = _even_errors(key, view.panels.get("build.formula", ""), view.panels.get("build.depth", 5), lo, hi)
    even_mse, even_largest = errors[0][hinges.k - 1], errors[1][hinges.k - 1]
    with lock.group("build", "place").container(horizontal=True):
        st.button("Snap the output weights", key="build.snap", on_click=_snap, args=(x, y), type="primary",
                  help="Keep every kink and w; set a and c to the exact least-squares fit (the best output layer "
                       "for these hinges).")
        st.button(f"Place {hinges.k} hinges evenly", key="build.even", on_click=_even, args=(f, lo, hi),
                  help=f"Kinks at {hinges.k} evenly spaced points; the sum is the broken line through "
                       f"{hinges.k + 1} points of the target.")
    if REFUSED in st.session_state:
        st.warning(st.session_state.pop(REFUSED))
    if np.isfinite(even_mse):
        verdict = ("At or below both: as good as evenly placed hinges, or better." if mse <= even_mse * (1 + 1e-9)
                   and largest <= even_largest * (1 + 1e-9) else "Can you get below that by moving the kinks?")
        goal = (f"To beat: {hinges.k} hinges placed evenly reach a mean squared error of {even_mse:.4g} and a "
                f"largest error of {even_largest:.4g}. {verdict}")
    else:
        goal = f"{hinges.k} hinges cannot be placed evenly here: the target is not finite at one of their points."
    st.caption(f"Measured on the {len(x):,} points of the target. {goal} Dead hinges (vermillion) are inactive on "
               "every point of the interval: they add nothing, and training gives them no gradient. Triangles point to "
               "the side where a hinge is active.")
    curvature = build.max_curvature(key, lo, hi)
    ks = np.arange(1, len(errors[0]) + 1)
    bound = None if curvature is None else np.array([build.interpolation_bound(curvature, lo, hi, k) for k in ks])
    with st.expander("Error against k, hinges placed evenly", expanded=False):
        presenter.chart(charts.errors_figure(ks, errors[0], errors[1], hinges.k, bound))
        if bound is not None:
            st.caption(f"Dotted: the interpolation bound h² max|f″| / 8 with h = (b − a)/k and max|f″| = "
                       f"{curvature:.4g} on this interval: the largest error of the broken line through k + 1 "
                       "evenly spaced points of a twice-differentiable curve never exceeds it, and it falls as "
                       "1/k².")


# --- training -------------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=16, show_spinner=False)
def _trained(config_json: str) -> build.Trained:
    """The run, trained once for every visitor, in one of the server's training slots (ui/run_store.py)."""
    with run_store().slot(visitor.check):  # (a visitor who closed the page does not wait: Left)
        return build.train(TrainConfig.from_json(config_json))


def _switch() -> None:
    st.session_state[FIT] = "true" if st.session_state[FIT_SWITCH] else "false"


def _keep(hinges: Hinges) -> None:
    use(hinges, "Keep the trained hinges")
    st.session_state[FIT] = "false"


def _training(view: View, hinges: Hinges, x, y, points: bool) -> None:
    st.subheader("Fit by training")
    where = lock.group("build", "training")
    left, middle, right = where.columns(3)
    with left:
        start = param_widget(SPEC["build.start"], "build.start", "Start from")
        seed = number_box(SPEC["build.seed"], "Seed") if start == "random" else SPEC["build.seed"].default
    with middle:
        optimizer = param_widget(SPEC["build.opt"], "build.opt", "Optimizer")
        lr = st.select_slider("Learning rate", LR_CHOICES, value=SPEC["build.lr"].default, key="build.lr", bind=URL,
                              help=SPEC["build.lr"].help)
    with right:
        epochs = param_widget(SPEC["build.epochs"], "build.epochs", "Epochs")
    view.panels.update({"build.start": start, "build.opt": optimizer, "build.lr": lr, "build.epochs": epochs,
                        **({"build.seed": seed} if start == "random" else {})})
    if FIT not in st.session_state:
        st.session_state[FIT] = st.session_state[links.CHECKED].values.get(FIT, "false")
    st.session_state[FIT_SWITCH] = st.session_state[FIT] == "true"
    where.toggle("Fit by training", key=FIT_SWITCH, on_change=_switch,
                 help="Train these hinges (or a random start) by gradient descent with relu_viz.training, the "
                      "dead-neuron panel's trainer, and replay it.")
    set_query(FIT, "true" if st.session_state[FIT] == "true" else None)
    view.panels[FIT] = st.session_state[FIT]
    if st.session_state[FIT] != "true":
        st.caption("Gradient descent moves the kinks and the output weights together. A hinge pushed off the "
                   "interval (all its points on its flat side) is dead: it gets no gradient, so plain gradient "
                   "descent leaves it there; momentum and Adam can still move it with the steps they remember.")
        return
    data = st.session_state[POINTS] = build.points(x, y)  # the server keeps the points while the session holds them
    config = build.training_config(data, hinges.k, hinges if start == "hinges" else None, lr=float(lr),
                                   epochs=int(epochs), optimizer=optimizer, seed=int(seed))
    allowed = build.epochs_allowed(config)
    if epochs > allowed:
        st.warning(f"Training {allowed} epochs, not {epochs}: the most that fit the time budget for "
                   f"{len(x):,} points and {hinges.k} hinges.")
        config = replace(config, epochs=allowed)
    try:
        config.validate()
    except ValueError as error:
        st.error(f"This training cannot run: {error}.")
        return
    with st.spinner("Training…"):
        try:
            trained = _trained(config.to_json())
        except visitor.Left:
            st.stop()
    _replay(view, trained, x, y, points)


def _replay(view: View, trained: build.Trained, x, y, points: bool) -> None:
    """The run as an animation (Play, or scrub the epoch), its loss, and what it ended with."""
    run, epochs = trained.run, list(trained.epochs)
    if run.status == "diverged":
        st.error(f"The loss stopped being finite at epoch {run.epochs_run}: the run diverged (shown up to its last "
                 "finite state). Try a lower learning rate.")
    if st.session_state.get(EPOCH) not in epochs:
        st.session_state[EPOCH] = epochs[-1]
    shown = int(st.select_slider("Epoch shown", epochs, key=EPOCH,
                                 help=f"One of the {len(epochs)} epochs kept across the run; Play on the chart "
                                      "runs on from it to the end."))
    frames = [build.drawn(h, x) for h in trained.frames]
    presenter.chart(charts.training_figure(x, y, points, frames, epochs, epochs.index(shown)), key="build.train")
    final = trained.frames[-1]
    mse, largest = final.errors(x, y)
    born, dead = (np.flatnonzero(h.dead(x)) + 1 for h in (trained.frames[0], final))
    st.caption(f"Epoch {epochs[-1]}: mean squared error {mse:.4g}, largest error {largest:.4g}; dead hinges at the "
               f"start: {_numbers(born)}; at the end: {_numbers(dead)}. A dead hinge (vermillion) has every point on "
               "its flat side and gets no gradient. Training runs in float32, as PyTorch does.")
    as_float32 = Hinges(*(np.array([float(str(np.float32(v))) for v in values]) for values in
                          (final.w, final.b, final.a)), float(str(np.float32(final.c))))
    if run.status != "diverged":
        lock.group("build", "keep").button("Keep the trained hinges", key="build.keep", on_click=_keep,
                                           args=(as_float32,),
                  help="Put the trained hinges in the table (and the link), to move them further by hand.")


def _numbers(hinges: np.ndarray) -> str:
    return ", ".join(map(str, hinges)) or "none"


# --- why depth helps ------------------------------------------------------------------------------------------------

@st.cache_data(max_entries=1, show_spinner=False)
def _sawtooths() -> tuple[np.ndarray, dict, list[dict]]:
    """The tent composed L times, drawn by its deep network, for L = 1 .. MAX_DEPTH; and per L its pieces (counted
    from the kinks) and the units of the deep and of a one-layer network."""
    x = np.linspace(0, 1, 2**(build.MAX_DEPTH + 2) + 1)  # every kink k / 2^L is one of these points
    curves, rows = {}, []
    for depth in range(1, build.MAX_DEPTH + 1):
        network = build.tent_network(depth)
        curves[depth] = build.forward(network, x)
        pieces = build.linear_pieces(x, curves[depth])
        rows.append({"L": depth, "pieces": pieces, "deep: units (layers)": f"{build.units(network)} ({depth})",
                     "one layer: units": pieces})
    return x, curves, rows


@st.cache_data(max_entries=1, show_spinner=False)
def _attempt() -> tuple[np.ndarray, np.ndarray, Hinges, tuple[float, float], tuple[float, float], float]:
    """The L = 5 sawtooth on its points, the best 10-unit one-layer fit found, its errors, the floor no 10-unit
    one-layer network can beat, and the deep network's largest error."""
    x, y = build.sample(build.target("sawtooth", ATTEMPT_DEPTH), 0.0, 1.0)
    best = build.best_found(x, y, ATTEMPT_UNITS)
    deep = float(np.max(np.abs(build.forward(build.tent_network(ATTEMPT_DEPTH), x) - y)))
    return x, y, best, best.errors(x, y), build.one_layer_floor(ATTEMPT_DEPTH, ATTEMPT_UNITS, x), deep


def _try_attempt() -> None:
    """The sawtooth across the interval set (the depth's default is ATTEMPT_DEPTH, so a link leaves it out: a widget
    not drawn before a button sets it keeps its value out of the address bar), 10 hinges placed evenly."""
    lo, hi = _interval()
    st.session_state.update({"build.target": "sawtooth", "build.depth": ATTEMPT_DEPTH})
    use(build.even(build.target("sawtooth", ATTEMPT_DEPTH, (lo, hi)), lo, hi, ATTEMPT_UNITS), "Try it")


def _depth() -> None:
    st.subheader("Why depth helps")
    x, curves, rows = _sawtooths()
    titles = {row["L"]: f"L = {row['L']}: {row['pieces']} pieces" for row in rows}
    st.markdown(
        "The **tent map** t(z) = 2·relu(z) − 4·relu(z − ½) is two ReLU units: up from 0 to 1 on [0, ½], down again "
        "on [½, 1]. Feed it its own output L times, a network of L hidden layers of 2 units, and each layer doubles "
        "the number of teeth: 2L units draw a sawtooth of 2^L pieces (Telgarsky 2016, *Benefits of depth in neural "
        "networks*). One hidden layer bends only where one of its units does, so it needs a unit at each of the "
        "2^L − 1 kinks and one more for the slope of the first piece: 2^L units.")
    left, right = st.columns([3, 2])
    presenter.chart(charts.sawtooth_figure(x, curves, titles), where=left)
    right.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    right.caption("Pieces counted from the kinks of each curve as its deep network computes it.")
    x5, y5, best, (mse, largest), (floor_mse, floor_largest), deep = _attempt()
    pieces = rows[ATTEMPT_DEPTH - 1]["pieces"]
    title = f"L = {ATTEMPT_DEPTH}: {pieces} pieces, and the best {ATTEMPT_UNITS}-unit one-layer fit found"
    presenter.chart(charts.attempt_figure(x5, y5, build.drawn(best, x5), title))
    st.markdown(
        f"**{ATTEMPT_UNITS} units, two ways.** In {ATTEMPT_DEPTH} layers of 2 they draw the L = {ATTEMPT_DEPTH} "
        f"sawtooth exactly (largest error {deep:.3g}). In one layer the best fit found (each kink tried at every "
        f"point, output weights by least squares, from 4 starts) misses by a mean squared error of {mse:.3g} and "
        f"a largest error of {largest:.3g}. No {ATTEMPT_UNITS}-unit one-layer network does better than a largest "
        f"error of {floor_largest:g} (the flat line y = ½ reaches it) or a mean squared error of {floor_mse:.3g}: "
        f"with at most {ATTEMPT_UNITS} kinks, at least {2 ** (ATTEMPT_DEPTH - 1) - ATTEMPT_UNITS} of the "
        f"{2 ** (ATTEMPT_DEPTH - 1)} teeth get one straight line each, and a line misses a tooth by ½ somewhere.")
    lock.group("build", "depth").button(
        f"Try it: the L = {ATTEMPT_DEPTH} sawtooth with {ATTEMPT_UNITS} hinges", key="build.try",
        on_click=_try_attempt, help="Loads the sawtooth and 10 evenly placed hinges into the builder at the top of "
                                    "this tab: move them, snap them, train them.")
