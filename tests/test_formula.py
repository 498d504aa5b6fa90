"""The visitor's own formula (relu_viz.formula): formulas equal to built-in activations give the same f and f'
(sympy's derivative against the registry's hand-written one), switch points where the built-ins have kinks,
derivatives against finite differences, and hostile text refused fast with a message naming the place."""

import pathlib
import time
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS
from relu_viz.formula import MAX_LENGTH, FormulaError, evaluate, parse, switch_points

SAME_AS = [  # (formula, a, b, c, registry key, its parameters)
    ("max(0, x)", 1, 1, 1, "relu", {}),
    ("relu(x)", 1, 1, 1, "relu", {}),
    ("where(x > 0, x, a * x)", 0.2, 1, 1, "leaky_relu", {"negative_slope": 0.2}),
    ("x * sigmoid(x)", 1, 1, 1, "silu", {}),
    ("x * sigmoid(b * x)", 1, 1.5, 1, "swish", {"beta": 1.5}),
    ("x * tanh(softplus(x))", 1, 1, 1, "mish", {}),
    ("x * (1 + erf(x / sqrt(2))) / 2", 1, 1, 1, "gelu", {"approximate": "none"}),
    ("x / (1 + abs(x))", 1, 1, 1, "softsign", {}),
    ("where(x > 0, x, a * (exp(x) - 1))", 1.5, 1, 1, "elu", {"alpha": 1.5}),
    ("where(x > 0, x, a * expm1(x))", 1, 1, 1, "elu", {"alpha": 1.0}),
    ("min(max(0, x), 6)", 1, 1, 1, "relu6", {}),
    ("clip(x, a, b)", -2, 3, 1, "hardtanh", {"min_val": -2.0, "max_val": 3.0}),
    ("sigmoid(x)", 1, 1, 1, "sigmoid", {}),
    ("tanh(x)", 1, 1, 1, "tanh", {}),
    ("x - tanh(x)", 1, 1, 1, "tanhshrink", {}),
    ("-softplus(-x)", 1, 1, 1, "logsigmoid", {}),
    ("x * clip(x + 3, 0, 6) / 6", 1, 1, 1, "hardswish", {}),
    ("heaviside(x)", 1, 1, 1, "binary_step", {}),
    ("x", 1, 1, 1, "identity", {}),
]


@pytest.mark.parametrize("text, a, b, c, key, params", SAME_AS, ids=[case[0] for case in SAME_AS])
def test_a_formula_equal_to_a_builtin_has_its_values_derivative_and_kinks(text, a, b, c, key, params):
    act, formula = ACTIVATIONS[key], parse(text)
    kinks = act.kink_points(**params)
    x = np.union1d(np.linspace(-8, 8, 1601), np.array(kinks, float))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f, df = evaluate(formula.f, x, a, b, c), evaluate(formula.df, x, a, b, c)
    assert np.allclose(f, act(x, **params), rtol=1e-12, atol=1e-12)
    assert np.allclose(df, act.derivative(x, **params), rtol=1e-12, atol=1e-12), "at a kink: autograd's value"
    assert set(kinks) <= set(switch_points(formula, a, b, c))


@pytest.mark.parametrize("text", ["log(1 + exp(x))", "exp(-x ** 2)", "sin(x)", "x ** 3 / 3 - x", "sqrt(x ** 2 + 1)",
                                  "x * tanh(a * x) + b * cos(c * x)", "log1p(x ** 2) / (2 + sin(x))"])
def test_derivatives_of_smooth_formulas_match_finite_differences(text):
    formula, x, h = parse(text), np.linspace(-4, 4, 81), 1e-6
    numeric = (evaluate(formula.f, x + h, 0.7, 0.3, 2.0) - evaluate(formula.f, x - h, 0.7, 0.3, 2.0)) / (2 * h)
    assert np.allclose(evaluate(formula.df, x, 0.7, 0.3, 2.0), numeric, rtol=1e-6, atol=1e-6)


