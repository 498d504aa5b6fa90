"""The activation core against the contract: values, derivatives, kinks, extremes, identities, bad arguments."""

import ast
import itertools
import math
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS, MAX_PIECES
from tests.reference import EXAMPLE_FORMULAS, REFERENCE, reference, reference_derivative

CONTRACT_KEYS = [
    "relu", "leaky_relu", "prelu", "rrelu", "relu6", "elu", "selu", "celu", "gelu", "silu", "swish", "mish",
    "softplus", "softsign", "sigmoid", "tanh", "hardtanh", "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink",
    "softshrink", "hardshrink", "threshold", "identity", "binary_step", "maxout",
]

BASE_GRID = [-1e6, -1e3, -50, -20, -10, -6, -3.5, -3, -2, -1, -0.5, -0.1, -1e-3, 0.0,
             1e-3, 0.1, 0.5, 1, 2, 3, 3.5, 6, 10, 20, 50, 1e3, 1e6]


def grid_with_kinks(act, params):
    kinks = act.kink_points(**params)
    return sorted(set(BASE_GRID) | set(kinks) | {k + s for k in kinks for s in (-1e-3, 1e-3)})


def close(ours, ref, x):
    """Relative agreement to ~1e-12, with an absolute floor for cancellation near zero."""
    return abs(ours - float(ref)) <= 1e-12 * abs(float(ref)) + 1e-15 * (1 + abs(x))


def param_strategy(param):
    if param.kind == "choice":
        return st.sampled_from(param.choices)
    if param.kind == "text":
        return st.sampled_from(EXAMPLE_FORMULAS)
    number = st.floats(param.low, param.high, allow_nan=False)
    return st.lists(number, min_size=1, max_size=MAX_PIECES).map(tuple) if param.kind == "pieces" else number


@st.composite
def valid_params(draw, act):
    params = {p.name: draw(param_strategy(p)) for p in act.params}
    if act.key == "maxout":
        params["intercepts"] = tuple(draw(st.lists(param_strategy(act.param("intercepts")).map(lambda t: t[0]),
                                                   min_size=len(params["slopes"]), max_size=len(params["slopes"]))))
    if act.check(**params):
        params = act.defaults
    return params


def test_registry_has_every_contract_key_with_matching_reference():
    assert set(CONTRACT_KEYS) <= set(ACTIVATIONS), set(CONTRACT_KEYS) - set(ACTIVATIONS)
    assert set(REFERENCE) == set(ACTIVATIONS)
    for key, act in ACTIVATIONS.items():
        assert act.key == key and act.label and all(act.formulas(**act.defaults)) and act.summary


def test_torch_parameter_names_and_defaults():
    defaults = {key: act.defaults for key, act in ACTIVATIONS.items()}
    assert defaults["leaky_relu"] == {"negative_slope": 0.01}
    assert defaults["prelu"] == {"weight": 0.25}
    assert defaults["rrelu"] == {"lower": 1 / 8, "upper": 1 / 3}
    assert defaults["elu"] == defaults["celu"] == {"alpha": 1.0}
    assert defaults["swish"] == {"beta": 1.0}
    assert defaults["softplus"] == {"beta": 1.0, "threshold": 20.0}
    assert defaults["gelu"] == {"approximate": "none"}
    assert defaults["hardtanh"] == {"min_val": -1.0, "max_val": 1.0}
    assert defaults["softshrink"] == defaults["hardshrink"] == {"lambd": 0.5}
    assert set(defaults["threshold"]) == {"threshold", "value"}
    assert len(defaults["maxout"]["slopes"]) == len(defaults["maxout"]["intercepts"]) >= 1


