"""Each scenario's predicate and evidence on hand-built runs: every clause of the story, at its boundary."""

from dataclasses import replace

import numpy as np
import pytest

from relu_viz import scenarios
from relu_viz.scenarios import SCENARIOS, came_back, check, percent, spread
from relu_viz.training import Run, TrainConfig


def fake(epochs=4, layers=2, units=4, loss=None, accuracy=None, dead=None, saturated=None, negative=None,
         activity=None, gradient=None, status="ok", config=None):
    """A run with the given records (defaults: nothing dead, loss falling from 1 to 0.1)."""
    rows = epochs + 1
    zeros = np.zeros((rows, layers))
    return Run(config or TrainConfig(), np.zeros((8, 1)), np.zeros((8, 1)), "regression", [],
               np.linspace(1, 0.1, rows) if loss is None else np.asarray(loss, float),
               None if accuracy is None else np.asarray(accuracy, float),
               zeros.copy() if dead is None else np.asarray(dead, float),
               zeros.copy() if saturated is None else np.asarray(saturated, float),
               zeros.copy() if negative is None else np.asarray(negative, float),
               activity or [np.ones((rows, units), np.float32) for _ in range(layers)],
               activity or [np.ones((rows, units), np.float32) for _ in range(layers)],
               gradient or [np.ones((rows, units), np.float32) for _ in range(layers)], status)


def layer(values, other=0.0):
    """Dead (or other) shares of two layers per epoch: `values` for layer 1, `other` for layer 2."""
    return np.column_stack([values, np.full(len(values), other)])


def test_default_needs_the_loss_halved_and_layer_2_dead_at_the_start():
    holds = SCENARIOS["default"].holds
    born = np.array([[0, 0.25]] + [[0, 0.2]] * 4)
    assert holds(fake(dead=born, loss=[1, 1, 1, 1, 0.49]))
    assert not holds(fake(dead=born, loss=[1, 1, 1, 1, 0.5])), "halved means below half"
    assert not holds(fake(dead=born * [1, 0], loss=[1, 1, 1, 1, 0.1])), "layer 2 must be dead at the start"
    at_start_only = np.array([[0, 0.25]] + [[0, 0]] * 4)
    assert holds(fake(dead=at_start_only, loss=[1, 1, 1, 1, 0.1])), "dead at the start (epoch 0), not at epoch 1"
    assert not holds(fake(dead=born, status="diverged"))


def test_healthy_needs_95_percent_and_no_dead_first_layer_unit():
    holds = SCENARIOS["healthy"].holds
    assert holds(fake(accuracy=[0.5, 0.6, 0.7, 0.9, 0.95], dead=layer([0] * 5, other=0.3)))
    assert not holds(fake(accuracy=[0.5] * 4 + [0.949]))
    assert not holds(fake(accuracy=[1] * 5, dead=layer([0, 0, 0, 0, 0.01])))
    assert not holds(fake(accuracy=[1] * 5, status="stopped"))


def test_too_high_needs_no_dead_unit_at_the_start_and_a_fifth_at_the_end():
    holds = SCENARIOS["lr_too_high"].holds
    assert holds(fake(dead=layer([0, 0.5, 0.3, 0.2, 0.2])))
    assert not holds(fake(dead=layer([0, 0.5, 0.3, 0.2, 0.19])))
    assert not holds(fake(dead=layer([0.01, 0.5, 0.5, 0.5, 0.5])))
    assert not holds(fake(dead=layer([0, 0.5, 0.5, 0.5, 0.5]), status="diverged"))


def test_bad_bias_needs_a_tenth_dead_from_the_start_and_never_falling():
    holds = SCENARIOS["bad_bias"].holds
    assert holds(fake(dead=layer([0.1, 0.1, 0.2, 0.2, 0.3])))
    assert not holds(fake(dead=layer([0.09, 0.1, 0.2, 0.2, 0.3])))
    assert not holds(fake(dead=layer([0.3, 0.3, 0.2, 0.3, 0.3]))), "a dead first-layer unit came back"
    assert not holds(fake(dead=layer([0.3] * 5), status="diverged"))


def test_leaky_needs_no_dead_unit_ever_and_90_percent():
    holds = SCENARIOS["leaky_rescue"].holds
    assert holds(fake(accuracy=[0.5, 0.9, 0.9, 0.9, 0.9], negative=layer([0.5] * 5)))
    assert not holds(fake(accuracy=[0.9] * 4 + [0.89]))
    dead = np.zeros((5, 2))
    dead[2, 1] = 0.25
    assert not holds(fake(accuracy=[1] * 5, dead=dead)), "a dead unit at any epoch, in any layer, breaks it"
    assert not holds(fake(accuracy=[1] * 5, status="diverged"))


