"""Every setting that lives in the URL, in one table: it validates incoming links and writes share links.

Pure (no streamlit): the views bind widgets to these names with ``bind="query-params"``; this module checks a
link before the widgets read it, so a bad value falls back to its default with a notice instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from urllib.parse import urlencode

import numpy as np

from relu_viz import ACTIVATIONS, Param, build
from relu_viz.datasets import DATASETS, FIXED, UPLOAD
from relu_viz.depth import BORN_INITS
from relu_viz.formula import FormulaBusy
from relu_viz.text import inert
from relu_viz.training import INITS, MAX_EPOCHS, MAX_LAYERS, MAX_SAMPLES, MAX_UNITS, MIN_EPOCHS, OPTIMIZERS, OUTPUT_GAIN

X_LIMIT = 1000.0  # |x| bound of the plotted range and the probe
MIN_WIDTH = 0.01  # of a plotted range or a fitted interval (a range 5e-324 wide left the chart blank)
MAX_CURVES = 8  # activations drawn at once
DEFAULT_ACTS = ("relu",)
DEFAULT_XMIN, DEFAULT_XMAX = -10.0, 10.0  # the classic range(-10, 11)
DEFAULT_PROBE = 0.0


@dataclass
class View:
    """What the explorer shows: the picked activations with their parameters, and the plotting options."""

    acts: list[str] = field(default_factory=lambda: list(DEFAULT_ACTS))
    params: dict[str, dict] = field(  # key -> {param name: value}, complete
        default_factory=lambda: {key: ACTIVATIONS[key].defaults for key in DEFAULT_ACTS})
    xmin: float = DEFAULT_XMIN
    xmax: float = DEFAULT_XMAX
    ints: bool = False  # draw the integer sample points
    probe: float = DEFAULT_PROBE
    panels: dict[str, object] = field(default_factory=dict)  # the other panels' URL settings (sim.*, tab), by name
    hide: tuple[str, ...] = ()  # control groups a teacher's link hides (LOCKABLE keys, in their order)


def format_number(v: float) -> str:
    """Shortest text that reads back as the same float (1.0 -> "1", 0.1 -> "0.1"); -0.0 is written "0"."""
    text = repr(float(v) + 0.0)
    return text[:-2] if text.endswith(".0") else text


def too_narrow(low: float, high: float) -> bool:
    """Whether [low, high] is no range to plot or fit: reversed, or narrower than MIN_WIDTH (as typed: 1000 -
    999.99 is 0.00999999999999 in floating point, and wide enough)."""
    return not high - low >= MIN_WIDTH - 1e-9


def _flag(raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return raw.lower() == "true"


def _parse(p: Param, raw: str):
    """A URL value read as parameter `p`; ValueError if it is not one of p's allowed values."""
    if p.kind == "pieces":
        value = tuple(float(v) for v in raw.split(","))
    elif p.kind == "number":
        value = float(raw)
    else:
        value = raw
    return p.validate(value)


def _text(p: Param, value) -> str:
    if p.kind == "pieces":
        return ",".join(format_number(v) for v in value)
    return value if p.kind in ("choice", "text") else format_number(value)


