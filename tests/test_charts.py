"""Chart builders: gaps instead of vertical connectors, jump markers, light payload, linked hover."""

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.curves import near_zero_intervals, sample
from relu_viz.training import TrainConfig, train
from ui.charts import PALETTE, Series, curves_figure
from ui.training_charts import (
    DEAD,
    active_side_in_box,
    boundary_in_box,
    log_ticks,
    unit_plane_figure,
    units_figure,
)


def figure(*keys, **params):
    series = [Series(k, ACTIVATIONS[k].label, sample(ACTIVATIONS[k], params.get(k, {}), -10, 10)) for k in keys]
    return curves_figure(series, -10, 10)


def test_jumps_are_gaps_with_their_limits_not_vertical_lines():
    s = sample(ACTIVATIONS["relu"], {}, -10, 10)
    at_zero = np.flatnonzero(s.df.x == 0)
    assert len(at_zero) == 3 and np.isnan(s.df.y[at_zero[1]])
    assert (s.df.y[at_zero[0]], s.df.y[at_zero[2]]) == (0.0, 1.0)
    assert not np.isnan(s.f.y).any(), "ReLU itself is continuous: no gap"
    jump = s.df.jumps[0]
    assert (jump.x, jump.value, jump.left, jump.right) == (0.0, 0.0, 0.0, 1.0)


def test_binary_step_jump_has_filled_and_open_markers():
    (dots,) = [t for t in figure("binary_step").data if t.type == "scatter" and t.mode == "markers"]
    assert list(zip(dots.x, dots.y, dots.marker.symbol)) == [(0.0, 1.0, "circle"), (0.0, 0.0, "circle-open")]
    assert dots.yaxis == "y", "f' of the step is 0 on both sides: no dots there"


def test_a_live_activation_has_the_same_traces_whatever_its_parameters_and_the_others_few():
    """A live chart's frames replace a live activation's traces by index: f, f', dots on each (none yet at slope
    1), its own strips; the others' strips share one trace, and an activation without jumps gets no dots."""
    def shape(slope):
        series = [Series(k, ACTIVATIONS[k].label, sample(ACTIVATIONS[k], p, -10, 10))
                  for k, p in (("leaky_relu", {"negative_slope": slope}), ("sigmoid", {}), ("relu", {}))]
        return [(t["type"], t.get("mode"), t["yaxis"]) for t in curves_figure(series, -10, 10, live=("leaky_relu",))
                .to_plotly_json()["data"]]
    block = [("scatter", "lines", "y"), ("scatter", "lines", "y2"), ("scatter", "markers", "y"),
             ("scatter", "markers", "y2"), ("bar", None, "y3")]
    others = [("scatter", "lines", "y"), ("scatter", "lines", "y2"), ("scatter", "lines", "y"),
              ("scatter", "lines", "y2"), ("scatter", "markers", "y2"), ("bar", None, "y3")]
    assert shape(0.01) == shape(1.0) == block + others


def test_values_past_float32_are_sent_in_float64_not_as_infinity():
    """exp(30 x) reaches e^300 on [-10, 10], past float32's 3.4e38: float32 would draw that part as a gap."""
    from relu_viz.curves import sample as sample_curves

    params = {**ACTIVATIONS["custom"].defaults, "formula": "exp(30 * x)"}
    steep = Series("custom", "Your formula", sample_curves(ACTIVATIONS["custom"], params, -10, 10))
    f_line = curves_figure([steep], -10, 10).data[0]
    assert np.asarray(f_line.y).dtype == np.float64 and np.asarray(f_line.y)[-1] == pytest.approx(np.exp(300))


def test_traces_are_float32_and_one_hover_shows_f_and_its_derivative_on_both_panels():
    fig = figure("relu", "sigmoid")
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines"]
    assert all(np.asarray(t.y).dtype == np.float32 for t in lines)
    assert fig.layout.hovermode == "x unified" and fig.layout.hoversubplots == "axis"
    assert {t.xaxis for t in fig.data} == {"x"}, "one x-axis: a hover on either panel lists every trace on it"
    assert [(t.yaxis, t.hovertemplate) for t in lines[:2]] == [("y", "ReLU: f = %{y:.4g}<extra></extra>"),
                                                               ("y2", "ReLU: f′ = %{y:.4g}<extra></extra>")]
    assert all(t.customdata is None for t in lines), "each curve's hover shows its own values: nothing sent twice"
    assert [t.line.color for t in lines[::2]] == list(PALETTE[:2])