def test_saturation_needs_tiny_but_not_zero_slopes_that_stay():
    holds = SCENARIOS["saturation"].holds
    saturated = np.column_stack([np.zeros(5), [0.3, 0.3, 0.3, 0.3, 0.3]])
    assert holds(fake(saturated=saturated, dead=np.column_stack([np.zeros(5), [0.2] * 5])))
    assert not holds(fake(saturated=saturated, dead=np.column_stack([np.zeros(5), [0.26] * 5]))), (
        "fewer than 5% saturated without being dead")
    falling = saturated.copy()
    falling[-1, 1] = 0.29
    assert not holds(fake(saturated=falling)), "the saturated share must not fall"
    assert not holds(fake(saturated=saturated, status="diverged"))


def test_vanishing_needs_the_loss_to_stay_above_85_percent():
    holds = SCENARIOS["vanishing"].holds
    assert holds(fake(loss=[1, 0.9, 0.9, 0.9, 0.85], layers=3))
    assert not holds(fake(loss=[1, 0.9, 0.9, 0.9, 0.849], layers=3))
    assert not holds(fake(loss=[1, 1, 1, 1, 1], layers=3, status="diverged"))


def test_digits_need_a_dead_layer_2_unit_at_the_end_and_99_percent_right():
    holds = SCENARIOS["digits"].holds
    assert holds(fake(accuracy=[0.1, 0.5, 0.9, 0.98, 0.99], dead=np.column_stack([np.zeros(5), [0, 0.1, 0, 0, 0.03]])))
    assert not holds(fake(accuracy=[0.1] * 4 + [0.989], dead=np.column_stack([np.zeros(5), [0.1] * 5])))
    assert not holds(fake(accuracy=[1.0] * 5, dead=np.column_stack([np.zeros(5), [0.1] * 4 + [0]]))), (
        "dead at the end, not only on the way")
    assert not holds(fake(accuracy=[1.0] * 5, dead=np.column_stack([np.zeros(5), [0.1] * 5]), status="stopped"))


def test_spread_percent_and_came_back():
    assert spread([0.1, 0.5, 0.2]) == "median 20% (10% to 50%)"
    assert spread([3.0, 1.0], lambda v: f"{v:g}x") == "median 2x (1x to 3x)"
    assert spread([]) == "none (no run finished)"
    assert percent(0.123) == "12%"
    activity = np.array([[1, 1, 0, 1], [0, 1, 0, 1], [0.5, 1, 0, 0], [1, 1, 0, 0]], np.float32)  # epochs x units
    run = fake(epochs=3, activity=[activity, np.ones((4, 4), np.float32)])
    assert came_back([run]) == (3, 1), "units 1, 3 and 4 died; unit 1 is alive again at the end"
    assert came_back([run, run]) == (6, 2)


def test_each_evidence_states_the_runs_numbers():
    ok = fake(loss=[2, 1, 1, 1, 0.5], accuracy=[0.5] * 4 + [0.9], dead=layer([0.1, 0.2, 0.2, 0.2, 0.3], other=0.5),
              negative=layer([0.4] * 5), saturated=layer([0.3] * 5, other=0.6))
    bad = fake(status="diverged", loss=[1, np.nan])
    runs = [ok, bad]
    assert SCENARIOS["default"].evidence(runs) == (
        "Loss after training: median 25% (25% to 25%) of where it started. Layer 2 dead at the start: 25% on average "
        "(one in four expected); at the end: median 50% (50% to 50%). A dead layer-2 unit came back in 0 of 1 runs; "
        "layer 2 ended with more dead units than it started with in 0. 1 of 2 runs diverged.")
    assert SCENARIOS["healthy"].evidence(runs) == (
        "Accuracy: median 90% (90% to 90%). Layer 1 dead at the end: median 30% (30% to 30%); layer 2: median 50% "
        "(50% to 50%). 1 of 2 runs diverged.")
    assert SCENARIOS["bad_bias"].evidence([ok]) == (
        "Layer 1 dead from the first epoch: median 10% (10% to 10%); at the end: median 30% (30% to 30%). Accuracy: "
        "median 90% (90% to 90%).")
    assert SCENARIOS["leaky_rescue"].evidence([ok, replace(ok, dead_fraction=np.zeros((5, 2)))]) == (
        "Runs with a dead unit at any epoch: 1 of 2. Layer 1 negative on every input at the end: median 40% (40% to "
        "40%). Accuracy: median 90% (90% to 90%).")
    assert SCENARIOS["lr_too_high"].evidence([ok]) == (
        "Layer 1 dead at the end: median 30% (30% to 30%) (none at the start); layer 2: median 50% (50% to 50%). Of "
        "the 0 first-layer units that died, 0 were alive again at the end. Accuracy: median 90% (90% to 90%).")
    digits = replace(ok, dead_fraction=layer([0.1] * 5, other=0.2), accuracy=np.array([0.5] * 4 + [0.996]))
    assert SCENARIOS["digits"].evidence([ok, digits, bad]) == (
        "Layer 2 dead at the end: median 35% (20% to 50%); layer 1: median 20% (10% to 30%). Accuracy on the training "
        "digits: median 94.8% (90.0% to 99.6%). 1 of 3 runs diverged.")
    gradient = [np.full((5, 4), 2.0, np.float32), np.ones((5, 4), np.float32), np.full((5, 4), 8.0, np.float32)]
    config = SCENARIOS["vanishing"].config
    deep = fake(layers=3, loss=[1, 1, 1, 1, 0.9], gradient=gradient, config=config)
    shrink = [f"{v:.2g}x" for v in sigmoid_variation_by_hand(config)]
    assert SCENARIOS["vanishing"].evidence([deep]) == (
        "Loss after training: median 90% (90% to 90%) of where it started. At the start, each layer's outputs vary "
        f"over the inputs this much relative to its inputs: layer 1 median {shrink[0]} ({shrink[0]} to {shrink[0]}); "
        f"layer 2 median {shrink[1]} ({shrink[1]} to {shrink[1]}); layer 3 median {shrink[2]} ({shrink[2]} to "
        f"{shrink[2]}); the typical gradient of a layer-1 unit is median 0.25x (0.25x to 0.25x) that of a layer-3 "
        "unit.")


