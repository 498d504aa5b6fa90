"""Widgets for settings specs (Param), bound to the URL: number boxes that state their range, sliders, choices."""

from __future__ import annotations

import math

import streamlit as st

from relu_viz import Param

URL = "query-params"


def _decimals(step: float) -> str:
    return f"%.{max(0, -math.floor(math.log10(step)))}f"


def number_box(p: Param, label: str, where=st, bounds: str = "", format: str | None = None):
    """A number box for setting `p`, bound to the URL; the label says the allowed range (or `bounds`), since the
    box only outlines an entry outside it in red and keeps the value in use."""
    kind = int if p.integer else float
    bounds = bounds or f"{p.low:g} to {p.high:g}"
    return where.number_input(f"{label} ({bounds})", kind(p.low), kind(p.high), kind(p.default),
                              step=kind(p.step), key=p.name, bind=URL, help=p.help, format=format)


def param_widget(p: Param, key: str, label: str | None = None):
    """The widget for one parameter spec, bound to the URL under `key`: radio or select box for a choice,
    slider for a number."""
    label = label or p.name
    if p.kind == "choice":
        if len(p.choices) <= 3:
            return st.radio(label, p.choices, index=p.choices.index(p.default), key=key, bind=URL, help=p.help,
                            horizontal=True)
        return st.selectbox(label, p.choices, index=p.choices.index(p.default), key=key, bind=URL, help=p.help)
    if p.integer:
        return st.slider(label, int(p.low), int(p.high), int(p.default), int(p.step), key=key, bind=URL,
                         help=p.help)
    return st.slider(label, min_value=p.low, max_value=p.high, value=p.default, step=p.step,
                     format=_decimals(p.step), key=key, bind=URL, help=p.help)
