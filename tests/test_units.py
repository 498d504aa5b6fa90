"""One first-layer unit of a run: weights and inputs at an epoch from the recorded layer, when it was dead."""

from dataclasses import replace

import numpy as np
import pytest

from relu_viz.training import TrainConfig, initial_state, train
from relu_viz.units import dead_spells, life_sentence, unit_at
from ui.training_charts import gradient_figure, pre_activation_figure

RUN = train(TrainConfig(dataset="moons", bias_init=-2.0, epochs=60, hidden=(16, 16), lr=0.3))


@pytest.mark.parametrize("activity, spells, sentence", [
    ([0.5, 0.2, 0.1], [], "Never dead: at every epoch f′ ≠ 0 on at least one training input."),
    ([0, 0, 0.1], [(0, 2)], "Dead from the start, alive again at epoch 2."),
    ([0.5, 0, 0, 0.3, 0], [(1, 3), (4, None)],
     "Died at epoch 1, alive again at epoch 3; died at epoch 4, dead to the end."),
    ([0, 0, 0], [(0, None)], "Dead from the start, dead to the end."),
])
def test_when_a_unit_was_dead_worked_by_hand(activity, spells, sentence):
    assert dead_spells(np.array(activity)) == spells
    assert life_sentence(np.array(activity)) == sentence


@pytest.mark.parametrize("unit", range(16))
def test_a_units_inputs_at_the_start_and_end_come_from_the_networks_weights(unit):
    for epoch, (W, b) in ((0, initial_state(RUN.config).layers[0]), (RUN.epochs_run, RUN.layers[0])):
        at = unit_at(RUN, 0, unit, epoch)
        expected = RUN.X.astype(np.float64) @ W[:, unit].astype(np.float32) + np.float32(b[unit])
        assert np.allclose(at.pre, expected, atol=1e-5) and at.bias == pytest.approx(float(b[unit]), abs=1e-6)
        assert at.active == pytest.approx(np.mean(expected > 0), abs=1 / len(expected) + 1e-9)  # ReLU: f' != 0 iff > 0


def test_the_histogram_shades_where_relu_passes_no_gradient_and_the_gradient_chart_where_it_was_dead():
    dead = np.flatnonzero(RUN.activity[0][-1] == 0)
    assert len(dead), "the run has a dead unit"
    unit = int(dead[0])
    at = unit_at(RUN, 0, unit, RUN.epochs_run)
    assert at.active == 0 and at.pre.max() <= 0
    fig = pre_activation_figure(RUN, 0, unit, RUN.epochs_run)
    assert np.array_equal(np.asarray(fig.data[0].x), at.pre)
    shades = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shades) == 1 and shades[0].x0 == fig.layout.xaxis.range[0] and abs(shades[0].x1) < 1e-2
    fig = gradient_figure(RUN, 0, unit, 10)
    spells = dead_spells(RUN.activity[0][:, unit])
    assert [(s.x0 + 0.5, s.x1 + 0.5) for s in fig.layout.shapes if s.type == "rect"] == [
        (a, RUN.epochs_run if b is None else b) for a, b in spells]
    assert np.all(RUN.gradient[0][RUN.activity[0][:, unit] == 0, unit] == 0), "no gradient while dead"


@pytest.mark.parametrize("layer", [0, 1])
def test_a_units_inputs_in_any_layer_at_a_kept_epoch_are_the_forward_pass_of_that_epochs_weights(layer):
    """Recomputed here in float64 from the weights of a run stopped at that epoch (ReLU written out)."""
    for epoch in (0, 17, RUN.epochs_run):
        layers = train(replace(RUN.config, epochs=epoch)).layers if epoch else initial_state(RUN.config).layers
        h = RUN.X.astype(np.float64)
        for W, b in layers[:layer]:
            h = np.maximum(h @ W.astype(np.float64) + b, 0)
        W, b = layers[layer]
        for unit in (0, 5, 15):
            at = unit_at(RUN, layer, unit, epoch)
            assert np.allclose(at.pre, h @ W[:, unit] + b[unit], atol=1e-4)
            assert np.allclose(at.weights, W[:, unit]) and at.bias == pytest.approx(float(b[unit]), abs=1e-6)
            assert at.active == pytest.approx(np.mean(at.pre > 0), abs=1 / len(at.pre) + 1e-9)


