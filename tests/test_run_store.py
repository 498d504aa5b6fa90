"""Training runs shared by visitors: one trainer per configuration, followers get its run, a quitter is replaced."""

import contextlib
import threading
from dataclasses import replace

import numpy as np
import pytest

from relu_viz.scenarios import SCENARIOS
from relu_viz.training import TrainConfig, train
from tests.apptest import open_app
from ui.dead_neurons import run_store, story_check, warm, warm_up
from ui.run_store import SLOTS, RunStore

RUN = train(TrainConfig(epochs=5))


def test_the_first_asker_trains_and_the_others_follow_the_same_run():
    store = RunStore(4)
    training, mine = store.start("k")
    followers = [store.start("k") for _ in range(3)]
    assert mine and all(t is training and not theirs for t, theirs in followers)
    assert not training.done.is_set()
    store.finish("k", RUN)
    assert training.done.is_set() and training.run is RUN and store.get("k") is RUN


def test_a_trainer_who_gives_up_hands_the_run_to_the_next_asker():
    store = RunStore(4)
    training, _ = store.start("k")
    follower, mine = store.start("k")
    store.finish("k", None)  # the trainer's tab closed mid-run
    assert follower.done.is_set() and follower.run is None and store.get("k") is None
    _, mine = store.start("k")
    assert mine, "a follower becomes the trainer"


def test_finished_runs_are_bounded_least_recently_used_first():
    store = RunStore(2)
    for key in "abc":
        store.start(key)
        store.finish(key, RUN)
        if key == "b":
            store.get("a")  # a is used again: b is now the oldest
    assert store.get("a") is RUN and store.get("c") is RUN and store.get("b") is None


def test_a_visitor_asking_for_a_run_in_progress_shows_that_run_live_and_its_result():
    """The page of a second visitor follows the first visitor's training (here: the test plays the trainer)."""
    config = TrainConfig(seed=4321)  # no scenario's: the warm-up (ui/dead_neurons.warm_up) never trains it
    key = config.canonical().to_json()
    store = run_store()
    store.runs.pop(key, None)
    training, mine = store.start(key)
    assert mine
    pages = []
    visitor = threading.Thread(target=lambda: pages.append(open_app({"tab": "Dead neurons", "sim.seed": "4321"})))
    visitor.start()
    expected = train(config)
    training.partial = train(replace(config, epochs=30))
    visitor.join(timeout=1.0)
    assert visitor.is_alive(), "the visitor waits for the run in progress instead of training it"
    store.finish(key, expected)
    visitor.join(timeout=60)
    at = pages[0]
    shown = {m.label: m.value for m in at.metric}
    assert shown["epochs"] == str(expected.epochs_run) and shown["loss"] == f"{expected.loss[-1]:.3g}"
    assert store.get(key) is expected


def test_a_run_waits_for_a_free_slot_and_says_so_while_it_waits():
    store = RunStore(4)
    for _ in range(SLOTS):
        store.slots.acquire()  # the server is busy with other runs
    store.start("k")
    waits, results = [], []
    worker = threading.Thread(target=lambda: results.append(store.compute("k", lambda: RUN, lambda: waits.append(1))))
    worker.start()
    worker.join(timeout=2.5)
    assert worker.is_alive() and len(waits) >= 2, "it waits, telling the page every second"
    store.slots.release()
    worker.join(timeout=10)
    assert results == [RUN] and store.get("k") is RUN


def test_a_run_that_fails_frees_its_slot_and_hands_on_nothing():
    store = RunStore(4)
    training, _ = store.start("k")

    def interrupted():
        raise KeyboardInterrupt  # as a rerun or a closed tab interrupts a script

    with contextlib.suppress(KeyboardInterrupt):
        store.compute("k", interrupted)
    assert training.done.is_set() and training.run is None and store.get("k") is None
    assert all(store.slots.acquire(blocking=False) for _ in range(SLOTS)), "every slot is free again"


def test_the_warm_up_runs_once_per_server_in_the_background():
    thread = warm_up()
    assert thread is warm_up() and thread.daemon and thread.name == "relu-viz-warm-up"


def test_the_warm_up_checks_every_story_and_trains_every_scenario():
    store = RunStore(16)
    warm(store)
    for key, scenario in SCENARIOS.items():
        run = store.get(scenario.config.canonical().to_json())
        assert run is not None and np.array_equal(run.loss, train(scenario.config).loss)
        assert story_check(key)[1].startswith("This story holds in")


def test_at_most_two_trainings_compute_at_once_as_the_readme_states():
    assert SLOTS == 2


def test_a_visitor_who_left_gives_up_the_wait_for_a_training_slot(monkeypatch):
    """Twelve 'Run over 20 seeds' clicks of visitors who closed the page at once kept the server busy for 51 s:
    whoever waits for a slot checks that its visitor is still there, and gives up if not."""
    from ui import run_store as module
    from ui.visitor import Left

    monkeypatch.setattr(module, "QUEUE_POLL", 0.01)
    store = RunStore(4)
    for _ in range(module.SLOTS):
        store.slots.acquire()

    def gone():
        raise Left("the visitor closed the page")

    with pytest.raises(Left), store.slot(gone):
        pytest.fail("the block ran without a slot")
    for _ in range(module.SLOTS):
        store.slots.release()
    with store.slot(gone):  # a free slot: no wait, no check
        pass
    assert store.slots.acquire(blocking=False) and store.slots.acquire(blocking=False), "both slots are free again"
