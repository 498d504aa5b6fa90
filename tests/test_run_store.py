"""Training runs shared by visitors: one trainer per configuration, followers get its run, a quitter is replaced."""

import threading
from dataclasses import replace

from relu_viz.training import TrainConfig, train
from tests.apptest import open_app
from ui.dead_neurons import run_store
from ui.run_store import RunStore

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
    config = TrainConfig()
    key = config.canonical().to_json()
    store = run_store()
    store.runs.pop(key, None)
    training, mine = store.start(key)
    assert mine
    pages = []
    visitor = threading.Thread(target=lambda: pages.append(open_app({"tab": "Dead neurons"})))
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
