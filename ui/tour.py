"""The guided tour: the ReLU story in ten steps, each a view of the real app with a short text and its own link."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from relu_viz import ACTIVATIONS, GROUPS, build
from relu_viz.activations import RECTIFIER_HISTORY
from relu_viz.curves import NEAR_ZERO, near_zero_intervals
from relu_viz.properties import derive, fixed
from relu_viz.scenarios import SCENARIOS
from ui import maxout, presenter
from ui.controls import set_parameters
from ui.dead_neurons import CONTROLS, settings, story_check
from ui.explorer import probe_rows, property_rows, sampled
from ui.links import set_query
from ui.state import BUILD_K, BUILD_XMAX, BUILD_XMIN, HINGE_LISTS, PANEL_SETTINGS, View, format_number, view_from_link


@dataclass(frozen=True)
class Step:
    title: str
    text: str  # may name computed facts in braces, such as {relu_mean}: see facts()
    settings: dict  # URL names -> values, as a link would give them
    shows: str = ""  # what the text points at, drawn in the tour box too (see focus()): probe, strips, ...


@functools.cache
def facts() -> dict[str, str]:
    """The numbers the tour's texts state, computed from the core (never typed in)."""
    means = {key: derive(ACTIVATIONS[key]).mean_output for key in ("relu", "leaky_relu", "tanh", "selu", "elu",
                                                                    "gelu", "silu", "mish")}
    smooth = [means[k] for k in ("elu", "gelu", "silu", "mish")]
    x = np.linspace(-10, 10, 200_001)
    sine = build.sample(np.sin, BUILD_XMIN, BUILD_XMAX)
    tooth = build.sample(build.target("sawtooth", TOOTH), 0.0, 1.0)
    return {
        "build_k": str(BUILD_K),
        "build_even_largest": f"{_even_sine().errors(*sine)[1]:.2f}",
        "tooth_depth": str(TOOTH),
        "tooth_pieces": str(build.linear_pieces(tooth[0], build.forward(build.tent_network(TOOTH), tooth[0]))),
        "tooth_units": str(build.units(build.tent_network(TOOTH))),
        "tooth_floor": f"{build.one_layer_floor(TOOTH, build.units(build.tent_network(TOOTH)), tooth[0])[1]:g}",
        **{f"{key}_mean": fixed(value) for key, value in means.items()},
        "smooth_means": f"{min(smooth):.2f} to {max(smooth):.2f}",
        "sigmoid_max_slope": f"{ACTIVATIONS['sigmoid'].derivative(x).max():g}",
        "tanh_max_slope": f"{ACTIVATIONS['tanh'].derivative(x).max():g}",
        "leaky_slope": f"{ACTIVATIONS['leaky_relu'].defaults['negative_slope']:g}",
        "relu_zero_share": f"{np.mean(ACTIVATIONS['relu'](np.random.default_rng(0).normal(size=100_000)) == 0):.0%}",
    }


TOOTH = 5  # the sawtooth of the Build step: the tent composed 5 times


def _even_sine() -> build.Hinges:
    return build.even(np.sin, BUILD_XMIN, BUILD_XMAX, BUILD_K)


def _placed(hinges: build.Hinges) -> dict:
    """Hinges as link settings."""
    lists = {name: ",".join(format_number(v) for v in getattr(hinges, name[-1])) for name in HINGE_LISTS}
    return {"tab": "Build", "build.k": hinges.k, **lists, "build.c": format_number(hinges.c)}


def _scenario(key: str) -> dict:
    return {"tab": "Dead neurons", "act": ["relu", "leaky_relu"], **settings(SCENARIOS[key].config)}


