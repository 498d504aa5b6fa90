"""Tour, presenter mode and speed panel through AppTest."""

import math
import re

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from tests.apptest import notices, open_app, plotted
from ui.state import check_link
from ui.tour import STEPS, query


@pytest.mark.parametrize("number", range(1, len(STEPS) + 1))
def test_every_tour_step_link_renders_its_view(number):
    step = STEPS[number - 1]
    assert not check_link(query(step)).notices, "a tour step's settings must be a valid link"
    at = open_app({"tour": str(number)})
    assert not at.warning, notices(at)
    assert at.get("plotly_chart") or at.get("bidi_component"), "every step shows a chart"
    assert any(step.title in m.value for m in at.markdown)
    tab = step.settings.get("tab", "Explorer")
    assert at.session_state["tab"] == tab
    if tab == "Explorer":
        shown = {label for label, _ in plotted(at)}
        assert shown == {ACTIVATIONS[k].label for k in step.settings["act"]}


def test_next_and_previous_walk_the_tour_and_exit_leaves_it():
    at = open_app()
    at.button(key="tour.start").click().run()
    assert at.session_state["tour.applied"] == "1"
    for number in range(2, len(STEPS) + 1):
        at.button(key="tour.next").click().run()
        assert not at.exception and at.session_state["tour.applied"] == str(number)
    assert at.button(key="tour.next").disabled
    at.button(key="tour.back").click().run()
    assert at.session_state["tour.applied"] == str(len(STEPS) - 1)
    at.button(key="tour.exit").click().run()
    assert at.session_state["tour.applied"] is None
    assert not any(s.label == "Guided tour" for s in at.get("button_group"))


def tour_box_tables(at) -> list[list[dict]]:
    """The tables inside the tour box, as records."""
    return [t.value.to_dict("records") for t in at.get("table")]


def test_the_tour_box_shows_what_each_step_points_at():
    probe = tour_box_tables(open_app({"tour": "2"}))[0]
    assert probe == [{"activation": "ReLU", "f(x)": "0", "f′(x)": "0",
                      "note": "kink: f′ is 0 from the left, 1 from the right; shown: autograd's value here"}]
    strips = {r["activation"]: r["|f′| < 0.01 for x in"] for r in tour_box_tables(open_app({"tour": "3"}))[0]}
    # closed forms: sigmoid' = s(1 - s) = 0.01 at |x| = ln((1 + √0.96) / (1 - √0.96)); tanh' = 0.01 at atanh(√0.99)
    sigmoid_edge, tanh_edge = math.log((1 + math.sqrt(0.96)) / (1 - math.sqrt(0.96))), math.atanh(math.sqrt(0.99))
    assert strips["ReLU"] == "[-10, 0]"
    for label, edge in (("Sigmoid", sigmoid_edge), ("Tanh", tanh_edge)):
        left, right = re.findall(r"\[(\S+), (\S+)\]", strips[label])
        assert (float(left[0]), float(right[1])) == (-10, 10)
        assert abs(float(left[1]) + edge) < 0.06 and abs(float(right[0]) - edge) < 0.06, strips[label]
    means = tour_box_tables(open_app({"tour": "5"}))[0]
    assert [r["property"][:12] for r in means] == ["Mean output ", "Zero-centred"]
    assert (means[0]["ReLU"], means[1]["ReLU"], means[1]["Tanh"]) == (f"{1 / math.sqrt(2 * math.pi):.3f}", "no", "yes")
    story = open_app({"tour": "6"})
    assert any(m.value.startswith("This story holds in") for m in story.markdown)


def test_the_maxout_step_loads_each_preset_from_the_tour_box():
    at = open_app({"tour": "8"})
    at.button(key="tour.maxout.ReLU").click().run()
    x, y = plotted(at)[("Maxout", 1)]
    assert (y == np.maximum(x, 0)).all()
    at.button(key="tour.maxout.|x|").click().run()
    x, y = plotted(at)[("Maxout", 1)]
    assert (y == np.abs(x).astype(np.float32)).all()


def test_tour_step_with_the_leaky_fix_shows_no_dead_units():
    at = open_app({"tour": "7"})
    assert {m.label: m.value for m in at.metric}["dead L1"] == "0%"


