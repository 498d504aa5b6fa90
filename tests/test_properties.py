"""Derived properties agree with what each formula implies (expectations written from the formulas, by hand), and
the mean output with an independent mpmath integral of the reference functions."""

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS, MAX_PIECES
from relu_viz.properties import MAX_KINK, NotFinite, derive
from tests.reference import EXAMPLE_FORMULAS, reference
from tests.test_activations import valid_params

INF = math.inf
SELU_MIN = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717

# key: (range as text, monotonic, zero-centred (mean output ~ 0), continuous, smooth, saturates (left, right),
# dead zone as text)
EXPECTED = {
    "relu": ("[0, ∞)", "non-decreasing", False, True, False, (True, False), "(-∞, 0]"),
    "leaky_relu": ("(-∞, ∞)", "increasing", False, True, False, (False, False), "none"),
    "prelu": ("(-∞, ∞)", "increasing", False, True, False, (False, False), "none"),
    "rrelu": ("(-∞, ∞)", "increasing", False, True, False, (False, False), "none"),
    "relu6": ("[0, 6]", "non-decreasing", False, True, False, (True, True), "(-∞, 0] ∪ [6, ∞)"),
    "elu": ("(-1, ∞)", "increasing", False, True, True, (True, False), "none"),
    "selu": (f"({SELU_MIN:.4g}, ∞)", "increasing", True, True, False, (True, False), "none"),
    "celu": ("(-1, ∞)", "increasing", False, True, True, (True, False), "none"),
    "maxout": ("[0.5, ∞)", "no", False, True, False, (False, False), "none"),
    "gelu": ("[-0.17, ∞)", "no", False, True, True, (True, False), "none"),
    "silu": ("[-0.2785, ∞)", "no", False, True, True, (True, False), "none"),
    "swish": ("[-0.2785, ∞)", "no", False, True, True, (True, False), "none"),
    "mish": ("[-0.3088, ∞)", "no", False, True, True, (True, False), "none"),
    "softplus": ("(0, ∞)", "increasing", False, True, True, (True, False), "none"),
    "hardswish": ("[-0.375, ∞)", "no", False, True, False, (True, False), "(-∞, -3]"),
    "sigmoid": ("(0, 1)", "increasing", False, True, True, (True, True), "none"),
    "tanh": ("(-1, 1)", "increasing", True, True, True, (True, True), "none"),
    "hardsigmoid": ("[0, 1]", "non-decreasing", False, True, False, (True, True), "(-∞, -3] ∪ [3, ∞)"),
    "hardtanh": ("[-1, 1]", "non-decreasing", True, True, False, (True, True), "(-∞, -1] ∪ [1, ∞)"),
    "softsign": ("(-1, 1)", "increasing", True, True, True, (True, True), "none"),
    "logsigmoid": ("(-∞, 0)", "increasing", False, True, True, (False, True), "none"),
    "softshrink": ("(-∞, ∞)", "non-decreasing", True, True, False, (False, False), "[-0.5, 0.5]"),
    "hardshrink": ("(-∞, -0.5) ∪ {0} ∪ (0.5, ∞)", "non-decreasing", True, False, False, (False, False), "[-0.5, 0.5]"),
    "tanhshrink": ("(-∞, ∞)", "increasing", True, True, True, (False, False), "none"),
    "threshold": ("{0} ∪ (1, ∞)", "non-decreasing", False, False, False, (True, False), "(-∞, 1]"),
    "binary_step": ("{0, 1}", "non-decreasing", False, False, False, (True, True), "(-∞, ∞)"),
    "identity": ("(-∞, ∞)", "increasing", True, True, True, (False, False), "none"),
    "custom": ("[-0.2785, ∞)", "no", False, True, True, (True, False), "none"),  # x * sigmoid(x): SiLU
}


def test_every_activation_has_expectations():
    assert set(EXPECTED) == set(ACTIVATIONS)


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_derived_properties_match_the_formulas(key):
    p = derive(ACTIVATIONS[key])
    got = (p.range_text, p.monotonic, p.zero_centred, p.continuous, p.smooth,
           (p.saturates_left, p.saturates_right), p.dead_zone_text)
    assert got == EXPECTED[key], f"{key}: derived {got}, formula implies {EXPECTED[key]}"


