"""The Build tab through AppTest: what it draws and states is the core's (relu_viz.build), every button and table
edit lands in the link, and a hostile link gives notices and a working page."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from relu_viz import build
from relu_viz.build import Hinges
from relu_viz.training import TrainConfig
from tests.apptest import _array, live, notices, open_app
from ui import build_panel
from ui.state import check_link, placed_hinges

SINE = build.sample(np.sin, -3, 3)
SINE_POINTS = build.points(*SINE)  # held here: the server keeps points while they are held


def figures(at) -> dict[str, dict]:
    """The Plotly figures on the page by title (or, without one, the title of their first panel)."""
    found = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"].get("title", {}).get("text") or spec["layout"]["annotations"][0]["text"]
        found[title] = spec
    return found


def network(at) -> tuple[np.ndarray, np.ndarray]:
    """The drawn g(x) of the hinge chart (the live chart: its hinges can be dragged)."""
    chart = live(at)["figure"]
    assert chart["layout"]["annotations"][0]["text"] == "the target and g(x) = c + Σ hinges"
    trace = next(t for t in chart["data"] if t.get("name") == "g(x): the network")
    return _array(trace["x"]), _array(trace["y"])


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def hinges_of(at) -> Hinges:
    """The hinges the page holds (its session), with the output bias."""
    state = at.session_state
    return Hinges(state["build.w"], state["build.b"], state["build.a"], state["build.c"])


def link_hinges(at) -> Hinges:
    """The hinges the address bar holds (the lists it leaves out: k hinges placed afresh, as a link means)."""
    values = check_link({name: [value] for name, value in at.query_params.items()}).values
    lists = {**placed_hinges(values), **values}
    return Hinges(lists["build.w"], lists["build.b"], lists["build.a"], values.get("build.c", 0.0))


def test_the_default_tab_draws_the_sine_and_k_hinges_waiting_to_be_placed():
    at = open_app({"tab": "Build"})
    assert not at.warning and not at.error
    h = hinges_of(at)
    assert h.k == 4 and np.allclose(h.kinks, [-2.25, -0.75, 0.75, 2.25]) and not h.a.any()
    x, g = network(at)
    assert np.allclose(g, 0) and x.min() == pytest.approx(-3.6) and {-2.25, 0.75} <= set(x)
    mse, largest = h.errors(*SINE)
    assert metrics(at) == {"Mean squared error": f"{mse:.4g}", "Largest error": f"{largest:.4g}",
                           "Kinks on the interval": "4 of 4", "Dead hinges": "0"}
    table = at.data_editor[0].value
    assert list(table.columns) == ["kink x", "w", "a"] and np.allclose(table["kink x"], h.kinks)
    even = build.even(np.sin, -3, 3, 4).errors(*SINE)
    assert any(f"mean squared error of {even[0]:.4g} and a largest error of {even[1]:.4g}" in c.value
               for c in at.caption)


def test_snap_sets_the_least_squares_output_weights_and_writes_them_to_the_link():
    at = open_app({"tab": "Build"})
    at.button(key="build.snap").click().run()
    w, b = build.default(4, -3, 3).w, build.default(4, -3, 3).b
    A = np.column_stack([np.maximum(np.outer(SINE[0], w) + b, 0), np.ones(len(SINE[0]))])
    reference, *_ = np.linalg.lstsq(A, SINE[1], rcond=None)
    shown = link_hinges(at)
    assert np.allclose(np.append(shown.a, shown.c), reference, atol=1e-12)
    assert metrics(at)["Mean squared error"] == f"{np.mean((A @ reference - SINE[1]) ** 2):.4g}"
    x, g = network(at)
    assert np.allclose(g, shown(x), atol=1e-5)
    assert "build.a" in at.code[0].value and "build.c" in at.code[0].value  # the share box carries them


def test_even_placement_is_the_interpolant_and_follows_k():
    at = open_app({"tab": "Build"})
    at.slider(key="build.k").set_value(7).run()
    h = hinges_of(at)
    assert h.k == 7 and np.allclose(h.kinks[:4], [-2.25, -0.75, 0.75, 2.25]) and not h.a.any()
    at.button(key="build.even").click().run()
    nodes = np.linspace(-3, 3, 8)
    shown = link_hinges(at)
    assert np.allclose(shown(nodes), np.sin(nodes), atol=1e-12)
    assert at.query_params["build.k"] == "7"
    assert metrics(at)["Largest error"] == f"{build.even(np.sin, -3, 3, 7).errors(*SINE)[1]:.4g}"
    assert any("At or below both" in c.value for c in at.caption)


def test_a_table_edit_moves_a_kink_and_sets_an_output_weight():
    at = open_app({"tab": "Build"})
    key = next(k for k in at.session_state if str(k).startswith("build.table."))
    at.session_state[key] = {"edited_rows": {1: {"kink x": 0.5, "w": -2.0, "a": 1.5}}, "added_rows": [],
                             "deleted_rows": []}
    at.run()
    h = hinges_of(at)
    assert h.w[1] == -2.0 and h.b[1] == 1.0 and h.a[1] == 1.5 and h.kinks[1] == 0.5
    assert link_hinges(at).b[1] == 1.0
    x, g = network(at)
    assert np.allclose(g, 1.5 * np.maximum(-2 * x + 1, 0), atol=1e-6)


def test_a_bad_table_entry_is_named_and_the_last_valid_hinges_stay_drawn():
    at = open_app({"tab": "Build"})
    key = next(k for k in at.session_state if str(k).startswith("build.table."))
    at.session_state[key] = {"edited_rows": {2: {"w": 0.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert "Hinge 3: w must not be 0" in at.warning[0].value
    assert np.allclose(network(at)[1], 0) and hinges_of(at).w[2] == 1


@pytest.mark.parametrize("edit", [{"edited_rows": {}, "added_rows": [{"kink x": 1.0, "w": 1.0, "a": 1.0}] * 2,
                                   "deleted_rows": []},
                                  {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}])
def test_a_forged_table_message_that_adds_or_deletes_rows_is_refused(edit):
    """The table's rows are fixed (one per hinge); a forged message added two and the page had 6 hinges while k
    said 4, and wrote a link it then refused (second hostile review)."""
    at = open_app({"tab": "Build"})
    before = hinges_of(at)
    key = next(k for k in at.session_state if str(k).startswith("build.table."))
    at.session_state[key] = edit
    at.run()
    assert not at.exception
    assert "the table must keep its 4 rows" in at.warning[0].value
    assert hinges_of(at).k == before.k == 4 and link_hinges(at).k == 4


def test_a_link_with_hinges_draws_them():
    at = open_app({"tab": "Build", "build.k": "2", "build.w": "1,-1", "build.b": "0,0", "build.a": "1,1",
                   "build.target": "abs"})
    assert metrics(at)["Largest error"] == "0" and metrics(at)["Mean squared error"] == "0"
    assert not at.warning


def test_training_animates_the_core_run_and_keeps_its_hinges_on_request():
    at = open_app({"tab": "Build", "build.k": "6", "build.epochs": "300"})
    at.toggle(key=build_panel.FIT_SWITCH).set_value(True).run()
    assert at.query_params["build.fit"] == "true"
    start = hinges_of(at)
    expected = build.train(build.training_config(SINE_POINTS, 6, start, lr=0.01, epochs=300, optimizer="adam", seed=0))
    spec = next(s for t, s in figures(at).items() if "Training" in t)
    assert [int(f["name"]) for f in spec["frames"]] == list(expected.epochs)
    last = next(t for t in spec["frames"][-1]["data"] if t.get("name") == "g(x): the network")
    assert np.allclose(_array(last["y"]), expected.frames[-1](_array(last["x"])), atol=1e-5)
    at.button(key="build.keep").click().run()
    kept = link_hinges(at)
    assert np.allclose(kept(SINE[0]), expected.frames[-1](SINE[0]), atol=1e-5)
    assert "build.fit" not in at.query_params and not at.toggle(key=build_panel.FIT_SWITCH).value
    assert metrics(at)["Mean squared error"] == f"{kept.errors(*SINE)[0]:.4g}"


def test_a_random_start_is_the_trainers_seeded_init():
    at = open_app({"tab": "Build", "build.start": "random", "build.seed": "3", "build.epochs": "100",
                   "build.fit": "true", "build.opt": "gd", "build.lr": "0.05"})
    config = build.training_config(SINE_POINTS, 4, lr=0.05, epochs=100, optimizer="gd", seed=3)
    assert config == TrainConfig(activation="relu", hidden=(4,), dataset=config.dataset, n_samples=513, lr=0.05,
                                 epochs=100, init="uniform", seed=3, optimizer="gd", standardize=False)
    expected = build.train(config)
    born, dead = (np.flatnonzero(h.dead(SINE[0])) + 1 for h in (expected.frames[0], expected.frames[-1]))
    caption = next(c.value for c in at.caption if c.value.startswith("Epoch 100:"))
    assert f"at the start: {', '.join(map(str, born)) or 'none'}; at the end: {', '.join(map(str, dead)) or 'none'}." \
        in caption


def test_your_formula_is_the_target_and_a_bad_one_keeps_the_last_that_worked():
    at = open_app({"tab": "Build", "build.target": "formula", "build.formula": "abs(x - 1)", "build.k": "2",
                   "build.w": "1,-1", "build.b": "-1,1", "build.a": "1,1"})
    assert metrics(at)["Largest error"] == "0"
    at.text_input(key="build.formula").set_value("abs(x - 1) +").run()
    assert "Not used" in at.error[0].value and "abs(x - 1)" in at.error[0].value
    assert metrics(at)["Largest error"] == "0"
    at.text_input(key="build.formula").set_value("log(x)").run()
    assert "cannot be fitted" in at.error[0].value and not at.metric
    assert any("L = 5" in t for t in figures(at)), "the depth section stays"


def test_uploaded_points_are_the_target():
    at = open_app({"tab": "Build", "build.target": "upload"})
    assert any("Upload a CSV file with columns x, y" in i.value for i in at.info)
    x = np.linspace(-1, 2, 40)
    text = "x,y\n" + "".join(f"{float(a)!r},{abs(float(a))!r}\n" for a in x)
    at.file_uploader(key="build.own.file").set_value(("v.csv", text.encode(), "text/csv")).run()
    assert not at.exception
    at.button(key="build.snap").click().run()  # the default kinks on [-3, 3] include 0.75 and -0.75: not exact
    h = link_hinges(at)
    A = np.column_stack([np.maximum(np.outer(x, h.w) + h.b, 0), np.ones(len(x))])
    reference, *_ = np.linalg.lstsq(A, np.abs(x), rcond=None)
    assert np.allclose(np.append(h.a, h.c), reference, atol=1e-9)
    two = "x1,x2,label\n" + "".join(f"{a},{a},{i % 2}\n" for i, a in enumerate(x))
    at.file_uploader(key="build.own.file").set_value(("c.csv", two.encode(), "text/csv")).run()
    assert "fits a curve: two columns" in at.error[0].value


@pytest.mark.parametrize("query, named", [
    ({"build.k": "1e9"}, "`'build.k'` = `'1e9'`: must be a whole number in [1, 32]"),
    ({"build.w": "nan,1,1,1"}, "`'build.w'` = `'nan,1,1,1'`: must be 1 to 32 numbers"),
    ({"build.a": "1,2"}, "`build.a` has 2 numbers, and there are k = 4 hinges"),
    ({"build.xmin": "5", "build.xmax": "1"}, "Ignored the interval [5, 1]"),
    ({"build.target": "formula", "build.formula": "__import__('os').system('ls')"}, "cannot be called"),
    ({"build.c": "inf"}, "`'build.c'` = `'inf'`"),
    ({"build.epochs": "99999", "build.fit": "true"}, "`'build.epochs'` = `'99999'`"),
    ({"build.depth": "-3", "build.target": "sawtooth"}, "`'build.depth'` = `'-3'`"),
])
def test_hostile_build_links_give_a_notice_and_a_working_page(query, named):
    at = open_app({"tab": "Build", **query})
    assert named in notices(at), notices(at)
    assert not at.exception and at.metric and at.data_editor
    assert hinges_of(at).k == 4 or "build.k" not in query


def test_training_beyond_the_time_budget_is_cut_to_it_with_a_warning():
    x = np.linspace(0, 1, 5000)
    text = "x,y\n" + "".join(f"{float(a)!r},{float(np.sin(6 * a))!r}\n" for a in x)
    at = open_app({"tab": "Build", "build.target": "upload", "build.k": "32", "build.epochs": "2000"})
    at.file_uploader(key="build.own.file").set_value(("big.csv", text.encode(), "text/csv")).run()
    at.toggle(key=build_panel.FIT_SWITCH).set_value(True).run()
    allowed = build.epochs_allowed(build.training_config(build.points(x, np.sin(6 * x)), 32, lr=0.01, epochs=10,
                                                         optimizer="adam", seed=0))
    assert f"Training {allowed} epochs, not 2000" in at.warning[0].value
    assert any(c.value.startswith(f"Epoch {allowed}:") for c in at.caption)


def test_the_depth_section_states_the_computed_counts_and_the_floor():
    at = open_app({"tab": "Build"})
    table = at.dataframe[-1].value
    assert list(table["pieces"]) == [2**L for L in range(1, 9)] == list(table["one layer: units"])
    x, y = build.sample(build.target("sawtooth", 5), 0, 1)
    floor = build.one_layer_floor(5, 10, x)
    text = next(m.value for m in at.markdown if "10 units, two ways" in m.value)
    assert f"mean squared error of {floor[0]:.3g}" in text and "largest error of 0.5" in text
    at.button(key="build.try").click().run()
    h = hinges_of(at)
    assert h.k == 10 and at.query_params["build.target"] == "sawtooth" and "build.depth" not in at.query_params
    x, y = build.sample(build.target("sawtooth", 5, (-3, 3)), -3, 3)
    assert build.linear_pieces(x, y) == 32
    assert float(metrics(at)["Largest error"]) >= 0.5


def test_locked_build_link_hides_the_controls_but_keeps_the_hinges():
    at = open_app({"tab": "Build", "hide": "build", "build.k": "2", "build.w": "1,-1", "build.b": "0,0",
                   "build.a": "1,1", "build.target": "abs"})
    assert metrics(at)["Largest error"] == "0"
    assert any('[class*="st-key-lock-build"]' in h.proto.body for h in at.get("html"))


def test_a_formula_finite_on_the_points_but_not_where_hinges_go_evenly_is_refused_with_a_message():
    """1/(x - 1) on [-3, 3]: finite on the 513 points (1 is not one of them), infinite at the 3-hinge point x = 1."""
    at = open_app({"tab": "Build", "build.target": "formula", "build.formula": "1 / (x - 1)", "build.k": "3"})
    assert any("3 hinges cannot be placed evenly here" in c.value for c in at.caption)
    at.button(key="build.even").click().run()
    assert "3 hinges cannot be placed evenly on this target: f(1) is not finite" in at.warning[0].value
    assert not at.exception and "build.a" not in at.query_params
    at.slider(key="build.k").set_value(4).run()
    assert not at.warning and any("To beat: 4 hinges placed evenly" in c.value for c in at.caption)


def test_snapping_hinges_almost_on_top_of_each_other_is_refused_when_a_link_could_not_hold_the_weights():
    at = open_app({"tab": "Build", "build.k": "2", "build.w": "1,1", "build.b": "0,-1e-9", "build.target": "abs"})
    at.button(key="build.snap").click().run()
    assert "Snap the output weights: not done, a of hinge 1 would be" in at.warning[0].value
    assert "build.a" not in at.query_params and not hinges_of(at).a.any()


def _released_app():
    """The app, after the hinge chart's on_release callback got what the test put in `test.release` (as Streamlit
    calls it, before the run)."""
    import runpy

    import streamlit as st

    from tests.apptest import APP
    from ui import build_panel

    if "test.release" in st.session_state:
        build_panel.released(st.session_state.pop("test.release"))
    runpy.run_path(APP)


PLACED = {"tab": "Build", "build.k": "3", "build.w": "1,-2,1", "build.b": "2,0,-1", "build.a": "0.5,-1,0.8",
          "build.c": "0.3"}


def after_release(payload):
    """The page with PLACED's hinges, then after a release of `payload` on the chart."""
    at = AppTest.from_function(_released_app, default_timeout=60)
    for name, value in PLACED.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception and live(at)["hinges"] == {"w": [1, -2, 1], "b": [2, 0, -1], "a": [0.5, -1, 0.8],
                                                       "c": 0.3, "view": [-3.6, 3.6], "a_range": [-1e6, 1e6]}
    before = dict(at.query_params)
    at.session_state["test.release"] = payload
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at, before