def test_curves_differ_in_dash_as_well_as_colour():
    """Orange (Leaky ReLU) and vermillion (GELU) look alike on a washed-out projector: every two of six curves
    differ in dash, and every two of eight in colour."""
    keys = ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "silu", "mish"]
    lines = [t for t in figure(*keys).data if t.type == "scatter" and t.mode == "lines" and t.yaxis == "y"]
    assert len({t.line.color for t in lines}) == 8 and len({t.line.dash for t in lines[:6]}) == 6
    assert all(t.line == d.line for t, d in zip(lines, [t for t in figure(*keys).data if t.yaxis == "y2" and
                                                         t.mode == "lines"])), "f' drawn as its f"


def test_near_zero_intervals_find_dead_zone_and_saturated_tails():
    relu = sample(ACTIVATIONS["relu"], {}, -10, 10)
    assert near_zero_intervals(relu.df.x, relu.df.y) == [(-10.0, 0.0)]
    tails = near_zero_intervals(*(lambda s: (s.df.x, s.df.y))(sample(ACTIVATIONS["sigmoid"], {}, -10, 10)))
    assert len(tails) == 2 and tails[0][1] < -4.5 and tails[1][0] > 4.5
    assert near_zero_intervals(*(lambda s: (s.df.x, s.df.y))(sample(ACTIVATIONS["leaky_relu"], {}, -10, 10))) == []


def test_figures_built_without_validation_pass_plotly_strict_validation():
    import plotly.graph_objects as go

    from relu_viz.curves import sample as sample_curves

    params = {"slopes": (-1.0, 1.0), "intercepts": (0.0, 0.0)}
    series = [Series(k, ACTIVATIONS[k].label, sample_curves(ACTIVATIONS[k], params if k == "maxout" else {}, -5, 5),
                     tuple(zip(params["slopes"], params["intercepts"])) if k == "maxout" else ())
              for k in ("relu", "binary_step", "maxout", "sigmoid")]
    fig = curves_figure(series, -5, 5)
    go.Figure(fig.to_dict())  # the validating constructor raises on any property Plotly does not know


def test_near_zero_strips_sit_in_their_own_labelled_row_not_on_the_derivative_axis():
    fig = figure("relu", "leaky_relu", "sigmoid").to_dict()
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    assert len(bars) == 1 and (bars[0]["xaxis"], bars[0]["yaxis"], bars[0]["orientation"]) == ("x", "y3", "h")
    strips = [(base, base + width, row, color) for base, width, row, color
              in zip(bars[0]["base"], bars[0]["x"], bars[0]["y"], bars[0]["marker"]["color"])]
    # ReLU's dead side, sigmoid's two tails, each in its row and colour; Leaky ReLU (|f'| = 0.01) has none
    assert sorted({(row, color) for *_, row, color in strips}) == [(0.5, PALETTE[0]), (2.5, PALETTE[2])]
    assert [s[:2] for s in strips if s[2] == 0.5] == [(-10, 0)]
    left, right = sorted(s[:2] for s in strips if s[2] == 2.5)
    assert left[0] == -10 and right[1] == 10 and -5 < left[1] < -4.5 and 4.5 < right[0] < 5  # sigmoid' = 0.01 at ±4.6
    edge = np.log((1 - np.sqrt(1 - 0.04)) / (1 + np.sqrt(1 - 0.04)))  # s(1 - s) = 0.01: s = (1 - sqrt(0.96)) / 2
    assert abs(left[1] - edge) < 1e-3 and abs(right[0] + edge) < 1e-3, "an end where the drawn f' crosses 0.01"
    axis = fig["layout"]["yaxis3"]
    assert list(axis["ticktext"]) == ["ReLU", "Leaky ReLU", "Sigmoid"] and list(axis["tickvals"]) == [0.5, 1.5, 2.5]
    assert max(axis["domain"]) < min(fig["layout"]["yaxis2"]["domain"])  # below the f' panel, not inside it
    assert not any(s.get("yref", "").startswith("y2") and s.get("opacity", 0) > 0.1 for s in fig["layout"]["shapes"])


def test_a_lone_activation_also_gets_a_light_band_over_both_panels_and_several_do_not():
    bands = figure("relu").to_dict()["layout"]["shapes"]
    assert sorted((b["x0"], b["x1"], b["xref"], b["yref"], b["opacity"]) for b in bands) == [
        (-10, 0, "x", "y domain", 0.08), (-10, 0, "x", "y2 domain", 0.08)]  # ReLU's dead side, f and f' panels
    assert not figure("relu", "sigmoid").to_dict()["layout"].get("shapes")


@pytest.mark.parametrize("low, high, ticks", [
    (0.4, 7.0, {"dtick": "D2", "tickformat": ".2g"}),  # 1.2 decades: 0.5, 1, 2, 5 labelled
    (1.0, 1e4, {"dtick": 1, "exponentformat": "power"}),  # 4 decades: every power of ten
    (1.0, 1e26, {"dtick": 5, "exponentformat": "power"}),  # a diverged run: every fifth power, 6 labels
])
def test_log_axis_labels_stay_few(low, high, ticks):
    values = np.array([np.nan, low, np.inf, high, -1.0, 0.0])
    assert log_ticks(values) == ticks