def sigmoid_variation_by_hand(config):
    """Per layer at the start: the RMS over units of the standard deviation of the outputs over the inputs, over
    that of the layer's inputs, with the sigmoid written out."""
    from relu_viz.training import initial_state

    start = initial_state(config)
    h, ratios = start.X, []
    for W, b in start.layers[:-1]:
        out = 1 / (1 + np.exp(-(h @ W + b)))
        ratios.append(np.sqrt(np.mean(out.std(axis=0) ** 2) / np.mean(h.std(axis=0) ** 2)))
        h = out
    return ratios


def test_the_default_evidence_counts_revivals_and_rises_of_layer_2():
    revive = np.ones((5, 4), np.float32)
    revive[1:3, 2] = 0  # unit 3 dead at epochs 1 and 2, alive again at 3
    rising = fake(activity=[np.ones((5, 4), np.float32), revive], dead=np.column_stack([np.zeros(5),
                                                                                       [0.25] * 4 + [0.5]]))
    stays = np.ones((5, 4), np.float32)
    stays[2:, 0] = 0  # unit 1 dies at epoch 2 and stays dead: no revival
    still = fake(activity=[np.ones((5, 4), np.float32), stays], dead=np.column_stack([np.zeros(5), [0.5] * 5]),
                 loss=[1, 1, 1, 1, 0.2])
    lower = fake(dead=np.column_stack([np.zeros(5), [0.5, 0.5, 0.5, 0.5, 0.25]]), loss=[1, 1, 1, 1, 0.3])
    assert SCENARIOS["default"].evidence([rising, still, lower]).endswith(
        "A dead layer-2 unit came back in 1 of 3 runs; layer 2 ended with more dead units than it started with in 1.")


def test_check_counts_the_seeds_whose_run_shows_the_story(monkeypatch):
    runs = [fake(config=replace(TrainConfig(), seed=s), loss=[1, 1, 1, 1, 0.1 if s % 3 else 0.9]) for s in range(6)]
    trained = []
    monkeypatch.setattr(scenarios, "train_seeds", lambda config, seeds: trained.append(config) or runs[:len(seeds)])
    story = replace(SCENARIOS["vanishing"], evidence=lambda rs: f"{len(rs)} runs.")
    result = check(story, seeds=range(6))
    assert trained == [story.config] and result.scenario is story
    assert result.held == (True, False, False, True, False, False) and result.count == 2
    assert result.sentence() == "This story holds in 2 of 6 seeds (0-5). 6 runs."
    assert result.seeds == (0, 1, 2, 3, 4, 5) and result.runs == tuple(runs)


@pytest.mark.parametrize("key", SCENARIOS)
def test_scenario_configs_are_valid_for_a_20_seed_sweep(key):
    SCENARIOS[key].config.validate(20)


def test_saturation_evidence_compares_the_gradients_of_saturated_and_unsaturated_units():
    """The saturated layer-2 units of the scenario's first run, found here in float64 from its initial weights."""
    from relu_viz.training import initial_state

    config = SCENARIOS["saturation"].config
    start = initial_state(config)
    (W1, b1), (W2, b2) = start.layers[:2]
    pre = 1 / (1 + np.exp(-(start.X @ W1 + b1))) @ W2 + b2
    slope = np.exp(-np.abs(pre)) / (1 + np.exp(-np.abs(pre))) ** 2
    saturated = np.all(slope < 1e-3, axis=0)
    assert 0 < saturated.sum() < 32
    gradient = np.where(saturated, 1e-6, 2.0).astype(np.float32)
    run = fake(config=config, units=32, saturated=layer([0.0] * 5, other=saturated.mean()),
               gradient=[np.ones((5, 32), np.float32), np.tile(gradient, (5, 1))], loss=[1, 1, 1, 1, 0.2])
    evidence = SCENARIOS["saturation"].evidence([run])
    share = spread([saturated.mean()])
    assert evidence == (
        f"Layer 2 saturated at the start: {share}, of which dead (f' exactly 0 in float32): median 0% (0% to 0%); "
        f"saturated at the end: {share}. At the start a saturated unit's gradient is median 5e-07x (5e-07x to 5e-07x) "
        "that of an unsaturated one. Loss after training: median 20% (20% to 20%) of where it started.")