def test_every_param_default_lies_in_its_range_with_help():
    for act in ACTIVATIONS.values():
        for p in act.params:
            assert p.help, f"{act.key}.{p.name} has no help"
            assert p.validate(p.default) == p.default, f"{act.key}.{p.name}"


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_values_match_mpmath_reference_on_grid_with_kinks(key):
    act = ACTIVATIONS[key]
    settings_to_check = [act.defaults] + [
        {**act.defaults, p.name: value} for p in act.params if p.kind == "number" for value in (p.low, p.high)]
    if key == "gelu":
        settings_to_check.append({"approximate": "tanh"})
    for params in settings_to_check:
        if act.check(**params):
            continue
        xs = grid_with_kinks(act, params)
        kinks = act.kink_points(**params)
        ours = act(np.array(xs), **params)
        for x, y in zip(xs, ours):
            ref = reference(key, x, **params)
            # on a kink the branch may switch one rounding error away (beta * x > threshold): either side will do
            sides = [np.nextafter(x, -np.inf), np.nextafter(x, np.inf)] if x in kinks else []
            assert close(y, ref, x) or any(close(y, reference(key, s, **params), x) for s in sides), (
                f"{key}{params} at x={x}: {y!r} != reference {float(ref)!r}")


@pytest.mark.parametrize("key", ACTIVATIONS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_derivative_matches_finite_differences_away_from_kinks(key, data):
    act = ACTIVATIONS[key]
    params = data.draw(valid_params(act))
    x = data.draw(st.floats(-12, 12, allow_nan=False))
    kinks = act.kink_points(**params)
    if any(abs(x - k) < 1e-3 for k in kinks):
        return
    ours = float(act.derivative(x, **params))
    h = 1e-6
    central = (float(act(x + h, **params)) - float(act(x - h, **params))) / (2 * h)
    assert abs(ours - central) <= 1e-5 * (1 + abs(central)), f"{key}{params} f'({x}) = {ours}, FD {central}"
    ref = float(reference_derivative(key, x, **params))
    assert abs(ours - ref) <= 1e-10 * (1 + abs(ref)), f"{key}{params} f'({x}) = {ours}, mpmath {ref}"


KINK_DERIVATIVES = [
    ("relu", {}, 0.0, 0.0),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2),
    ("prelu", {"weight": 0.25}, 0.0, 0.25),
    ("rrelu", {"lower": 0.1, "upper": 0.3}, 0.0, 0.2),
    ("relu6", {}, 0.0, 0.0),
    ("relu6", {}, 6.0, 0.0),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.0}, -2.0, 0.0),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.0}, 3.0, 0.0),
    ("hardsigmoid", {}, -3.0, 0.0),
    ("hardsigmoid", {}, 3.0, 0.0),
    ("hardswish", {}, -3.0, 0.0),
    ("hardswish", {}, 3.0, 1.0),
    ("softshrink", {"lambd": 0.5}, 0.5, 0.0),
    ("softshrink", {"lambd": 0.5}, -0.5, 0.0),
    ("hardshrink", {"lambd": 0.5}, 0.5, 0.0),
    ("hardshrink", {"lambd": 0.5}, -0.5, 0.0),
    ("threshold", {"threshold": 1.0, "value": 0.0}, 1.0, 0.0),
    ("elu", {"alpha": 2.0}, 0.0, 2.0),
    ("celu", {"alpha": 2.0}, 0.0, 1.0),
    ("selu", {}, 0.0, 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717),
    ("binary_step", {}, 0.0, 0.0),
    ("maxout", {"slopes": (0.0, 1.0), "intercepts": (0.0, 0.0)}, 0.0, 0.0),
    ("maxout", {"slopes": (1.0, 0.0), "intercepts": (0.0, 0.0)}, 0.0, 1.0),
]


@pytest.mark.parametrize("key, params, x, expected", KINK_DERIVATIVES)
def test_derivative_at_kinks_is_pytorch_autograd_value(key, params, x, expected):
    got = ACTIVATIONS[key].derivative(x, **params)
    assert got == pytest.approx(expected, rel=1e-15), f"{key}'({x}) with {params}"


def test_binary_step_derivative_is_zero_everywhere():
    assert not ACTIVATIONS["binary_step"].derivative(np.linspace(-5, 5, 101)).any()


