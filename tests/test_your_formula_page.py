"""Your own activation on the page (AppTest): typed, drawn, probed, shared, trained with, and refused cleanly."""

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.training import TrainConfig, train
from tests.apptest import notices, open_app, plotted, sliders

CUSTOM = ACTIVATIONS["custom"]
KINKED = "max(0, x) - 0.5 * max(0, x - 2)"


def drawn(at, row=1):
    return plotted(at)[("Your formula", row)]


def shows_final_loss(at, run) -> bool:
    shown = [m.value for m in at.metric]
    return any(f"{run.loss[-1]:.3g}" in v or f"{run.loss[-1]:.4f}" in v for v in shown)


def test_a_formula_link_draws_exactly_that_formula_and_shares_it_back():
    text = "where(x > 0, x, a * (exp(x) - 1))"
    at = open_app({"act": "custom", "custom.formula": text, "custom.a": "0.5"})
    assert at.text_input(key="custom.formula").value == text
    elu = ACTIVATIONS["elu"]
    for row, g in ((1, elu), (2, elu.derivative)):
        x, y = drawn(at, row)
        off = x != 0  # at 0 the derivative jumps: drawn as left limit, gap, right limit
        assert np.allclose(y[off], g(x[off], alpha=0.5), rtol=1e-5, atol=1e-7)  # ELU's (the chart sends float32)
    jump = drawn(at, 2)[1][~off]
    assert jump[0] == 0.5 and np.isnan(jump[1]) and jump[2] == 1
    share = at.get("code")[0].proto.code_text
    assert "custom.formula=where(x+%3E+0,+x,+a+*+(exp(x)+-+1))" in share and "custom.a=0.5" in share
    assert sliders(at) == {"custom.a": 0.5}  # only the numbers the formula uses get a slider


def test_typing_a_formula_redraws_and_a_bad_one_is_named_while_the_last_good_one_stays():
    at = open_app({"act": "custom"})
    at.text_input(key="custom.formula").input(KINKED).run()
    x, y = drawn(at)
    assert np.allclose(y, np.maximum(0, x) - 0.5 * np.maximum(0, x - 2))  # worked by hand
    at.text_input(key="custom.formula").input("max(0, x) +* 2").run()
    assert not at.exception
    assert "invalid syntax at column" in at.error[0].value and KINKED in at.error[0].value
    assert np.array_equal(drawn(at)[1], y)  # the rejected text is not drawn
    at.number_input(key="probe").set_value(2.0).run()
    probe = {r["activation"]: r for r in at.table[0].value.to_dict("records")}["Your formula"]
    assert probe["f′(x)"] == "1" and probe["note"].startswith("kink: f′ is 1 from the left, 0.5 from the right")


@pytest.mark.parametrize("text, why", [("__import__('os').system('ls')", "cannot be called"),
                                       ("x.real", "attribute access"), ("x ** 99", "Exponents are limited"),
                                       ("(" * 30 + "x" + ")" * 30, "nested brackets"), ("y + 1", "Unknown name")])
def test_a_hostile_formula_link_is_refused_with_a_notice_and_the_default_is_drawn(text, why):
    at = open_app({"act": "custom", "custom.formula": text})
    assert why in at.warning[0].value
    assert at.text_input(key="custom.formula").value == CUSTOM.defaults["formula"]
    x, y = drawn(at)
    assert np.allclose(y, x / (1 + np.exp(-x)))  # x * sigmoid(x)


def test_an_example_fills_the_formula_box():
    at = open_app({"act": "custom"})
    at.selectbox(key="custom.example").select("Gaussian").run()
    assert at.text_input(key="custom.formula").value == "exp(-x**2)"
    x, y = drawn(at)
    assert np.allclose(y, np.exp(-x**2))


def test_an_undefined_formula_is_drawn_with_gaps_and_says_so():
    at = open_app({"act": ["relu", "custom"], "custom.formula": "log(x)"})
    warnings = [w.value for w in at.warning]
    x = np.linspace(-10, 10, 401)  # the plotted inputs; log x and its f' = 1/x are not finite at x <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        undefined = np.sum(~np.isfinite(np.log(x)) | ~np.isfinite(1 / x))
    assert any(f"at {undefined} of the 401 plotted inputs" in w for w in warnings), warnings
    one = open_app({"act": "custom", "custom.formula": "1 / x"})  # one input of 401: it read "0%"
    assert any("at 1 of the 401 plotted inputs" in w.value for w in one.warning)
    assert any("not derived: f or f′ is infinite or undefined at x = -12" in w for w in warnings), warnings
    x, y = drawn(at)
    assert np.isnan(y[x <= 0]).all() and np.allclose(y[x > 0], np.log(x[x > 0]))
    rows = {r["property"]: r for r in at.table[1].value.to_dict("records")}
    assert rows["Range"]["ReLU"] == "[0, ∞)" and rows["Range"]["Your formula"] == "—"
    probe = at.table[0].value.to_dict("records")[1]
    assert (probe["f(x)"], probe["f′(x)"]) == ("-∞", "∞")  # log(0) and 1/0
    at.number_input(key="probe").set_value(-1.0).run()
    probe = at.table[0].value.to_dict("records")[1]
    assert (probe["f(x)"], probe["f′(x)"]) == ("undefined", "-1")  # log(-1); 1/x is defined there


