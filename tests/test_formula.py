"""The visitor's own formula (relu_viz.formula): formulas equal to built-in activations give the same f and f'
(sympy's derivative against the registry's hand-written one), switch points where the built-ins have kinks,
derivatives against finite differences, and hostile text refused with a message naming the place (a text past the
size limits before any expression is built)."""

import pathlib
import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS, symbolic
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
    points = np.array(switch_points(parse("max(0, sin(x))")))
    assert len(points) == 2 * 318 + 1, "every k pi in [-1000, 1000]"
    assert np.allclose(points[np.abs(points) < 10], np.pi * np.arange(-3, 4), atol=1e-9)
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


FUNCTION_LIST = ("exp, log, log1p, expm1, sqrt, abs, sign, sin, cos, tanh, sigmoid, softplus, erf, relu, heaviside, "
                 "max, min, clip, where")
OPERATORS = "Not allowed: the operators are + - * / and ** (with a number as exponent) at column 1"
EXPONENT = "An exponent must be a number, as in x ** 2 (use exp(...) for other powers) at column 6"
COMPARISON = "Comparisons are allowed only as the condition of where(condition, then, else) at column "
HOSTILE = {  # text: the whole message the visitor reads
    "__import__('os').system('touch /tmp/relu-viz-pwned')":
        f"'this expression' cannot be called at column 1: the functions are {FUNCTION_LIST}",
    "x.__class__": "Not allowed: attribute access at column 1",
    "x[0]": "Not allowed: subscripts at column 1",
    "lambda: x": "Not allowed: lambdas at column 1",
    "[x for x in (1, 2)]": "Not allowed: comprehensions at column 1",
    "'x'": "Only numbers are allowed as constants, not str at column 1",
    "True * x": "Only numbers are allowed as constants, not bool at column 1",
    "x ** x": EXPONENT,
    "x ** 1000": "Exponents are limited to ±10 at column 6",
    "x ** -11": "Exponents are limited to ±10 at column 6",
    "x ** 2 ** 2 ** 2": EXPONENT,
    "x ** 'a'": EXPONENT,
    "x + foo": f"Unknown name 'foo' at column 5: use x, a, b, c and the functions {FUNCTION_LIST}",
    "x + " + "y" * 30: f"Unknown name '{'y' * 20}' at column 5: use x, a, b, c and the functions {FUNCTION_LIST}",
    "sign": "sign is a function: call it, as in sign(x) at column 1",
    "open(x)": f"'open' cannot be called at column 1: the functions are {FUNCTION_LIST}",
    "z" * 30 + "(x)": f"'{'z' * 20}' cannot be called at column 1: the functions are {FUNCTION_LIST}",
    "exp(x)(x)": f"'this expression' cannot be called at column 1: the functions are {FUNCTION_LIST}",
    "max(x)": "max takes 2 arguments, by position at column 1",
    "exp(x, out=x)": "exp takes 1 argument, by position at column 1",
    "exp(x, 1)": "exp takes 1 argument, by position at column 1",
    "x > 0": COMPARISON + "1",
    "exp(x > 0)": COMPARISON + "5",
    "max(x > 0, 1)": COMPARISON + "5",
    "where(0 < x < 1, x, 0)": "Use one comparison with <, <=, > or >= at column 7",
    "where(x == 1, x, 0)": "Use one comparison with <, <=, > or >= at column 7",
    "where(x, x, 0)": "The first argument of where must be a comparison, as in where(x > 0, x, 0) at column 7",
    "x if x > 0 else 0": "Not allowed: if-else (use where(condition, then, else)) at column 1",
    "x @ x": OPERATORS,
    "x // 2": OPERATORS,
    "x % 2": OPERATORS,
    "(x := 2)": "Not allowed: := at column 2",
    "x and 1": "Not allowed: and/or at column 1",
    "~x": "Not allowed: ~ and not (the signs + and - are allowed) at column 1",
    "not x": "Not allowed: ~ and not (the signs + and - are allowed) at column 1",
    "1e400 * x": "Numbers must be finite and at most 1,000,000 in size at column 1",
    "1000001 * x": "Numbers must be finite and at most 1,000,000 in size at column 1",
    "2": "The formula does not depend on x",
    "": "The formula is empty: type an expression of x, such as max(0, x)",
    "max(0, x": "Not a formula: '(' was never closed at column 4",
    "(" * 30 + "x" + ")" * 30: "More than 24 nested brackets at column 25",
    "x + " * 100 + "x": f"The formula is 401 characters long; at most {MAX_LENGTH} are allowed",
    "+".join(["x"] * 140): "The formula has 559 parts; at most 200 are allowed",
}