def test_the_activity_heatmap_shows_saturated_units_black_not_only_dead_ones():
    from relu_viz.training import TrainConfig, train
    from ui.training_charts import activity_figure

    run = train(TrainConfig(activation="sigmoid", init="custom", init_std=5.0, epochs=10))
    z = np.asarray(activity_figure(run).data[0].z)
    assert np.array_equal(z, np.concatenate([a.T for a in run.learning]))  # 11 epochs: every one is a column
    saturated = np.concatenate([a[0] == 0 for a in run.learning]) & ~np.concatenate([a[0] == 0 for a in run.activity])
    assert saturated.any() and np.all(z[saturated, 0] == 0), "saturated but not dead units are black too"


@pytest.mark.parametrize("w, b, ends", [((1.0, 0.0), -0.5, [(0.5, -1), (0.5, 1)]),   # x = 0.5
                                        ((1.0, 1.0), 0.0, [(-1, 1), (1, -1)]),      # the anti-diagonal
                                        ((0.0, 2.0), 1.0, [(-1, -0.5), (1, -0.5)]),  # y = -0.5
                                        ((1.0, 0.0), -5.0, None)])                   # x = 5: outside
def test_a_units_line_is_cut_to_the_box_by_hand(w, b, ends):
    got = boundary_in_box(np.array(w), b, (-1, 1), (-1, 1))
    if ends is None:
        assert got is None
    else:
        assert sorted(map(tuple, np.round(got, 12))) == sorted(ends)


DYING = TrainConfig(dataset="moons", bias_init=-2.0, epochs=60, hidden=(16, 16), lr=0.3)


