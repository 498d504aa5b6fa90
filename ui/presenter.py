"""Presenter mode (?present=1): for a projector, controls collapsed, large type (ui/style.py), thick lines."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.links import set_query
from ui.state import View


def is_on() -> bool:
    """Read straight from the URL: the sidebar's initial state must be known before the page is configured."""
    return st.query_params.get("present") == "1"


def chart(fig: go.Figure, where=st, **kwargs) -> None:
    """where.plotly_chart (st or a container), styled for presenter mode."""
    where.plotly_chart(style(fig), **kwargs)


def style(fig: go.Figure) -> go.Figure:
    """In presenter mode, a copy of the figure with bigger type and thicker lines (a copy: a figure may be shared
    by every visitor, see training_charts.per_run); else the figure."""
    if not is_on():
        return fig
    fig = go.Figure(fig, _validate=False)
    big = {"tickfont": {"size": 18}, "title": {"font": {"size": 20}}, "automargin": True}  # margins fit large type
    fig.update_layout(font={"size": 20}, legend={"font": {"size": 20}}, title={"font": {"size": 24}})
    fig.update_xaxes(**big)
    fig.update_yaxes(**big)
    fig.for_each_trace(lambda t: t.update(line={"width": 5}) if getattr(t, "mode", None) == "lines" else None)
    return fig


def toggle(view: View) -> None:
    """A switch in the sidebar; it writes ?present=1 (the sidebar collapses on the next load of the link)."""
    on = st.toggle("Presenter mode", value=is_on(), key="present.toggle",
                   help="Large type and thick lines for a projector; the link opens with the sidebar collapsed.")
    set_query("present", "1" if on else None)
    if on:
        view.panels["present"] = "1"
