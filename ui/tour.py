"""The guided tour: the ReLU story in nine steps, each a view of the real app with a short text and its own link."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from relu_viz import ACTIVATIONS, GROUPS
from ui import maxout, presenter
from ui.dead_neurons import PRESETS
from ui.links import set_query
from ui.state import PANEL_SETTINGS, View, view_from_link


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    settings: dict  # URL names -> values, as a link would give them


def _sim(preset: str) -> dict:
    return {"tab": "Dead neurons", "act": ["relu", "leaky_relu"], **PRESETS[preset][1]}


STEPS = (
    Step("ReLU is max(0, z)",
         "ReLU passes a positive input unchanged and turns a negative one into 0: f(z) = max(0, z). The dots are "
         "the classic plot over `range(-10, 11)`: for z = -10 … 0 the output is 0, then 1, 2, …, 10.",
         {"act": ["relu"], "ints": "true"}),
    Step("Its derivative, and the kink at 0",
         "f′(z) is 0 for z < 0 and 1 for z > 0. At z = 0 the graph has a corner: every slope between 0 and 1 is a "
         "subgradient there, and PyTorch's autograd uses 0. The probe below reads f′(0) = 0.",
         {"act": ["relu"], "probe": "0"}),
    Step("Why it trains well",
         "For every positive input ReLU's derivative is exactly 1, so a gradient passes through the unit "
         "undiminished. Sigmoid's derivative is at most 0.25 and tanh's at most 1, and both fall towards 0 in the "
         "tails: the strips under the derivatives mark where |f′| < 0.01.",
         {"act": ["relu", "sigmoid", "tanh"]}),
    Step("Speed",
         "Is ReLU cheaper to compute than tanh and sigmoid? The bars are measured now, on the server showing this "
         "page: the time of f and of f′ over a million inputs, relative to ReLU.",
         {"tab": "Speed", "act": ["relu", "sigmoid", "tanh"]}),
    Step("ReLU is not zero-centred",
         "ReLU's outputs are never negative: its range is [0, ∞), and the properties table says it is not "
         "zero-centred. Tanh's outputs take both signs around f(0) = 0.",
         {"act": ["relu", "tanh"]}),
    Step("Dead neurons",
         "Train a small ReLU network with a learning rate that is too high: big updates push units to where their "
         "input is negative for every example. Their derivative is then 0 everywhere, so they never update again.",
         _sim("Learning rate too high")),
    Step("The Leaky ReLU fix",
         "The same network, data and learning rate with Leaky ReLU: its slope for negative inputs is 0.01, never 0, "
         "so no unit can die.",
         _sim("Leaky ReLU rescue")),
    Step("Maxout generalises ReLU",
         "Maxout outputs the largest of k lines. max(0, z) is ReLU, max(0.1 z, z) is Leaky ReLU, and the pieces "
         "shown here, max(-z, z), make |z|. Load the other presets in the Maxout table of the sidebar.",
         {"act": ["relu", "maxout"], "maxout.slopes": "-1,1", "maxout.intercepts": "0,0"}),
    Step("The modern smooth family",
         "ELU, GELU, SiLU and Mish follow ReLU for large inputs but bend smoothly near 0. GELU, SiLU and Mish dip "
         "slightly below 0 before rising; ELU levels off at -1. Their derivatives are continuous: see 'Smooth' in "
         "the properties table.",
         {"act": ["elu", "gelu", "silu", "mish"]}),
)
NUMBERS = tuple(str(i) for i in range(1, len(STEPS) + 1))
APPLIED, GOTO = "tour.applied", "tour.goto"


def query(step: Step) -> dict[str, list[str]]:
    """A step's settings as a parsed query string."""
    return {name: value if isinstance(value, list) else [str(value)] for name, value in step.settings.items()}


def apply(number: str) -> None:
    """Set every widget to step `number`'s view (defaults for what the step does not name)."""
    view = view_from_link(query(STEPS[int(number) - 1]))
    for group in GROUPS:
        st.session_state[f"pick.{group}"] = [k for k in view.acts if ACTIVATIONS[k].group == group]
    st.session_state["pick.seeded"] = True
    for key in view.acts:
        for name, value in view.params[key].items():
            if ACTIVATIONS[key].param(name).kind != "pieces":
                st.session_state[f"{key}.{name}"] = value
    if "maxout" in view.acts:
        maxout.use(view.params["maxout"]["slopes"], view.params["maxout"]["intercepts"])
    st.session_state.update(xmin=view.xmin, xmax=view.xmax, probe=view.probe, ints=view.ints)
    for name, p in PANEL_SETTINGS.items():
        if name not in ("tour", "present"):
            st.session_state[name] = view.panels.get(name, p.default)


def follow_link() -> None:
    """Open the step the URL names (?tour=3), once per step: a step link, or Previous/Next, which navigate."""
    number = st.query_params.get("tour")
    number = number if number in NUMBERS else None
    if number != st.session_state.get(APPLIED):
        st.session_state[APPLIED] = number
        if number:
            apply(number)


def _go(number: str | None) -> None:
    st.session_state[GOTO] = number


def navigate() -> None:
    """Go to the step a button asked for, as a link to it (so the address bar is the step's own link), or leave
    the tour."""
    if GOTO not in st.session_state:
        return
    number = st.session_state.pop(GOTO)
    if number is None:
        st.session_state[APPLIED] = None
        set_query("tour", None)
        st.rerun()
    st.switch_page("app.py", query_params={"tour": number, **({"present": "1"} if presenter.is_on() else {})})


def start_button() -> None:
    st.button("Take the guided tour", key="tour.start", on_click=_go, args=("1",), icon=":material/explore:",
              width="stretch", help="Nine steps through the ReLU story, each a view of this app with its own link.")


def box(view: View) -> None:
    """The tour's step selector, text and previous/next buttons (PageUp/PageDown), while a tour is on."""
    number = st.session_state.get(APPLIED)
    if not number:
        return
    view.panels["tour"] = number
    i = int(number)
    step = STEPS[i - 1]
    with st.container(border=True, key="tour.box"):
        st.segmented_control("Guided tour", NUMBERS, default=number, key=f"tour.steps.{number}",
                             on_change=lambda: _go(st.session_state.get(f"tour.steps.{number}") or number))
        st.markdown(f"**{i}. {step.title}**  \n{step.text}")
        back, forward, leave = st.columns([1, 1, 1])
        back.button("← Previous", key="tour.back", on_click=_go, args=(str(i - 1),), disabled=i == 1,
                    shortcut="PageUp", width="stretch")
        forward.button("Next →", key="tour.next", on_click=_go, args=(str(i + 1),), disabled=i == len(STEPS),
                       shortcut="PageDown", type="primary", width="stretch")
        leave.button("Exit the tour", key="tour.exit", on_click=_go, args=(None,), width="stretch")
