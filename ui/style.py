"""The page's stylesheets: readable contrast everywhere, presenter mode for a projector, locked groups hidden."""

from __future__ import annotations

import streamlit as st

from ui.state import LOCKABLE

# Captions and the shortcut hints on buttons are faint by default (3.9:1 on white, under WCAG AA's 4.5:1):
# draw them in the text colour, slightly faded, which keeps 6:1 or more in the light and the dark theme. The tour's
# text is a size larger than body text: it is what a class reads.
READABLE = """<style>
[data-testid="stCaptionContainer"] { color: inherit; opacity: 0.8; }
button kbd { opacity: 0.8 !important; }
.st-key-tour-box [data-testid="stMarkdownContainer"] p { font-size: 1.125rem; line-height: 1.55; }
</style>"""

# Presenter mode: large type for a projector; metric values keep their own, larger size.
PRESENTER = """<style>
[data-testid="stMain"] { font-size: 1.3rem; }
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.3rem; line-height: 1.5; }
[data-testid="stMain"] h1 { font-size: 3.2rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.1rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { font-size: 1.1rem; opacity: 1; }
[data-testid="stMain"] button p { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] div { font-size: 3.2rem; line-height: 1.2; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
[data-testid="stMain"] .st-key-tour-box [data-testid="stMarkdownContainer"] p { font-size: 1.4rem; }
</style>"""


def apply(presenting: bool) -> None:
    st.html(READABLE + (PRESENTER if presenting else ""))


def hide(groups: tuple[str, ...]) -> None:
    """Hide the control groups a locked link names (ui/lock.py)."""
    if groups:
        st.html(locked(groups))


def locked(groups: tuple[str, ...]) -> str:
    """The stylesheet hiding these groups: built from LOCKABLE's names only, never from visitor text."""
    rules = [f'[class*="st-key-lock-{name}"] {{ display: none !important; }}' for name in LOCKABLE if name in groups]
    if "tabs" in groups:  # the tab bar of the page's panels (the panel the link opens stays)
        rules.append('.st-key-tab > div > [role="tablist"] { display: none !important; }')
    return "<style>" + "\n".join(rules) + "</style>"
