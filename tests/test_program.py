"""relu_viz.program on hand-built programs: evaluation against numpy written out, its exported source, and the
switch points against closed forms. (The formula tests reach the same code through the sandbox, a process of its
own; these run it here, so a planted bug in it fails a test of this process.)"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from relu_viz import program
from relu_viz.program import Instruction as I
from relu_viz.program import Program, Switch


def prog(*instructions, switches=()):
    return Program(tuple(instructions), tuple(switches))


X = np.linspace(-3, 3, 61)
UNARY = {"exp": np.exp, "log": np.log, "abs": np.abs, "sign": np.sign, "sin": np.sin, "cos": np.cos,
         "tanh": np.tanh, "erf": special.erf, "sigmoid": lambda u: 1 / (1 + np.exp(-u)),
         "softplus": lambda u: np.log1p(np.exp(u))}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_each_unary_operation_is_numpys(op):
    p = prog(I("x"), I(op, (0,)))
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(program.evaluate(p, X), UNARY[op](X), rtol=1e-12, atol=1e-300)


def test_a_program_worked_by_hand():
    # f(x) = max(a*x, b) + min(x, c) * x**2 - heaviside(x, 0.5) + (x < 1 and not x >= -1 or x > 2)
    p = prog(I("x"), I("a"), I("b"), I("c"), I("mul", (1, 0)), I("max", (4, 2)), I("min", (0, 3)),
             I("pow", (0,), 2.0), I("mul", (6, 7)), I("heaviside", (0,), 0.5), I("const", value=-1.0),
             I("mul", (9, 10)), I("const", value=1.0), I("lt", (0, 12)), I("const", value=-1.0), I("ge", (0, 14)),
             I("not", (15,)), I("and", (13, 16)), I("const", value=2.0), I("gt", (0, 18)), I("or", (17, 19)),
             I("add", (5, 8, 11, 20)))
    x = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])
    a, b, c = 2.0, -1.0, 0.25
    expected = [max(a * v, b) + min(v, c) * v * v - (1.0 if v > 0 else 0.5 if v == 0 else 0.0)
                + float((v < 1 and not v >= -1) or v > 2) for v in x]
    np.testing.assert_array_equal(program.evaluate(p, x, a, b, c), expected)


def test_piecewise_takes_the_first_condition_that_holds():
    # piecewise(x < 0, -x, x < 1, 10, x**3)
    p = prog(I("x"), I("const", value=0.0), I("lt", (0, 1)), I("const", value=-1.0), I("mul", (3, 0)),
             I("const", value=1.0), I("lt", (0, 5)), I("const", value=10.0), I("pow", (0,), 3.0),
             I("piecewise", (2, 4, 6, 7, 8)))
    np.testing.assert_array_equal(program.evaluate(p, [-2.0, 0.0, 0.5, 2.0]), [2.0, 10.0, 10.0, 8.0])


def test_dtypes_shapes_and_errors_are_kept():
    p = prog(I("x"), I("log", (0,)))
    x32 = np.array([[1.0, 0.0], [-1.0, np.e]], dtype=np.float32)
    out = program.evaluate(p, x32)
    assert out.dtype == np.float32 and out.shape == (2, 2)
    assert out[0, 0] == 0 and out[0, 1] == -np.inf and np.isnan(out[1, 0])
    assert program.evaluate(p, [1, 2]).dtype == np.float64  # integers are read as float64
    assert program.evaluate(prog(I("const", value=3.0)), np.zeros(4)).tolist() == [3.0] * 4  # a constant fills x


def test_chunks_give_the_same_values(monkeypatch):
    p = prog(I("x"), I("sin", (0,)), I("mul", (1, 0)), I("exp", (2,)))
    x = np.linspace(-50, 50, 10_001)
    whole = program.evaluate(p, x)
    monkeypatch.setattr(program, "CHUNK_BYTES", 8 * 3 * 1024)  # 1024 inputs a chunk: ten chunks and a part
    np.testing.assert_array_equal(program.evaluate(p, x), whole)
    np.testing.assert_array_equal(whole, np.exp(np.sin(x) * x))


def test_values_are_dropped_after_their_last_use():
    # v0 = x, v1 = exp(v0), v2 = sin(v0), v3 = v1 * v2, v4 = v3 + v0: x is read last by v4
    p = prog(I("x"), I("exp", (0,)), I("sin", (0,)), I("mul", (1, 2)), I("add", (3, 0)))
    assert p.last_uses == [4, 3, 3, 4, 4]
    assert p.peak_values == 4  # x, exp x and sin x, and their product while it is computed
    values = program.run(p, np.array([1.0]), 1, 1, 1)
    assert [v is None for v in values] == [True, True, True, True, False]
    assert program.run(p, np.array([1.0]), 1, 1, 1, keep=(1,))[1] is not None
    assert prog(*[I("x")] + [I("exp", (i,)) for i in range(5)]).peak_values == 2  # a chain holds two


@pytest.mark.parametrize("bad", [(I("x"), I("exp", (1,))), (I("x"), I("exp", (-1,))), (I("eval", ()),),
                                 (I("x"), I("pow", (5,), 2.0))])
def test_an_invalid_program_is_refused(bad):
    with pytest.raises(ValueError, match="not a valid operation"):
        Program(bad)


def test_the_source_computes_what_evaluate_does():
    p = prog(I("x"), I("a"), I("const", value=0.5), I("mul", (1, 0, 2)), I("max", (3, 0, 2)), I("min", (4, 1)),
             I("heaviside", (0,), 0.5), I("pow", (0,), 2.0), I("const", value=0.0), I("gt", (0, 8)),
             I("le", (0, 2)), I("or", (9, 10)), I("ge", (0, 2)), I("not", (12,)), I("and", (11, 13)),
             I("lt", (0, 8)), I("softplus", (0,)), I("erf", (0,)), I("sigmoid", (0,)), I("tanh", (0,)),
             I("abs", (0,)), I("sign", (0,)), I("cos", (0,)), I("exp", (0,)), I("log", (20,)), I("sin", (0,)),
             I("const", value=math.nan), I("piecewise", (15, 7, 14, 5, 16)),
             I("add", (27, 6, 17, 18, 19, 21, 22, 23, 25)), I("mul", (28, 24)))
    text = program.source(p, "f")
    assert text.startswith("def f(x, a, b, c):\n") and text.endswith("    return v29")
    assert "float('nan')" in text and "np.power(v0, 2.0)" in text and "np.heaviside(v0, 0.5)" in text
    namespace = {"np": np, "erf": special.erf, "sigmoid": special.expit}
    exec(compile(text, "<test>", "exec"), namespace)  # our own program's source, not a visitor's text
    x = np.linspace(-2, 2, 41)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(namespace["f"](x, 1.5, 0, 0), program.evaluate(p, x, 1.5), rtol=1e-15)


RELU_AT = prog(I("x"), I("const", value=0.3), I("add", (0, 1)), I("const", value=0.0), I("max", (2, 3)),
               switches=[Switch("max", (2, 3))])  # max(0, x + 0.3)


def test_a_kink_that_is_a_float_is_found_exactly():
    assert program.switch_points(RELU_AT, 1, 1, 1, 5, 10) == (-0.3,)
    assert program.switch_points(RELU_AT, 1, 1, 1, 0.2, 10) == ()  # outside [-limit, limit]


def test_sign_switches_of_one_and_two_arguments():
    # sign(sin(x)) switches at k pi; sign(x - c) at c; on [-10, 10]
    sine = prog(I("x"), I("sin", (0,)), I("sign", (1,)), switches=[Switch("sign", (1,))])
    found = program.switch_points(sine, 1, 1, 1, 10, 100)
    assert len(found) == 7 and found[3] == 0.0
    np.testing.assert_allclose(found, [k * math.pi for k in range(-3, 4)], rtol=0, atol=1e-15)
    step = prog(I("x"), I("c"), I("lt", (0, 1)), switches=[Switch("sign", (0, 1))])
    assert program.switch_points(step, 1, 1, math.pi / 7, 10, 10) == (math.pi / 7,)


def test_max_and_min_of_curves_switch_where_they_cross():
    # max(sin x, cos x) and min(sin x, cos x) switch at pi/4 + k pi: six of them in [-10, 10]
    for kind in ("max", "min"):
        p = prog(I("x"), I("sin", (0,)), I("cos", (0,)), I(kind, (1, 2)), switches=[Switch(kind, (1, 2))])
        found = program.switch_points(p, 1, 1, 1, 10, 100)
        np.testing.assert_allclose(found, [math.pi / 4 + k * math.pi for k in range(-3, 3)], rtol=0, atol=1e-14)
    # max(-1, x, -x - 3) of three: -x - 3 on top below -2, -1 between -2 and -1, x above -1
    three = prog(I("x"), I("const", value=-1.0), I("const", value=-1.0), I("mul", (0, 2)), I("const", value=-3.0),
                 I("add", (3, 4)), I("max", (1, 0, 5)), switches=[Switch("max", (1, 0, 5))])
    assert program.switch_points(three, 1, 1, 1, 10, 10) == (-2.0, -1.0)


def test_a_switch_on_a_grid_point_and_nans_in_a_max():
    # max(x, 0) ties on the grid at 0; max(log x, -1) has NaN below 0 and switches at 1/e
    tie = prog(I("x"), I("const", value=0.0), I("max", (0, 1)), switches=[Switch("max", (0, 1))])
    assert program.switch_points(tie, 1, 1, 1, 3, 10) == (0.0,)
    logmax = prog(I("x"), I("log", (0,)), I("const", value=-1.0), I("max", (1, 2)), switches=[Switch("max", (1, 2))])
    (found,) = program.switch_points(logmax, 1, 1, 1, 3, 10)
    assert found == pytest.approx(math.exp(-1), abs=1e-15)


def test_too_many_switches_is_none():
    # sign(sin(a x)): 2 a limit / pi switches
    p = prog(I("x"), I("a"), I("mul", (1, 0)), I("sin", (2,)), I("sign", (3,)), switches=[Switch("sign", (3,))])
    assert len(program.switch_points(p, 5.0, 1, 1, 10, 100)) == 2 * math.floor(50 / math.pi) + 1
    assert program.switch_points(p, 5.0, 1, 1, 10, 30) is None
    assert program.switch_points(p, 400.0, 1, 1, 1000, 1000) is None  # many within one chunk of the grid


def test_bisection_ends_on_the_side_where_g_is_smallest():
    # g = x**3 - 2 crosses at 2**(1/3), not a float: bisection ends at one of the two floats around it
    p = prog(I("x"), I("pow", (0,), 3.0), I("const", value=2.0))
    (point,) = program._bisect(p, 1, 1, 1, [(1.0, 2.0, 1, 2)])
    assert abs(point - 2 ** (1 / 3)) <= math.ulp(2 ** (1 / 3))
    assert abs(point**3 - 2) <= min(abs(np.nextafter(point, 0) ** 3 - 2), abs(np.nextafter(point, 9) ** 3 - 2))
    assert program._bisect(p, 1, 1, 1, []) == []
    # one argument alone (second -1): x itself crosses 0 in [-1, 0.5]; 64 halvings get within 1.5 / 2**64 of it
    (zero,) = program._bisect(prog(I("x")), 1, 1, 1, [(-1.0, 0.5, 0, -1)])
    assert abs(zero) <= 1.5 / 2**64


def test_a_constant_first_a_switch_past_the_fine_grid_and_x_subtracted():
    # max(0, x) ties at 0 with the constant on top there; max(x, 30) on [-100, 100]; sign(c - x) at c
    assert program.switch_points(prog(I("x"), I("const", value=0.0), I("max", (1, 0)),
                                      switches=[Switch("max", (1, 0))]), 1, 1, 1, 3, 10) == (0.0,)
    far = prog(I("x"), I("const", value=30.0), I("max", (0, 1)), switches=[Switch("max", (0, 1))])
    assert program.switch_points(far, 1, 1, 1, 100, 10) == (30.0,)
    step = prog(I("x"), I("c"), I("lt", (1, 0)), switches=[Switch("sign", (1, 0))])
    assert program.switch_points(step, 1, 1, math.pi / 7, 10, 10) == (math.pi / 7,)


@pytest.mark.parametrize("kind", ["max", "min"])
def test_an_undefined_argument_leaves_the_others_switching(kind):
    # max(log x, sin x, cos x) (and min of their negatives): below 0 log x is NaN and sin, cos cross at -3 pi/4;
    # above, cos and sin at pi/4, then log x comes on top where log x = sin x
    from scipy.optimize import brentq

    sign = 1.0 if kind == "max" else -1.0
    p = prog(I("x"), I("const", value=sign), I("log", (0,)), I("mul", (2, 1)), I("sin", (0,)), I("mul", (4, 1)),
             I("cos", (0,)), I("mul", (6, 1)), I(kind, (3, 5, 7)), switches=[Switch(kind, (3, 5, 7))])
    expected = [-3 * math.pi / 4, math.pi / 4, brentq(lambda v: math.log(v) - math.sin(v), 2, 2.5, xtol=1e-15)]
    np.testing.assert_allclose(program.switch_points(p, 1, 1, 1, 3, 10), expected, rtol=0, atol=1e-14)