def test_properties_follow_the_parameters():
    elu, celu, leaky = ACTIVATIONS["elu"], ACTIVATIONS["celu"], ACTIVATIONS["leaky_relu"]
    assert derive(elu, alpha=1.0).smooth and not derive(elu, alpha=2.0).smooth  # ELU is C1 only for alpha = 1
    assert derive(elu, alpha=2.0).range_text == "(-2, ∞)"
    assert derive(celu, alpha=3.0).smooth
    assert derive(leaky, negative_slope=0.0).dead_zone_text == "(-∞, 0]"
    assert derive(leaky, negative_slope=1.0).smooth
    assert derive(ACTIVATIONS["prelu"], weight=-0.5).monotonic == "no"
    assert derive(ACTIVATIONS["maxout"], slopes=(-1.0, 1.0), intercepts=(0.0, 0.0)).range_text == "[0, ∞)"
    assert derive(ACTIVATIONS["maxout"], slopes=(0.0, 1.0), intercepts=(0.0, 0.0)).dead_zone_text == "(-∞, 0]"
    assert derive(ACTIVATIONS["hardtanh"], min_val=-2.0, max_val=5.0).range_text == "[-2, 5]"
    assert derive(ACTIVATIONS["threshold"], threshold=0.5, value=2.0).range_text == "(0.5, ∞)"
    assert derive(ACTIVATIONS["threshold"], threshold=1.0, value=1.0).range_text == "[1, ∞)"
    assert derive(ACTIVATIONS["threshold"], threshold=1.0, value=1.0).continuous
    assert not derive(ACTIVATIONS["threshold"], threshold=1.0, value=-2.0).continuous
    assert derive(ACTIVATIONS["threshold"], threshold=1.0, value=-2.0).range_text == "{-2} ∪ (1, ∞)"
    assert derive(ACTIVATIONS["hardshrink"], lambd=2.0).range_text == "(-∞, -2) ∪ {0} ∪ (2, ∞)"
    assert derive(ACTIVATIONS["hardshrink"], lambd=0.0).range_text == "(-∞, ∞)"
    assert derive(ACTIVATIONS["swish"], beta=0.0).monotonic == "increasing"
    assert derive(ACTIVATIONS["elu"], alpha=0.0).dead_zone_text == "(-∞, 0]", "ELU with alpha 0 is ReLU"


def test_kinks_far_out_are_inside_the_grid():
    """0.01 |x - 1000| as a Maxout: a V with its vertex at x = 1000."""
    p = derive(ACTIVATIONS["maxout"], slopes=(0.01, -0.01), intercepts=(-10.0, 10.0))
    assert (p.range_text, p.monotonic, p.continuous, p.smooth) == ("[0, ∞)", "no", True, False)
    far = derive(ACTIVATIONS["maxout"], slopes=(0.1, 0.1002), intercepts=(10.0, -10.0))  # kink at x = 1e5
    assert far.monotonic == "increasing" and not far.smooth and far.range_text == "(-∞, ∞)"
    dip = derive(ACTIVATIONS["maxout"], slopes=(-0.01, 0.01), intercepts=(0.0, -10.0))  # min -5 at x = 500
    assert dip.range_text == "[-5, ∞)" and dip.monotonic == "no"


def normal_moment(key, power, **params):
    """E[f(Z)^power], Z ~ N(0, 1), from the mpmath reference, split at the kinks."""
    kinks = sorted({float(k) for k in ACTIVATIONS[key].kink_points(**params)} | {0.0})
    points = [-mp.inf, *kinks, mp.inf]
    return mp.quad(lambda z: reference(key, z, **params) ** power * mp.npdf(z), points)


@pytest.mark.slow
@pytest.mark.parametrize("key", ACTIVATIONS)
def test_mean_output_against_an_mpmath_integral(key):
    params = ACTIVATIONS[key].defaults
    p = derive(ACTIVATIONS[key])
    assert p.mean_output == pytest.approx(float(normal_moment(key, 1, **params)), abs=1e-8)
    assert p.rms_output == pytest.approx(float(mp.sqrt(normal_moment(key, 2, **params))), abs=1e-8)
    assert p.zero_centred == (abs(p.mean_output) <= 0.05 * p.rms_output)


