"""The explorer: f and f' of the picked activations, a point probe, formulas, properties and downloads."""

from __future__ import annotations

import io
import time
from functools import cache, partial

import numpy as np
import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.curves import NEAR_ZERO, POINTS, Sampled, sample
from relu_viz.formula import MAX_SWITCHES, parse, switches
from relu_viz.properties import FLOAT32_ROW, JUMP, Properties, derive, one_sided_limits, zones_text
from ui import controls, formula_editor, live_chart, live_curves, lock, presenter
from ui.charts import STRIP, STRIP_LARGE, Series, block_axes, block_offset, curves_figure, extents, scales
from ui.state import SPECS, View
from ui.widgets import number_box

MAX_INTEGER_POINTS = 201
# float32 zero zones whose ends PyTorch's CPU autograd reproduces within 1e-5 relative, and those it rounds to 0
# sooner (both checked against torch in tests/test_properties.py)
FLOAT32_AS_TORCH = ("relu", "elu", "selu", "celu", "silu", "softplus", "logsigmoid", "sigmoid", "tanh", "hardtanh")
FLOAT32_SOONER_IN_TORCH = ("gelu", "mish")
CURVE_ENTRIES = 256  # cached curves: at most 130 KB each (a formula with a thousand kinks), 33 MB in all


@st.cache_data(max_entries=CURVE_ENTRIES, show_spinner=False)
def sampled(key: str, params: tuple, xmin: float, xmax: float) -> Sampled:
    return sample(ACTIVATIONS[key], dict(params), xmin, xmax)


@st.cache_data(max_entries=512, show_spinner=False)
def properties(key: str, params: tuple) -> Properties:
    return derive(ACTIVATIONS[key], **dict(params))


def _series(key: str, params: dict, view: View, x_int: np.ndarray | None) -> Series:
    """One activation's sampled curves, Maxout pieces and values at the integer inputs (if marked)."""
    act, items = ACTIVATIONS[key], tuple(sorted(params.items()))
    ints = None if x_int is None else (x_int, act(x_int, **params), act.derivative(x_int, **params))
    pieces = tuple(zip(params["slopes"], params["intercepts"])) if key == "maxout" else ()
    return Series(key, act.label, sampled(key, items, view.xmin, view.xmax), pieces, ints)


def render(view: View) -> None:
    """Draw the explorer for `view`; sets view.probe from its widget."""
    if not view.acts:
        st.info("Pick one or more activations in the sidebar.")
        return
    x_int = np.arange(np.ceil(view.xmin), np.floor(view.xmax) + 1) if view.ints else np.empty(0)
    too_many = len(x_int) > MAX_INTEGER_POINTS
    marked = x_int if 0 < len(x_int) <= MAX_INTEGER_POINTS else None
    series = [s for key in view.acts if (s := _failing_alone(key, "its curves", _series, key, view.params[key],
                                                                view, marked)) is not None]
    strip = STRIP_LARGE if presenter.is_on() else STRIP
    live = () if "params" in view.hide else tuple(s.key for s in series if _numeric(view, s.key))
    figure = presenter.style(curves_figure(series, view.xmin, view.xmax, strip=strip, live=live))
    sliders = _sliders(view, series, figure.layout.to_plotly_json(), marked, live)
    live_chart.show(figure, sliders, key="curves", on_release=controls.release,
                    filename="relu-viz_" + "_".join(view.acts))
    st.caption(f"Shaded below: where |f′(x)| < {NEAR_ZERO:g}. An input on a flat side (ReLU for x ≤ 0) passes no "
               "gradient back; a unit whose input lands there for every training example gets no gradient at all: "
               "it is dead. In the tails of sigmoid and tanh f′ is tiny but, in exact arithmetic, never 0: a unit "
               "there for every example is saturated and learns very slowly. In float32, as training computes it, "
               f"f′ rounds to exactly 0 far enough out, and such a unit is dead: {float32_tails(view)}. Jumps are "
               "drawn as gaps: a filled dot is the value at the jump, an open dot the limit it is not.")
    if too_many:
        st.caption(f"Integer inputs are marked only when the range holds at most {MAX_INTEGER_POINTS} of them.")
    if "custom" in view.acts and keeps_switching(view.params["custom"]):
        st.info(f"Your formula switches piece more than {MAX_SWITCHES:,} times in [-1000, 1000] (as sign(sin(50x)) "
                "does): it is drawn from its points, with no kink or jump marked, and its properties are read as "
                "those of sin x are.")
    for s in series:
        gaps, inputs = undefined_inputs(s.sampled)
        if gaps:
            st.warning(f"{s.label} is infinite or undefined (an overflow, or a value such as the log of a negative "
                       f"number) at {gaps:,} of the {inputs:,} plotted inputs: those parts are gaps in the curves.")
    view.probe = _probe(view)
    _properties(view)
    _formulas(view)
    _download(view)


