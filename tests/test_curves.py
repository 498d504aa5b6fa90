"""Sampling for the charts: the grid, every kink on it, gaps at jumps with their limits, near-zero intervals."""

import numpy as np

from relu_viz import ACTIVATIONS
from relu_viz.curves import NEAR_ZERO, POINTS, near_zero_intervals, sample


def test_grid_covers_the_range_with_the_kinks_inside_it():
    s = sample(ACTIVATIONS["hardtanh"], {"min_val": -1.03, "max_val": 2.0}, -4, 6)
    x = s.f.x
    assert x[0] == -4 and x[-1] == 6 and np.all(np.diff(x) > 0)
    assert -1.03 in x and 2.0 in x and len(x) == POINTS + 1, "kinks added to the even grid (2.0 is on it)"
    assert np.array_equal(s.f.y, np.clip(x, -1.03, 2.0))
    away = (s.df.x != -1.03) & (s.df.x != 2.0)
    assert np.array_equal(s.df.y[away], ((s.df.x[away] > -1.03) & (s.df.x[away] < 2.0)) * 1.0)
    assert s.df.y[~away].tolist()[:3][::2] == [0.0, 1.0], "the limits of f' on both sides of the first kink"
    assert len(s.df.x) == len(x) + 4 and np.count_nonzero(np.isnan(s.df.y)) == 2, "f' has a gap at each kink"
    outside = sample(ACTIVATIONS["hardtanh"], {}, 2, 5)
    assert len(outside.f.x) == POINTS and not outside.df.jumps, "kinks outside the range are not added"


def test_a_jump_becomes_limit_gap_limit_with_the_value_taken_recorded():
    s = sample(ACTIVATIONS["threshold"], {"threshold": 1.0, "value": -2.0}, -3, 3)
    i = np.flatnonzero(s.f.x == 1.0)
    assert len(i) == 3 and np.isnan(s.f.y[i[1]])
    assert s.f.y[i[0]] == -2.0 and abs(s.f.y[i[2]] - 1.0) < 1e-12
    (jump,) = s.f.jumps
    assert jump.x == 1.0 and jump.value == -2.0 and jump.left == -2.0 and abs(jump.right - 1.0) < 1e-12
    assert len(s.f.x) == len(s.f.y) == POINTS + 3
    assert np.count_nonzero(np.isnan(s.f.y)) == 1


def test_several_jumps_and_continuous_kinks():
    s = sample(ACTIVATIONS["hardshrink"], {"lambd": 1.0}, -2, 2)
    assert [j.x for j in s.f.jumps] == [-1.0, 1.0] and np.count_nonzero(np.isnan(s.f.y)) == 2
    for j, left, right in zip(s.f.jumps, (-1.0, 0.0), (0.0, 1.0)):
        assert abs(j.left - left) < 1e-12 and abs(j.right - right) < 1e-12 and j.value == 0
    relu = sample(ACTIVATIONS["relu"], {}, -1, 1)
    assert not relu.f.jumps and len(relu.df.jumps) == 1, "ReLU is continuous, its derivative jumps"


def test_near_zero_intervals_are_maximal_runs_below_the_threshold_across_no_gap():
    x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7])
    dy = np.array([0.5, 0.001, 0.0, -0.009, 0.5, 0.002, np.nan, 0.0])
    assert near_zero_intervals(x, dy) == [(1.0, 3.0)], "a run needs two points; NaN ends a run"
    assert near_zero_intervals(x, np.zeros(8)) == [(0.0, 7.0)]
    assert near_zero_intervals(x, dy, threshold=0.6) == [(0.0, 5.0)]
    assert near_zero_intervals(x, np.full(8, NEAR_ZERO)) == [], "|f'| must be strictly below the threshold"
    assert NEAR_ZERO == 0.01


def test_a_jump_records_the_value_taken_on_its_upper_side_too():
    """The binary step takes 1 at 0 (x >= 0), its right limit: the recorded value is f(0), not a lower-branch
    default."""
    (jump,) = sample(ACTIVATIONS["binary_step"], {}, -1, 1).f.jumps
    assert (jump.x, jump.value, jump.left, jump.right) == (0.0, 1.0, 0.0, 1.0)


def test_a_curve_has_the_401_points_the_readme_states():
    assert POINTS == 401


def test_near_zero_ends_can_move_to_where_the_drawn_line_crosses_the_threshold():
    """Worked by hand: |f'| < 0.01 on x = 1, 2; the line from (0, 0.03) to (1, 0.005) crosses 0.01 at 0.8, the one
    from (2, 0.005) to (3, -0.02) crosses -0.01 at 2.6. An end at the grid's end or beside a gap stays."""
    x = np.array([0.0, 1, 2, 3, 4, 5, 6])
    dy = np.array([0.03, 0.005, 0.005, -0.02, np.nan, 0.0, 0.0])
    assert near_zero_intervals(x, dy) == [(1.0, 2.0), (5.0, 6.0)]
    (lo, hi), last = near_zero_intervals(x, dy, crossing=True)
    assert abs(lo - 0.8) < 1e-12 and abs(hi - 2.6) < 1e-12 and last == (5.0, 6.0)