def test_mean_outputs_of_the_closed_forms():
    """E relu(Z) = 1/sqrt(2 pi); leaky: (1 - a)/sqrt(2 pi); GELU: E[Z Phi(Z)] = 1/(2 sqrt(pi)); tanh: 0 (odd)."""
    mean = {k: derive(ACTIVATIONS[k]).mean_output for k in ("relu", "leaky_relu", "gelu", "tanh", "selu")}
    assert mean["relu"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-10)
    assert mean["leaky_relu"] == pytest.approx(0.99 / math.sqrt(2 * math.pi), abs=1e-10)
    assert mean["gelu"] == pytest.approx(1 / (2 * math.sqrt(math.pi)), abs=1e-10)
    assert abs(mean["tanh"]) < 1e-12 and abs(mean["selu"]) < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("key", ACTIVATIONS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_sampled_values_lie_in_the_derived_range(key, data):
    act = ACTIVATIONS[key]
    params = data.draw(valid_params(act))
    try:
        props = derive(act, **params)
    except NotFinite as refused:  # Maxout's pieces may cross far out: said, not read
        assert max(map(abs, act.kink_points(**params))) > MAX_KINK and "too far out" in str(refused)
        return
    xs = np.array(data.draw(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=20)))
    xs = xs[np.abs(xs) <= props.window]  # a range read on a finite window says so, and holds there
    y = act(xs, **params)
    outside = [v for v in y if not props.contains(float(v), tolerance=1e-9 * (1 + abs(v)))]
    assert not outside, f"{key}{params}: values {outside} outside derived range {props.range_text}"
    dead = [x for x in xs if any(lo <= x <= hi for lo, hi in props.dead_zone)]
    assert not np.any(act.derivative(np.array(dead), **params)), f"{key}{params}: f' != 0 inside the dead zone"


def test_interval_membership_at_open_and_closed_ends_and_with_tolerance():
    from relu_viz.properties import Interval

    closed, open_ = Interval(0.0, 1.0, True, True), Interval(0.0, 1.0, False, False)
    assert closed.contains(0.0) and closed.contains(1.0) and closed.contains(0.5)
    assert not open_.contains(0.0) and not open_.contains(1.0) and open_.contains(0.5)
    assert not closed.contains(-1e-9) and not closed.contains(1 + 1e-9)
    assert open_.contains(-1e-9, tolerance=1e-8) and open_.contains(1 + 1e-9, tolerance=1e-8)
    assert not open_.contains(-1e-7, tolerance=1e-8) and not open_.contains(1 + 1e-7, tolerance=1e-8)
    assert not closed.contains(2.0) and not closed.contains(-2.0), "above and below must both hold"
    point = Interval(2.0, 2.0, True, True)
    assert point.contains(2.0) and point.text == "{2}" and closed.text == "[0, 1]" and open_.text == "(0, 1)"
    assert Interval(-math.inf, 0.5, False, True).text == "(-∞, 0.5]"


def test_properties_rows_and_texts_exactly():
    from relu_viz.properties import Interval, Properties

    p = Properties(range=(Interval(-math.inf, -0.5, False, False), Interval(0.0, 0.0, True, True),
                          Interval(0.5, math.inf, False, False)),
                   monotonic="non-decreasing", mean_output=-0.00004, rms_output=0.9, continuous=False, smooth=False,
                   saturates_left=True, saturates_right=False, dead_zone=((-math.inf, 0.0), (1.0, 2.5)),
                   float32_dead_zone=((-math.inf, 0.0), (1.0, 2.5), (88.7228, math.inf)))
    assert p.rows() == [
        ("Range", "(-∞, -0.5) ∪ {0} ∪ (0.5, ∞)"),
        ("Monotonic", "non-decreasing"),
        ("Mean output E[f(Z)], Z ~ N(0, 1)", "0.000"),
        ("Zero-centred (|mean| ≤ 0.05 × RMS)", "yes"),
        ("Continuous", "no"),
        ("Smooth (f' continuous)", "no"),
        ("Saturating (f' → 0)", "x → -∞"),
        ("Dead zone (f' = 0)", "(-∞, 0] ∪ [1, 2.5]"),
        ("Dead zone in float32 (f' = 0 as training computes it)", "(-∞, 0] ∪ [1, 2.5] ∪ [88.72, ∞)"),
    ]
    assert (p.lower, p.upper) == (-math.inf, math.inf)
    assert p.contains(0.0) and p.contains(0.7) and not p.contains(0.3) and not p.contains(-0.5)
    both = Properties((Interval(0.0, 1.0, True, False),), "increasing", 0.5, 0.6, True, True, True, True, ())
    assert dict(both.rows())["Saturating (f' → 0)"] == "x → -∞, x → +∞" and both.dead_zone_text == "none"
    assert dict(both.rows())["Zero-centred (|mean| ≤ 0.05 × RMS)"] == "no" and both.range_text == "[0, 1)"
    none = Properties((Interval(0.0, 0.0, True, True), Interval(1.0, 1.0, True, True)), "no", 0.5, 0.7, False, False,
                      False, False, ())
    assert dict(none.rows())["Saturating (f' → 0)"] == "no" and none.range_text == "{0, 1}"
    edge = Properties((Interval(0.0, 1.0, True, True),), "no", 0.05, 1.0, True, True, False, False, ())
    assert edge.zero_centred and not Properties((Interval(0.0, 1.0, True, True),), "no", 0.0501, 1.0, True, True,
                                                False, False, ()).zero_centred


