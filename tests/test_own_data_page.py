"""The panel with the visitor's own CSV file, the bundled digits, and deeper units in the inspector (AppTest)."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_digits

from relu_viz import datasets
from relu_viz.scenarios import SCENARIOS
from relu_viz.training import TrainConfig, raw_data, train
from relu_viz.upload import read_csv
from tests.apptest import open_app
from ui.dead_neurons import data_csv
from ui.own_data import LINK_NOTE

MOONS = raw_data(TrainConfig(dataset="moons", n_samples=120, seed=3))
MOONS_CSV = ("x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{int(c)}\n"
                                       for (a, b), c in zip(MOONS.X, MOONS.y[:, 0]))).encode()
QUERY = {"tab": "Dead neurons", "sim.data": "upload", "sim.bias": "-1", "sim.lr": "0.3", "sim.epochs": "40"}


def titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def test_a_link_asking_for_uploaded_data_asks_for_a_file_and_says_a_link_cannot_carry_it():
    at = open_app(QUERY)
    assert at.selectbox(key="sim.data").value == "upload"
    assert any("Upload a CSV file" in i.value and LINK_NOTE in i.value for i in at.info)
    assert not at.metric and not titles(at), "nothing trains without data"
    assert any(LINK_NOTE in c.value for c in at.caption), "the share box says so too"


def test_an_uploaded_file_is_previewed_trained_on_and_the_share_box_says_it_stays_here():
    at = open_app(QUERY)
    at.file_uploader(key="sim.own.file").set_value(("moons.csv", MOONS_CSV, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    ones = int(MOONS.y.sum())
    read = at.success[0].value
    assert read.startswith("Read `'moons.csv'`: 120 rows;")
    assert f"{120 - ones} rows of label 0, {ones} of label 1" in read
    assert at.dataframe[0].value.shape == (5, 3)
    assert np.allclose(at.dataframe[0].value.to_numpy(), np.column_stack([MOONS.X, MOONS.y])[:5])
    assert "Samples: all 120 rows of the data." in [c.value for c in at.caption]
    expected = train(TrainConfig(dataset=datasets.add(read_csv(MOONS_CSV)).name, n_samples=120, bias_init=-1.0, lr=0.3,
                                 epochs=40))
    shown = {m.label: m.value for m in at.metric}
    assert shown["loss"] == f"{expected.loss[-1]:.3g}" and shown["accuracy"] == f"{expected.accuracy[-1]:.0%}"
    assert any(t.startswith(f"First-layer units at epoch 40: {int(expected.dead_masks()[0].sum())} of 32 dead")
               for t in titles(at))
    assert any(LINK_NOTE in c.value for c in at.caption)
    assert "sim.samples" not in at.query_params, "every row is used: no sample count in the link"


@pytest.mark.parametrize("content, message", [
    (b"x1,x2,label\n" + b"1,2,0\n" * 3 + b"1,oops,1\n" + b"3,4,1\n" * 6,
     "row 5, column 2 (`'x2'`): `'oops'` is not a number"),
    (b"\x00\x01binary", "this is not a text file"),
    (b"x1,x2,label\n" + b"1,2,1\n2,3,1\n" * 6, "every row has label 1"),
])
def test_a_bad_file_is_named_with_what_is_wrong_and_nothing_trains(content, message):
    at = open_app(QUERY)
    at.file_uploader(key="sim.own.file").set_value(("mine.csv", content, "text/csv")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"`'mine.csv'` cannot be used: {read_error(content)}."]
    assert message in at.error[0].value
    assert not at.metric and not titles(at)


def read_error(content: bytes) -> str:
    with pytest.raises(ValueError) as error:
        read_csv(content)
    return str(error.value)


def test_the_digits_train_a_ten_class_network_with_accuracy_per_class_and_misclassified_digits():
    at = open_app({"tab": "Dead neurons", "sim.data": "digits", "sim.lr": "0.3", "sim.epochs": "30"})
    run = train(TrainConfig(dataset="digits", n_samples=1797, lr=0.3, epochs=30))
    assert "Samples: all 1,797 rows of the data." in [c.value for c in at.caption]
    charts = {json.loads(c.proto.spec)["layout"]["title"]["text"]: json.loads(c.proto.spec)
              for c in at.get("plotly_chart")}
    bars = charts["Accuracy per class (training digits)"]["data"][0]
    # per class, recomputed here from the final weights with a float64 forward pass written out in the test
    h = run.X.astype(np.float64)
    for W, b in run.layers[:-1]:
        h = np.maximum(h @ W + b, 0)
    predicted = np.argmax(h @ run.layers[-1][0] + run.layers[-1][1], axis=1)
    labels = raw_data(run.config).y[:, 0].astype(int)
    per_class = [np.mean(predicted[labels == c] == c) for c in range(10)]
    assert bars["text"] == [f"{a:.0%}" for a in per_class]
    wrong = int(np.sum(predicted != labels))
    assert f"Misclassified training digits ({wrong} in all)" in charts
    assert f"the network classifies {np.mean(predicted == labels):.1%} of the training digits right" in " ".join(
        c.value for c in at.caption)
    assert any(t.startswith("Layer 1, unit 1, epoch 30: its 64 weights<br><sup>as an 8 × 8 image") for t in charts)


def test_the_inspector_shows_a_deeper_unit_from_the_layer_below():
    at = open_app({"tab": "Dead neurons", "sim.data": "moons", "sim.bias": "-2", "sim.epochs": "60"})
    run = train(TrainConfig(dataset="moons", bias_init=-2.0, epochs=60))
    at.number_input(key="sim.inspect.layer").set_value(2).run()
    at.number_input(key="sim.inspect.unit.1").set_value(4).run()
    at.slider(key="sim.inspect.epoch").set_value(20).run()
    assert not at.exception
    sentence = next(m.value for m in at.markdown if m.value.startswith("**Layer 2, unit 4** at epoch 20"))
    (W1, b1), (W2, b2) = run.hidden_layers_at(20)
    pre = np.maximum(run.X.astype(np.float64) @ W1 + b1, 0) @ W2[:, 3] + b2[3]
    assert f"bias {float(b2[3]):.3g}" in sentence and f"({len(W2)} in all)" in sentence
    assert f"f′ ≠ 0 on {np.mean(pre > 0):.0%} of the training inputs" in sentence
    assert any(t.startswith("Layer 2, unit 4, epoch 20: its input w·h + b") for t in titles(at))


def test_an_epoch_picked_in_a_longer_run_starts_over_at_the_last_epoch_of_a_shorter_one():
    at = open_app({"tab": "Dead neurons", "sim.data": "moons", "sim.epochs": "60"})
    at.slider(key="sim.inspect.epoch").set_value(50).run()
    at.slider(key="sim.epochs").set_value(30).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.slider(key="sim.inspect.epoch").value == 30 and at.slider(key="sim.units.epoch").value == 30


def test_the_digits_download_as_64_pixel_columns_and_a_label():
    lines = data_csv(TrainConfig(dataset="digits", n_samples=1797)).splitlines()
    assert lines[0] == ",".join([f"x{i}" for i in range(1, 65)] + ["label"]) and len(lines) == 1798
    table = np.loadtxt(lines[1:], delimiter=",")
    reference = load_digits()  # scikit-learn's own loader, as the reference for what the file holds
    assert np.array_equal(table[:, :64], reference.data) and np.array_equal(table[:, 64], reference.target)


def test_the_inspector_starts_at_the_first_layer_with_a_unit_dead_at_the_end():
    at = open_app({"tab": "Dead neurons"})
    at.button(key="sim.preset.digits").click().run()
    run = train(SCENARIOS["digits"].config)
    assert not run.dead_masks()[0].any() and run.dead_masks()[1].any(), "the digits scenario kills only in layer 2"
    first = int(np.flatnonzero(run.dead_masks()[1])[0])
    assert at.number_input(key="sim.inspect.layer").value == 2
    assert at.number_input(key="sim.inspect.unit.1").value == first + 1
    assert any(m.value.startswith(f"**Layer 2, unit {first + 1}** at epoch 60") for m in at.markdown)
