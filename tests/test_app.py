"""The explorer page through Streamlit's AppTest: defaults, every activation, parameters, share links, bad links."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from relu_viz import ACTIVATIONS
from relu_viz.curves import POINTS
from tests.apptest import notices, open_app, plotted, sliders


def assert_curve(at, key, **params):
    """The plotted f and f' of `key` equal the core's values at the plotted x (to float32 precision)."""
    act = ACTIVATIONS[key]
    curves = plotted(at)
    for row, fn in ((1, act), (2, act.derivative)):
        x, y = curves[(act.label, row)]
        drawn = ~np.isnan(y)
        assert drawn.sum() >= POINTS, f"{key} row {row}: only {drawn.sum()} points drawn"
        # at a jump the drawn end points are one-sided limits: compare away from the kinks
        kinks = np.array(act.kink_points(**params) or [np.inf])
        away = drawn & (np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3)
        expected = fn(x[away].astype(np.float32).astype(np.float64), **params)
        assert np.allclose(y[away], expected, rtol=1e-5, atol=1e-5), f"{key} row {row} differs from the core"


def test_default_page_shows_relu_without_notices():
    at = open_app()
    assert set(label for label, _ in plotted(at)) == {"ReLU"}
    assert_curve(at, "relu")
    assert not at.warning and not at.error
    x, y = plotted(at)[("ReLU", 1)]
    assert x.min() == -10 and x.max() == 10


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_every_activation_can_be_picked(key):
    at = open_app()
    group = next(g for g in at.get("button_group") if key in g.options or ACTIVATIONS[key].label in g.options)
    group.select(key).run()
    assert not at.exception
    assert ACTIVATIONS[key].label in {label for label, _ in plotted(at)}
    assert_curve(at, key)


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_the_open_formula_tab_shows_the_formulas(key):
    act = ACTIVATIONS[key]
    shown = [latex.value for latex in open_app({"act": key}).latex]
    formula, derivative = act.formulas(**act.defaults)
    assert len(shown) == 2 and formula in shown[0] and derivative in shown[1]


def test_a_released_slider_value_redraws_the_curve_and_enters_the_link():
    """The chart's slider reports its value on release (ui/live_chart.js); the page keeps it in the session (the
    browser suite drags the real slider)."""
    at = open_app({"act": "leaky_relu"})
    before = plotted(at)[("Leaky ReLU", 1)][1].copy()
    at.session_state["leaky_relu.negative_slope"] = 0.3
    at.run()
    after = plotted(at)[("Leaky ReLU", 1)][1]
    assert not np.allclose(before, after)
    assert_curve(at, "leaky_relu", negative_slope=0.3)
    assert sliders(at) == {"leaky_relu.negative_slope": 0.3} and at.query_params["leaky_relu.negative_slope"] == "0.3"


def _release_script():
    import streamlit as st

    from ui.controls import release

    st.session_state.setdefault("rrelu.upper", 0.3)
    release(st.session_state.get("released", {}))


@pytest.mark.parametrize("values, kept", [
    ({"leaky_relu.negative_slope": 0.5}, {"leaky_relu.negative_slope": 0.5}),
    ({"rrelu.lower": 0.25}, {"rrelu.lower": 0.25}),  # below upper (0.3): accepted
    ({"rrelu.lower": 0.35}, {}),  # above upper: RReLU refuses the pair
    ({"leaky_relu.negative_slope": 2.0}, {}),  # outside [0, 1]
    ({"leaky_relu.negative_slope": float("nan")}, {}),
    ({"leaky_relu.negative_slope": "0.5"}, {}),  # text, not a number
    ({"leaky_relu.negative_slope": True}, {}),
    ({"gelu.approximate": "tanh"}, {}),  # a choice: its own widget, not a slider
    ({"os.system": 1.0, "__class__": 0.0}, {}),
    ({"leaky_relu.negative_slope": 10**400}, {}),  # an integer past float's range (a forged message; it raised)
    ({"leaky_relu.negative_slope": 10**4299}, {}),  # the longest integer Python writes out
    ({"leaky_relu.negative_slope": 1}, {"leaky_relu.negative_slope": 1.0}),  # JSON's integer 1 is a number
])
def test_a_value_the_chart_reports_on_release_is_checked_as_a_link_value_is(values, kept):
    at = AppTest.from_function(_release_script)
    at.session_state["released"] = values
    at.run()
    assert not at.exception
    taken = {name: at.session_state[name] for name in values if name in at.session_state}
    assert taken == kept


SHARE_LINKS = [
    ({"act": ["relu", "leaky_relu"]}, {"relu": {}, "leaky_relu": {}}),
    ({"act": "leaky_relu", "leaky_relu.negative_slope": "0.2"}, {"leaky_relu": {"negative_slope": 0.2}}),
    ({"act": "gelu", "gelu.approximate": "tanh"}, {"gelu": {"approximate": "tanh"}}),
    ({"act": "maxout", "maxout.slopes": "-1,1", "maxout.intercepts": "0,0"},
     {"maxout": {"slopes": (-1.0, 1.0), "intercepts": (0.0, 0.0)}}),
    ({"act": ["elu", "hardtanh"], "elu.alpha": "2.5", "hardtanh.min_val": "-2", "hardtanh.max_val": "3"},
     {"elu": {"alpha": 2.5}, "hardtanh": {"min_val": -2.0, "max_val": 3.0}}),
]


@pytest.mark.parametrize("query, expected", SHARE_LINKS)
def test_share_link_reproduces_its_curves(query, expected):
    at = open_app(query)
    assert not at.warning, notices(at)
    assert {label for label, _ in plotted(at)} == {ACTIVATIONS[k].label for k in expected}
    for key, params in expected.items():
        assert_curve(at, key, **params)


def test_x_range_link():
    at = open_app({"xmin": "-3", "xmax": "5"})
    x, _ = plotted(at)[("ReLU", 1)]
    assert (x.min(), x.max()) == (-3, 5)


def test_maxout_shows_its_pieces_and_the_link_is_read():
    at = open_app({"act": "maxout", "maxout.slopes": "-1,0.5,2", "maxout.intercepts": "0,1,-2"})
    table = at.dataframe[0].value
    assert list(table["slope"]) == [-1.0, 0.5, 2.0] and list(table["intercept"]) == [0.0, 1.0, -2.0]
    assert_curve(at, "maxout", slopes=(-1.0, 0.5, 2.0), intercepts=(0.0, 1.0, -2.0))


BAD_LINKS = [
    ({"act": ["relu", "swiglu"]}, "swiglu", ["ReLU"]),
    ({"act": "leaky_relu", "leaky_relu.negative_slope": "abc"}, "abc", ["Leaky ReLU"]),
    ({"act": "leaky_relu", "leaky_relu.negative_slope": "nan"}, "nan", ["Leaky ReLU"]),
    ({"act": "leaky_relu", "leaky_relu.negative_slope": "1e308"}, "1e308", ["Leaky ReLU"]),
    ({"xmin": "5", "xmax": "-5"}, "xmin must be at least 0.01 below xmax", ["ReLU"]),
    ({"xmin": "0", "xmax": "5e-324"}, "xmin must be at least 0.01 below xmax", ["ReLU"]),  # left the chart blank
    ({"xmin": "NaN"}, "NaN", ["ReLU"]),
    ({"act": "maxout", "maxout.slopes": "0,1,2", "maxout.intercepts": "0,0"}, "same length", ["Maxout"]),
    ({"act": "maxout", "maxout.slopes": "a,b"}, "a,b", ["Maxout"]),
    ({"act": "gelu", "gelu.approximate": "<script>alert(1)</script>"}, "<script>", ["GELU"]),
    ({"tour": "99"}, "tour", ["ReLU"]),
    ({"relu6.alpha": "1"}, "relu6.alpha", ["ReLU"]),
]


@pytest.mark.parametrize("query, named, labels", BAD_LINKS)
def test_bad_link_renders_defaults_with_a_notice(query, named, labels):
    at = open_app(query)
    assert named in notices(at), f"notice does not name {named!r}: {notices(at)!r}"
    assert sorted({label for label, _ in plotted(at)}) == sorted(labels)
    for label in labels:
        key = next(k for k, a in ACTIVATIONS.items() if a.label == label)
        assert_curve(at, key)  # the defaults, since the bad value was ignored
    x, _ = plotted(at)[(labels[0], 1)]
    assert (x.min(), x.max()) == (-10, 10)


def test_notice_shows_hostile_text_inside_a_code_span():
    at = open_app({"act": "<b>bold</b>`x`"})
    text = notices(at)
    assert "`'<b>bold</b>'x''`" in text, text


def test_probe_reads_f_and_derivative_with_kink_note():
    at = open_app({"act": ["relu", "leaky_relu", "binary_step"], "leaky_relu.negative_slope": "0.2"})
    table = at.table[0].value
    rows = {r["activation"]: r for r in table.to_dict("records")}
    assert rows["ReLU"]["f′(x)"] == "0" and "kink" in rows["ReLU"]["note"]
    assert rows["Leaky ReLU"]["f′(x)"] == "0.2"
    assert rows["Binary step"]["f′(x)"].startswith("undefined")
    at.number_input(key="probe").set_value(2.0).run()
    rows = {r["activation"]: r for r in at.table[0].value.to_dict("records")}
    assert rows["ReLU"]["f(x)"] == "2" and rows["ReLU"]["f′(x)"] == "1"


def test_properties_table_follows_parameters():
    at = open_app({"act": "elu", "elu.alpha": "2"})
    props = {r["property"]: r["ELU"] for r in at.table[1].value.to_dict("records")}
    assert props["Range"] == "(-2, ∞)" and props["Smooth (f' continuous)"] == "no"


def test_what_continuous_means_is_said_with_softplus_step_worked_by_hand():
    """PyTorch's Softplus is x for x > 20: at 20 it steps down from log(1 + e^20) = 20 + log(1 + e^-20), by about
    e^-20 = 2.1e-9; the caption says so and that such a step is below the tolerance of "continuous"."""
    at = open_app({"act": ["softplus", "threshold"], "threshold.threshold": "0", "threshold.value": "1e-8"})
    caption = next(c.value for c in at.caption if "Continuous means" in c.value)
    assert f"steps there by {np.log1p(np.exp(-20.0)):.1e}" in caption and "no jump larger than 1e-06" in caption
    props = {r["property"]: r for r in at.table[1].value.to_dict("records")}
    assert props["Continuous"]["Softplus"] == "yes" and props["Continuous"]["Threshold"] == "yes"


def test_the_chart_caption_states_the_float32_zero_tails_torch_gives():
    """Where sigmoid's and tanh's f' (and a shown ELU's) is exactly 0 in float32, as the caption states it, is where
    PyTorch's float32 autograd gives 0: checked 0.1% inside and outside each stated end (the ends are stated to 4
    digits)."""
    import re

    import torch

    caption = next(c.value for c in open_app({"act": ["relu", "elu"]}).caption if "In float32" in c.value)
    stated = dict(re.findall(r"(\w+) for x in ([^;]+?)(?=;|\. Jumps)", caption))
    assert set(stated) == {"Sigmoid", "Tanh", "ELU"}, caption
    fns = {"Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "ELU": torch.nn.functional.elu}
    for label, zones in stated.items():
        ends = [(float(v), -1) for v in re.findall(r"\(-∞, (-?[\d.]+)\]", zones)]  # zone to the left of the end
        ends += [(float(v), 1) for v in re.findall(r"\[(-?[\d.]+), ∞\)", zones)]
        assert ends and len(ends) == zones.count("∞"), zones
        for end, side in ends:
            x = torch.tensor([end + side * 1e-3 * abs(end), end - side * 1e-3 * abs(end)] * 16, requires_grad=True)
            fns[label](x).sum().backward()
            assert (x.grad[0::2] == 0).all() and (x.grad[1::2] != 0).all(), (label, end, side)