def test_number_formats():
    from relu_viz.properties import _number, fixed

    assert fixed(-0.0004) == "0.000" and fixed(-0.0006) == "-0.001" and fixed(0.39894) == "0.399"
    assert fixed(2.5, digits=1) == "2.5" and fixed(-1.0) == "-1.000"
    assert _number(math.inf) == "∞" and _number(-math.inf) == "-∞" and _number(-0.0) == "0"
    assert _number(0.27846) == "0.2785" and _number(-1.7581) == "-1.758" and _number(12345.0) == "1.234e+04"


def test_turning_points_are_found_to_twelve_digits():
    """GELU, SiLU and Mish minima against mpmath: the root of f' by findroot, then f there."""
    from tests.reference import reference, reference_derivative

    for key, guess in (("gelu", -0.75), ("silu", -1.28), ("mish", -1.19)):
        x = mp.findroot(lambda t, k=key: reference_derivative(k, t, **ACTIVATIONS[k].defaults), guess)
        lowest = float(reference(key, x, **ACTIVATIONS[key].defaults))
        got = derive(ACTIVATIONS[key])
        assert got.lower == pytest.approx(lowest, rel=1e-12, abs=1e-14) and got.range[0].lo_closed, key


def test_limits_one_side_at_a_time_and_jumps():
    from relu_viz.properties import is_jump, one_sided_limits, runs

    relu = ACTIVATIONS["relu"]
    assert one_sided_limits(relu.derivative, 0.0, {}) == (0.0, 1.0)
    left, right = one_sided_limits(ACTIVATIONS["threshold"], 2.0, {"threshold": 2.0, "value": -1.0})
    assert left == -1.0 and abs(right - 2.0) < 1e-12, "extrapolated: exact beside a linear piece"
    left, right = one_sided_limits(ACTIVATIONS["sigmoid"], 1000.0, {})
    assert left == right == 1.0
    assert is_jump(0.0, 1.0) and not is_jump(1.0, 1.0 + 1e-7) and is_jump(1.0, 1.0 + 3e-6)
    assert not is_jump(100.0, 100.0 + 1e-4) and is_jump(100.0, 100.0 + 2e-4), "relative to the size"
    assert runs(np.array([True, True, False, True, False, False, True])) == [(0, 1), (3, 3), (6, 6)]
    assert runs(np.array([False, False])) == [] and runs(np.array([True])) == [(0, 0)]


def test_monotonic_classes():
    from relu_viz.properties import _monotonic

    assert _monotonic(np.array([1.0, 2.0])) == "increasing"
    assert _monotonic(np.array([1.0, 0.0])) == "non-decreasing"
    assert _monotonic(np.array([-1.0, -2.0])) == "decreasing"
    assert _monotonic(np.array([-1.0, 0.0])) == "non-increasing"
    assert _monotonic(np.array([-1.0, 1.0])) == "no"


def test_tails_and_saturation_at_the_far_end():
    selu = derive(ACTIVATIONS["selu"])
    assert selu.saturates_left and not selu.saturates_right and selu.range[0].lo == pytest.approx(-1.7581, abs=1e-4)
    assert not selu.range[0].lo_closed
    both_up = derive(ACTIVATIONS["maxout"], slopes=(-2.0, -1.0), intercepts=(0.0, 0.0))  # -2x for x < 0, -x after
    assert both_up.range_text == "(-∞, ∞)" and both_up.monotonic == "decreasing"
    v = derive(ACTIVATIONS["maxout"], slopes=(-1.0, 0.5), intercepts=(0.0, 0.0))
    assert v.range_text == "[0, ∞)" and v.monotonic == "no" and not v.saturates_left
    decreasing = derive(ACTIVATIONS["maxout"], slopes=(-1.0,), intercepts=(0.0,))
    assert decreasing.range_text == "(-∞, ∞)" and decreasing.monotonic == "decreasing"
    assert derive(ACTIVATIONS["maxout"], slopes=(0.0,), intercepts=(2.0,)).range_text == "{2}"


