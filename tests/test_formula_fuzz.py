"""A fuzz of the whole formula grammar (deep nesting, large and tiny constants, long sums): every formula is either
refused with a message saying what is wrong, or renders everywhere the page uses it (curves, probe, properties,
formulas, export) within the sandbox's budget."""

import ast
import warnings

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS
from relu_viz.curves import sample
from relu_viz.export import pytorch_script
from relu_viz.formula import FUNCTIONS, UNANALYSABLE, FormulaError, parse
from relu_viz.properties import derive
from relu_viz.training import TrainConfig

CUSTOM = ACTIVATIONS["custom"]
UNARY = [name for name, arity in FUNCTIONS.items() if arity == 1]
NUMBERS = st.one_of(st.integers(-1_000_000, 1_000_000), st.floats(-1e6, 1e6, allow_nan=False),
                    st.sampled_from([0, 1, 2, 0.5, 1e-300, 5e-324, 1e6, 999999, 1e-9]))
LEAVES = st.one_of(st.sampled_from(["x", "x", "x", "x", "a", "b", "c"]), st.sampled_from(["x"]), NUMBERS.map(repr))


def compound(inner):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from([2, 3, -1, 0.5, 10, -10, 1.5])).map(lambda t: f"({t[0]}) ** {t[1]}"),
        st.tuples(st.sampled_from(["max", "min"]), inner, inner).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(st.one_of(st.just("x"), inner), st.sampled_from(["<", "<=", ">", ">="]), inner, inner, inner).map(
            lambda t: f"where({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"),
        inner.map(lambda t: f"-{t}"),
        st.lists(inner, min_size=2, max_size=12).map(" + ".join),
    )


FORMULAS = st.recursive(LEAVES, compound, max_leaves=40).map(lambda t: t if "x" in t else f"x * {t}")


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(text=FORMULAS, numbers=st.tuples(NUMBERS, NUMBERS, NUMBERS).map(lambda t: [max(-10, min(10, v)) for v in t]))
@example(text="erf(x*" * 23 + "erf(x)" + ")" * 23, numbers=[1, 1, 1])
@example(text="+".join(f"sign(sin({k}*x))" for k in range(40, 50)), numbers=[1, 1, 1])
@example(text="max(0, (((((x+1)**9)**9)**9)**9)**9)", numbers=[1, 1, 1])
@example(text="x * (((((((999999)**10)**10)**10)**10)**10)**10)**10", numbers=[1, 1, 1])
def test_every_formula_is_refused_with_a_message_or_renders_everywhere(text, numbers):
    try:
        formula = parse(text)
    except FormulaError as refused:
        assert str(refused) and not str(refused).startswith(UNANALYSABLE), f"{text!r}: {refused}"
        event("refused: " + str(refused).split(" at column")[0][:40])
        return
    event("renders")
    params = {"formula": text, **dict(zip("abc", map(float, numbers)))}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from numpy anywhere
        curves = sample(CUSTOM, params, -10, 10)
        assert len(curves.f.x) == len(curves.f.y) and len(curves.df.x) == len(curves.df.y)
        for x in (0.0, 1.5, *CUSTOM.kink_points(**params)[:5]):
            float(CUSTOM(x, **params)), float(CUSTOM.derivative(x, **params))
    try:
        properties = derive(CUSTOM, **params)
        assert properties.rows()
    except ValueError as why:  # undefined somewhere, grows too fast, or too costly: a message for the page
        assert str(why)
    f, df = CUSTOM.formulas(**params)
    assert f.startswith("f(x) = ") and df.startswith("f'(x) = ")
    assert formula.cost > 0
    ast.parse(pytorch_script(TrainConfig(activation="custom", params=params, hidden=(2,), epochs=1, n_samples=8)))