def test_a_hinge_let_go_on_the_chart_moves_the_table_the_errors_the_chart_and_the_link():
    at, _ = after_release({"hinge": 1, "kink": 0.5, "a": 2})
    assert not at.warning
    moved = Hinges([1, -2, 1], [2, 1, -1], [0.5, 2, 0.8], 0.3)  # hinge 2: b = -w · kink = 1
    for shown in (hinges_of(at), link_hinges(at)):
        assert np.array_equal(shown.b, moved.b) and np.array_equal(shown.a, moved.a) and shown.c == 0.3
    assert at.query_params["build.b"] == "2,1,-1" and at.query_params["build.a"] == "0.5,2,0.8"
    table = at.data_editor[0].value
    assert table["kink x"].tolist() == [-2, 0.5, 1] and table["a"].tolist() == [0.5, 2, 0.8]
    mse, largest = moved.errors(*SINE)
    assert metrics(at)["Mean squared error"] == f"{mse:.4g}" and metrics(at)["Largest error"] == f"{largest:.4g}"
    x, g = network(at)
    assert 0.5 in x and np.allclose(g, moved(x), rtol=0, atol=1e-12)
    assert live(at)["hinges"]["b"] == [2, 1, -1] and live(at)["hinges"]["a"] == [0.5, 2, 0.8]