def test_pieces_of_the_range_merge_when_they_overlap_or_touch_at_a_value_taken():
    from relu_viz.properties import Interval, _merge

    a, b = Interval(0.0, 1.0, True, False), Interval(1.0, 2.0, False, True)
    assert _merge([b, a]) == (a, b), "open at 1 on both sides: 1 is not taken"
    assert _merge([Interval(0.0, 1.0, True, True), b]) == (Interval(0.0, 2.0, True, True),)
    assert _merge([a, Interval(1.0, 2.0, True, False)]) == (Interval(0.0, 2.0, True, False),)
    assert _merge([Interval(0.0, 3.0, False, False), Interval(1.0, 2.0, True, True)]) == (
        Interval(0.0, 3.0, False, False),), "a piece inside another"
    assert _merge([Interval(0.0, 2.0, True, False), Interval(1.0, 2.0, True, True)]) == (
        Interval(0.0, 2.0, True, True),), "same end, closed by either"
    assert _merge([Interval(0.0, 1.0, True, True), Interval(0.5, 3.0, False, False)]) == (
        Interval(0.0, 3.0, True, False),)
    assert _merge([Interval(5.0, 5.0, True, True), Interval(0.0, 0.0, True, True)]) == (
        Interval(0.0, 0.0, True, True), Interval(5.0, 5.0, True, True))


def test_rms_and_means_with_kinks_by_closed_form():
    """E relu(Z)^2 = 1/2; identity: RMS 1; threshold(1, 0): mean E[Z; Z > 1] = phi(1); binary step: 1/2."""
    from scipy.stats import norm

    assert derive(ACTIVATIONS["relu"]).rms_output == pytest.approx(math.sqrt(0.5), abs=1e-10)
    assert derive(ACTIVATIONS["identity"]).rms_output == pytest.approx(1.0, abs=1e-10)
    assert derive(ACTIVATIONS["threshold"], threshold=1.0, value=0.0).mean_output == pytest.approx(norm.pdf(1),
                                                                                                   abs=1e-10)
    assert derive(ACTIVATIONS["binary_step"]).mean_output == pytest.approx(0.5, abs=1e-12)
    assert derive(ACTIVATIONS["relu6"]).rms_output == pytest.approx(math.sqrt(0.5), abs=1e-8)


def test_values_taken_at_a_jump_are_in_the_range():
    hard, step = derive(ACTIVATIONS["hardshrink"]), derive(ACTIVATIONS["binary_step"])
    assert hard.contains(0.0) and not hard.contains(0.25) and not hard.contains(0.5) and hard.contains(0.6)
    assert step.contains(0.0) and step.contains(1.0) and not step.contains(0.5)
    assert hard.contains(0.5 + 1e-12) and not hard.contains(0.5 - 1e-12) and hard.contains(0.4999, tolerance=1e-3)
    ordered = derive(ACTIVATIONS["threshold"], threshold=0.0, value=0.0)  # relu written as a threshold: [0, inf)
    assert ordered.range_text == "[0, ∞)" and ordered.contains(0.0)


def test_one_sided_limits_are_exact_beside_linear_pieces_on_either_side():
    from relu_viz.properties import one_sided_limits

    assert one_sided_limits(ACTIVATIONS["hardshrink"], -0.5, {"lambd": 0.5}) == (-0.5, 0.0)
    assert one_sided_limits(ACTIVATIONS["hardshrink"], 0.5, {"lambd": 0.5}) == (0.0, 0.5)
    assert one_sided_limits(ACTIVATIONS["threshold"], 3.0, {"threshold": 3.0, "value": 1.0}) == (1.0, 3.0)


def test_merging_keeps_a_closed_end_whichever_piece_carries_it():
    from relu_viz.properties import Interval, _merge

    assert _merge([Interval(0.0, 2.0, False, False), Interval(0.0, 0.0, True, True)]) == (
        Interval(0.0, 2.0, True, False),)
    assert _merge([Interval(0.0, 2.0, True, True), Interval(1.0, 2.0, False, False)]) == (
        Interval(0.0, 2.0, True, True),)


def test_continuous_and_smooth_rows_say_yes_when_they_are():
    rows = dict(derive(ACTIVATIONS["tanh"]).rows())
    assert rows["Continuous"] == "yes" and rows["Smooth (f' continuous)"] == "yes"
    assert rows["Zero-centred (|mean| ≤ 0.05 × RMS)"] == "yes" and rows["Mean output E[f(Z)], Z ~ N(0, 1)"] == "0.000"


@pytest.mark.parametrize("beta", [0.001, 0.0625, 1.0, 10.0])
def test_swish_minimum_is_found_however_far_a_small_beta_stretches_it(beta):
    """min of x·sigmoid(βx) is -W(1/e)/β (Lambert W): at x = -20.4 for β = 1/16, beyond the fine grid."""
    from scipy.special import lambertw

    low = derive(ACTIVATIONS["swish"], beta=beta).range[0].lo
    assert low == pytest.approx(-lambertw(1 / math.e).real / beta, rel=1e-6)