TABS = ("Explorer", "Dead neurons", "Depth", "Build", "Speed")
LR_CHOICES = ("0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.05", "0.1", "0.3", "1", "2", "4", "10")
BATCH_CHOICES = ("full", "16", "32", "64", "128")
# The dead-neuron panel's settings (sliders and URL alike come from these specs); defaults are the training
# contract's: 1-32-32-1 ReLU on the sine, lr 0.05, 300 epochs, He init, zero biases, seed 0.
SIM = (
    Param("sim.act", "relu", choices=tuple(ACTIVATIONS), help="The activation of every hidden layer (but the "
          "first, if it gets its own below), with the parameters set in the explorer. Inputs are standardised "
          "(zero mean, unit variance)."),
    Param("sim.layer1", "same", choices=("same", *ACTIVATIONS), help="Another activation for the first hidden "
          "layer only (your own formula in one layer, say), the others keeping the one above."),
    Param("sim.compare", "none", choices=("none", *ACTIVATIONS), help="Train the same network, data and seed "
          "with a second activation, side by side."),
    Param("sim.data", "sine", choices=DATASETS + FIXED + (UPLOAD,), help="1-D regression (sine, abs, step), 2-D "
          "classification (moons, circles, xor, spiral), the handwritten digits (64 inputs, 10 classes), or your "
          "own CSV file (upload)."),
    Param("sim.layers", 2, 1, MAX_LAYERS, 1, "Number of hidden layers.", integer=True),
    Param("sim.width", 32, 1, MAX_UNITS, 1, "Units in each hidden layer.", integer=True),
    Param("sim.lr", "0.05", choices=LR_CHOICES, help="Step size of gradient descent (log scale)."),
    Param("sim.epochs", 300, MIN_EPOCHS, MAX_EPOCHS, 10, "Passes over the data.", integer=True),
    Param("sim.samples", 256, 32, MAX_SAMPLES, 32, "Training points.", integer=True),
    Param("sim.init", "he", choices=INITS, help="Hidden-layer weights. he (He et al. 2015): N(0, 2/fan_in); xavier: "
          "N(0, 2/(fan_in + fan_out)), PyTorch's xavier_normal_, the normal with the variance of Glorot and Bengio's "
          "(2010) uniform U(±√(6/(fan_in + fan_out))); lecun: N(0, 1/fan_in); uniform: PyTorch's "
          "nn.Linear default, U(±1/√fan_in) for weights and biases; custom: N(0, std²). The output layer always "

          f"starts small, N(0, {OUTPUT_GAIN ** 2:g}/fan_in)."),
    Param("sim.std", 1.0, 0.01, 10.0, 0.01, "Standard deviation of the weights for the custom init."),
    Param("sim.bias", 0.0, -5.0, 5.0, 0.1, "Initial value of every hidden bias (a negative value starts some "
          "units switched off: those whose input is then negative on every example); added to PyTorch's random bias "
          "for the uniform init."),
    Param("sim.seed", 0, 0, 9999, 1, "Seed of the data, the weights and the batches.", integer=True),
    Param("sim.opt", "gd", choices=OPTIMIZERS, help="gd: plain gradient descent; momentum 0.9; Adam."),
    Param("sim.batch", "full", choices=BATCH_CHOICES, help="Examples per update: full batch, or mini-batches."),
)
TRIAL_CHOICES = ("1000", "2000", "4000", "10000")
# The depth panel's settings.
DEPTH = (
    Param("depth.act", "relu", choices=tuple(ACTIVATIONS), help="The activation of every layer (shown in the "
          "explorer)."),
    Param("depth.layers", 25, 1, 50, 1, "The deepest network: every depth from 1 to this is estimated.",
          integer=True),
    Param("depth.trials", "4000", choices=TRIAL_CHOICES, help="Random networks per width and depth (fewer where "
          "a grid of inputs is needed, to bound the time)."),
    Param("depth.init", "he", choices=BORN_INITS, help="he: N(0, 2/fan_in) weights, zero biases; he_bias: biases "
          "N(0, 2/fan_in) too; rai: the randomized asymmetric initialisation of Lu et al. 2020."),
    Param("depth.seed", 0, 0, 9999, 1, "Seed of the random networks.", integer=True),
    Param("depth.sig_act", "relu", choices=tuple(ACTIVATIONS), help="The activation of every layer."),
    Param("depth.sig_depth", 30, 2, 60, 1, "Number of layers.", integer=True),
    Param("depth.sig_width", 256, 16, 256, 16, "Units per layer (and inputs per batch).", integer=True),
    Param("depth.sig_std", 0.0, 0.0, 0.3, 0.005, "A third initialisation N(0, std²) to compare; 0: none."),
)
# The unit inspector's choice and the input plane's epoch (0, or -1 for an epoch: their own start, the first unit
# dead at the end, at the last epoch); checked against the run when it is shown (ui/unit_inspector.py).
INSPECT = (
    Param("sim.unit_layer", 0, 0, MAX_LAYERS, 1, "Hidden layer of the unit inspected (0: the inspector's choice).",
          integer=True),
    Param("sim.unit", 0, 0, MAX_UNITS, 1, "The unit inspected, from 1 (0: the inspector's choice).", integer=True),
    Param("sim.unit_epoch", -1, -1, MAX_EPOCHS, 1, "The epoch inspected (-1: the last).", integer=True),
    Param("sim.plane_epoch", -1, -1, MAX_EPOCHS, 1, "The epoch shown in the input plane (-1: the last).",
          integer=True),
)
BUILD_XMIN, BUILD_XMAX, BUILD_K = -3.0, 3.0, 4
_PLACED = build.default(BUILD_K, BUILD_XMIN, BUILD_XMAX)  # the hinges of the default link
HINGE_LISTS = ("build.w", "build.b", "build.a")  # one number per hinge each: k of them
# The Build panel's settings: the target, the hinges g(x) = c + sum a_j relu(w_j x + b_j), training, depth.
BUILD = (
    Param("build.target", "sine", choices=(*build.TARGETS, "formula", "upload"), help="The curve to build: "
          + "; ".join(f"{key}: {text}" for key, text in build.TARGETS.items()) + "; formula: your own f(x); "
          "upload: your own points (a CSV file of x, y)."),
    replace(ACTIVATIONS["custom"].param("formula"), name="build.formula", default="x * sin(2 * x)"),
    Param("build.xmin", BUILD_XMIN, -100.0, 100.0, 0.5, "Left end of the interval fitted."),
    Param("build.xmax", BUILD_XMAX, -100.0, 100.0, 0.5, "Right end of the interval fitted."),
    Param("build.depth", 5, 1, build.MAX_DEPTH, 1, "L: how many times the tent map is composed: the sawtooth "
          "target has 2^L pieces.", integer=True),
    Param("build.k", BUILD_K, 1, build.MAX_HINGES, 1, "Hinges (hidden units) of the network.", integer=True),
    Param("build.w", tuple(_PLACED.w), -1000.0, 1000.0, help="Each hinge's input weight w.", most=build.MAX_HINGES),
    Param("build.b", tuple(_PLACED.b), -1e6, 1e6, help="Each hinge's bias b (its kink is at x = -b/w).",
          most=build.MAX_HINGES),
    Param("build.a", tuple(_PLACED.a), -1e6, 1e6, help="Each hinge's output weight a.", most=build.MAX_HINGES),
    Param("build.c", 0.0, -1e6, 1e6, 0.1, "The output bias c, added to the sum of the hinges."),
    Param("build.fit", "false", choices=("false", "true"), help="Show the hinges trained by gradient descent."),
    Param("build.start", "hinges", choices=("hinges", "random"), help="Train from the hinges placed above, or "
          "from a random start: each hinge's w and b uniform in [-1, 1] (PyTorch's nn.Linear default for one "
          f"input), each output weight a from N(0, {OUTPUT_GAIN ** 2:g}/k) and the output bias c at 0 (smaller than "
          "PyTorch's default, as in the dead-neuron panel)."),
    Param("build.opt", "adam", choices=OPTIMIZERS, help="gd: plain gradient descent; momentum 0.9; Adam."),
    Param("build.lr", "0.01", choices=LR_CHOICES, help="Step size of the optimizer."),
    Param("build.epochs", 1000, MIN_EPOCHS, MAX_EPOCHS, 10, "Passes over the points (bounded by the time budget of "
          "training).", integer=True),
    Param("build.seed", 0, 0, 9999, 1, "Seed of the random start.", integer=True),
)
TAB = Param("tab", TABS[0], choices=TABS, help="The panel shown.")
TOUR = Param("tour", "", choices=tuple(str(i) for i in range(1, 11)), help="The step of the guided tour shown.")
PRESENT = Param("present", "0", choices=("0", "1"), help="Presenter mode: controls collapsed, large type.")
PANEL_SETTINGS: dict[str, Param] = {p.name: p for p in (*SIM, *INSPECT, *DEPTH, *BUILD, TAB, TOUR, PRESENT)}
EXPLORER = (Param("xmin", DEFAULT_XMIN, -X_LIMIT, X_LIMIT, 1.0, "Left end of the plotted range."),
            Param("xmax", DEFAULT_XMAX, -X_LIMIT, X_LIMIT, 1.0, "Right end of the plotted range."),
            Param("probe", DEFAULT_PROBE, -X_LIMIT, X_LIMIT, 0.1,
                  "Read f(x) and f′(x) of every shown activation at this input."))