def float32_tails(view: View) -> str:
    """Where f' is exactly 0 in float32 but not in exact arithmetic, for sigmoid, tanh and every shown activation
    with such a zone (the properties table's float32 row)."""
    parts = []
    for key in dict.fromkeys(("sigmoid", "tanh", *view.acts)):
        params = view.params[key] if key in view.acts else ACTIVATIONS[key].defaults
        try:
            found = properties(key, tuple(sorted(params.items())))
        except Exception:  # noqa: BLE001 (your formula may have no properties: the table says why)
            continue
        if found.float32_dead_zone != found.dead_zone:
            parts.append(f"{ACTIVATIONS[key].label} for x in {zones_text(found.float32_dead_zone)}")
    return "; ".join(parts)


def _failing_alone(key: str, what: str, compute, *args, **kwargs):
    """compute(*args, **kwargs), or None with an error naming the activation and what failed: one activation's
    failure leaves the rest of the page drawn."""
    try:
        return compute(*args, **kwargs)
    except live_curves.OverBudget:
        raise
    except Exception as error:  # noqa: BLE001 (whatever it is, it is this activation's alone)
        st.error(f"{ACTIVATIONS[key].label}: {what} could not be computed ({failure(error)}). The other curves are "
                 "drawn.")
        return None


def failure(error: Exception) -> str:
    """An exception as one short line of plain text."""
    return f"{type(error).__name__}: {str(error)[:160]}"


def keeps_switching(params: dict) -> bool:
    """Whether your formula has more switch points than are marked (they are then none)."""
    try:
        return switches(parse(params["formula"]), params["a"], params["b"], params["c"]) is None
    except ValueError:  # FormulaError, or the sandbox too busy to look (its curves then say so)
        return False


def _numeric(view: View, key: str) -> list:
    """The numeric parameters of a shown activation, which get live sliders (your formula's: those it uses)."""
    params = view.params[key]
    return live_curves.numeric(key, formula_editor.used(params["formula"]) if key == "custom" else None)


def _sliders(view: View, series: list[Series], layout: dict, ints: np.ndarray | None,
             live: tuple[str, ...]) -> list[live_chart.Slider]:
    """A live slider for each numeric parameter of each `live` activation, with its frames."""
    sizes, found, deadline = scales(layout), [], time.perf_counter() + live_curves.BUDGET  # one budget for all
    for i, key in enumerate(s.key for s in series):  # (an activation whose curves failed is not drawn)
        if key not in live:
            continue
        act, params = ACTIVATIONS[key], view.params[key]
        others = extents(series[:i] + series[i + 1:])
        fixed = {axis: pair for axis, pair in (("yaxis", others[:2]), ("yaxis2", others[2:])) if np.isfinite(pair[0])}
        for p in _numeric(view, key):
            values = live_curves.step_values(key, params, p.name)
            try:
                frames = _failing_alone(key, f"the frames of its {p.name} slider", _frames, key,
                                        tuple(sorted({**params, p.name: p.default}.items())), p.name, view.xmin,
                                        view.xmax, None if ints is None else tuple(ints), i,
                                        block_offset(series, i, live), len(series) == 1, sizes,
                                        block_axes(series, i, live), deadline)
            except live_curves.OverBudget:  # the slider moves the curve when released
                frames = None
            found.append(live_chart.Slider(f"{key}.{p.name}", f"{act.label} {p.name.replace('_', ' ')}", act.label,
                                           p.name.replace("_", " "), p.help, values[0], values[-1], p.step,
                                           params[p.name], frames, fixed))
    return found


