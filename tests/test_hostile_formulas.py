"""Issue 25's links, one test per row: a formula that froze or killed a server, or raised on the page, is now refused
with a message naming the part, or drawn with bounded work; and one activation's failure leaves the page drawn."""

import ast
import dataclasses
import pathlib

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.curves import sample
from relu_viz.export import pytorch_script
from relu_viz.formula import MAX_SWITCHES, FormulaError, evaluate, parse, switches
from relu_viz.properties import derive
from relu_viz.training import TrainConfig
from tests.apptest import open_app, plotted
from ui.explorer import properties, sampled

CUSTOM = ACTIVATIONS["custom"]
NOT_A_NUMBER = ("This part is not a finite real number (a division by zero, the log of 0, the square root of a "
                "negative number...) at column ")


@pytest.mark.parametrize("text, message", [
    ("x*(((((((999999)**10)**10)**10)**10)**10)**10)**10",  # an exact integer tower: 135 s holding the GIL
     "This part is about 1.00e+600: constants are limited to 1e+100 in size at column 8"),
    ("x*((((999999)**10)**10)**10)", "This part is about 1.00e+600: constants are limited to 1e+100 in size at column "
                                     "5"),
    ("max(0, (((((x+1)**9)**9)**9)**9)**9)",  # powers of powers: 66 s and 850 MB expanding the polynomial
     "This part has degree 729 in x; at most 100 is allowed at column 10"),
    ("where(0 <= softplus(0), x, 0)",  # a condition of constants: sympy's Piecewise never returned
     "The condition of where must involve x (a condition of constants is always true or always false) at column 7"),
    ("x*log(0)", NOT_A_NUMBER + "3"),  # KeyError 'ComplexInfinity'
    ("max(0, 1/0*x)", NOT_A_NUMBER + "8"),
    ("x*(-1)**0.5", NOT_A_NUMBER + "3"),  # complex values
    ("sign(max(sqrt(x), x))",  # an unevaluated Derivative in the printing
     "sympy cannot write its derivative with the functions here (it holds Derivative); write the formula another way"),
    ("max(0,\nx)", "A formula is one line of text: a line break at column 7 is not allowed"),  # broke the export
    ("x # comment", "A formula is one line of text: a comment sign (#) at column 3 is not allowed"),
    ("x + \\\n1", "A formula is one line of text: a backslash at column 5 is not allowed"),
])
def test_a_formula_that_took_a_server_down_or_raised_is_refused_naming_the_part(text, message):
    with pytest.raises(FormulaError) as refused:
        parse(text)
    assert str(refused.value) == message


@pytest.mark.parametrize("text", ["softplus(x)**2", "sigmoid(x)**2"])  # '_latex() got an unexpected keyword 'exp''
def test_powers_of_sigmoid_and_softplus_are_typeset_and_evaluated(text):
    formula = parse(text)
    assert formula.latex[0].endswith("^{2}")
    x = np.linspace(-5, 5, 11)
    inner = 1 / (1 + np.exp(-x)) if text.startswith("sigmoid") else np.log1p(np.exp(x))
    assert np.allclose(evaluate(formula.f, x), inner ** 2)
    h = 1e-6
    assert np.allclose(evaluate(formula.df, x), (evaluate(formula.f, x + h) - evaluate(formula.f, x - h)) / (2 * h),
                       atol=1e-6)


KINK_FLOODS = ["+".join(f"sign(sin({k}*x))" for k in range(40, 50)),  # 40k-170k switch points before
               "sign(sin(62*x))", "max(sin(61*x), max(sin(67*x), max(sin(71*x), sin(73*x))))"]


@pytest.mark.parametrize("text", KINK_FLOODS)
def test_a_formula_that_keeps_switching_is_drawn_without_per_kink_work(text):
    formula = parse(text)
    assert switches(formula) is None, f"more than {MAX_SWITCHES} switch points: it keeps switching"
    assert CUSTOM.kink_points(formula=text) == ()
    curves = sample(CUSTOM, {"formula": text}, -1000, 1000)
    assert not curves.f.jumps and len(curves.f.x) <= 4001
    properties = derive(CUSTOM, formula=text)  # derived in the sandbox, within its deadline
    assert properties.lower >= -10 and properties.upper <= 10


def test_switch_points_up_to_the_cap_are_all_found():
    text = "max(0, sin(1.5 * x))"  # 2 x 1000 x 1.5 / pi = 954.9: 955 switch points, all of them kinks
    points = np.array(switches(parse(text)))
    assert len(points) == 955 <= MAX_SWITCHES
    assert np.allclose(points, np.pi / 1.5 * np.arange(-477, 478), rtol=1e-12, atol=1e-9)


def test_a_formula_with_a_newline_can_no_longer_break_the_exported_script():
    config = TrainConfig(activation="custom", params={"formula": "max(0, x) + 0.1 * sin(x)"}, hidden=(4,), epochs=2)
    ast.parse(pytorch_script(config))  # a syntax error would raise