SPECS: dict[str, Param] = {**{p.name: p for p in EXPLORER}, **PANEL_SETTINGS}  # one value each, not per activation
# Control groups a teacher can hide with ?hide=picker,params (the "Lock for students" switch): what each hides.
LOCKABLE = {"picker": "the choice of activations", "params": "the activations' parameters",
            "xrange": "the plotted range", "probe": "the probe's input", "scenarios": "the scenario buttons",
            "training": "the network and training controls", "depth": "the depth panel's controls",
            "build": "the Build panel's target, hinges and training controls",
            "tabs": "the tabs (the link's tab stays open)", "tour": "the tour button and presenter switch"}


def _groups(raw: str) -> tuple[str, ...]:
    """A comma-separated list of lockable groups, in LOCKABLE's order; ValueError for an unknown name."""
    names = set(raw.split(",")) - {""}
    if not names or names - set(LOCKABLE):
        raise ValueError("must list groups among " + ", ".join(LOCKABLE))
    return tuple(g for g in LOCKABLE if g in names)


SCALARS: dict[str, Callable[[str], object]] = {"ints": _flag, "hide": _groups,
                                               **{name: partial(_parse, p) for name, p in SPECS.items()}}
PARAMS: dict[str, tuple[str, Param]] = {
    f"{a.key}.{p.name}": (a.key, p) for a in ACTIVATIONS.values() for p in a.params}


