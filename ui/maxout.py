"""The Maxout piece editor: a small table of (slope, intercept) rows with presets, stored in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from relu_viz import ACTIVATIONS, MAX_PIECES
from ui.links import set_query
from ui.state import LinkCheck, format_number

MAXOUT = ACTIVATIONS["maxout"]
PIECES, BASE, VERSION = "maxout.pieces", "maxout.base", "maxout.version"
PRESETS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "ReLU": ((0.0, 1.0), (0.0, 0.0)),
    "Leaky ReLU": ((0.1, 1.0), (0.0, 0.0)),
    "|x|": ((-1.0, 1.0), (0.0, 0.0)),
    # tangents of x^2 at t = -3..3: a convex function is the max of its tangents
    "convex fit of x²": (tuple(2.0 * t for t in range(-3, 4)), tuple(-float(t * t) for t in range(-3, 4))),
}


def use(slopes, intercepts) -> None:
    """Start a fresh editor on these pieces (the editor keeps its edits relative to the rows it started with)."""
    st.session_state[PIECES] = st.session_state[BASE] = {"slopes": tuple(slopes), "intercepts": tuple(intercepts)}
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


def _load_preset() -> None:
    use(*PRESETS[st.session_state["maxout.preset"]])
    st.session_state["maxout.preset"] = None


def editor(link: LinkCheck) -> dict:
    """Render the editor; return valid Maxout parameters (the last valid ones if the table is invalid)."""
    if PIECES not in st.session_state:
        use(link.values.get("maxout.slopes", MAXOUT.defaults["slopes"]),
             link.values.get("maxout.intercepts", MAXOUT.defaults["intercepts"]))
    base = st.session_state[BASE]
    spec = MAXOUT.param("slopes")
    number = {"min_value": spec.low, "max_value": spec.high, "step": spec.step, "required": True}
    st.caption("Maxout(x) is the largest of the lines slope · x + intercept, one per row (1 to "
               f"{MAX_PIECES}). In the dead-neuron panel each Maxout unit learns its own pieces, as many as rows here, "
               "each an affine function of the layer's input.")
    table = st.data_editor(
        pd.DataFrame({"slope": base["slopes"], "intercept": base["intercepts"]}),
        key=f"maxout.editor.{st.session_state[VERSION]}", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={"slope": st.column_config.NumberColumn("slope", **number),
                       "intercept": st.column_config.NumberColumn("intercept", **number)})
    # below the table: the table's toolbar, shown above it on hover, would cover a box placed there
    st.selectbox("Load a preset", list(PRESETS), index=None, key="maxout.preset", on_change=_load_preset,
                 placeholder="Choose a preset")
    rows = table.dropna()
    if len(rows) > MAX_PIECES:
        st.warning(f"Maxout uses at most {MAX_PIECES} pieces; the rows after the {MAX_PIECES}th are ignored.")
        rows = rows.iloc[:MAX_PIECES]
    candidate = {"slopes": tuple(map(float, rows["slope"])), "intercepts": tuple(map(float, rows["intercept"]))}
    try:
        params = MAXOUT.resolve(candidate)
        st.session_state[PIECES] = params
    except ValueError as error:
        st.warning(f"{error}. Showing the last valid pieces.")
        params = st.session_state[PIECES]
    _write_url(params)
    return params


def _write_url(params: dict) -> None:
    """Maxout's table has no query-param binding: keep maxout.slopes / maxout.intercepts in the URL by hand."""
    for name, values in params.items():
        text = ",".join(format_number(v) for v in values)
        set_query(f"maxout.{name}", None if values == MAXOUT.defaults[name] else text)


def clear_url() -> None:
    """Maxout not shown: its pieces leave the URL."""
    for name in ("maxout.slopes", "maxout.intercepts"):
        set_query(name, None)