# Your own formulas, with expectations worked out by hand: (range, monotonic, continuous, smooth, saturating,
# dead zone)
FORMULAS = {
    "max(0, x) - 0.5 * max(0, x - 2)": ("[0, ∞)", "non-decreasing", True, False, "x → -∞", "(-∞, 0]"),
    "exp(-x**2)": ("(0, 1]", "no", True, True, "x → -∞, x → +∞", "none"),
    "where(x > 0, x, 0) + heaviside(x - 1)": ("[0, 1) ∪ [2, ∞)", "non-decreasing", False, False, "x → -∞",
                                              "(-∞, 0]"),
    "clip(x, -2, 3)": ("[-2, 3]", "non-decreasing", True, False, "x → -∞, x → +∞", "(-∞, -2] ∪ [3, ∞)"),
    "x ** 3": ("(-∞, ∞)", "increasing", True, True, "no", "none"),
    # sin keeps turning: nothing is read off beyond |x| = 10⁶, and the page says so
    "sin(x)": ("[-1, 1] for |x| ≤ 1,000,000", "no", True, True, "no (f′ read at |x| = 1,000,000)", "none"),
}


@pytest.mark.parametrize("text", FORMULAS)
def test_properties_of_your_own_formulas_match_hand_worked_ones(text):
    p = derive(ACTIVATIONS["custom"], formula=text)
    rows = dict(p.rows())
    assert (p.range_text, p.monotonic, p.continuous, p.smooth, rows["Saturating (f' → 0)"], p.dead_zone_text) \
        == FORMULAS[text]


def test_a_formula_that_overflows_is_read_only_where_it_is_finite():
    p = derive(ACTIVATIONS["custom"], formula="log(1 + exp(x))")  # softplus spelled out: exp overflows at 710
    assert p.window == 500 and p.range_text == "[0, 500] for |x| ≤ 500"  # exp(500) is finite, exp(1000) is not
    assert p.range[0].hi == pytest.approx(p.window)  # softplus(w) = w within rounding, for w beyond 40


@pytest.mark.parametrize("text, window", [
    ("exp(3 * x)", 200),  # e^t overflows past t = 709.78: here past x = 236.6, so the last round reach is 200
    ("exp(-3 * x)", 200),  # the same on the left
    ("exp(x / 5)", 2000),  # past 3549
    ("tanh(exp(30 * x))", 20),  # f is bounded, f' = 30 e^(30x) sech^2(e^(30x)) is inf * 0 past 23.66
    ("1 / (1 + exp(-x))", 500),  # the sigmoid spelled out: f is finite everywhere, f' is inf / inf left of -709.78
])
def test_a_formula_is_read_out_to_the_farthest_round_reach_where_f_and_f_prime_are_finite(text, window):
    assert derive(ACTIVATIONS["custom"], formula=text).window == window


@pytest.mark.parametrize("text, where", [
    ("log(x)", "x = -12 and 12000 other points of [-12, 12]"),  # the grid's step is 24 / 24000: x <= 0 holds 12001
    ("1 / x", "x = 0"),  # only 0 itself
    ("sqrt(x - 3)", "x = -12 and 15000 other points of [-12, 12]"),  # [-12, 3): 15000 points, and f' is ∞ at 3
])
def test_a_formula_undefined_on_the_grid_gets_no_properties_and_says_where(text, where):
    from relu_viz.properties import NotFinite

    with pytest.raises(NotFinite) as error:
        derive(ACTIVATIONS["custom"], formula=text)
    assert str(error.value) == f"f or f′ is infinite or undefined at {where}; they need a formula defined there"


@pytest.mark.parametrize("text", ["exp(20 * x)", "exp(30 * x)", "exp(x ** 2)"])
def test_a_formula_too_steep_for_the_mean_output_gets_no_properties_and_says_why(text):
    """E[exp(20 Z)^2] = e^800 (its mean, e^200, is a float: an infinite RMS alone would call it zero-centred),
    E[exp(30 Z)^2] = e^1800 and E[exp(Z^2)] (infinite: the density's exp(-z^2 / 2) cannot tame it) are beyond
    float64; Python's float power raised OverflowError here, a traceback on the page."""
    from relu_viz.properties import NotFinite

    with pytest.raises(NotFinite) as error:
        derive(ACTIVATIONS["custom"], formula=text)
    assert str(error.value) == ("f grows too fast for its mean and RMS output over a standard normal input to be "
                                "computed in floating point")