def default(name: str):
    """The default value of a one-value setting or an activation parameter, by its query name (None if neither)."""
    spec = SPECS.get(name) or (PARAMS[name][1] if name in PARAMS else None)
    return False if name == "ints" else spec.default if spec else None


@dataclass
class LinkCheck:
    """The outcome of checking a link: valid values by name, and what was ignored, in words."""

    values: dict[str, object]
    notices: list[str]
    rewrite: dict[str, list[str] | None]  # query names to rewrite (a list) or delete (None) in the URL


def check_link(query: dict[str, list[str]]) -> LinkCheck:
    """Validate every query parameter of a link against the settings table."""
    values: dict[str, object] = {}
    notices: list[str] = []
    rewrite: dict[str, list[str] | None] = {}

    def reject(name: str, raw, why: str) -> None:
        notices.append(f"Ignored {inert(name)} = {inert(raw)}: {why}.")
        rewrite[name] = None

    raw_acts = [a for a in query.get("act", []) if a != ""]  # "act=" alone: the visitor picked none
    acts = [a for a in ACTIVATIONS if a in raw_acts][:MAX_CURVES]  # drawn in registry order
    for bad in [a for a in raw_acts if a not in ACTIVATIONS]:
        notices.append(f"Ignored activation {inert(bad)}: not one of the {len(ACTIVATIONS)} known keys.")
    repeated = sorted({a for a in raw_acts if raw_acts.count(a) > 1 and a in ACTIVATIONS})
    if repeated:
        notices.append(f"Activations listed more than once were shown once: {inert(','.join(repeated))}.")
    if len(set(raw_acts) & set(ACTIVATIONS)) > MAX_CURVES:
        notices.append(f"Showing the first {MAX_CURVES} activations of the link (at most {MAX_CURVES} at once).")
    if raw_acts and acts != raw_acts:
        rewrite["act"] = acts or None
    values["act"] = acts if acts or "act" in query and not raw_acts else list(DEFAULT_ACTS)

    for name, raws in query.items():
        if name == "act":
            continue
        parse = SCALARS.get(name) or (partial(_parse, PARAMS[name][1]) if name in PARAMS else None)
        if parse is None:
            reject(name, raws[-1], "not a setting of this page")
            continue
        if name in PARAMS and PARAMS[name][0] not in values["act"]:
            reject(name, raws[-1], f"{ACTIVATIONS[PARAMS[name][0]].label} is not among the shown activations")
            continue
        try:
            values[name] = parse(raws[-1])
        except FormulaBusy as error:  # no verdict: the formula stays in the link, not in use, to be read again
            notices.append(f"Not read yet: {inert(name)} = {inert(raws[-1])}. {error}; reload in a moment.")
            continue
        except (ValueError, TypeError, OverflowError) as error:
            spec = SPECS.get(name) or (PARAMS[name][1] if name in PARAMS else None)
            reject(name, raws[-1], str(error) if spec is None or spec.kind == "text" else f"must be {spec.allowed()}")
            continue
        if len(raws) > 1:
            notices.append(f"{inert(name)} was given {len(raws)} times; used the last, {inert(raws[-1])}.")
            rewrite[name] = [raws[-1]]

    for what, low, high in (("x-range", "xmin", "xmax"), ("interval", "build.xmin", "build.xmax")):
        if low in values or high in values:
            xmin, xmax = values.get(low, default(low)), values.get(high, default(high))
            if too_narrow(xmin, xmax):
                notices.append(f"Ignored the {what} [{format_number(xmin)}, {format_number(xmax)}]: {low} must be "
                               f"at least {MIN_WIDTH:g} below {high}; showing [{format_number(default(low))}, "
                               f"{format_number(default(high))}].")
                for name in (low, high):
                    values.pop(name, None)
                    if name in query:
                        rewrite[name] = None
    k = values.get("build.k", default("build.k"))
    wrong = {name: len(values[name]) for name in HINGE_LISTS if name in values and len(values[name]) != k}
    given = {**placed_hinges(values), **{name: values[name] for name in HINGE_LISTS if name in values}}
    w, b = (np.asarray(given[name]) for name in ("build.w", "build.b"))
    with np.errstate(over="ignore"):
        overflows = not wrong and not np.all(np.isfinite(b[w != 0] / w[w != 0]))
    if wrong or overflows:
        why = (", ".join(f"`{n}` has {c}" for n, c in wrong.items()) + f" numbers, and there are k = {k} hinges "
               "(`build.k`)") if wrong else "a kink -b/w is past the range of numbers (w too small for its b)"
        notices.append(f"Ignored the hinges of the link: {why}; placing {k} hinges afresh.")
        for name in HINGE_LISTS:
            if values.pop(name, None) is not None:
                rewrite[name] = None

    for name in ("sim.act", "sim.layer1", "depth.act", "depth.sig_act"):
        if name in values and values[name] not in (values["act"] or ["relu"]) and values[name] != "same":
            notices.append(f"Ignored {inert(name)} = {inert(values.pop(name))}: the panels use one of the "
                           "activations shown in the explorer.")
            rewrite[name] = None
    for key in values["act"]:
        activation = ACTIVATIONS[key]
        given = _given(values, key)
        problem = activation.check(**{**activation.defaults, **given})
        if problem:
            notices.append(f"Ignored the {activation.label} parameters of the link: {problem}; using defaults.")
            for name in given:
                values.pop(f"{key}.{name}")
                rewrite[f"{key}.{name}"] = None
    return LinkCheck(values, notices, rewrite)