def test_presenter_mode_collapses_controls_and_enlarges_type():
    at = open_app({"present": "1", "tab": "Dead neurons"})
    assert any("stMetricValue" in h.proto.body for h in at.get("html")), "presenter style injected"
    assert at.expander[0].label == "Network and training" and not at.expander[0].proto.expanded
    assert at.toggle(key="present.toggle").value
    plain = open_app({"tab": "Dead neurons"})
    assert all("stMetricValue" not in h.proto.body for h in plain.get("html"))
    assert not plain.toggle(key="present.toggle").value
    assert plain.expander[0].proto.expanded


def test_speed_panel_numbers_are_positive_and_relative_to_relu():
    at = open_app({"tab": "Speed", "act": ["sigmoid", "tanh"]})
    rows = at.table[0].value.to_dict("records")
    assert [r["activation"] for r in rows] == ["ReLU", "Sigmoid", "Tanh"]
    from ui.speed_panel import CAVEATS, INTRO

    said = " ".join(m.value for m in at.markdown)
    assert INTRO in said and "Glorot, Bordes and Bengio 2011" in INTRO and "Krizhevsky et al. (2012, Fig. 1)" in INTRO
    assert "Each function is called twice first" in said and any(c.value == CAVEATS for c in at.caption)
    assert all(float(r["f (ms)"]) > 0 and float(r["f′ (ms)"]) > 0 for r in rows)
    assert rows[0]["f vs ReLU"] == "1.0×"
    relu_ms = float(rows[0]["f (ms)"])
    for row in rows[1:]:  # shown values are rounded: ms to 0.005, the ratio to 0.05
        ratio = float(row["f (ms)"]) / relu_ms
        slack = 0.05 + ratio * 0.005 * (1 / relu_ms + 1 / float(row["f (ms)"]))
        assert float(row["f vs ReLU"].rstrip("×")) == pytest.approx(ratio, abs=slack)


def test_speed_ratios_come_from_the_raw_times():
    from ui.speed_panel import figure

    fig = figure({"ReLU": (0.002, 0.001), "Tanh": (0.006, 0.003)}, 1_000_000)
    assert fig.layout.title.text == "Time over 1,000,000 float64 inputs (median of rounds)"
    f_bars, d_bars = fig.data
    assert list(f_bars.y) == [1.0, 3.0] and list(d_bars.y) == [0.5, 1.5]
    assert list(f_bars.customdata) == [2.0, 6.0], "hover shows milliseconds"


def test_autograd_style_derivatives_equal_the_derivative():
    import numpy as np

    x = np.linspace(-30, 30, 20_001)
    for key in ("relu", "sigmoid", "tanh"):
        act = ACTIVATIONS[key]
        assert np.allclose(act.df_from_output(act(x)), act.derivative(x), rtol=1e-12, atol=1e-15), key


def test_the_numbers_the_tour_states_hold():
    """Each computed fact against an independent closed form or evaluation."""
    import math
    import string

    import numpy as np

    from ui.tour import facts, text

    f = facts()
    names = {name for step in STEPS for _, name, _, _ in string.Formatter().parse(step.text) if name}
    assert names <= set(f), names - set(f)
    assert float(f["relu_mean"]) == pytest.approx(1 / math.sqrt(2 * math.pi), abs=5e-4)
    assert float(f["leaky_relu_mean"]) == pytest.approx(0.99 / math.sqrt(2 * math.pi), abs=5e-4)
    assert float(f["tanh_mean"]) == 0
    # Klambauer et al. (2017) chose SELU's lambda and alpha so that an N(0, 1) input keeps mean 0 and variance 1
    assert abs(float(f["selu_mean"])) < 5e-4
    assert f["sigmoid_max_slope"] == "0.25" and f["tanh_max_slope"] == "1" and f["leaky_slope"] == "0.01"
    assert f["relu_zero_share"] == "50%"
    lo, hi = map(float, f["smooth_means"].split(" to "))
    assert lo == pytest.approx(0.16, abs=0.005) and hi == pytest.approx(1 / (2 * math.sqrt(math.pi)), abs=0.005)
    assert all("{" not in text(step) for step in STEPS)
    x = np.linspace(-10, 10, 200_001)
    a = ACTIVATIONS
    assert a["relu"].derivative(0.0) == 0 and a["relu"].derivative(x[x > 0]).min() == 1
    assert np.array_equal(a["relu"](np.arange(-10, 11.0)), [0.0] * 10 + list(range(11)))
    assert np.array_equal(a["maxout"](x, slopes=(-1, 1), intercepts=(0, 0)), np.abs(x))
    # the Build step: the broken line through 5 evenly spaced points of the sine (numpy's interp), Telgarsky's counts
    fine = np.linspace(-3, 3, 513)
    nodes = np.linspace(-3, 3, 5)
    assert f["build_even_largest"] == f"{np.max(np.abs(np.interp(fine, nodes, np.sin(nodes)) - np.sin(fine))):.2f}"
    assert (f["tooth_pieces"], f["tooth_units"], f["tooth_floor"]) == ("32", "10", "0.5")