@st.cache_data(max_entries=64, show_spinner=False)
def _frames(key: str, params: tuple, name: str, xmin: float, xmax: float, ints: tuple | None, i: int, offset: int,
            lone: bool, sizes: tuple, axes: dict, _deadline: float) -> dict:
    """One slider's frames as sent (its own value left out of `params`: they do not depend on it); OverBudget (not
    cached: a later run tries again) past the run's deadline."""
    return live_curves.slider_frames(key, dict(params), name, xmin, xmax, None if ints is None else np.array(ints),
                                     i, offset, lone, sizes, axes, _deadline).payload()


def undefined_inputs(curves: Sampled) -> tuple[int, int]:
    """How many plotted inputs f or f' is not a finite number at (jumps' gaps aside), and of how many inputs (a
    count, not a share: one input of 401 is not "0%")."""
    gaps = [int(np.isnan(t.y).sum()) - len(t.jumps) for t in (curves.f, curves.df)]
    return max(gaps), len(curves.f.x) - 2 * len(curves.f.jumps)


def _probe(view: View) -> float:
    st.subheader("Probe a point")
    x = float(number_box(SPECS["probe"], "x", lock.group("probe")))
    st.table(probe_rows(view, x), hide_index=True)
    return x


def probe_rows(view: View, x: float) -> list[dict]:
    """f(x) and f'(x) of every shown activation; at a kink, f' from either side too."""
    rows = []
    for key in view.acts:
        try:
            rows.append(_probe_row(key, view.params[key], x))
        except Exception as error:  # noqa: BLE001 (one activation's failure leaves the others' rows)
            rows.append({"activation": ACTIVATIONS[key].label, "f(x)": "—", "f′(x)": "—",
                         "note": f"could not be computed ({failure(error)})"})
    return rows


def _probe_row(key: str, params: dict, x: float) -> dict:
    act = ACTIVATIONS[key]
    slope = float(act.derivative(x, **params))
    slope_text = "undefined (jump)" if key == "binary_step" and x == 0 else _value(slope)
    note = ""
    if x in act.kink_points(**params) and key != "binary_step":
        left, right = one_sided_limits(act.derivative, x, params)
        rule = "the rule in its formula tab" if key == "custom" else "autograd's value here"
        note = f"kink: f′ is {left:.6g} from the left, {right:.6g} from the right; shown: {rule}"
    return {"activation": act.label, "f(x)": _value(float(act(x, **params))), "f′(x)": slope_text, "note": note}


def _value(v: float) -> str:
    """A probed value: 6 significant digits; your own formula may be infinite or undefined there."""
    return "undefined" if np.isnan(v) else "∞" if v == np.inf else "-∞" if v == -np.inf else f"{v:.6g}"


def _derived(key: str, params: dict) -> dict[str, str] | str:
    """The property rows of one activation, or why there are none (your formula is undefined somewhere)."""
    try:
        return dict(properties(key, tuple(sorted(params.items()))).rows())
    except ValueError as error:  # NotFinite, or the sandbox's TooCostly for your formula
        return f"Properties of {ACTIVATIONS[key].label} not derived: {error}."
    except Exception as error:  # noqa: BLE001 (one activation's failure leaves the others' properties)
        return f"Properties of {ACTIVATIONS[key].label} could not be derived ({failure(error)})."


def property_rows(view: View, only: tuple[str, ...] = ()) -> list[dict]:
    """The derived properties of every shown activation, a row per property (those starting with `only`)."""
    return _rows(_derived_all(view), only)