def _given(values: dict, key: str) -> dict:
    """The parameters of activation `key` among checked link values, by parameter name."""
    return {PARAMS[n][1].name: v for n, v in values.items() if n in PARAMS and PARAMS[n][0] == key}


def placed_hinges(values: dict) -> dict[str, tuple[float, ...]]:
    """The hinge lists that a link without them stands for: its k hinges placed afresh on its interval."""
    hinges = build.default(values.get("build.k", BUILD_K), values.get("build.xmin", BUILD_XMIN),
                           values.get("build.xmax", BUILD_XMAX))
    return {name: tuple(map(float, getattr(hinges, name[-1]))) for name in HINGE_LISTS}


def to_query(view: View) -> str:
    """The query string that reproduces `view` and the panel settings in view.panels (defaults left out, as the
    bound widgets do)."""
    pairs: list[tuple[str, str]] = []
    if view.acts != list(DEFAULT_ACTS):
        pairs = [("act", key) for key in view.acts] or [("act", "")]
    for key in view.acts:
        for p in ACTIVATIONS[key].params:
            value = view.params.get(key, {}).get(p.name, p.default)
            if value != p.default:
                pairs.append((f"{key}.{p.name}", _text(p, value)))
    for name, value, default in (("xmin", view.xmin, DEFAULT_XMIN), ("xmax", view.xmax, DEFAULT_XMAX),
                                 ("probe", view.probe, DEFAULT_PROBE)):
        if value != default:
            pairs.append((name, format_number(value)))
    if view.ints:
        pairs.append(("ints", "true"))
    if view.hide:
        pairs.append(("hide", ",".join(view.hide)))
    placed = placed_hinges(view.panels)
    pairs += [(name, _text(PANEL_SETTINGS[name], value)) for name, value in view.panels.items()
              if value != placed.get(name, PANEL_SETTINGS[name].default)]
    return urlencode(pairs, safe=",()*")  # brackets and * stay readable in a formula


def view_from_link(query: dict[str, list[str]]) -> View:
    """The view a link asks for (invalid parts replaced by defaults): what opening it must show."""
    values = check_link(query).values
    acts = values["act"]
    params = {key: {**ACTIVATIONS[key].defaults, **_given(values, key)} for key in acts}
    panels = {name: values[name] for name in PANEL_SETTINGS if name in values}
    return View(acts, params, values.get("xmin", DEFAULT_XMIN), values.get("xmax", DEFAULT_XMAX),
                values.get("ints", False), values.get("probe", DEFAULT_PROBE), panels, values.get("hide", ()))