def test_pieces_of_the_range_that_meet_up_to_rounding_are_one_interval():
    """clip(exp(x), -1e6, 1e6) takes every value in (0, 1e6]: on |x| <= 500 (exp(1000) overflows f') that is
    [e^-500, 1e6]. The kink's value, 999999.9999999995, and the left limit there, 1e6 - 4e-6, are rounding: the range
    read '[7.125e-218, 1e+06) ∪ {1e+06} ∪ {1e+06}'."""
    p = derive(ACTIVATIONS["custom"], formula="clip(exp(x), -1e6, 1e6)")
    assert p.window == 500 and p.range_text == f"[{math.exp(-500):.4g}, 1e+06] for |x| ≤ 500"


@pytest.mark.parametrize("c, sign", [(3.0, 1.0), (10.0, 1.0), (10.0, -1.0)])
def test_mean_output_of_a_steep_exponential_against_its_closed_form(c, sign):
    """E[e^(cZ)] = e^(c^2 / 2) and E[e^(2cZ)] = e^(2c^2), so the RMS is e^(c^2): at c = 10, f^2 * density is
    overflowed by f^2 alone at z = 40 though the product is tiny; the integrand is taken in logarithms."""
    from relu_viz.properties import mean_output

    params = {**ACTIVATIONS["custom"].defaults, "formula": f"{sign:g} * exp({c:g} * x)"}
    mean, rms = mean_output(ACTIVATIONS["custom"], params)
    assert mean == pytest.approx(sign * math.exp(c * c / 2), rel=1e-9)
    assert rms == pytest.approx(math.exp(c * c), rel=1e-9)


@pytest.mark.parametrize("threshold, value, text", [
    (0.0, 1e-8, "(0, ∞)"),  # the values in (0, 1e-8] are taken just right of 0, where f = x
    (0.0, -1e-9, "{-1e-09} ∪ (0, ∞)"),  # nothing in [-1e-9, 0] but the value itself
    (2.0, 2.0 + 1e-9, "(2, ∞)"),
])
def test_a_jump_too_small_to_call_discontinuous_still_splits_the_range(threshold, value, text):
    """Found by hypothesis: threshold(x) = x for x > 0, else 1e-8, was said to range over [1e-8, inf)."""
    assert derive(ACTIVATIONS["threshold"], threshold=threshold, value=value).range_text == text


SUBNORMAL_AND_FRIENDS = (5e-324, -5e-324, 1.1e-308, -1.1e-308, 2.2250738585072014e-308, 1e-300, -1e-300, 0.0, -0.0,
                         1e-12, -1e-12)


def extreme_number(param):
    """A number in the parameter's range: anywhere, its ends, or a subnormal, tiny or signed zero within it."""
    special = [v for v in (param.low, param.high, *SUBNORMAL_AND_FRIENDS) if param.low <= v <= param.high]
    return st.one_of(st.sampled_from(special), st.floats(param.low, param.high, allow_nan=False))


@st.composite
def extreme_settings(draw):
    key = draw(st.sampled_from(list(ACTIVATIONS)))
    act, params = ACTIVATIONS[key], {}
    for p in act.params:
        if p.kind == "number":
            params[p.name] = draw(extreme_number(p))
        elif p.kind == "pieces":
            params[p.name] = tuple(draw(st.lists(extreme_number(p), min_size=1, max_size=MAX_PIECES)))
        else:
            params[p.name] = draw(st.sampled_from(p.choices or EXAMPLE_FORMULAS))
    if key == "maxout":
        params["intercepts"] = tuple(draw(st.lists(extreme_number(act.param("intercepts")),
                                                   min_size=len(params["slopes"]), max_size=len(params["slopes"]))))
    return key, params if not act.check(**params) else act.defaults


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(setting=extreme_settings())
@example(setting=("maxout", {"slopes": (0.0, 1.1e-308), "intercepts": (0.0, 1.5)}))  # issue 25: overflowed
@example(setting=("maxout", {"slopes": (0.0, 1e-308), "intercepts": (0.0, 1.5)}))  # the review's link
@example(setting=("maxout", {"slopes": (5e-324,), "intercepts": (-0.0,)}))
@example(setting=("hardtanh", {"min_val": -5e-324, "max_val": 5e-324}))
@example(setting=("softplus", {"beta": 0.1, "threshold": 50.0}))
def test_properties_at_any_parameter_in_range_are_derived_right_or_refused_with_a_message(setting):
    key, params = setting
    act = ACTIVATIONS[key]
    try:
        props = derive(act, **params)  # a RuntimeWarning (overflow, invalid) is an error in this suite
    except NotFinite as refused:
        assert str(refused), "a refusal says why"
        return
    xs = np.concatenate([np.linspace(-20, 20, 401), [-1e6, -1e3, 1e3, 1e6], act.kink_points(**params)])
    xs = xs[np.abs(xs) <= min(props.window, 1e6)]
    with np.errstate(all="ignore"):
        y = act(xs, **params)
    assert np.isfinite(props.mean_output) and props.rms_output >= abs(props.mean_output) - 1e-12
    outside = [v for v in y[np.isfinite(y)] if not props.contains(float(v), tolerance=1e-9 * (1 + abs(v)))]
    assert not outside, f"{key}{params}: values {outside[:3]} outside the derived range {props.range_text}"


