"""Every scenario's story holds across seeds 0-19, and each claim its text makes is checked on the runs."""

import functools
import re
from dataclasses import replace

import numpy as np
import pytest

from relu_viz.scenarios import SCENARIOS, SEEDS, SIGMOID_ROUNDS_TO_1, came_back, check, spread, variation_ratios
from relu_viz.training import TrainConfig, train_seeds

DESIGN_KEYS = ("healthy", "lr_too_high", "bad_bias", "leaky_rescue", "saturation")


@functools.cache
def checked(key: str):
    return check(SCENARIOS[key])


def test_the_design_keys_are_there_with_titles_and_texts():
    assert set(DESIGN_KEYS) <= set(SCENARIOS)
    for key, scenario in SCENARIOS.items():
        assert scenario.key == key and scenario.title and len(scenario.text) > 80
        scenario.config.validate(len(SEEDS))
        assert not re.search(r"\d+(\.\d+)?\s*%", scenario.text), "measured numbers belong in the evidence"


@pytest.mark.parametrize("key", SCENARIOS)
@pytest.mark.slow
def test_each_story_holds_for_at_least_18_of_seeds_0_to_19(key):
    result = checked(key)
    assert result.count >= 18, f"{key}: holds in {result.count} of 20: {result.held}"
    assert result.sentence().startswith(f"This story holds in {result.count} of 20 seeds (0-19). ")


@pytest.mark.slow
def test_the_sentence_counts_what_holds_says():
    result = checked("healthy")
    assert result.count == sum(SCENARIOS["healthy"].holds(r) for r in result.runs)
    broken = replace(SCENARIOS["healthy"], holds=lambda run: run.config.seed < 5)
    assert check(broken, seeds=range(8)).count == 5


@pytest.mark.slow
def test_predicates_reject_runs_that_do_not_show_the_story():
    """Each predicate, applied to a run of another scenario that does not show its story, says no."""
    assert not any(SCENARIOS["leaky_rescue"].holds(r) for r in checked("lr_too_high").runs), "ReLU units die"
    assert not any(SCENARIOS["lr_too_high"].holds(r) for r in checked("healthy").runs), "nothing dies there"
    assert not any(SCENARIOS["bad_bias"].holds(r) for r in checked("healthy").runs), "no dead unit at the start"
    assert not any(SCENARIOS["vanishing"].holds(r) for r in checked("default").runs), "ReLU learns the sine"
    assert not any(SCENARIOS["saturation"].holds(r) for r in checked("default").runs), "ReLU never saturates"


@pytest.mark.slow
def test_default_story_a_quarter_of_layer_2_is_dead_before_the_first_step():
    runs = checked("default").runs
    assert 0.15 < np.mean([r.dead_fraction[0, 1] for r in runs]) < 0.35
    assert not any(r.dead_fraction[0, 0] for r in runs)
    revived = [np.any((r.activity[1][:-1] == 0) & (r.activity[1][1:] > 0)) for r in runs]
    assert sum(revived) >= 18, "'a dead layer-2 unit can come back ... in most seeds some do'"
    rose = sum(r.dead_fraction[-1, 1] > r.dead_fraction[0, 1] for r in runs)
    assert 1 <= rose <= 6, f"'in a few, more of layer 2 dies during training than comes back': {rose} of 20"
    assert all(r.loss[-1] < 0.5 * r.loss[0] for r in runs), "'Training more than halves the loss'"
    evidence = checked("default").evidence
    assert f"came back in {sum(revived)} of 20 runs" in evidence and f"than it started with in {rose}." in evidence


@pytest.mark.slow
def test_healthy_story_few_layer_2_units_die_or_revive():
    runs = checked("healthy").runs
    assert all(r.dead_fraction[-1, 1] <= 0.2 for r in runs)
    assert any(np.any((r.activity[1][:-1] == 0) & (r.activity[1][1:] > 0)) for r in runs)


@pytest.mark.slow
def test_too_high_story_units_die_some_come_back_most_do_not():
    runs = checked("lr_too_high").runs
    died, back = came_back(runs)
    assert 0 < back < died / 2, (died, back)
    assert np.median([r.dead_fraction[-1, 0] for r in runs]) > np.median(
        [r.dead_fraction[-1, 0] for r in checked("healthy").runs]) + 0.2


@pytest.mark.slow
def test_bad_bias_story_dead_from_the_start_and_never_falls():
    for run in checked("bad_bias").runs:
        assert run.dead_fraction[0, 0] > 0
        assert np.all(np.diff(run.dead_fraction[:, 0]) >= 0)