def extreme_settings(act):
    """Every combination of each numeric parameter at either end of its range (invalid combinations skipped)."""
    numeric = [p for p in act.params if p.kind == "number"]
    for ends in itertools.product(*[(p.low, p.high) for p in numeric]):
        params = {**act.defaults, **{p.name: v for p, v in zip(numeric, ends)}}
        if act.key == "gelu":
            yield from ({"approximate": a} for a in act.param("approximate").choices)
        elif act.key == "maxout":
            lo, hi = act.param("slopes").low, act.param("slopes").high
            for pieces in [(lo,), (hi,), (lo, hi), (hi, lo, 0.0) + (lo,) * (MAX_PIECES - 3)]:
                yield {"slopes": pieces, "intercepts": tuple(reversed(pieces))}
        elif not act.check(**params):
            yield params


@pytest.mark.parametrize("key", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extremes_are_finite_and_warning_free(key, dtype):
    act = ACTIVATIONS[key]
    x = np.concatenate([-np.logspace(6, -8, 60), [0.0], np.logspace(-8, 6, 60)]).astype(dtype)
    for params in extreme_settings(act):
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            y, d = act(x, **params), act.derivative(x, **params)
        assert y.dtype == dtype and d.dtype == dtype, f"{key} changed dtype"
        assert np.isfinite(y).all() and np.isfinite(d).all(), f"{key}{params} not finite"


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_shapes_scalars_and_lists(key):
    act = ACTIVATIONS[key]
    cube = np.linspace(-4, 4, 24).reshape(2, 3, 4)
    assert act(cube).shape == cube.shape and act.derivative(cube).shape == cube.shape
    assert np.array_equal(act(cube.tolist()), act(cube))
    assert np.ndim(act(0.5)) == 0 and float(act(0.5)) == act(np.array([0.5]))[0]
    assert act(np.array([1, 2])).dtype == np.float64


def test_maxout_identities():
    x = np.concatenate([np.linspace(-10, 10, 2001), [0.0]])
    maxout, relu, leaky = ACTIVATIONS["maxout"], ACTIVATIONS["relu"], ACTIVATIONS["leaky_relu"]
    zero = (0.0, 0.0)
    assert np.array_equal(maxout(x, slopes=(0, 1), intercepts=zero), relu(x))
    assert np.array_equal(maxout.derivative(x, slopes=(0, 1), intercepts=zero), relu.derivative(x))
    for a in (0.0, 0.01, 0.3, 1.0):
        assert np.allclose(maxout(x, slopes=(a, 1), intercepts=zero), leaky(x, negative_slope=a), rtol=0, atol=0)
        assert np.array_equal(maxout.derivative(x, slopes=(a, 1), intercepts=zero),
                              leaky.derivative(x, negative_slope=a))
    assert np.array_equal(maxout(x, slopes=(-1, 1), intercepts=zero), np.abs(x))
    assert maxout(1.5) == maxout(1.5, **maxout.defaults)


def test_family_identities():
    x = np.linspace(-10, 10, 4001)
    a = ACTIVATIONS
    assert np.array_equal(a["silu"](x), a["swish"](x, beta=1.0))
    assert np.array_equal(a["silu"].derivative(x), a["swish"].derivative(x, beta=1.0))
    for lower, upper in [(0.125, 1 / 3), (0.0, 0.5), (0.2, 0.2)]:
        mean = (lower + upper) / 2
        assert np.array_equal(a["rrelu"](x, lower=lower, upper=upper), a["leaky_relu"](x, negative_slope=mean))
    grid = np.concatenate([x, [0.0, 6.0]])
    assert np.array_equal(a["relu6"](grid), a["hardtanh"](grid, min_val=0.0, max_val=6.0))
    assert np.array_equal(a["relu6"].derivative(grid), a["hardtanh"].derivative(grid, min_val=0.0, max_val=6.0))
    assert np.allclose(a["tanh"](x), 2 * a["sigmoid"](2 * x) - 1, atol=1e-15)
    assert np.array_equal(a["threshold"](grid, threshold=0.0, value=0.0), a["relu"](grid))


BAD_ARGUMENTS = [
    ("leaky_relu", {"slope": 0.1}, "slope"),
    ("leaky_relu", {"negative_slope": 2.0}, "negative_slope"),
    ("leaky_relu", {"negative_slope": math.nan}, "negative_slope"),
    ("leaky_relu", {"negative_slope": "abc"}, "negative_slope"),
    ("elu", {"alpha": -1.0}, "alpha"),
    ("gelu", {"approximate": "fast"}, "approximate"),
    ("maxout", {"slopes": (0.0, 1.0), "intercepts": (0.0,)}, "same length"),
    ("maxout", {"slopes": (), "intercepts": ()}, "slopes"),
    ("maxout", {"slopes": (1.0,) * (MAX_PIECES + 1), "intercepts": (0.0,) * (MAX_PIECES + 1)}, "slopes"),
    ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, "min_val"),
    ("rrelu", {"lower": 0.5, "upper": 0.1}, "lower"),
    ("relu", {"alpha": 1.0}, "alpha"),
]


