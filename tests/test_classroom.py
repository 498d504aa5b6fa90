"""Tour, presenter mode and speed panel through AppTest."""

import time

import pytest

from relu_viz import ACTIVATIONS
from relu_viz.timing import median_seconds
from tests.apptest import notices, open_app, plotted
from ui.state import check_link
from ui.tour import STEPS, query


@pytest.mark.parametrize("number", range(1, len(STEPS) + 1))
def test_every_tour_step_link_renders_its_view(number):
    step = STEPS[number - 1]
    assert not check_link(query(step)).notices, "a tour step's settings must be a valid link"
    at = open_app({"tour": str(number)})
    assert not at.warning, notices(at)
    assert at.get("plotly_chart"), "every step shows a chart"
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


def test_tour_step_with_the_leaky_fix_shows_no_dead_units():
    at = open_app({"tour": "7"})
    assert {m.label: m.value for m in at.metric}["dead L1"] == "0%"


def test_presenter_mode_collapses_controls_and_enlarges_type():
    at = open_app({"present": "1", "tab": "Dead neurons"})
    assert any("font-size" in h.proto.body for h in at.get("html")), "presenter style injected"
    assert at.expander[0].label == "Network and training" and not at.expander[0].proto.expanded
    assert at.toggle(key="present.toggle").value
    plain = open_app({"tab": "Dead neurons"})
    assert not plain.get("html") and not plain.toggle(key="present.toggle").value
    assert plain.expander[0].proto.expanded


def test_speed_panel_numbers_are_positive_and_relative_to_relu():
    at = open_app({"tab": "Speed", "act": ["sigmoid", "tanh"]})
    rows = at.table[0].value.to_dict("records")
    assert [r["activation"] for r in rows] == ["ReLU", "Sigmoid", "Tanh"]
    assert all(float(r["f (ms)"]) > 0 and float(r["f′ (ms)"]) > 0 for r in rows)
    assert rows[0]["f vs ReLU"] == "1.0×"


def test_timing_stops_at_its_budget():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    median_seconds(slow, repeats=50, budget=0.05)
    assert len(calls) == 3, "one warm-up, then repeats only until the budget is spent (at least two)"


def test_the_numbers_the_tour_states_hold():
    import numpy as np

    from relu_viz.properties import derive

    x = np.linspace(-10, 10, 200_001)
    a = ACTIVATIONS
    assert a["sigmoid"].derivative(x).max() == 0.25 and a["tanh"].derivative(x).max() == 1
    assert a["relu"].derivative(0.0) == 0 and a["relu"].derivative(x[x > 0]).min() == 1
    assert np.array_equal(a["relu"](np.arange(-10, 11.0)), [0.0] * 10 + list(range(11)))
    assert derive(a["relu"]).range_text == "[0, ∞)" and not derive(a["relu"]).zero_centred
    assert derive(a["tanh"]).zero_centred
    assert all(derive(a[k]).lower < 0 and derive(a[k]).smooth for k in ("gelu", "silu", "mish"))
    assert derive(a["elu"]).lower == -1 and derive(a["elu"]).smooth
    assert a["leaky_relu"].derivative(x).min() == 0.01
    assert np.array_equal(a["maxout"](x, slopes=(-1, 1), intercepts=(0, 0)), np.abs(x))


def test_measure_again_remeasures_within_the_speed_panel(monkeypatch):
    import ui.speed_panel

    calls = []
    real = ui.speed_panel.time_activation
    monkeypatch.setattr(ui.speed_panel, "time_activation", lambda *a, **k: calls.append(a[0].key) or real(*a, **k))
    at = open_app({"tab": "Speed", "act": "tanh"})
    at.button(key="speed.again").click().run()
    assert not at.exception and calls[-2:] == ["relu", "tanh"], calls
    assert [r["activation"] for r in at.table[0].value.to_dict("records")] == ["ReLU", "Tanh"]