def _torch_zero(key: str, x: np.ndarray, **params) -> np.ndarray:
    """Where PyTorch's float32 autograd gives f' exactly 0 (one tensor, as a layer's activations are)."""
    import torch

    from tests.torch_reference import TORCH

    t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    TORCH[key](t, **{**ACTIVATIONS[key].defaults, **params}).sum().backward()
    return t.grad.numpy() == 0


FLOAT32_GRID = np.unique(np.concatenate([-np.geomspace(1e6, 1e-3, 200_000), np.geomspace(1e-3, 1e6, 200_000),
                                         np.linspace(-12, 12, 100_001)]).astype(np.float32))


def test_float32_dead_zones_are_where_torch_autograd_gives_exactly_0():
    """The float32 row against torch's CPU autograd on 500,000 float32 inputs: the same zeros except within 1e-5 of
    a zone's end (torch's float32 tanh rounds to 1 from 9.01084, ours from 9.010914, rounded once from float64)."""
    from relu_viz.properties import zones_text
    from ui.explorer import FLOAT32_AS_TORCH

    for key in FLOAT32_AS_TORCH:
        zones = derive(ACTIVATIONS[key]).float32_dead_zone
        ours = np.zeros(len(FLOAT32_GRID), bool)
        for lo, hi in zones:
            ours |= np.logical_and(lo <= FLOAT32_GRID, hi >= FLOAT32_GRID)
        ends = np.array([e for zone in zones for e in zone if math.isfinite(e)])
        near_end = np.any(np.abs(FLOAT32_GRID[:, None] - ends) <= 1e-5 * np.abs(ends), axis=1) if len(ends) else 0
        differ = (ours != _torch_zero(key, FLOAT32_GRID)) & ~near_end
        assert not differ.any(), f"{key}: {zones_text(zones)}; torch differs at {FLOAT32_GRID[differ][:5]}"


def test_float32_dead_zones_of_the_brief_by_closed_form():
    """Sigmoid: 1 + e^-x rounds to 1 in float32 once e^-x < 2^-24 / 2 (x > 24 ln 2 = 16.64), and 1 / (1 + e^-x) to 0
    once e^-x overflows (x < -ln(float32 max) = -88.72); tanh: rounded once, to 1 once 1 - tanh x ~ 2 e^-2x < 2^-25
    (|x| > 26 ln 2 / 2 = 9.011); ELU's e^x below half the smallest subnormal, 2^-150 (x < -150 ln 2 = -103.97)."""
    f32max = float(np.finfo(np.float32).max)
    expected = {"sigmoid": ((-math.inf, -math.log(f32max)), (24 * math.log(2), math.inf)),
                "tanh": ((-math.inf, -13 * math.log(2)), (13 * math.log(2), math.inf)),
                "elu": ((-math.inf, -150 * math.log(2)),), "selu": ((-math.inf, -150 * math.log(2)),),
                "celu": ((-math.inf, -150 * math.log(2)),), "relu": ((-math.inf, 0.0),), "leaky_relu": ()}
    for key, zones in expected.items():
        found = derive(ACTIVATIONS[key]).float32_dead_zone
        assert len(found) == len(zones) and np.allclose(found, zones, rtol=1e-5), (key, found)
    assert derive(ACTIVATIONS["elu"]).dead_zone == (), "positive everywhere in float64 as far as it is read"


def test_torch_rounds_gelu_and_mish_to_0_sooner_than_the_float32_row():
    """What the properties caption says of GELU and Mish: PyTorch's vectorised backward gives exactly 0 inside the
    range where this app's float32 f' is not 0 yet."""
    from relu_viz.training import derivative_in_training
    from ui.explorer import FLOAT32_SOONER_IN_TORCH

    for key in FLOAT32_SOONER_IN_TORCH:
        (lo, hi), = derive(ACTIVATIONS[key]).float32_dead_zone
        x = np.full(1024, hi + 1, np.float32)  # just outside the row's zone (-inf, hi]
        assert lo == -math.inf and _torch_zero(key, x).all(), key
        assert (derivative_in_training(ACTIVATIONS[key], {}, x) != 0).all(), key