@pytest.mark.parametrize("key, params, named", BAD_ARGUMENTS)
def test_bad_arguments_raise_value_error_naming_the_parameter(key, params, named):
    with pytest.raises(ValueError, match=named) as error:
        ACTIVATIONS[key](0.0, **params)
    assert key in str(error.value)


def test_out_of_range_message_states_the_allowed_range():
    with pytest.raises(ValueError, match=r"negative_slope must be a number in \[0, 1\]"):
        ACTIVATIONS["leaky_relu"](0.0, negative_slope=5)


def test_an_integer_past_floats_range_is_refused_with_a_short_message():
    slope, pieces = ACTIVATIONS["leaky_relu"].param("negative_slope"), ACTIVATIONS["maxout"].param("slopes")
    with pytest.raises(ValueError, match=r"^negative_slope must be a number in \[0, 1\], got 1000000000") as refused:
        slope.validate(10**400)
    assert len(str(refused.value)) < 120, "the number is not echoed whole"
    with pytest.raises(ValueError, match="slopes must be"):
        pieces.validate((1, 10**400))
    assert slope.validate(1) == 1.0 and isinstance(slope.validate(1), float)


def test_core_never_imports_ui_libraries():
    core = pathlib.Path(__file__).resolve().parent.parent / "relu_viz"
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in {"streamlit", "plotly", "pandas"}, f"{path.name} imports {name}"
    code = "import sys, relu_viz, relu_viz.properties; print(sorted({'streamlit', 'plotly'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=core.parent).stdout.strip()
    assert out == "[]", f"importing the core pulled in {out}"


TORCH_GRID = np.array(sorted({*np.linspace(-8, 8, 161).round(6), -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0,
                              20.0, 25.0, -20.0}))


def torch_check(key, params):
    from tests.torch_reference import torch_value_and_grad

    act = ACTIVATIONS[key]
    x = np.array(sorted(set(TORCH_GRID) | set(act.kink_points(**params))))
    value, grad = torch_value_and_grad(key, x, **params)
    assert np.allclose(act(x, **params), value, rtol=1e-12, atol=1e-14), f"{key}{params}: f differs from torch"
    # rtol 1e-6: some of torch's backward kernels round constants or parameters to float32 even in float64
    # (hardsigmoid's 1/6, CELU's 1/alpha); the mpmath tests hold ours to 1e-12
    close = np.isclose(act.derivative(x, **params), grad, rtol=1e-6, atol=1e-12)
    if key == "custom":  # at a switch torch.maximum splits the gradient; the formula tests check ours there
        close |= np.isin(x, act.kink_points(**params))
    assert close.all(), f"{key}{params}: f' differs from torch autograd at {x[~close]}"


@pytest.mark.parametrize("key", ACTIVATIONS)
def test_values_and_gradients_equal_pytorch_at_defaults_and_kinks(key):
    torch_check(key, ACTIVATIONS[key].defaults)


@pytest.mark.parametrize("key", [k for k, a in ACTIVATIONS.items() if a.params])
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_values_and_gradients_equal_pytorch_for_any_parameters(key, data):
    params = data.draw(valid_params(ACTIVATIONS[key]))
    if key == "prelu":  # torch's prelu takes the weight as a tensor; any float in range
        params = {"weight": float(params["weight"])}
    torch_check(key, params)