def test_a_formula_too_steep_for_the_mean_output_keeps_the_page_and_says_why():
    """exp(30 x): E[f(Z)^2] = e^1800 is past float64; it raised OverflowError, a traceback on the explorer."""
    at = open_app({"act": ["relu", "custom"], "custom.formula": "exp(30 * x)"})  # open_app: no exception
    assert "Properties of Your formula not derived: f grows too fast for its mean and RMS output over a standard " \
           "normal input to be computed in floating point." in [w.value for w in at.warning]
    rows = {r["property"]: r for r in at.table[1].value.to_dict("records")}
    assert rows["Range"]["ReLU"] == "[0, ∞)" and rows["Range"]["Your formula"] == "—"


def test_the_formula_tab_shows_the_formula_and_its_derivative_from_sympy():
    at = open_app({"act": "custom", "custom.formula": KINKED})
    shown = [m.value.strip("$\n") for m in at.latex]
    assert shown == [r"f(x) = \max\left(0, x\right) - \frac{\max\left(0, x - 2\right)}{2}",
                     r"f'(x) = \mathbf{1}\left[x > 0\right] - \frac{\mathbf{1}\left[x - 2 > 0\right]}{2}"]


def test_training_with_your_formula_is_the_core_run():
    params = {"formula": "where(x > 0, x, a * x)", "a": 0.1, "b": 1.0, "c": 1.0}
    at = open_app({"act": "custom", "custom.formula": params["formula"], "custom.a": "0.1", "tab": "Dead neurons",
                   "sim.act": "custom", "sim.epochs": "40"})
    assert not at.error
    run = train(TrainConfig(activation="custom", params=params, epochs=40))
    leaky = train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.1}, epochs=40))
    assert np.allclose(run.loss, leaky.loss, rtol=1e-5)  # the same network as Leaky ReLU 0.1
    assert shows_final_loss(at, run), ([m.value for m in at.metric], run.loss[-1])


def test_the_depth_and_speed_panels_take_your_formula():
    for tab, extra in (("Depth", {"depth.act": "custom", "depth.sig_act": "custom", "depth.trials": "1000",
                                  "depth.layers": "5"}), ("Speed", {})):
        at = open_app({"act": "custom", "custom.formula": KINKED, "tab": tab, **extra})
        assert not at.error and not at.warning, tab


def test_your_formula_in_the_first_hidden_layer_only_is_the_core_run_with_per_layer_activations():
    formula = {"formula": "x * tanh(softplus(x))", "a": 1.0, "b": 1.0, "c": 1.0}  # Mish, spelled out
    at = open_app({"act": ["relu", "custom"], "custom.formula": formula["formula"], "tab": "Dead neurons",
                   "sim.act": "relu", "sim.layer1": "custom", "sim.epochs": "40"})
    assert not at.error and not at.warning
    run = train(TrainConfig(activation=("custom", "relu"), params=(formula, {}), epochs=40))
    mish = train(TrainConfig(activation=("mish", "relu"), params=({}, {}), epochs=40))
    assert np.allclose(run.loss, mish.loss, rtol=1e-4)  # the same network as Mish in layer 1, ReLU in layer 2
    assert shows_final_loss(at, run), ([m.value for m in at.metric], run.loss[-1])
    assert at.selectbox(key="sim.layer1").value == "custom"
    at.selectbox(key="sim.compare").set_value("relu").run()  # side by side: each run named by its layers
    assert [h.value for h in at.subheader][:2] == ["Your formula, then ReLU", "ReLU"]


def test_with_one_hidden_layer_the_first_layer_choice_is_the_network_and_the_link_keeps_both_choices():
    formula = {"formula": "where(x > 0, x, a * x)", "a": 0.1, "b": 1.0, "c": 1.0}
    at = open_app({"act": ["relu", "custom"], "custom.formula": formula["formula"], "custom.a": "0.1",
                   "tab": "Dead neurons", "sim.layer1": "custom", "sim.layers": "1", "sim.epochs": "30"})
    run = train(TrainConfig(activation="leaky_relu", params={"negative_slope": 0.1}, hidden=(32,), epochs=30))
    assert shows_final_loss(at, run), ([m.value for m in at.metric], run.loss[-1])  # Leaky ReLU 0.1, not ReLU
    share = at.get("code")[0].proto.code_text
    assert "sim.layer1=custom" in share and "sim.act=" not in share  # sim.act stays relu, the default


def test_a_formula_the_busy_server_cannot_read_stays_in_the_link_unused_and_is_read_once_the_server_is_free(
        monkeypatch):
    from relu_viz import formula, sandbox

    analyse = formula._analyse

    def busy_for_x2(text):
        if text == "x * 2":
            raise sandbox.Busy("the server is busy with other costly formulas")
        return analyse(text)

    monkeypatch.setattr(formula, "_analyse", busy_for_x2)
    at = open_app({"act": "custom", "custom.formula": "x * 2"})
    assert "Not read yet: `'custom.formula'` = `'x * 2'`" in notices(at)
    assert "busy" in at.error[0].value and "Press Enter in the box to try again" in at.error[0].value
    assert at.query_params["custom.formula"] in ("x * 2", ["x * 2"]), "the link keeps the formula"
    x, y = drawn(at)
    assert np.allclose(y, x / (1 + np.exp(-x))), "the default formula is drawn, not the unread one"
    monkeypatch.setattr(formula, "_analyse", analyse)
    at.run()
    x, y = drawn(at)
    assert np.allclose(y, 2 * x) and not at.error
