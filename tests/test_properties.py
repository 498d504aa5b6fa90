"""Derived properties agree with what each formula implies (expectations written from the formulas, by hand)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS
from relu_viz.properties import derive
from tests.test_activations import valid_params

INF = math.inf
SELU_MIN = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717

# key: (range as text, monotonic, zero-centred, continuous, smooth, saturates (left, right), dead zone as text)
EXPECTED = {
    "relu": ("[0, ∞)", "non-decreasing", False, True, False, (True, False), "(-∞, 0]"),
    "leaky_relu": ("(-∞, ∞)", "increasing", True, True, False, (False, False), "none"),
    "prelu": ("(-∞, ∞)", "increasing", True, True, False, (False, False), "none"),
    "rrelu": ("(-∞, ∞)", "increasing", True, True, False, (False, False), "none"),
    "relu6": ("[0, 6]", "non-decreasing", False, True, False, (True, True), "(-∞, 0] ∪ [6, ∞)"),
    "elu": ("(-1, ∞)", "increasing", True, True, True, (True, False), "none"),
    "selu": (f"({SELU_MIN:.4g}, ∞)", "increasing", True, True, False, (True, False), "none"),
    "celu": ("(-1, ∞)", "increasing", True, True, True, (True, False), "none"),
    "maxout": ("[0.5, ∞)", "no", False, True, False, (False, False), "none"),
    "gelu": ("[-0.17, ∞)", "no", True, True, True, (True, False), "none"),
    "silu": ("[-0.2785, ∞)", "no", True, True, True, (True, False), "none"),
    "swish": ("[-0.2785, ∞)", "no", True, True, True, (True, False), "none"),
    "mish": ("[-0.3088, ∞)", "no", True, True, True, (True, False), "none"),
    "softplus": ("(0, ∞)", "increasing", False, True, True, (True, False), "none"),
    "hardswish": ("[-0.375, ∞)", "no", True, True, False, (True, False), "(-∞, -3]"),
    "sigmoid": ("(0, 1)", "increasing", False, True, True, (True, True), "none"),
    "tanh": ("(-1, 1)", "increasing", True, True, True, (True, True), "none"),
    "hardsigmoid": ("[0, 1]", "non-decreasing", False, True, False, (True, True), "(-∞, -3] ∪ [3, ∞)"),
    "hardtanh": ("[-1, 1]", "non-decreasing", True, True, False, (True, True), "(-∞, -1] ∪ [1, ∞)"),
    "softsign": ("(-1, 1)", "increasing", True, True, True, (True, True), "none"),
    "logsigmoid": ("(-∞, 0)", "increasing", False, True, True, (False, True), "none"),
    "softshrink": ("(-∞, ∞)", "non-decreasing", True, True, False, (False, False), "[-0.5, 0.5]"),
    "hardshrink": ("(-∞, ∞)", "non-decreasing", True, False, False, (False, False), "[-0.5, 0.5]"),
    "tanhshrink": ("(-∞, ∞)", "increasing", True, True, True, (False, False), "none"),
    "threshold": ("[0, ∞)", "non-decreasing", False, False, False, (True, False), "(-∞, 1]"),
    "binary_step": ("[0, 1]", "non-decreasing", False, False, False, (True, True), "(-∞, ∞)"),
    "identity": ("(-∞, ∞)", "increasing", True, True, True, (False, False), "none"),
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
    assert derive(ACTIVATIONS["swish"], beta=0.0).monotonic == "increasing"


@pytest.mark.parametrize("key", ACTIVATIONS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_sampled_values_lie_in_the_derived_range(key, data):
    act = ACTIVATIONS[key]
    params = data.draw(valid_params(act))
    props = derive(act, **params)
    xs = np.array(data.draw(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=20)))
    y = act(xs, **params)
    tolerance = 1e-9 * (1 + np.abs(y))
    assert (y >= props.lower - tolerance).all() and (y <= props.upper + tolerance).all(), (
        f"{key}{params}: values {y} outside derived range {props.range_text}")
    dead = [x for x in xs if any(lo <= x <= hi for lo, hi in props.dead_zone)]
    assert not np.any(act.derivative(np.array(dead), **params)), f"{key}{params}: f' != 0 inside the dead zone"