def test_param_allowed_texts_and_validation_exactly():
    from relu_viz import Param

    number, whole = Param("a", 1.0, -2.0, 5.0, 0.5), Param("n", 3, 1, 9, 1, integer=True)
    choice, pieces = Param("c", "x", choices=("x", "y")), Param("p", (1.0,), -1.0, 1.0, 0.1)
    assert number.allowed() == "a number in [-2, 5]" and whole.allowed() == "a whole number in [1, 9]"
    assert choice.allowed() == "one of 'x', 'y'" and pieces.allowed() == f"1 to {MAX_PIECES} numbers in [-1, 1]"
    assert (number.kind, whole.kind, choice.kind, pieces.kind) == ("number", "number", "choice", "pieces")
    assert number.validate(5) == 5.0 and isinstance(number.validate(5), float)
    assert whole.validate(4.0) == 4 and isinstance(whole.validate(4.0), int)
    assert choice.validate("y") == "y" and pieces.validate([0.5, -1]) == (0.5, -1.0)
    for p, bad in ((number, 5.5), (number, -2.1), (number, float("nan")), (number, True), (number, "1"),
                   (whole, 2.5), (whole, 10), (choice, "z"), (pieces, ()), (pieces, (2.0,)), (pieces, 5),
                   (pieces, ("a",)), (pieces, (0.0,) * (MAX_PIECES + 1))):
        with pytest.raises(ValueError) as error:
            p.validate(bad)
        assert str(error.value) == f"{p.name} must be {p.allowed()}, got {bad!r}"


def test_your_formula_parameter_says_what_a_formula_is_and_why_a_text_is_refused():
    from relu_viz import formula

    text = ACTIVATIONS["custom"].params[0]
    assert (text.name, text.kind) == ("formula", "text")
    assert text.allowed() == "a formula: " + text.help and text.help.startswith("an expression of x and the numbers")
    assert text.validate("max(0, x)") == "max(0, x)"
    with pytest.raises(ValueError) as error:
        text.validate(3)
    assert str(error.value) == "formula must be text, got int"
    with pytest.raises(ValueError) as parse_error:
        formula.parse("x +")
    with pytest.raises(ValueError) as error:
        text.validate("x +")
    assert str(error.value) == f"formula: {parse_error.value}"


def test_your_formula_is_evaluated_with_its_numbers_a_b_c():
    """f = a x^2 + b x + c and f' = 2 a x + b, worked by hand, at a = 2, b = -3, c = 5."""
    act, x = ACTIVATIONS["custom"], np.array([-2.0, 0.0, 0.5, 3.0])
    params = {"formula": "a * x ** 2 + b * x + c", "a": 2.0, "b": -3.0, "c": 5.0}
    assert act(x, **params).tolist() == [19.0, 5.0, 4.0, 14.0]
    assert act.derivative(x, **params).tolist() == [-11.0, -3.0, -1.0, 9.0]
    assert act(0.5, **params) == 4.0 and np.ndim(act(0.5, **params)) == 0


def test_resolve_names_unknown_parameters_and_what_is_allowed():
    with pytest.raises(ValueError) as error:
        ACTIVATIONS["relu"].resolve({"alpha": 1.0})
    assert str(error.value) == "relu: unknown parameter 'alpha' (allowed: none)"
    with pytest.raises(ValueError) as error:
        ACTIVATIONS["softplus"].resolve({"betta": 1.0, "zeta": 2.0})
    assert str(error.value) == "softplus: unknown parameter 'betta' (allowed: beta, threshold)"
    with pytest.raises(ValueError) as error:
        ACTIVATIONS["rrelu"].resolve({"lower": 0.5, "upper": 0.25})
    assert str(error.value) == "rrelu: lower (0.5) must not exceed upper (0.25)"
    assert ACTIVATIONS["softplus"].resolve({"beta": 2}) == {"beta": 2.0, "threshold": 20.0}


def test_scalars_stay_scalars_and_dtypes_are_kept_or_widened():
    act = ACTIVATIONS["elu"]
    for value in (0.5, np.float64(0.5), np.array(0.5)):
        out = act(value)
        assert np.ndim(out) == 0 and not isinstance(out, np.ndarray) and out == 0.5
    assert act([0.5]).shape == (1,) and act(np.zeros((2, 3))).shape == (2, 3)
    assert act(np.float16(-1.0)).dtype == np.float32, "float16 computes in float32"
    assert act(np.array([1, -1])).dtype == np.float64, "integers compute in float64"
    assert act(np.float32(-1.0)).dtype == np.float32 and act.derivative(np.float32(-1.0)).dtype == np.float32