STEPS = (
    Step("ReLU is max(0, z)",
         "ReLU passes a positive input unchanged and turns a negative one into 0: f(z) = max(0, z). The dots are "
         "the classic plot over `range(-10, 11)`: for z = -10 … 0 the output is 0, then 1, 2, …, 10. "
         + RECTIFIER_HISTORY.replace("{", "{{").replace("}", "}}") + " Glorot, Bordes and Bengio (2011) showed "
         "that deep networks of rectifiers train well, and AlexNet (Krizhevsky et al. 2012) made it the default. "
         "Its outputs are sparse: for a "
         "standard normal input, {relu_zero_share} of them are exactly 0.",
         {"act": ["relu"], "ints": "true"}),
    Step("Its derivative, and the kink at 0",
         "f′(z) is 0 for z < 0 and 1 for z > 0. At z = 0 the graph has a corner: every slope between 0 and 1 is a "
         "subgradient there, and PyTorch's autograd uses 0. The probe reads f′(0) = 0.",
         {"act": ["relu"], "probe": "0"}, "probe"),
    Step("Why it trains well",
         "For every positive input ReLU's derivative is exactly 1, so a gradient passes through the unit "
         "undiminished. Sigmoid's derivative is at most {sigmoid_max_slope} and tanh's at most {tanh_max_slope}, "
         "and both fall towards 0 in the tails: the strips under the derivatives mark where |f′| < 0.01.",
         {"act": ["relu", "sigmoid", "tanh"]}, "strips"),
    Step("Speed",
         "Two claims are made for ReLU's speed. Arithmetic: no exponential to compute (Glorot, Bordes and Bengio "
         "2011). Convergence: Krizhevsky et al. (2012, Fig. 1) report a four-layer convolutional network with ReLUs "
         "reaching 25% training error on CIFAR-10 six times faster than the same network with tanh, adding that the "
         "size of the effect varies with the architecture. The first is measured here, now, on this server: f and "
         "f′ over a million inputs, f′ computed as autograd does (from the saved output for ReLU, sigmoid and "
         "tanh); the second no timing of a function can show.",
         {"tab": "Speed", "act": ["relu", "sigmoid", "tanh"]}),
    Step("ReLU is not zero-centred",
         "ReLU's outputs are never negative: for a standard normal input its mean output is {relu_mean}, tanh's "
         "{tanh_mean} (see the properties table). Why it matters (LeCun et al. 1998, *Efficient BackProp*): for one "
         "example, the weights on a unit's positive inputs all get gradients of the same sign, and over a batch "
         "inputs with a mean far from 0 make the loss surface badly conditioned, so gradient descent zig-zags and "
         "learns slowly (it slows learning; it does not stop it). Leaky ReLU does not fix this (mean "
         "{leaky_relu_mean}), nor does batch normalisation (Ioffe and Szegedy 2015) placed as they place it, on the "
         "pre-activations just before the ReLU: the next layer still receives outputs ≥ 0 (batch normalisation helps "
         "in other ways). What helps is outputs centred near 0, as tanh's are, or SELU's (mean {selu_mean}).",
         {"act": ["relu", "leaky_relu", "tanh"]}, "Mean output,Zero-centred"),
    Step("Dead neurons",
         "Train a small ReLU network with a learning rate that is too high: big updates push units to where their "
         "input is negative for every example. Their derivative is then 0 on every input, so their weights get no "
         "gradient. Under plain gradient descent a dead first-layer unit stays dead; a deeper one can come back "
         "when the layers below it change, and momentum or Adam keep a unit moving for a while after it dies. The "
         "panel says in how many of 20 seeds this story holds.",
         _scenario("lr_too_high"), "story:lr_too_high"),
    Step("The Leaky ReLU fix",
         "The same network, data and learning rate with Leaky ReLU: its slope for negative inputs is "
         "{leaky_slope}, never 0, so no unit dies. Many still end negative on every input: alive, but learning "
         "only through that small slope.",
         _scenario("leaky_rescue"), "story:leaky_rescue"),
    Step("Maxout generalises ReLU",
         "A maxout unit (Goodfellow et al. 2013) outputs the largest of k affine functions of its input, each "
         "learned; drawn here as a function of one input, it is the largest of k lines. max(0, z) is ReLU, "
         "max(0.1 z, z) is Leaky ReLU, and the pieces shown here, max(-z, z), make |z|. Load the others with the "
         "buttons below (or edit the pieces in the Maxout table of the sidebar).",
         {"act": ["relu", "maxout"], "maxout.slopes": "-1,1", "maxout.intercepts": "0,0"}, "maxout"),
    Step("The modern smooth family",
         "ELU (Clevert et al. 2015), GELU (Hendrycks and Gimpel 2016), SiLU (Elfwing et al. 2017) and Mish (Misra "
         "2019) follow ReLU for large inputs but bend smoothly near 0. GELU, SiLU and Mish dip slightly below 0 "
         "before rising; ELU levels off at -1. Their derivatives are continuous (see 'Smooth' in the properties "
         "table), and their mean outputs ({smooth_means}) are closer to 0 than ReLU's {relu_mean}, though not 0.",
         {"act": ["relu", "elu", "gelu", "silu", "mish"]}, "Smooth,Mean output"),
    Step("Build a function from ReLUs",
         "One hidden layer of ReLUs draws a broken line: each unit is a hinge, flat on one side of its kink "
         "x = −b/w, and the sum bends once at each kink. Here {build_k} hinges placed evenly trace the sine to within "
         "{build_even_largest}: move a kink in the table, snap the output weights, or train them. Further down, why "
         "depth helps: the tent map composed {tooth_depth} times is a sawtooth of {tooth_pieces} pieces drawn by "
         "{tooth_units} units in {tooth_depth} layers; one hidden layer needs {tooth_pieces} units, and with "
         "{tooth_units} it misses by at least {tooth_floor} somewhere.",
         _placed(_even_sine())),
)
NUMBERS = tuple(str(i) for i in range(1, len(STEPS) + 1))
APPLIED, GOTO = "tour.applied", "tour.goto"