def _derived_all(view: View) -> dict[str, dict[str, str] | str]:
    return {ACTIVATIONS[k].label: _derived(k, view.params[k]) for k in view.acts}


def _rows(derived: dict[str, dict[str, str] | str], only: tuple[str, ...] = ()) -> list[dict]:
    """A row per property, a column per activation; "—" where an activation has no properties."""
    names = next((list(rows) for rows in derived.values() if isinstance(rows, dict)), [])
    return [{"property": name, **{label: rows[name] if isinstance(rows, dict) else "—"
                                  for label, rows in derived.items()}}
            for name in names if not only or name.startswith(only)]


def _properties(view: View) -> None:
    st.subheader("Properties")
    derived = _derived_all(view)
    for why in [d for d in derived.values() if isinstance(d, str)]:
        st.warning(why)
    if rows := _rows(derived):
        st.table(rows, hide_index=True)
    st.caption("Derived from each function itself at the current parameters (a dense grid through every kink, "
               "refined extremes, the tails at |x| = 10⁶ or beyond the farthest kink, and the mean and RMS output "
               "for a standard normal input by quadrature), not typed in. The range is the set of values taken: "
               "{0, 1} for the binary step, pieces joined by ∪ where values are skipped. Zero-centred means the "
               "mean output is within 5% of the RMS output of 0: ReLU and Leaky ReLU are not, tanh and SELU are. "
               f"Continuous means no jump larger than {JUMP:g} of the values' size: PyTorch's Softplus, which "
               f"switches to x at βx = 20, steps there by {softplus_step():.1e} and is called continuous. "
               f"'{FLOAT32_ROW}': where f′ is exactly 0 in this app's float32 training arithmetic (sigmoid's and "
               "tanh's f′ from the saved output, as autograd computes it), each end the first float32 where it is "
               "0. PyTorch's CPU autograd puts the ends within 1e-5 of their size of the same place for "
               + ", ".join(ACTIVATIONS[k].label for k in FLOAT32_AS_TORCH) + "; it rounds "
               + " and ".join(f"{ACTIVATIONS[k].label}'s" for k in FLOAT32_SOONER_IN_TORCH) + " f′ to 0 sooner "
               "(its vectorised GELU backward loses the tail), so for those the row shows this app's arithmetic, "
               "not PyTorch's.")


def _formulas(view: View) -> None:
    st.subheader("Formulas")
    tabs = st.tabs([ACTIVATIONS[k].label for k in view.acts], key="formulas", on_change="rerun")
    for tab, key in zip(tabs, view.acts):
        if tab.open:  # only the open tab is drawn: fewer elements to resend and re-render on every change
            act = ACTIVATIONS[key]
            with tab:
                for latex in _failing_alone(key, "its formulas", act.formulas, **view.params[key]) or ():
                    st.latex(latex)
                st.markdown(act.summary)


@cache
def softplus_step() -> float:
    """The step of PyTorch's Softplus (β = 1) where it switches to x, at x = 20."""
    left, right = one_sided_limits(ACTIVATIONS["softplus"], 20.0, ACTIVATIONS["softplus"].defaults)
    return abs(left - right)


def curves_csv(view: View) -> str:
    """The curves on an even grid: x, then f and f' of each activation."""
    x = np.linspace(view.xmin, view.xmax, POINTS)
    columns, names = [x], ["x"]
    for key in view.acts:
        act, params = ACTIVATIONS[key], view.params[key]
        try:
            columns += [act(x, **params), act.derivative(x, **params)]
        except Exception:  # noqa: BLE001 (the page said why; its columns are left empty)
            columns += [np.full_like(x, np.nan)] * 2
        names += [f"{key}", f"{key}_derivative"]
    text = io.StringIO()
    np.savetxt(text, np.column_stack(columns), delimiter=",", header=",".join(names), comments="", fmt="%.10g")
    return text.getvalue()


def _download(view: View) -> None:
    st.download_button("Download the curves (CSV)", partial(curves_csv, view), file_name="relu-viz_curves.csv",
                       mime="text/csv", on_click="ignore")