@pytest.mark.parametrize("payload, named", [
    ({"hinge": 1, "kink": float("nan"), "a": 1}, "kink must be a finite number, got `'nan'`"),
    ({"hinge": 1, "kink": 0.5, "a": float("inf")}, "a must be a finite number, got `'inf'`"),
    ({"hinge": 1, "kink": None, "a": 1}, "kink must be a finite number, got `'None'`"),
    ({"hinge": 1, "kink": 0.5, "a": 2e6}, "a of hinge 2 would be 2e+06, outside [-1e+06, 1e+06]"),
    ({"hinge": 1, "kink": -1e300, "a": 1}, "the kink of hinge 2 would be at -1e+300, outside the chart's x-range "
                                           "[-3.6, 3.6]"),
    ({"hinge": 0, "kink": 3.7, "a": 1}, "outside the chart's x-range [-3.6, 3.6]"),
    ({"hinge": 3, "kink": 0.5, "a": 1}, "there is no hinge with index `'3'` (k = 3: 0 to 2)"),
    ({"hinge": -1, "kink": 0.5, "a": 1}, "there is no hinge with index `'-1'`"),
    ({"hinge": True, "kink": 0.5, "a": 1}, "there is no hinge with index `'True'`"),
    ({"hinge": 1.0, "kink": 0.5, "a": 1}, "there is no hinge with index `'1.0'`"),
    ({"hinge": 1, "kink": "0.5", "a": 1}, "kink must be a finite number, got `'0.5'`"),
    ({"hinge": 1, "kink": [0.5], "a": 1}, "kink must be a finite number, got `'[0.5]'`"),
    ({"hinge": 1, "kink": 0.5, "a": True}, "a must be a finite number, got `'True'`"),
    ({"hinge": 1, "kink": 10**400, "a": 1}, "kink must be a finite number, got `'1000000000"),
    ({"hinge": 1, "kink": 0.5, "a": -(10**400)}, "a must be a finite number, got `'-100000000"),
    ({"hinge": 10**400, "kink": 0.5, "a": 1}, "there is no hinge with index `'1000000000"),
    ("hinge 1 to 0.5", "expected a hinge, its kink and a, got `'hinge 1 to 0.5'`"),
    ([1, 0.5, 1], "expected a hinge, its kink and a, got `'[1, 0.5, 1]'`"),
    ({"hinge": 1, "kink": 0.5}, "expected a hinge, its kink and a"),
    ({"hinge": 1, "kink": 0.5, "a": 1, "w": 5}, "expected a hinge, its kink and a"),
])
def test_a_bad_hinge_release_is_refused_with_a_warning_and_the_hinges_stay(payload, named):
    at, before = after_release(payload)
    assert len(at.warning) == 1 and at.warning[0].value.startswith("The hinge dragged on the chart was not used")
    assert named in at.warning[0].value, at.warning[0].value
    assert dict(at.query_params) == before and live(at)["hinges"]["b"] == [2, 0, -1]
    shown = hinges_of(at)
    assert shown.b.tolist() == [2, 0, -1] and shown.a.tolist() == [0.5, -1, 0.8]
    assert at.data_editor[0].value["a"].tolist() == [0.5, -1, 0.8]


