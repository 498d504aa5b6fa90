"""The sidebar: which activations, their parameters and the x-range, every widget bound to the URL. The numeric
parameters' sliders are beside the chart (ui/explorer.py); their values are kept here, in the session and the
URL."""

from __future__ import annotations

import streamlit as st

from relu_viz import ACTIVATIONS, GROUPS
from ui import formula_editor, lock, maxout
from ui.links import set_query
from ui.state import (
    DEFAULT_ACTS,
    DEFAULT_XMAX,
    DEFAULT_XMIN,
    MAX_CURVES,
    MIN_WIDTH,
    PANEL_SETTINGS,
    PARAMS,
    SPECS,
    LinkCheck,
    View,
    format_number,
    too_narrow,
)
from ui.widgets import URL, number_box, param_widget


def _picker(link: LinkCheck) -> list[str]:
    """One row of pills per family. Not bound to the URL: a bound widget writes its displayed labels, and the
    link format is the registry keys (act=relu&act=leaky_relu), so `act` is written here by hand."""
    if "pick.seeded" not in st.session_state:
        for group in GROUPS:
            st.session_state[f"pick.{group}"] = [k for k in link.values["act"] if ACTIVATIONS[k].group == group]
        st.session_state["pick.seeded"] = True
    picked = set()
    for group in GROUPS:
        keys = [k for k, a in ACTIVATIONS.items() if a.group == group]
        picked.update(st.pills(group, keys, format_func=lambda k: ACTIVATIONS[k].label, selection_mode="multi",
                               key=f"pick.{group}") or [])
    acts = [k for k in ACTIVATIONS if k in picked]
    if len(acts) > MAX_CURVES:
        st.warning(f"At most {MAX_CURVES} activations at once: showing the first {MAX_CURVES}.")
        acts = acts[:MAX_CURVES]
    set_query("act", None if acts == list(DEFAULT_ACTS) else acts or [""])
    return acts


def sidebar(link: LinkCheck) -> View:
    """Render the choice of activations and the plotted range; return the view they select (parameters and the
    probe are filled in with the open panel)."""
    with st.sidebar:
        with lock.group("picker"):
            st.header("Activations")
            acts = _picker(link)
        xrange = lock.group("xrange")
        left, right = xrange.columns(2)
        xmin = number_box(SPECS["xmin"], "x from", left, bounds=f"≥ {SPECS['xmin'].low:g}")
        xmax = number_box(SPECS["xmax"], "x to", right, bounds=f"≤ {SPECS['xmax'].high:g}")
        if too_narrow(xmin, xmax):
            st.error(f"'x from' must be at least {MIN_WIDTH:g} below 'x to'; showing [{DEFAULT_XMIN:g}, "
                     f"{DEFAULT_XMAX:g}].")
            xmin, xmax = DEFAULT_XMIN, DEFAULT_XMAX
        ints = xrange.checkbox("Mark the integer inputs", key="ints", bind=URL,
                           help="Dots at x = -10, -9, ..., 10 as in the classic plot of ReLU over range(-10, 11).")
    return View(list(acts), {}, float(xmin), float(xmax), bool(ints))


def set_parameters(key: str, params: dict) -> None:
    """Set the parameter widgets of activation `key` to `params` (Maxout's pieces go to its editor)."""
    if key == "maxout":
        maxout.use(params["slopes"], params["intercepts"])
        return
    for name, value in params.items():
        st.session_state[f"{key}.{name}"] = value


def parameters(view: View, link: LinkCheck) -> None:
    """Render each shown activation's parameter widgets (a choice, Maxout's pieces, your formula); fill view.params
    with their values and the numeric ones (set by the chart's sliders, see `release`), and write those to the
    URL."""
    for key in view.acts:
        act = ACTIVATIONS[key]
        params = {p.name: _number(key, p, link) for p in act.params if p.kind == "number"}
        if len(params) < len(act.params):
            with st.expander(f"{act.label} parameters", expanded=True):
                if key == "maxout":
                    params.update(maxout.editor(link))
                elif key == "custom":  # a number the formula does not use leaves the URL
                    params["formula"] = text = formula_editor.editor()
                    params.update({n: act.param(n).default for n in "abc" if n not in formula_editor.used(text)})
                else:
                    params.update({p.name: param_widget(p, f"{key}.{p.name}") for p in act.params
                                   if p.kind != "number"})
        problem = act.check(**params)
        if problem:
            st.error(f"{problem}; using the defaults.")
            params = act.defaults
        view.params[key] = params
    for name, (key, p) in PARAMS.items():
        if p.kind == "number":
            value = view.params.get(key, {}).get(p.name, p.default)
            set_query(name, None if value == p.default else format_number(value))
    if "maxout" not in view.acts:
        maxout.clear_url()


def _number(key: str, p, link: LinkCheck) -> float:
    """The value of a numeric parameter: the link's (checked) the first time it is shown, then the slider's."""
    name = f"{key}.{p.name}"
    if name not in st.session_state:
        st.session_state[name] = link.values.get(name, p.default)
    return st.session_state[name]


def release(values: dict) -> None:
    """Take the values the chart's sliders report on release, checked as a link's are (a number in the
    parameter's range, which the activation accepts with its other parameters); anything else is ignored, and the
    chart goes back to the value in use."""
    for name, value in values.items():
        if name not in PARAMS or PARAMS[name][1].kind != "number":
            continue
        key, p = PARAMS[name]
        try:
            value = p.validate(value)
        except ValueError:
            continue
        act = ACTIVATIONS[key]
        current = {q.name: st.session_state.get(f"{key}.{q.name}", q.default) for q in act.params if q.kind == "number"}
        if act.check(**{**act.defaults, **current, p.name: value}) is None:
            st.session_state[name] = value


OTHER_CHOICES = {"none": "none", "same": "the same as the others"}  # choices of activation selects that are not keys


def shown_activation(view: View, key: str, label: str, help: str) -> str:
    """A select box of the activations shown in the explorer (ReLU if none)."""
    return activation_select(label, view.acts or ["relu"], key, help)


def activation_select(label: str, keys: list[str], key: str, help: str) -> str:
    """A select box of registry keys shown by their labels, its choice in the URL under `key`. Not bound to the
    URL: a bound select box writes its displayed labels, and links name activations by key (sim.act=leaky_relu)."""
    if st.session_state.get(key) not in keys:
        linked = st.query_params.get(key)
        st.session_state[key] = linked if linked in keys else keys[0]
    value = st.selectbox(label, keys, key=key, help=help,
                         format_func=lambda k: ACTIVATIONS[k].label if k in ACTIVATIONS else OTHER_CHOICES[k])
    set_query(key, None if value == PANEL_SETTINGS[key].default else value)
    return value
