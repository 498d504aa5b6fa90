"""The dead-neuron panel through AppTest: defaults, every preset, links, bad links, downloads."""

import json

import pytest

from relu_viz.training import TrainConfig, train
from tests.apptest import notices, open_app
from ui.dead_neurons import PRESETS, final_json, history_csv


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_default_run_is_the_contract_configuration():
    at = open_app({"tab": "Dead neurons"})
    expected = train(TrainConfig())
    shown = metrics(at)
    assert shown["epochs"] == "300" and shown["loss"] == f"{expected.loss[-1]:.3g}"
    assert shown["dead L1"] == f"{expected.dead_fraction[-1, 0]:.0%}"
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("first-layer hinges" in t for t in titles) and any("Activity of every hidden unit" in t for t in titles)


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_runs_and_shows_what_it_claims(name):
    at = open_app({"tab": "Dead neurons"})
    at.button(key=f"sim.preset.{name}").click().run()
    assert not at.exception
    shown = metrics(at)
    text, settings = PRESETS[name]
    assert text in [i.value for i in at.info], "the preset's explanation is shown"
    dead_first = float(shown["dead L1"].rstrip("%"))
    if name == "Learning rate too high":
        assert dead_first >= 40
    elif name in ("Healthy", "Leaky ReLU rescue"):
        assert dead_first == 0 and shown["dead L2"] in ("0%", "3%", "6%", "9%", "12%", "16%")
    elif name == "Bad bias init":
        assert dead_first >= 40
    else:
        assert settings["sim.act"] == "sigmoid" and float(shown["loss"]) > 0.3, "saturated sigmoid stays flat"
        dead = [t for t in at.get("plotly_chart") if "layer 2 saturated" in t.proto.spec]
        assert dead, "the saturated share is drawn beside the dead share"


def test_leaky_rescue_has_no_dead_units_at_all():
    at = open_app({"tab": "Dead neurons"})
    at.button(key="sim.preset.Leaky ReLU rescue").click().run()
    assert metrics(at)["dead L1"] == "0%" and metrics(at)["dead L2"] == "0%"


def test_link_sets_the_simulation():
    at = open_app({"tab": "Dead neurons", "act": ["relu", "tanh"], "sim.act": "tanh", "sim.data": "abs",
                   "sim.layers": "1", "sim.width": "8", "sim.lr": "0.01", "sim.epochs": "50"})
    assert not at.warning, notices(at)
    run = train(TrainConfig(activation="tanh", hidden=(8,), dataset="abs", lr=0.01, epochs=50))
    assert metrics(at)["loss"] == f"{run.loss[-1]:.3g}" and "dead L2" not in metrics(at)


def test_compare_shows_both_activations():
    at = open_app({"tab": "Dead neurons", "sim.compare": "leaky_relu", "sim.data": "moons", "sim.lr": "4",
                   "sim.epochs": "100"})
    assert [s.value for s in at.subheader][-2:] == ["ReLU", "Leaky ReLU"]


@pytest.mark.parametrize("query, named", [
    ({"sim.lr": "0.07"}, "sim.lr"), ({"sim.width": "100000"}, "sim.width"), ({"sim.data": "mnist"}, "sim.data"),
    ({"sim.act": "gelu"}, "sim.act"), ({"sim.epochs": "nan"}, "sim.epochs"),
])
def test_bad_simulation_links_fall_back_with_a_notice(query, named):
    at = open_app({"tab": "Dead neurons", **query})
    assert named in notices(at)
    assert metrics(at)["epochs"] == "300" and metrics(at)["loss"] == f"{train(TrainConfig()).loss[-1]:.3g}"


def test_unknown_tab_opens_the_explorer_with_a_notice():
    at = open_app({"tab": "Secret"})
    assert "tab" in notices(at) and at.get("plotly_chart") and not at.metric


def test_diverging_run_says_what_happened_and_what_to_try():
    at = open_app({"tab": "Dead neurons", "sim.lr": "10"})
    assert any("diverged" in e.value and "lower" in e.value for e in at.error)


def test_too_large_configuration_is_refused_with_a_message():
    at = open_app({"tab": "Dead neurons", "sim.layers": "4", "sim.width": "128", "sim.samples": "512",
                   "sim.epochs": "2000"})
    assert any("too large" in e.value for e in at.error) and not at.metric


def test_downloads_hold_the_run():
    run = train(TrainConfig(epochs=20, dataset="moons"))
    lines = history_csv(run).splitlines()
    assert lines[0].startswith("epoch,loss,accuracy,dead_layer1") and len(lines) == 22
    state = json.loads(final_json(run))
    assert state["epochs_run"] == 20 and len(state["dead_units"]) == 2 and state["config"]["dataset"] == "moons"
