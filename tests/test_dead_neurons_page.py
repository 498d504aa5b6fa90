"""The dead-neuron panel through AppTest: defaults, every preset, links, bad links, downloads."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from relu_viz.scenarios import SCENARIOS, check
from relu_viz.training import TrainConfig, standardized, train
from tests.apptest import APP, notices, open_app
from ui.dead_neurons import data_csv, final_json, history_csv, settings


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
    assert shown["dead L2"] == f"{expected.dead_fraction[-1, 1]:.0%}"


@pytest.mark.parametrize("key", SCENARIOS)
def test_each_scenario_button_runs_its_configuration_and_tells_its_story_with_its_seed_count(key):
    at = open_app({"tab": "Dead neurons"})
    at.button(key=f"sim.preset.{key}").click().run()
    assert not at.exception
    scenario = SCENARIOS[key]
    run = train(scenario.config)
    shown = metrics(at)
    assert shown["epochs"] == str(run.epochs_run) and shown["loss"] == f"{run.loss[-1]:.3g}"
    assert shown["dead L1"] == f"{run.dead_fraction[-1, 0]:.0%}"
    story = [i.value for i in at.info if scenario.text in i.value]
    assert story, "the scenario's story is shown"
    result = check(scenario)
    assert f"This story holds in {result.count} of 20 seeds (0-19)." in story[0]
    assert result.evidence in story[0]
    for name, value in settings(scenario.config).items():
        assert at.session_state[name] == value, name


def test_the_default_run_is_the_default_scenario():
    at = open_app({"tab": "Dead neurons"})
    assert any(SCENARIOS["default"].text in i.value for i in at.info)


def test_sweep_over_20_seeds_shows_the_spread_of_the_dead_share():
    at = open_app({"tab": "Dead neurons", "sim.data": "moons", "sim.lr": "0.3", "sim.epochs": "50"})
    at.button(key="sim.sweep.run").click().run()
    assert not at.exception
    from relu_viz.scenarios import spread
    from relu_viz.training import train_seeds

    runs = train_seeds(TrainConfig(dataset="moons", lr=0.3, epochs=50), range(20))
    caption = next(c.value for c in at.caption if c.value.startswith("Dead at the end over seeds 0-19"))
    assert f"layer 1 {spread([r.dead_fraction[-1, 0] for r in runs])}" in caption
    assert any("Dead units over seeds 0-19" in c.proto.spec for c in at.get("plotly_chart"))


def test_link_sets_the_simulation():
    at = open_app({"tab": "Dead neurons", "act": ["relu", "tanh"], "sim.act": "tanh", "sim.data": "abs",
                   "sim.layers": "1", "sim.width": "8", "sim.lr": "0.01", "sim.epochs": "50"})
    assert not at.warning, notices(at)
    run = train(TrainConfig(activation="tanh", hidden=(8,), dataset="abs", lr=0.01, epochs=50))
    assert metrics(at)["loss"] == f"{run.loss[-1]:.3g}" and "dead L2" not in metrics(at)


def test_compare_trains_the_second_configuration_beside_the_first():
    at = open_app({"tab": "Dead neurons", "act": ["relu", "leaky_relu"], "sim.compare": "leaky_relu",
                   "sim.data": "moons", "sim.lr": "2", "sim.epochs": "100"})
    assert [s.value for s in at.subheader][:2] == ["ReLU", "Leaky ReLU"]
    relu = train(TrainConfig(dataset="moons", lr=2.0, epochs=100))
    leaky = train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.01}, dataset="moons", lr=2.0,
                              epochs=100))
    losses = [m.value for m in at.metric if m.label == "loss"]
    assert losses == [f"{relu.loss[-1]:.3g}", f"{leaky.loss[-1]:.3g}"]
    assert losses[0] != losses[1]


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
    assert "tab" in notices(at) and at.get("bidi_component") and not at.metric  # the explorer's live chart


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


@pytest.mark.parametrize("dataset, header", [("sine", "x,y"), ("spiral", "x1,x2,label")])
def test_the_data_download_is_the_training_data_as_drawn(dataset, header):
    config = TrainConfig(epochs=5, dataset=dataset, n_samples=64, seed=3)
    lines = data_csv(config).splitlines()
    assert lines[0] == header and len(lines) == 65
    table = np.loadtxt(lines[1:], delimiter=",", ndmin=2)
    run = train(config)
    assert np.array_equal(standardized(table[:, :-1]), run.X)  # standardised, it is what the network saw
    assert np.array_equal(table[:, -1:], run.y)
    if header.endswith("label"):
        assert set(table[:, -1]) == {0.0, 1.0}


def test_activation_boxes_show_labels_and_links_name_keys():
    at = open_app({"tab": "Dead neurons", "act": ["relu", "leaky_relu"], "sim.compare": "elu"})
    assert at.selectbox(key="sim.act").options == ["ReLU", "Leaky ReLU"]
    assert at.selectbox(key="sim.compare").value == "elu" and "ELU" in at.selectbox(key="sim.compare").options
    at.selectbox(key="sim.act").set_value("leaky_relu").run()
    assert at.query_params["sim.act"] == "leaky_relu" and at.query_params["sim.compare"] == "elu"
    again = open_app(dict(at.query_params.items()))
    assert again.selectbox(key="sim.act").value == "leaky_relu" and again.selectbox(key="sim.compare").value == "elu"


def test_a_scenario_click_folds_the_controls_so_its_story_and_results_come_into_view():
    at = open_app({"tab": "Dead neurons"})
    assert at.expander[0].proto.expanded
    at.button(key="sim.preset.healthy").click().run()
    assert not at.expander[0].proto.expanded and at.info and at.metric


def test_the_run_offers_its_pytorch_script_beside_its_other_downloads():
    at = open_app({"tab": "Dead neurons", "sim.epochs": "20"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the data (CSV)", "Download the history (CSV)", "Download the final state (JSON)",
                      "Reproduce in PyTorch (.py)"]
    assert any("same data, initial weights and mini-batch order" in c.value for c in at.caption)


def test_a_scenario_click_also_resets_its_activation_parameters():
    at = open_app({"tab": "Dead neurons", "act": ["relu", "leaky_relu"], "leaky_relu.negative_slope": "0.33"})
    at.button(key="sim.preset.leaky_rescue").click().run()
    assert at.session_state["leaky_relu.negative_slope"] == 0.01
    assert any(SCENARIOS["leaky_rescue"].title in i.value and "This story holds in" in i.value for i in at.info)


def test_the_input_plane_scrubs_through_epochs_on_2d_data():
    at = open_app({"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"})
    run = train(TrainConfig(dataset="moons", bias_init=-2.0, epochs=60))
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any(f"First-layer units at epoch 60: {int((run.activity[0][60] == 0).sum())} of 32 dead" in t
               for t in titles)
    at.slider(key="sim.units.epoch").set_value(0).run()
    assert not at.exception
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any(f"First-layer units at epoch 0: {int((run.activity[0][0] == 0).sum())} of 32 dead" in t for t in titles)


def test_the_unit_inspector_starts_at_a_dead_unit_and_follows_the_unit_and_epoch_picked():
    at = open_app({"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"})
    run = train(TrainConfig(dataset="moons", bias_init=-2.0, epochs=60))
    first_dead = int(np.flatnonzero(run.activity[0][-1] == 0)[0])
    assert at.number_input(key="sim.inspect.unit.0").value == first_dead + 1

    def sentence():
        return next(m.value for m in at.markdown if m.value.startswith("**Layer "))

    assert f"**Layer 1, unit {first_dead + 1}** at epoch 60" in sentence()
    assert "f′ ≠ 0 on 0% of the training inputs" in sentence()
    alive = int(np.flatnonzero(run.activity[0][-1] > 0)[0])
    at.number_input(key="sim.inspect.unit.0").set_value(alive + 1).run()
    at.slider(key="sim.inspect.epoch").set_value(7).run()
    assert not at.exception
    weights = ", ".join(f"{w:.3g}" for w in run.hidden_layers_at(7)[0][0][:, alive].astype(float))
    assert f"**Layer 1, unit {alive + 1}** at epoch 7: incoming weights ({weights})" in sentence()
    assert f"{run.activity[0][7, alive]:.0%} of the training inputs" in sentence()


def test_a_run_stopped_at_epoch_0_shows_its_units_without_an_epoch_slider():
    """Stop clicked before the first epoch: one epoch to show, so no slider (a slider from 0 to 0 is an error)."""
    config = TrainConfig(dataset="moons")
    run = train(config, progress=lambda partial: False, every=1)
    assert run.status == "stopped" and run.epochs_run == 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["tab"], at.query_params["sim.data"] = "Dead neurons", "moons"
    at.session_state["sim.stopped"] = (config.canonical().to_json(), run)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("First-layer units at epoch 0" in t for t in titles) and any("epoch 0: its input" in t for t in titles)
    assert not [s for s in at.slider if s.key in ("sim.units.epoch", "sim.inspect.epoch")]


def test_the_inspected_unit_and_epoch_travel_in_the_share_link_and_a_link_shows_them():
    query = {"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"}
    at = open_app(query)
    run = train(TrainConfig(dataset="moons", bias_init=-2.0, epochs=60))
    alive = int(np.flatnonzero(run.activity[0][-1] > 0)[0]) + 1
    assert "sim.unit" not in at.code[0].value, "the inspector's own start is not written"
    at.number_input(key="sim.inspect.unit.0").set_value(alive).run()
    at.slider(key="sim.inspect.epoch").set_value(7).run()
    assert not at.exception
    link = at.code[0].value
    assert f"sim.unit={alive}" in link and "sim.unit_epoch=7" in link, link
    assert at.query_params["sim.unit"] == str(alive) and at.query_params["sim.unit_epoch"] == "7"

    opened = open_app({**query, "sim.unit": str(alive), "sim.unit_epoch": "7"})  # the link, opened by another
    assert opened.number_input(key="sim.inspect.unit.0").value == alive
    assert opened.slider(key="sim.inspect.epoch").value == 7
    assert f"**Layer 1, unit {alive}** at epoch 7" in " ".join(m.value for m in opened.markdown)
    assert not opened.warning

    wrong = open_app({**query, "sim.unit": "33", "sim.unit_epoch": "61"})  # the network has 32 units, 60 epochs
    said = " ".join(w.value for w in wrong.warning)
    assert "The link's unit 33 is not in this network (32 units in layer 1)" in said
    assert "The link's epoch 61 (epoch of the unit shown) is not among this run's kept epochs (0 to 60)" in said
    first_dead = int(np.flatnonzero(run.activity[0][-1] == 0)[0]) + 1
    assert wrong.number_input(key="sim.inspect.unit.0").value == first_dead
    assert wrong.slider(key="sim.inspect.epoch").value == 60
    assert "sim.unit" not in wrong.query_params and "sim.unit_epoch" not in wrong.query_params


def test_a_link_names_the_layer_of_its_unit():
    query = {"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"}
    at = open_app({**query, "sim.unit_layer": "2", "sim.unit": "5"})
    assert at.number_input(key="sim.inspect.layer").value == 2 and at.number_input(key="sim.inspect.unit.1").value == 5
    assert "sim.unit_layer=2&sim.unit=5" in at.code[0].value
    at = open_app({**query, "sim.unit_layer": "3"})
    assert "The link's layer 3 is not in this network (2 hidden layers)" in " ".join(w.value for w in at.warning)
    assert "sim.unit_layer" not in at.query_params and "sim.unit_layer" not in at.code[0].value


def test_the_input_planes_epoch_travels_in_the_share_link():
    query = {"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"}
    at = open_app({**query, "sim.plane_epoch": "10"})
    assert at.slider(key="sim.units.epoch").value == 10 and "sim.plane_epoch=10" in at.code[0].value
    assert any("First-layer units at epoch 10" in c.proto.spec for c in at.get("plotly_chart"))
    at.slider(key="sim.units.epoch").set_value(60).run()  # the last epoch: the link leaves it out
    assert "sim.plane_epoch" not in at.code[0].value and "sim.plane_epoch" not in at.query_params
    said = " ".join(w.value for w in open_app({**query, "sim.plane_epoch": "70"}).warning)
    assert "The link's epoch 70 (epoch shown in the input plane) is not among this run's kept epochs" in said


def test_a_prelu_run_draws_its_learned_slope_and_its_downloads_hold_it():
    at = open_app({"tab": "Dead neurons", "act": ["prelu"], "sim.act": "prelu", "sim.epochs": "40"})
    run = train(TrainConfig(activation="prelu", params={"weight": 0.25}, epochs=40))
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    slope = next(c for c in charts if c["layout"]["title"]["text"] == "PReLU's learned slope per layer")
    assert [t["name"] for t in slope["data"]] == ["layer 1", "layer 2"]
    caption = next(c.value for c in at.caption if c.value.startswith("PReLU's negative slope is learned"))
    assert f"layer 2 from 0.25 to {run.prelu_weight[-1, 1]:.3g}" in caption
    history = history_csv(run).splitlines()
    assert history[0].endswith("negative_layer2,prelu_weight_layer2") and "prelu_weight_layer1" in history[0]
    assert json.loads(final_json(run))["prelu_weight"]["layer2"][0] == pytest.approx(0.25)


def test_a_maxout_run_shows_its_pieces_not_hinges():
    at = open_app({"tab": "Dead neurons", "act": ["maxout"], "sim.act": "maxout", "sim.data": "moons",
                   "sim.epochs": "30"})
    assert not at.exception
    assert any(c.value.startswith("Maxout units have k pieces each") for c in at.caption)
    inspected = next(m.value for m in at.markdown if " at epoch 30: 3 pieces: piece 1 weights (" in m.value)
    assert "f′ ≠ 0 on 100% of the training inputs" in inspected
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("which piece is the maximum" in t for t in titles)
    assert not any(t.startswith("First-layer units at epoch") for t in titles), "no single boundary line per unit"


def test_a_run_whose_first_loss_overflows_blames_the_activation_not_the_learning_rate():
    """exp(exp(exp(x))) overflows before any update: 'try a lower learning rate' at the lowest one was wrong."""
    at = open_app({"tab": "Dead neurons", "act": "custom", "custom.formula": "exp(exp(exp(x)))", "sim.act": "custom",
                   "sim.lr": "0.0001"})
    errors = [e.value for e in at.error if "diverged" in e.value]
    assert errors and "at epoch 0" in errors[0] and "no learning rate helps" in errors[0]
    assert "try a lower one" not in errors[0]