@pytest.mark.parametrize("text, message", HOSTILE.items(), ids=range(len(HOSTILE)))
def test_hostile_or_broken_text_is_refused_with_what_and_where(text, message, monkeypatch):
    parse.cache_clear()
    with pytest.raises(FormulaError, match=None) as refused:
        parse(text)
    assert str(refused.value) == message
    assert not pathlib.Path("/tmp/relu-viz-pwned").exists()
    if "long" in message or "nested" in message or "parts" in message:  # refused before any expression is built
        monkeypatch.setattr(symbolic, "_Builder", lambda: pytest.fail("a text past the limits reached the builder"))
        with pytest.raises(FormulaError):
            symbolic.read(text)


@pytest.mark.parametrize("text", [
    "x" + " " * (MAX_LENGTH - 1),  # exactly the longest formula
    "(" * 24 + "x" + ")" * 24,  # exactly the deepest brackets
    "+".join(["(x)"] * 30),  # many brackets, none nested
    "1000000 * x",  # the largest number
    "x ** 10 + x ** -10",  # the largest exponents
])
def test_formulas_at_the_limits_are_accepted(text):
    assert any(ins.op == "x" for ins in parse(text).f.instructions)


X = np.array([-3.0, -0.5, 0.25, 2.0])


@pytest.mark.parametrize("text, expected", [  # against numpy's own functions and hand-worked powers
    ("log1p(x + 3.5)", np.log1p(X + 3.5)),
    ("sign(x)", np.sign(X)),
    ("+x", X),
    ("-x", -X),
    ("x ** -2", 1 / X ** 2),
    ("abs(x) ** 0.5", np.sqrt(np.abs(X))),
    ("abs(x) ** -0.5", 1 / np.sqrt(np.abs(X))),
    ("0.1 * x", 0.1 * X),
])
def test_formula_values(text, expected):
    np.testing.assert_allclose(evaluate(parse(text).f, X), expected, rtol=1e-12)


def test_numbers_are_read_exactly():
    x = sympy.Symbol("x", real=True)
    assert symbolic.read("0.1 * x") == sympy.Rational(1, 10) * x
    assert symbolic.read("x ** 0.5") == sympy.sqrt(x)
    assert evaluate(parse("a * x + b + c").f, np.array([1.0]), 2, 0.1, -3)[0] == 2 + 0.1 - 3


def test_evaluate_returns_floats_of_the_input_precision():
    half = evaluate(parse("x / 2").f, np.arange(3))
    assert half.dtype == np.float64 and list(half) == [0.0, 0.5, 1.0], "whole-number inputs are not truncated"
    single = evaluate(parse("x / 3").f, np.ones(2, dtype=np.float32))
    assert single.dtype == np.float32


@pytest.mark.parametrize("text, params, points", [
    ("where(x > 1, x, 0)", {}, (1.0,)),
    ("where(x >= a, x, 0)", {"a": 2.5}, (2.5,)),
    ("max(x + 2, where(x > 1, x, 0))", {}, (-2.0, 1.0)),  # a max around a where: both switches
    ("abs(x - b) + sign(x + c)", {"b": 1.5, "c": 4.0}, (-4.0, 1.5)),
])
def test_switch_points_are_where_the_pieces_meet(text, params, points):
    assert switch_points(parse(text), **{"a": 1.0, "b": 1.0, "c": 1.0, **params}) == points


def test_latex_of_f_and_its_derivative():
    assert parse("max(0, x)").latex == (r"\max\left(0, x\right)", r"\mathbf{1}\left[x > 0\right]")
    assert parse("x * heaviside(x)").latex == (r"x \mathbf{1}\left[x \ge 0\right]", r"\mathbf{1}\left[x > 0\right]")


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


def test_a_formula_is_at_most_300_characters_as_the_readme_states():
    assert MAX_LENGTH == 300


def test_switch_points_the_busy_server_could_not_find_are_no_verdict(monkeypatch):
    """A formula whose switch points took too long 'keeps switching' (drawn without kinks); one the busy server
    could not look at in time is not said to (an ordinary formula was, under a flood of costly ones)."""
    from relu_viz import formula as module
    from relu_viz import sandbox

    parsed = module.parse("max(0, x) - 0.5 * max(0, x - 2)")
    for error, expected in ((sandbox.TooCostly("it needs more than 4 s of computing"), None),
                            (sandbox.Busy("other formulas held the server for more than 30 s"), sandbox.Busy)):
        def refuse(*args, error=error):
            raise error

        monkeypatch.setattr(module, "_switches", refuse)
        if expected is None:
            assert module.switches(parsed, 3.0) is None
        else:
            with pytest.raises(expected):
                module.switches(parsed, 3.0)
