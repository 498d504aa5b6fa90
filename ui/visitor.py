"""Whether the visitor a script run serves is still connected, so that work for a closed tab is neither queued
nor finished: a page opened and closed again and again must not keep the server busy after the visitor left."""

from __future__ import annotations

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx


class Left(Exception):
    """The visitor closed the page: the work for them was dropped."""


def present() -> bool:
    """True unless this thread serves a visitor whose session has closed (threads of no session, tests: True)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return True
    return Runtime.instance().is_active_session(ctx.session_id)


def check(*_) -> None:
    """Left if the visitor has gone (usable as a training progress callback, which it ignores the run of)."""
    if not present():
        raise Left("the visitor closed the page")
