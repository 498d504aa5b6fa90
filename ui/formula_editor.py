"""The editor of your own activation: a formula box bound to the URL and examples (its numbers a, b, c have
sliders beside the chart, ui/explorer.py)."""

from __future__ import annotations

import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.formula import MAX_LENGTH, FormulaBusy, FormulaError, parse
from ui.widgets import URL

CUSTOM = ACTIVATIONS["custom"]
FORMULA, EXAMPLE, VALID = "custom.formula", "custom.example", "custom.valid"
EXAMPLES = {  # label: formula
    "Swish: x · sigmoid(b·x)": "x * sigmoid(b * x)",
    "ReLU with a second kink": "max(0, x) - 0.5 * max(0, x - 2)",
    "Softplus, spelled out": "log(1 + exp(x))",
    "ELU with alpha = a": "where(x > 0, x, a * (exp(x) - 1))",
    "Mish": "x * tanh(softplus(x))",
    "Sine (SIREN)": "sin(x)",
    "Gaussian": "exp(-x**2)",
}


def _use_example() -> None:
    st.session_state[FORMULA] = EXAMPLES[st.session_state[EXAMPLE]]
    st.session_state[EXAMPLE] = None


def editor() -> str:
    """Render the editor; return a valid formula (a rejected one is named in an error and the last formula that
    worked is drawn instead, so the curves never show text that is not in use)."""
    spec = CUSTOM.param("formula")
    st.selectbox("Start from an example", list(EXAMPLES), index=None, placeholder="Pick an example…", key=EXAMPLE,
                 on_change=_use_example, help="Puts the example in the formula box, to edit.")
    text = st.text_input("Your formula: f(x) =", spec.default, max_chars=MAX_LENGTH, key=FORMULA, bind=URL,
                         help=spec.help[0].upper() + spec.help[1:] + ". Press Enter to draw it.")
    try:
        parse(text)
        st.session_state[VALID] = text
    except FormulaError as error:
        again = " Press Enter in the box to try again." if isinstance(error, FormulaBusy) else ""
        text = st.session_state.get(VALID, spec.default)
        st.error(f"Not drawn: {error}.{again}\n\nStill drawing the last formula that worked: `{text}`")
    if not used(text) >= set("abc"):
        st.caption("A slider for a, b or c appears beside the chart when your formula uses it.")
    return text


def used(text: str) -> set[str]:
    """Which of the numbers a, b, c a (valid) formula uses."""
    return set(parse(text).uses)