def test_a_locked_link_has_no_hinge_handles_and_an_open_one_has_them():
    assert live(open_app({**PLACED, "hide": "build"}))["hinges"] is None
    assert live(open_app({**PLACED, "hide": "picker"}))["hinges"]["w"] == [1, -2, 1]


def test_a_slope_change_let_go_keeps_its_kink_where_it_was_even_beyond_the_chart():
    """Only the output weight changed: b stays as it was, and a kink beyond the chart's x-range stays there (hinge 2:
    kink 5, active to its left); a kink moved beyond it is refused."""
    at = AppTest.from_function(_released_app, default_timeout=60)
    for name, value in {"tab": "Build", "build.k": "2", "build.w": "0.3,-1", "build.b": "0.7,5",
                        "build.a": "1,1"}.items():
        at.query_params[name] = value
    at.run()
    before = at.query_params["build.b"]
    for j, kink in enumerate(hinges_of(at).kinks):
        at.session_state["test.release"] = {"hinge": j, "kink": float(kink), "a": 2.5}
        at.run()
        assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.query_params["build.b"] == before and at.query_params["build.a"] == "2.5,2.5"
    assert hinges_of(at).kinks[1] == 5
    at.session_state["test.release"] = {"hinge": 1, "kink": 4.9, "a": 2.5}  # moved, and beyond the chart: refused
    at.run()
    assert "outside the chart's x-range" in at.warning[0].value and at.query_params["build.b"] == before
