"""Incoming links and share links: check the URL once per visit, announce what was ignored, offer the link."""

from __future__ import annotations

import streamlit as st

from relu_viz.datasets import UPLOAD
from ui.own_data import LINK_NOTE
from ui.state import LinkCheck, View, check_link, default, to_query

CHECKED = "links.checked"
SHARE_SLOT = "links.share_slot"  # where the share box is drawn: a fragment that changes the view redraws it there


def check_url() -> LinkCheck:
    """Validate the URL on the first run of a visit; drop what is invalid before the bound widgets read it."""
    if CHECKED not in st.session_state:
        result = check_link({name: st.query_params.get_all(name) for name in st.query_params})
        for name, values in result.rewrite.items():
            set_query(name, values)
        st.session_state[CHECKED] = result
        if any(default(name) is not None for name in result.rewrite):
            st.rerun()  # bound widgets take their first value from the URL the run began with: begin from the clean one
    return st.session_state[CHECKED]


def set_query(name: str, value: str | list[str] | None) -> None:
    """Write one hand-coded setting to the URL (a list repeats the name; None removes it), only if it changes."""
    wanted = [] if value is None else [value] if isinstance(value, str) else list(value)
    if st.query_params.get_all(name) != wanted:
        if wanted:
            st.query_params[name] = wanted
        else:
            del st.query_params[name]


def show_notices(link: LinkCheck) -> None:
    if link.notices:
        with st.container(key="notices"):
            st.warning("Some settings in this link were not used:\n\n" + "\n".join(f"- {n}" for n in link.notices),
                       icon="⚠️")


def share_slot() -> None:
    """Place the share box here (drawn later by share_box, as often as the view changes: the last one shows)."""
    st.session_state[SHARE_SLOT] = st.empty()


def share_box(view: View) -> None:
    """The link that reproduces this view, in a code box with a copy button."""
    base = (st.context.url or "").split("?")[0]
    query = to_query(view)
    with st.session_state[SHARE_SLOT].container():
        st.caption("Share this view (copy button on the right):")
        st.code(f"{base}?{query}" if query else base or "?", language=None, wrap_lines=True)
        if view.panels.get("sim.data") == UPLOAD:
            st.caption(LINK_NOTE)
