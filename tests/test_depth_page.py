"""The depth panel through AppTest: the numbers in its captions are the core's."""

import pytest

from relu_viz.depth import born_dead_by_depth, max_trials, signal_propagation
from tests.apptest import notices, open_app
from ui.depth_panel import WIDTHS


def test_depth_panel_states_the_computed_probabilities_and_ratios():
    at = open_app({"tab": "Depth"})
    assert len(at.get("plotly_chart")) == 2
    born = next(c.value for c in at.caption if c.value.startswith("Born dead at 25 hidden layers"))
    for width in WIDTHS:
        curve = born_dead_by_depth(25, width, min(4000, max_trials(25, width)), 0)
        assert f"width {width}: {float(curve.dead[-1]):.1%}" in born
        assert f"width {width}: {float(curve.nearly_constant[-1]):.1%}" in born
    assert "Wilson" in born and "-√7, 0 and √7 decide exactly" in born
    meaning = next(m.value for m in at.markdown if m.value.startswith("**What it means.**"))
    ten = born_dead_by_depth(25, 3, 4000, 0).dead[9]
    assert f"{float(ten):.0%} of the networks of 10 hidden layers" in meaning
    signal = next(c.value for c in at.caption if c.value.startswith("ReLU, measured over 8"))
    he = signal_propagation("relu", depth=30, width=256, init="he", batch=256)
    assert f"He ×{he.second_moment[-1] / he.second_moment[0]:.3g}" in signal
    assert f"He ×{he.gradient_norm[0] / he.gradient_norm[-1]:.3g}" in signal


def test_tanh_gradients_are_said_to_grow_and_sigmoid_gradients_to_shrink():
    tanh = open_app({"tab": "Depth", "act": ["tanh", "sigmoid"], "depth.sig_act": "tanh"})
    caption = next(c.value for c in tanh.caption if c.value.startswith("Tanh, measured"))
    assert "Xavier ×" in caption and "(grows towards the input)" in caption and "shrinks" not in caption
    sigmoid = open_app({"tab": "Depth", "act": ["tanh", "sigmoid"], "depth.sig_act": "sigmoid"})
    caption = next(c.value for c in sigmoid.caption if c.value.startswith("Sigmoid, measured"))
    assert "Xavier ×" in caption and "(shrinks towards the input)" in caption


def test_leaky_relu_is_shown_never_born_dead():
    at = open_app({"tab": "Depth", "act": ["relu", "leaky_relu"], "depth.act": "leaky_relu"})
    assert any("no network was born dead" in i.value for i in at.info)


def test_rai_link_says_how_many_saved_networks_are_nearly_constant():
    at = open_app({"tab": "Depth", "depth.init": "rai", "depth.layers": "10", "depth.trials": "1000",
                   "depth.sig_std": "0.05", "depth.sig_depth": "10", "depth.sig_width": "64"})
    assert not at.warning, notices(at)
    born = next(c.value for c in at.caption if c.value.startswith("Born dead at 10 hidden layers"))
    differs = False
    for width in WIDTHS:  # the chosen initialisation's figures, which differ from He's (the test can tell them apart)
        trials = {init: min(1000, max_trials(10, width, init)) for init in ("rai", "he")}
        rai, he = (born_dead_by_depth(10, width, trials[init], 0, init) for init in ("rai", "he"))
        assert f"width {width}: {float(rai.dead[-1]):.1%}" in born
        assert f"width {width}: {float(rai.nearly_constant[-1]):.1%}" in born
        differs |= f"{float(rai.dead[-1]):.1%}" != f"{float(he.dead[-1]):.1%}"
    assert differs and "decide exactly" not in born, "RAI has biases: no three-input shortcut"
    meaning = next(m.value for m in at.markdown if m.value.startswith("**What it means.**"))
    curve = born_dead_by_depth(10, 3, 1000, 0, "rai")
    saved = float(curve.nearly_constant[-1]) - float(curve.dead[-1])
    assert f"width 3: {saved:.0%} of all networks" in meaning
    assert any("std 0.05" in c.proto.spec for c in at.get("plotly_chart"))


def test_a_panel_activation_that_is_not_shown_is_announced():
    at = open_app({"tab": "Depth", "depth.act": "tanh", "depth.sig_act": "gelu"})
    for name in ("depth.act", "depth.sig_act"):
        assert name in notices(at)
    assert at.session_state["depth.act"] == "relu" and at.session_state["depth.sig_act"] == "relu"


@pytest.mark.parametrize("query, named", [({"depth.layers": "500"}, "depth.layers"),
                                          ({"depth.init": "orthogonal"}, "depth.init"),
                                          ({"depth.sig_width": "4096"}, "depth.sig_width")])
def test_bad_depth_links_fall_back_with_notice(query, named):
    at = open_app({"tab": "Depth", **query})
    assert named in notices(at) and len(at.get("plotly_chart")) == 2


def test_the_born_dead_chart_draws_the_widths_the_readme_states():
    assert WIDTHS == (2, 3, 4, 5, 10)


def test_the_2_to_the_minus_n_rule_and_its_dotted_lines_appear_only_where_it_holds():
    """ReLU under He: the dotted closed form for every width, one legend entry naming what it is, and the rule with
    its condition; RAI and Hardshrink: no dotted line, and the rule said not to hold, with why."""
    import json

    def born_chart(at):
        return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "born dead" in c.proto.spec)

    relu = open_app({"tab": "Depth", "depth.layers": "10", "depth.trials": "1000"})
    dotted = [t for t in born_chart(relu)["data"] if t.get("line", {}).get("dash") == "dot"]
    assert len(dotted) == len(WIDTHS) and sum(t.get("showlegend", True) for t in dotted) == 1
    assert all(t["name"] == "dotted, each width: some layer dead at one input, 1 - (1 - 2^-N)^L" for t in dotted)
    assert {f"width {w}:" in t["hovertemplate"] for t, w in zip(dotted, WIDTHS)} == {True}
    meaning = next(m.value for m in relu.markdown if m.value.startswith("**What it means.**"))
    assert "symmetric about 0" in meaning and "with probability 2^-N" in meaning
    for query, why in (({"depth.init": "rai"}, "Beta(2, 1)"), ({"act": ["relu", "hardshrink"],
                                                                 "depth.act": "hardshrink"}, "more or less than")):
        at = open_app({"tab": "Depth", "depth.layers": "10", "depth.trials": "1000", **query})
        assert not [t for t in born_chart(at)["data"] if t.get("line", {}).get("dash") == "dot"]
        meaning = next(m.value for m in at.markdown if m.value.startswith("**What it means.**"))
        assert "does not hold" in meaning and why in meaning
