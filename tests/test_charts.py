"""Chart builders: gaps instead of vertical connectors, jump markers, light payload, linked hover."""

import numpy as np

from relu_viz import ACTIVATIONS
from relu_viz.curves import near_zero_intervals, sample
from ui.charts import PALETTE, Series, curves_figure


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
    fig = figure("binary_step")
    markers = [t for t in fig.data if t.mode == "markers"]
    symbols = {t.marker.symbol: list(zip(t.x, t.y)) for t in markers}
    assert symbols["circle"] == [(0.0, 1.0)] and symbols["circle-open"] == [(0.0, 0.0)]


def test_traces_are_float32_and_hover_is_linked():
    fig = figure("relu", "sigmoid")
    lines = [t for t in fig.data if t.mode == "lines"]
    assert all(np.asarray(t.y).dtype == np.float32 for t in lines)
    assert fig.layout.hovermode == "x unified" and fig.layout.hoversubplots == "axis"
    assert [t.hovertemplate for t in lines[:2]] == ["ReLU: f = %{y:.4g}<extra></extra>",
                                                    "ReLU: f′ = %{y:.4g}<extra></extra>"]
    assert all(t.customdata is None for t in lines), "each row's hover shows its own curve: nothing sent twice"
    assert [t.line.color for t in lines[::2]] == list(PALETTE[:2])


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
