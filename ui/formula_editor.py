"""The editor of your own activation: a formula box bound to the URL, examples, and sliders for a, b, c."""

from __future__ import annotations

import streamlit as st

from relu_viz import ACTIVATIONS
from relu_viz.formula import MAX_LENGTH, FormulaError, parse
from ui.widgets import URL, param_widget

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


def editor() -> dict:
    """Render the editor; return valid parameters of the custom activation (a rejected formula is named in an
    error and the last formula that worked is drawn instead, so the curves never show text that is not in use)."""
    spec = CUSTOM.param("formula")
    st.selectbox("Start from an example", list(EXAMPLES), index=None, placeholder="Pick an example…", key=EXAMPLE,
                 on_change=_use_example, help="Puts the example in the formula box, to edit.")
    text = st.text_input("Your formula: f(x) =", spec.default, max_chars=MAX_LENGTH, key=FORMULA, bind=URL,
                         help=spec.help[0].upper() + spec.help[1:] + ". Press Enter to draw it.")
    try:
        parse(text)
        st.session_state[VALID] = text
    except FormulaError as error:
        text = st.session_state.get(VALID, spec.default)
        st.error(f"Not drawn: {error}.\n\nStill drawing the last formula that worked: `{text}`")
    used = parse(text).uses
    values = {"formula": text}
    for name in "abc":
        p = CUSTOM.param(name)
        values[name] = param_widget(p, f"custom.{name}", f"{name} in your formula") if name in used else p.default
    if not used >= set("abc"):
        st.caption("A slider for a, b or c appears when your formula uses it.")
    return values