def test_one_input_gives_every_incoming_weight_of_a_unit_a_gradient_of_the_same_sign():
    """The zig-zag claim of the zero-centred step: after a ReLU layer the inputs are >= 0, so dL/dw_ij = h_i * delta_j
    has delta_j's sign for every i (checked with torch autograd on one example of a random network)."""
    import torch

    torch.manual_seed(0)
    for _ in range(20):
        x = torch.randn(1, 3)
        W1, W2 = torch.randn(3, 8), torch.randn(8, 5, requires_grad=True)
        h = torch.relu(x @ W1)
        loss = (torch.tanh(h @ W2).sum() - 1.0) ** 2
        loss.backward()
        for j in range(5):
            column = W2.grad[:, j][h[0] > 0]
            assert torch.all(column >= 0) or torch.all(column <= 0)


def test_measure_again_remeasures_within_the_speed_panel(monkeypatch):
    import ui.speed_panel

    calls = []
    real = ui.speed_panel.time_activations
    monkeypatch.setattr(ui.speed_panel, "time_activations", lambda shown, *a, **k: calls.append(list(shown)) or
                        real(shown, *a, **k))
    at = open_app({"tab": "Speed", "act": "tanh"})
    at.button(key="speed.again").click().run()
    assert not at.exception and calls[-1] == ["relu", "tanh"], calls
    assert [r["activation"] for r in at.table[0].value.to_dict("records")] == ["ReLU", "Tanh"]


def test_a_scenario_step_shows_its_seed_count_in_the_tour_box_and_no_empty_table():
    at = open_app({"tour": "6"})
    assert any(m.value.startswith("This story holds in") for m in at.markdown)
    assert all(len(t.value) for t in at.get("table")), "no empty table"


def test_batch_normalisation_before_the_relu_leaves_the_next_layer_inputs_all_positive():
    """The zero-centred step: BN as Ioffe and Szegedy place it (sec. 3.2, on Wu + b, just before the
    non-linearity) makes the pre-activations zero-mean, unit-variance per unit; the ReLU after it still outputs
    values >= 0 whose mean is about 1/sqrt(2 pi) for a normal pre-activation."""
    import torch

    torch.manual_seed(0)
    layer, norm = torch.nn.Linear(5, 64), torch.nn.BatchNorm1d(64)
    with torch.no_grad():
        pre = norm(layer(torch.randn(4096, 5) * 3 + 1))
    h = torch.relu(pre)
    assert abs(float(pre.mean())) < 1e-5 and torch.all(h >= 0)
    assert float(h.mean()) == pytest.approx(1 / math.sqrt(2 * math.pi), abs=0.02)


def test_the_tour_and_relus_summary_tell_the_rectifiers_history_alike_and_as_the_sources_do():
    """Both texts carry the one history (the tour's first step as shown, ReLU's summary), and it says what the
    sources say: Fukushima's rectifying units (1969; the neocognitron, 1980), Hahnloser et al. (2000), Jarrett et al.
    (2009: 'non-linearities that include rectification and local contrast normalization is the single most important
    ingredient', with |tanh| as their rectifier), Nair and Hinton (2010: restricted Boltzmann machines)."""
    from relu_viz.activations import RECTIFIER_HISTORY
    from ui.tour import text

    assert RECTIFIER_HISTORY in ACTIVATIONS["relu"].summary and RECTIFIER_HISTORY in text(STEPS[0])
    for cited in ("Fukushima", "(1969)", "neocognitron (1980)", "Hahnloser et al. (2000)", "Jarrett et al. (2009)",
                  "|tanh x|", "local contrast normalisation", "Nair and Hinton (2010)", "restricted Boltzmann"):
        assert cited in RECTIFIER_HISTORY, cited
    assert not re.search(r"rectification the single most important", RECTIFIER_HISTORY), "Jarrett et al. name two"
