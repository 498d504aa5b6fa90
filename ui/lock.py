"""Links a teacher locks: ?hide=picker,params hides those groups of controls (their values still apply), and the
"Lock for students" switch beside the share box writes it."""

from __future__ import annotations

import streamlit as st

from ui.links import set_query
from ui.state import LOCKABLE, LinkCheck, View

HIDDEN = "lock.hide"  # the groups chosen in the multiselect
DEFAULT = ("picker", "params", "xrange", "scenarios", "training", "depth", "tour")  # the switch's first choice


def group(name: str, part: str = "", where=st):
    """A container for (a part of) one lockable group of controls: a locked link hides it with a stylesheet."""
    assert name in LOCKABLE
    return where.container(key=f"lock-{name}-{part}" if part else f"lock-{name}")


def switch(view: View, link: LinkCheck) -> None:
    """The "Lock for students" switch and, when on, which groups the link hides; sets view.hide and the URL."""
    linked = link.values.get("hide", ())
    if HIDDEN not in st.session_state:
        st.session_state[HIDDEN] = list(linked or DEFAULT)
    on = st.toggle("Lock for students", value=bool(linked), key="lock.on",
                   help="The share link hides the controls chosen below, so a class sees only what the lesson "
                        "needs; the settings they hold still apply. Anyone can turn this off again.")
    hidden: tuple[str, ...] = ()
    if on:
        chosen = st.multiselect("Hide", list(LOCKABLE), key=HIDDEN, format_func=LOCKABLE.get,
                                help="The groups of controls the link hides.")
        hidden = tuple(g for g in LOCKABLE if g in chosen)
    set_query("hide", ",".join(hidden) or None)
    view.hide = hidden