def text(step: Step) -> str:
    """The step's text with its computed facts filled in."""
    return step.text.format(**facts())


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
        set_parameters(key, view.params[key])
    st.session_state.update(xmin=view.xmin, xmax=view.xmax, probe=view.probe, ints=view.ints)
    for name, p in PANEL_SETTINGS.items():
        if name not in ("tour", "present"):
            st.session_state[name] = view.panels.get(name, p.default)
    st.session_state[CONTROLS] = view.panels.get("tab") != "Dead neurons"  # a scenario step: its results in view


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
              width="stretch",
              help=f"{len(STEPS)} steps through the ReLU story, each a view of this app with its own link.")


def box(view: View) -> Callable[[], None]:
    """The tour's step selector, text, what the text points at, and previous/next buttons (PageUp/PageDown), while
    a tour is on. Returns what to call once the page is drawn (see focus())."""
    number = st.session_state.get(APPLIED)
    if not number:
        return lambda: None
    view.panels["tour"] = number
    i = int(number)
    step = STEPS[i - 1]
    with st.container(border=True, key="tour.box"):
        st.segmented_control("Guided tour", NUMBERS, default=number, key=f"tour.steps.{number}",
                             on_change=lambda: _go(st.session_state.get(f"tour.steps.{number}") or number))
        st.markdown(f"**{i}. {step.title}**  \n{text(step)}")
        when_drawn = focus(step)
        back, forward, leave = st.columns([1, 1, 1])
        back.button("← Previous", key="tour.back", on_click=_go, args=(str(i - 1),), disabled=i == 1,
                    shortcut="PageUp", width="stretch")
        forward.button("Next →", key="tour.next", on_click=_go, args=(str(i + 1),), disabled=i == len(STEPS),
                       shortcut="PageDown", width="stretch")
        leave.button("Exit the tour", key="tour.exit", on_click=_go, args=(None,), width="stretch")
    return when_drawn


def focus(step: Step) -> Callable[[], None]:
    """What the step's text points at, at the step's settings, in the tour box: in the first screen even when the
    part of the page it comes from is further down (or in the collapsed sidebar). Returns what to call once the
    page is drawn: a scenario's seed count is filled in then, after the panel below has computed it, so the tour's
    buttons are on screen, and answer, meanwhile."""
    view = view_from_link(query(step))
    kind, _, detail = step.shows.partition(":")
    if kind == "story":
        slot = st.empty()
        return lambda: slot.markdown(story_check(detail)[1])
    if kind == "probe":
        st.table(probe_rows(view, view.probe), hide_index=True)
    elif kind == "strips":
        st.table([{"activation": ACTIVATIONS[k].label, f"|f′| < {NEAR_ZERO:g} for x in": _intervals(view, k)}
                  for k in view.acts], hide_index=True)
    elif kind == "maxout":
        with st.container(horizontal=True):
            for name, pieces in maxout.PRESETS.items():
                st.button(f"Maxout as {name}", key=f"tour.maxout.{name}", on_click=maxout.use, args=pieces)
    elif kind:
        st.table(property_rows(view, tuple(kind.split(","))), hide_index=True)
    return lambda: None


def _intervals(view: View, key: str) -> str:
    curve = sampled(key, tuple(sorted(view.params[key].items())), view.xmin, view.xmax).df
    found = near_zero_intervals(curve.x, curve.y)
    return " and ".join(f"[{lo:.3g}, {hi:.3g}]" for lo, hi in found) or "nowhere"