def test_switch_points_of_a_non_polynomial_argument_are_found_by_bisection():
    formula = parse("max(0, sin(x))")
    points = switch_points(formula, limit=10)
    assert np.allclose(points, np.pi * np.arange(-3, 4), atol=1e-9)
    assert switch_points(parse("max(0, x - 2) - 0.5 * max(0, x - 2)")) == (2.0,)


def test_overflow_and_undefined_values_are_gaps_not_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = evaluate(parse("exp(x)").f, np.array([0.0, 1000.0]))
        undefined = evaluate(parse("log(x)").f, np.array([-1.0, 1.0]))
    assert big[0] == 1 and np.isinf(big[1])
    assert np.isnan(undefined[0]) and undefined[1] == 0
    slope = evaluate(parse("2 * x").df, np.zeros(3))
    assert slope.shape == (3,) and np.all(slope == 2), "a constant derivative still has the shape of x"


HOSTILE = {
    "__import__('os').system('touch /tmp/relu-viz-pwned')": "cannot be called",
    "x.__class__": "attribute access at column 1",
    "x[0]": "subscripts at column 1",
    "lambda: x": "lambdas at column 1",
    "[x for x in (1, 2)]": "comprehensions at column 1",
    "'x'": "Only numbers are allowed as constants, not str at column 1",
    "x ** x": "An exponent must be a number",
    "x ** 1000": "Exponents are limited to ±10 at column 6",
    "x ** 2 ** 2 ** 2": "An exponent must be a number",
    "x + foo": "Unknown name 'foo' at column 5",
    "open(x)": "'open' cannot be called",
    "exp(x)(x)": "'this expression' cannot be called",
    "max(x)": "max takes 2 arguments, by position at column 1",
    "exp(x, out=x)": "exp takes 1 argument",
    "x > 0": "Comparisons are allowed only as the condition of where",
    "where(x, x, 0)": "The first argument of where must be a comparison, as in where(x > 0, x, 0) at column 7",
    "x if x > 0 else 0": "if-else",
    "x @ x": "the operators are + - * / and **",
    "x // 2": "the operators are + - * / and **",
    "(x := 2)": "Not allowed",
    "x and 1": "and/or",
    "1e400 * x": "finite",
    "2": "does not depend on x",
    "": "empty",
    "max(0, x": "Not a formula",
    "(" * 30 + "x" + ")" * 30: "nested brackets at column 25",
    "x + " * 100 + "x": f"at most {MAX_LENGTH} are allowed",
    "+".join(["x"] * 140): "parts; at most 200 are allowed",
}


@pytest.mark.parametrize("text, message", HOSTILE.items(), ids=range(len(HOSTILE)))
def test_hostile_or_broken_text_is_refused_fast_with_what_and_where(text, message):
    parse.cache_clear()
    start = time.perf_counter()
    with pytest.raises(FormulaError, match=None) as refused:
        parse(text)
    assert time.perf_counter() - start < 0.1
    assert message in str(refused.value), str(refused.value)
    assert not pathlib.Path("/tmp/relu-viz-pwned").exists()


TOKENS = ["x", "a", "b", "c", "1", "2.5", "0", "-", "+", "*", "/", "**", "(", ")", ",", ">", "<=", "max", "min", "exp",
          "log", "where", "abs", "sigmoid", "clip", "sqrt", "erf", "__import__", "os", ".", "[", "]", "'", "lambda",
          ":", "if", "else", "for", "in", " ", "1e308", "system", "eval", "=", "@", "%", "~", "not", "\\"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join), st.text(max_size=60)))
def test_any_text_gives_a_formula_or_the_clear_error_and_never_runs_code(text):
    try:
        formula = parse(text)
    except FormulaError as error:
        assert str(error)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = evaluate(formula.f, np.linspace(-3, 3, 7), 1.0, 2.0, 0.5)
        evaluate(formula.df, np.linspace(-3, 3, 7), 1.0, 2.0, 0.5)
    assert values.shape == (7,)