@pytest.mark.parametrize("part", ["f", "df", "formulas"])
def test_one_activation_that_fails_leaves_the_rest_of_the_page_drawn(part, monkeypatch):
    def boom(*args, **kwargs):
        raise ZeroDivisionError("planted")

    tanh = ACTIVATIONS["tanh"]
    broken = dataclasses.replace(tanh, **({part: boom} if part != "formulas" else {"latex": boom}))
    monkeypatch.setitem(ACTIVATIONS, "tanh", broken)
    sampled.clear(), properties.clear()  # no curves or properties of the unbroken Tanh from an earlier test
    at = open_app({"act": ["tanh"] if part == "formulas" else ["relu", "tanh"]})  # the first formula tab is open
    assert not at.exception
    notes = [row["note"] for t in at.table for row in t.value.to_dict("records") if "note" in row]
    errors = " ".join(e.value for e in at.error) + " ".join(notes)
    assert "ZeroDivisionError: planted" in errors
    drawn = "Tanh" if part == "formulas" else "ReLU"
    assert (drawn, 1) in plotted(at), f"{drawn}'s curve is drawn"


DEEP = "erf(x*" * 23 + "erf(x)" + ")" * 23  # passed validate before, and trained for ~307 s (1,300 s over 20 seeds)


def test_a_costly_formula_scales_the_training_depth_and_propagation_budgets():
    from relu_viz.depth import MAX_CELLS, max_trials, propagation_networks
    from relu_viz.training import MAX_WORK, STEP_COST, UNIT_COST

    cost = CUSTOM.cost(formula=DEEP)
    assert cost > 3, "24 nested erf cost several times Mish per element"
    assert CUSTOM.cost(formula="max(0, x)") == ACTIVATIONS["mish"].cost() == ACTIVATIONS["relu"].cost() == 1.0
    config = TrainConfig(activation="custom", params={"formula": DEEP}, hidden=(128,), n_samples=512, epochs=1160)
    weights = 1 * 128 + 128 * 1
    assert config.work == 512 * (weights + UNIT_COST * 128 * cost) + STEP_COST, "worked by hand"
    with pytest.raises(ValueError, match="this run is too large") as refused:
        config.validate()
    assert config.max_epochs() == int(MAX_WORK // config.work) < 1160 / 3
    advice = "fewer samples, units or layers" if config.max_epochs() < 10 else "fewer epochs"  # (sliders start at 10)
    assert advice in str(refused.value)
    formula = {"formula": DEEP}
    assert max_trials(25, 10, "he", "custom", formula) == int(MAX_CELLS // (25 * 129 * (100 + 10 * 10 * cost)))
    assert propagation_networks("custom", formula, 30, 256, 256) == int(
        min(8, MAX_WORK // (30 * (3 * 256 * 256**2 + UNIT_COST * cost * 256 * 256))))
    assert propagation_networks("mish", {}, 60, 256, 256) == 8, "every built-in keeps its 8 networks"
    from relu_viz.timing import POINTS, affordable_points

    assert affordable_points({"ReLU": (ACTIVATIONS["relu"], {}), "Mish": (ACTIVATIONS["mish"], {})}) == POINTS
    assert affordable_points({"ReLU": (ACTIVATIONS["relu"], {}), "yours": (CUSTOM, formula)}) == int(POINTS / cost)


def test_the_curve_cache_stays_within_its_bytes_even_for_the_most_kinked_curves():
    import pickle

    from relu_viz.formula import MAX_SWITCHES
    from ui.explorer import CURVE_ENTRIES

    kinked = sample(CUSTOM, {"formula": "max(0, sin(1.5 * x))"}, -1000, 1000)  # 955 kinks, all in the range
    assert len(kinked.df.jumps) == 955
    largest = len(pickle.dumps(kinked)) * MAX_SWITCHES / 955  # a formula with the most switch points allowed
    assert largest * CURVE_ENTRIES <= 40 * 2**20, f"{largest:.0f} bytes an entry"


def test_the_page_says_when_your_formula_keeps_switching():
    at = open_app({"act": "custom", "custom.formula": KINK_FLOODS[1], "xmin": "-1000", "xmax": "1000"})
    assert not at.exception and ("Your formula", 1) in plotted(at)
    assert any("switches piece more than 1,000 times in [-1000, 1000]" in i.value for i in at.info)
    assert not any("switches piece" in i.value for i in open_app({"act": "custom"}).info)


def test_the_server_never_imports_sympy_all_work_on_visitor_text_is_in_the_sandbox():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from relu_viz import ACTIVATIONS\n"
        "from relu_viz.curves import sample\n"
        "from relu_viz.export import pytorch_script\n"
        "from relu_viz.properties import derive\n"
        "from relu_viz.training import TrainConfig\n"
        "p = {'formula': 'where(x > 0, x, a * expm1(x)) + 0.1 * sin(b * x)', 'a': 0.5}\n"
        "c = ACTIVATIONS['custom']\n"
        "sample(c, p, -10, 10), c.formulas(**p), derive(c, **p), c.kink_points(**p), c.cost(**p)\n"
        "pytorch_script(TrainConfig(activation='custom', params=p, hidden=(2,), epochs=1))\n"
        "print('sympy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=pathlib.Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "False", done.stderr