def test_the_unit_knows_where_it_is():
    at = unit_at(RUN, 1, 9, 17)
    assert (at.layer, at.unit, at.epoch) == (1, 9, 17)
    assert at.weights.dtype == at.pre.dtype == np.float64 and at.weights.shape == (16,) and at.pre.shape == (256,)


def test_a_deeper_units_inputs_go_through_the_layer_below_with_its_parameters():
    """Leaky ReLU with slope 0.3 below: h = max(z, 0.3 z), recomputed here in float64."""
    run = train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.3}, dataset="moons", epochs=5,
                            hidden=(8, 8)))
    (W1, b1), (W2, b2) = run.layers[:2]
    z = run.X.astype(np.float64) @ W1 + b1
    assert np.allclose(unit_at(run, 1, 3, 5).pre, np.maximum(z, 0.3 * z) @ W2[:, 3] + b2[3], atol=1e-5)


def test_a_maxout_unit_has_its_k_pieces_weights_and_inputs_and_counts_their_wins_by_hand():
    run = train(TrainConfig(activation="maxout", params={"slopes": (0.0, 1.0, 2.0, 3.0), "intercepts": (0.0,) * 4},
                            dataset="xor", hidden=(6, 5), optimizer="adam", lr=0.01, epochs=8))
    for epoch in (0, 8):
        (W1, b1), (W2, b2) = [(W.astype(np.float64), b.astype(np.float64)) for W, b in run.hidden_layers_at(epoch)]
        h = (run.X @ W1 + b1).reshape(len(run.X), 6, 4).max(axis=2)
        for layer, (W, b, inputs) in enumerate(((W1, b1, run.X), (W2, b2, h))):
            at = unit_at(run, layer, 3, epoch)
            columns = slice(12, 16)
            assert at.pieces == 4 and at.weights.shape == (W.shape[0], 4) and at.bias.shape == (4,)
            assert np.allclose(at.weights, W[:, columns]) and np.allclose(at.bias, b[columns])
            pieces = inputs @ W[:, columns] + b[columns]
            assert np.allclose(at.pre, pieces, atol=1e-4)
            assert at.wins().tolist() == np.bincount(np.argmax(at.pre, axis=1), minlength=4).tolist()
            assert at.active == 1.0, "a maxout unit passes a gradient on every input"
    assert unit_at(RUN, 0, 2, 10).pieces == 1 and unit_at(RUN, 0, 2, 10).wins().tolist() == [256]
    assert isinstance(unit_at(RUN, 0, 2, 10).bias, float), "one piece: a number, not an array"
    two = train(TrainConfig(activation="maxout", params={"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)},
                            dataset="xor", hidden=(4,), epochs=2))
    W, b = (a.astype(np.float64) for a in two.layers[0])
    at = unit_at(two, 0, 1, 2)
    assert at.pieces == 2 and np.allclose(at.weights, W[:, 2:4]) and np.allclose(at.bias, b[2:4])
    assert np.allclose(at.pre, two.X @ W[:, 2:4] + b[2:4], atol=1e-5)


def test_deeper_inputs_use_prelus_slope_of_that_epoch_and_rrelus_mean_slope():
    """The layer below as the network computes it in evaluation: PReLU with the slope it had learned by that epoch,
    RReLU with (lower + upper) / 2, written out here in float64."""
    prelu = train(TrainConfig(activation="prelu", params={"weight": 0.25}, dataset="moons", hidden=(8, 8), lr=0.5,
                              epochs=6))
    for epoch in (0, 3, 6):
        (W1, b1), (W2, b2) = prelu.hidden_layers_at(epoch)
        z = prelu.X @ W1.astype(np.float64) + b1
        a = prelu.prelu_weight[epoch, 0]
        assert np.allclose(unit_at(prelu, 1, 2, epoch).pre, np.where(z > 0, z, a * z) @ W2[:, 2] + b2[2], atol=1e-5)
    assert prelu.prelu_weight[0, 0] != prelu.prelu_weight[6, 0]
    rrelu = train(TrainConfig(activation="rrelu", params={"lower": 0.1, "upper": 0.5}, dataset="moons", hidden=(8, 8),
                              epochs=3))
    (W1, b1), (W2, b2) = rrelu.hidden_layers_at(3)
    z = rrelu.X @ W1.astype(np.float64) + b1
    assert np.allclose(unit_at(rrelu, 1, 5, 3).pre, np.where(z > 0, z, 0.3 * z) @ W2[:, 5] + b2[5], atol=1e-5)