def test_maxout_kinks_are_the_crossings_on_the_upper_envelope():
    maxout = ACTIVATIONS["maxout"]
    assert maxout.kink_points() == (-1.0, 2.0), "-0.5x, 0.5x + 1 and 2x - 2: the crossing at 0.8 lies below"
    assert maxout.kink_points(slopes=(0.0, 1.0, 0.0), intercepts=(0.0, 0.0, 0.5)) == (0.5,), (
        "0 and x cross at 0, under the constant 0.5")
    assert maxout.kink_points(slopes=(1.0, 1.0), intercepts=(0.0, 1.0)) == (), "parallel pieces never cross"
    assert maxout.kink_points(slopes=(-1.0, 0.0, 1.0), intercepts=(0.0, 0.0, 0.0)) == (0.0,), "three meet at 0"
    x = np.linspace(-5, 5, 1001)
    for slopes, intercepts in (((-0.5, 0.5, 2.0), (0.0, 1.0, -2.0)), ((0.3, -2.0, 1.0, 0.0), (1.0, -3.0, 0.5, 2.0))):
        kinks = maxout.kink_points(slopes=slopes, intercepts=intercepts)
        winner = np.argmax(np.outer(slopes, x) + np.array(intercepts)[:, None], axis=0)
        switches = x[1:][np.diff(winner) != 0]
        assert len(switches) == len(kinks) and np.allclose(switches, kinks, atol=0.011), (switches, kinks)


@pytest.mark.parametrize("text", ["where(x > 0, x, a * (exp(x) - 1))", "where(x >= 1, x ** 2, 2 * x - 1)",
                                  "where(x < -1, -x, where(x <= 2, x ** 3, 4 * x))"])
def test_your_formula_takes_torch_where_gradient_at_a_switch_of_where(text):
    from tests.torch_reference import torch_value_and_grad

    params = {**ACTIVATIONS["custom"].defaults, "formula": text, "a": 0.5}
    switches = np.array(ACTIVATIONS["custom"].kink_points(**params))
    assert len(switches) >= 1
    _, grad = torch_value_and_grad("custom", switches, **params)
    assert np.allclose(ACTIVATIONS["custom"].derivative(switches, **params), grad, rtol=1e-12, atol=1e-12)


def test_what_the_summaries_say_about_the_exponential_units_is_what_they_compute():
    """ELU's summary: f' = alpha e^x > 0 in exact arithmetic (mpmath), below 0.001 past about x = -7 (alpha 1:
    ln 0.001 = -6.91), exactly 0 in float32 past about x = -104 (e^x below half the smallest float32, 2^-150)."""
    import mpmath

    elu = ACTIVATIONS["elu"]
    assert mpmath.exp(mpmath.mpf(-1e6)) > 0, "positive everywhere in exact arithmetic"
    assert elu.derivative(-700.0) > 0 and elu.derivative(-746.0) == 0, "float64 underflows only past about -745"
    assert elu.derivative(math.log(0.001) + 0.01) > 0.001 > elu.derivative(math.log(0.001) - 0.01)
    assert round(math.log(0.001)) == -7
    edge = math.log(2.0**-150)  # where e^x falls below half the smallest float32 subnormal
    assert round(edge) == -104
    assert elu.derivative(np.float32(edge - 0.05)) == 0 and elu.derivative(np.float32(edge + 0.3)) > 0
    for key in ("selu", "celu"):  # alike, though their texts make no such claim
        assert ACTIVATIONS[key].derivative(np.float32(-110.0)) == 0 < ACTIVATIONS[key].derivative(-110.0)
    text = elu.summary
    assert "below 0.001 past about x = -7" in text and "exactly 0 in float32 past about x = -104" in text
    from relu_viz.properties import derive

    (_, end), = derive(elu).float32_dead_zone  # as training computes f' in float32
    assert round(end) == -104 and end == pytest.approx(edge, rel=1e-4)
    assert "units do not die" not in text