@pytest.mark.parametrize("epoch", [0, 30, 60])
def test_the_input_plane_draws_each_units_line_with_its_active_side_and_dead_units_by_the_data(epoch):
    run = train(DYING)
    W, b = (a.astype(np.float64) for a in run.hidden_layers_at(epoch)[0])
    dead = set(np.flatnonzero(np.max(run.X @ W + b, axis=0) <= 0) + 1)  # no training point on the active side
    assert dead, "the configuration has dead units to draw"
    fig = units_figure(run, epoch)
    assert f"{len(dead)} of 16 dead" in fig.layout.title.text
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    drawn = {}
    for trace in fig.data[2:]:
        units = {int(t.split(":")[0].removeprefix("unit ")) for t in trace.text}
        drawn[trace.name] = units
        points = [(x, y) for x, y in zip(trace.x, trace.y) if x is not None]
        for i in range(0, len(points), 4):  # each unit: the line's two ends, then the tick from its middle
            unit = int(trace.text[i // 4 * 6].split(":")[0].removeprefix("unit ")) - 1
            for end in points[i:i + 2]:
                assert abs(W[:, unit] @ end + b[unit]) < 1e-6 * (1 + np.abs(W[:, unit]).sum())
                assert x0 - 1e-9 <= end[0] <= x1 + 1e-9 and y0 - 1e-9 <= end[1] <= y1 + 1e-9
            assert W[:, unit] @ points[i + 3] + b[unit] > 0, "the tick points to the active side"
    assert drawn["dead unit"] <= dead and not drawn["live unit"] & dead


def shoelace(corners: np.ndarray) -> float:
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("w, b, corners, area", [
    ((1.0, 0.0), 0.0, [(0, -1), (1, -1), (1, 1), (0, 1)], 2.0),    # x >= 0: the right half
    ((-1.0, 0.0), 0.5, [(-1, -1), (0.5, -1), (0.5, 1), (-1, 1)], 3.0),  # x <= 0.5
    ((1.0, 1.0), 1.0, [(-1, 0), (0, -1), (1, -1), (1, 1), (-1, 1)], 3.5),  # above the line x + y = -1
    ((1.0, 1.0), -3.0, [], 0.0),                                    # x + y >= 3: misses the box
    ((0.0, 1.0), 5.0, [(-1, -1), (1, -1), (1, 1), (-1, 1)], 4.0),  # the whole box
])
def test_a_units_positive_side_cut_from_the_box_by_hand(w, b, corners, area):
    got = active_side_in_box(np.array(w), b, (-1, 1), (-1, 1))
    assert sorted(map(tuple, np.round(got, 12) + 0.0)) == sorted(corners)
    assert (shoelace(got) if len(got) else 0.0) == pytest.approx(area)


def test_the_unit_plane_fills_the_points_on_its_positive_side_and_a_dead_units_shade_holds_none():
    run = train(DYING)
    W, b = run.layers[0]
    for unit in range(16):
        fig = unit_plane_figure(run, unit, run.epochs_run)
        pre = run.X.astype(np.float64) @ W[:, unit] + b[unit]
        filled = next(t for t in fig.data if t.name.startswith("w·x + b > 0"))
        assert filled.name == f"w·x + b > 0: {int(np.sum(pre > 0))}"
        assert np.array_equal(np.asarray(filled.x), run.X[pre > 0, 0])
        shade = [t for t in fig.data if t.fill == "toself"]
        for t in shade:  # every corner of the shade on the positive side
            assert all(W[0, unit] * x + W[1, unit] * y + b[unit] >= -1e-5 for x, y in zip(t.x, t.y))
        if run.activity[0][-1, unit] == 0:
            assert filled.name == "w·x + b > 0: 0", "dead: no training point on its positive side"


def test_the_prelu_chart_draws_each_layers_learned_slope_per_epoch():
    from ui.training_charts import prelu_caption, prelu_figure, prelu_layers

    run = train(TrainConfig(activation=("prelu", "relu"), params=({"weight": 0.3}, {}), dataset="moons", lr=0.3,
                            epochs=20))
    assert prelu_layers(run) == [0]
    line = prelu_figure(run).data[0]
    assert line.name == "layer 1" and np.array_equal(np.asarray(line.y), run.prelu_weight[:, 0])
    assert np.asarray(line.y)[0] == np.float32(0.3) and len(line.y) == 21
    assert f"layer 1 from 0.3 to {run.prelu_weight[-1, 0]:.3g}" in prelu_caption(run)
    assert prelu_layers(train(TrainConfig(epochs=2))) == []


def test_a_maxout_units_inspector_counts_the_inputs_each_piece_wins_by_hand():
    from relu_viz.units import unit_at
    from ui.training_charts import dead_caption, fit_figure, pre_activation_figure

    run = train(TrainConfig(activation="maxout", dataset="xor", optimizer="adam", lr=0.01, epochs=30))
    W, b = (a.astype(np.float64) for a in run.layers[0])
    for unit in range(8):
        pieces = run.X @ W[:, 3 * unit:3 * unit + 3] + b[3 * unit:3 * unit + 3]
        wins = np.bincount(np.argmax(pieces, axis=1), minlength=3)
        bars = pre_activation_figure(run, 0, unit, 30).data[0]
        assert list(bars.y) == wins.tolist() and np.allclose(unit_at(run, 0, unit, 30).pre, pieces, atol=1e-5)
        assert (bars.marker.color[int(np.argmin(wins))] == DEAD) == (wins.min() == 0), "an idle piece in vermillion"
    assert run.negative_fraction[-1, 0] > 0 and "cannot be dead" in dead_caption(run)
    assert "a piece that is the maximum on no input" in dead_caption(run)
    assert fit_figure(train(TrainConfig(activation="maxout", lr=0.01, epochs=2))).layout.title.text == "Fit"


@pytest.mark.parametrize("key, params, dead_when_missed", [("relu", {}, True), ("relu6", {}, True),
                                                           ("leaky_relu", {"negative_slope": 0.0}, True),
                                                           ("leaky_relu", {}, False), ("sigmoid", {}, False),
                                                           ("elu", {}, False), ("tanh", {}, False)])
def test_the_hinge_caption_calls_a_unit_missing_the_data_dead_only_where_f_prime_is_0_below_its_hinge(
        key, params, dead_when_missed):
    from ui.dead_neurons import hinges_caption

    caption = hinges_caption(train(TrainConfig(activation=key, params=params, epochs=1)))
    assert ("has f′ = 0 on every input: it is dead" in caption) == dead_when_missed
    assert ("misses the data is not dead for that" in caption) != dead_when_missed


def test_the_hinge_caption_of_prelu_gives_its_learned_slope_and_calls_a_unit_dead_only_while_it_is_0():
    """PReLU's slope is learned (one per layer): the caption states it at the start and the end, as the run recorded
    it, and a unit missing the data is dead only at slope 0 (a PReLU run starting at 0: the first layer's slope gets
    the gradient of min(z, 0) of every unit, so it moves and the run's dead shares say whether it reached 0)."""
    from ui.dead_neurons import hinges_caption

    run = train(TrainConfig(activation="prelu", epochs=20))
    caption = hinges_caption(run)
    first, last = run.prelu_weight[0][0], run.prelu_weight[-1][0]
    assert first == 0.25 and last != first and f"{first:.3g} at the start, {last:.3g} at the end" in caption
    assert "missing the data does not make a unit dead" in caption and not run.dead_fraction[-1, 0]
    assert "stays dead" not in caption
    zero = train(TrainConfig(activation="prelu", params={"weight": 0.0}, epochs=20))
    moved = zero.prelu_weight[-1][0]
    assert zero.prelu_weight[0][0] == 0 and moved != 0, "the slope leaves 0: no unit stays dead for good"
    assert f"0 at the start, {moved:.3g} at the end" in hinges_caption(zero)