@pytest.mark.slow
def test_leaky_story_nothing_dies_many_units_negative_everywhere():
    runs = checked("leaky_rescue").runs
    assert not any(r.dead_fraction.any() for r in runs)
    assert np.median([r.negative_fraction[-1, 0] for r in runs]) >= 0.2, "'many still end up negative'"
    assert all(r.status == "ok" for r in runs)


@pytest.mark.slow
def test_saturation_story_some_saturated_units_are_dead_in_float32_and_the_rest_fit():
    runs = checked("saturation").runs
    assert sum(bool(r.dead_fraction[0, 1]) for r in runs) > 10, "'In most seeds some are even dead'"
    assert all(np.all(r.dead_fraction[0] <= r.saturated_fraction[0]) for r in runs), "dead is a kind of saturated"
    assert np.median([r.loss[-1] / r.loss[0] for r in runs]) < 0.2, "'the other units still fit the curve'"
    sigmoid = SCENARIOS["saturation"].config.activation
    from relu_viz import ACTIVATIONS

    act = ACTIVATIONS[sigmoid]
    # by hand: 1 + e^-x rounds to 1 in float32 once e^-x is at most half an ulp of 1 above it, 2^-24 (a tie rounds
    # to even, 1): from x = 24 ln 2 = 16.636 on
    edge = SIGMOID_ROUNDS_TO_1
    assert abs(edge - 24 * np.log(2)) < 1e-4 and f"from an input of {24 * np.log(2):.4g} on" in SCENARIOS[
        "saturation"].text
    y = act(np.float32(edge))
    assert y == 1 and act.df_from_output(y) == 0 and act.derivative(np.float32(edge)) > 0
    below = np.nextafter(np.float32(edge), np.float32(0))
    assert act(below) < 1 and np.float32(1) / (np.float32(1) + np.exp(-below)) < 1
    assert "saturated unit's gradient is median" in checked("saturation").evidence


@pytest.mark.slow
def test_vanishing_story_gradients_smallest_in_layer_1_and_tanh_trains():
    runs = checked("vanishing").runs
    first_below_last = [np.median(r.gradient[0][0]) < np.median(r.gradient[2][0]) for r in runs]
    assert all(first_below_last), "'a first-layer unit's gradient is typically smaller than a last-layer unit's'"
    below_second = sum(np.median(r.gradient[0][0]) < np.median(r.gradient[1][0]) for r in runs)
    assert below_second < 20 and "smallest in the first layer" not in SCENARIOS["vanishing"].text, below_second
    from scipy.special import expit

    from relu_viz.training import initial_state

    for run in runs:  # "each layer's outputs vary a third as much as its inputs or less", by hand at the start
        start = initial_state(run.config)
        h, ratios = start.X, []
        for W, b in start.layers[:-1]:
            out = expit(h @ W + b)
            ratios.append(np.sqrt(np.mean(out.std(axis=0) ** 2) / np.mean(h.std(axis=0) ** 2)))
            h = out
        assert max(ratios) < 1 / 3, ratios
        assert np.allclose(ratios, variation_ratios(run), rtol=1e-12)
    tanh = train_seeds(replace(SCENARIOS["vanishing"].config, activation="tanh"), SEEDS)
    assert sum(r.loss[-1] < 0.2 * r.loss[0] for r in tanh) >= 18, "'Tanh trains the same network well'"


@pytest.mark.slow
def test_digits_story_a_network_with_dead_units_classifies_the_training_digits():
    """The accuracy recomputed from each run's final weights with a float64 forward pass written out here."""
    for run in checked("digits").runs[:5]:
        h = run.X.astype(np.float64)
        for W, b in run.layers[:-1]:
            h = np.maximum(h @ W + b, 0)
        right = np.argmax(h @ run.layers[-1][0] + run.layers[-1][1], axis=1) == np.argmax(run.y, axis=1)
        dead = np.all(np.maximum(run.X.astype(np.float64) @ run.layers[0][0] + run.layers[0][1], 0) @ run.layers[1][0]
                      + run.layers[1][1] <= 0, axis=0)
        assert np.mean(right) >= 0.99 and dead.any(), "ReLU: dead means an input <= 0 on every training digit"


@pytest.mark.slow
def test_evidence_numbers_are_the_runs_numbers():
    result = checked("bad_bias")
    starts = [r.dead_fraction[0, 0] for r in result.runs]
    assert f"Layer 1 dead from the first epoch: {spread(starts)}" in result.evidence
    assert spread([0.1, 0.5, 0.2]) == "median 20% (10% to 50%)"


@pytest.mark.slow
def test_a_sweep_reports_diverged_seeds():
    result = check(replace(SCENARIOS["default"], config=TrainConfig(lr=1.0, epochs=50)), seeds=range(4))
    assert re.search(r"\d of 4 runs diverged", result.evidence)
