"""The real app in a real browser: it loads, the keyboard moves a slider, and the URL carries the state."""

import pytest

from relu_viz.scenarios import SCENARIOS
from relu_viz.training import train
from tests.browser import CURVE_JS, curve, nudge_slider, open_page, wait_for_query, wait_for_value

pytestmark = pytest.mark.browser


def test_page_loads_with_relu_and_no_error(page, server):
    open_page(page, server)
    assert page.get_by_role("heading", name="relu-viz").is_visible()
    data = curve(page, "ReLU")
    assert data["y"][0] == 0 and data["y"][-1] == 10
    assert page.locator("[data-testid='stException']").count() == 0


def test_keyboard_moves_slider_and_updates_chart_and_url(page, server):
    open_page(page, f"{server}/?act=leaky_relu")
    assert curve(page, "Leaky ReLU")["y"][0] == pytest.approx(-0.1, abs=1e-6)  # slope 0.01 at x = -10
    nudge_slider(page, 5)
    wait_for_query(page, r"leaky_relu\.negative_slope=0\.06")
    wait_for_value(page, "Leaky ReLU", 0, -0.6)
    assert curve(page, "Leaky ReLU")["y"][0] == pytest.approx(-0.6, abs=1e-5)


def test_copied_url_opened_in_a_new_page_shows_the_same_state(browser, server):
    first = browser.new_context().new_page()
    open_page(first, f"{server}/?act=leaky_relu&act=gelu&gelu.approximate=tanh")
    nudge_slider(first, 3)
    wait_for_query(first, r"leaky_relu\.negative_slope=0\.04")
    wait_for_value(first, "Leaky ReLU", 0, -0.4)
    copied = first.url
    second = browser.new_context().new_page()
    open_page(second, copied)
    for label in ("Leaky ReLU", "GELU"):
        for row in (1, 2):
            assert curve(second, label, row) == curve(first, label, row), f"{label} row {row} differs"
    assert second.get_by_role("slider").first.input_value() == "0.04"
    assert second.get_by_role("radio", name="tanh").is_checked()


# The dead-fraction curve of layer 1, once every chart that draws it agrees (stale charts are replaced first).
LAST_DEAD_JS = """() => {
    const found = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        const t = (gd._fullData || []).find(d => d.name === 'layer 1 dead');
        if (t) found.push({epochs: t.x.length - 1, last: t.y[t.y.length - 1]});
    }
    const same = found.length > 0 && found.every(f => f.epochs === found[0].epochs && f.last === found[0].last);
    return same ? found[0] : null;
}"""


def test_dead_neuron_preset_runs_and_the_charts_update(page, server):
    open_page(page, f"{server}/?tab=Dead+neurons")
    page.wait_for_function(f"({LAST_DEAD_JS})() && ({LAST_DEAD_JS})().epochs === 300", timeout=30_000)
    before = page.evaluate(LAST_DEAD_JS)
    page.get_by_role("button", name="Learning rate too high").click()
    page.wait_for_function(f"({LAST_DEAD_JS})() && ({LAST_DEAD_JS})().epochs === 500", timeout=30_000)
    after = page.evaluate(LAST_DEAD_JS)
    expected = train(SCENARIOS["lr_too_high"].config).dead_fraction[-1, 0]
    assert before["last"] == 0 and after["last"] == pytest.approx(expected), (before, after)
    wait_for_query(page, r"sim\.lr=2")
    assert page.get_by_text("This story holds in").first.is_visible()


def test_clicking_through_the_tour(page, server):
    from ui.tour import STEPS

    open_page(page, server)
    page.get_by_role("button", name="Take the guided tour").click()
    for number, step in enumerate(STEPS, start=1):
        page.get_by_text(f"{number}. {step.title}").wait_for(timeout=30_000)
        wait_for_query(page, rf"tour={number}(&|$)")
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        if number < len(STEPS):
            page.get_by_role("button", name="Next").click()
    assert page.locator("[data-testid='stException']").count() == 0


def test_presenter_link_opens_with_the_sidebar_collapsed(page, server):
    open_page(page, f"{server}/?present=1&tour=1")
    page.get_by_text("1. ReLU is max(0, z)").wait_for(timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_attribute("data-collapsed") == "true" and not sidebar.is_visible()
    page.keyboard.press("PageDown")  # the presenter's clicker: next step
    page.get_by_text("2. Its derivative, and the kink at 0").wait_for(timeout=30_000)


def test_every_formula_renders_with_katex(page, server):
    from relu_viz import ACTIVATIONS

    keys = list(ACTIVATIONS)
    for start in range(0, len(keys), 7):
        query = "&".join(f"act={k}" for k in keys[start:start + 7])
        open_page(page, f"{server}/?{query}")
        for key in keys[start:start + 7]:  # only the open formula tab is drawn: open each in turn
            page.get_by_role("tab", name=ACTIVATIONS[key].label, exact=True).click()
            page.get_by_text(ACTIVATIONS[key].summary.split("**")[0][:30]).first.wait_for(timeout=30_000)
            assert page.locator(".katex-error").count() == 0, f"KaTeX could not render a formula of {key}"
            assert page.locator(".katex").count() >= 2, f"{key}: its formulas are not drawn"


def test_a_running_simulation_can_be_stopped(page, server):
    long_run = ("?act=mish&tab=Dead+neurons&sim.act=mish&sim.layers=4&sim.width=128&sim.samples=512"
                "&sim.epochs=250&sim.lr=0.001&sim.seed=11")
    page.goto(server + "/" + long_run, wait_until="commit")
    page.wait_for_selector("[data-testid='stProgress']", timeout=60_000)
    page.get_by_role("button", name="Stop training").click()
    page.get_by_text("Training stopped at epoch").wait_for(timeout=60_000)
    stopped_at = int(page.get_by_text("Training stopped at epoch").inner_text().split()[-1].rstrip("."))
    assert 0 <= stopped_at < 250
    page.get_by_role("button", name="Train again").click()
    page.get_by_text("dead L1").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.body.innerText.includes('Training stopped at epoch')", timeout=60_000)


def test_typing_your_own_formula_draws_it_and_its_link_reproduces_it(browser, server):
    first = browser.new_context().new_page()
    open_page(first, f"{server}/?act=custom")
    box = first.get_by_role("textbox", name="Your formula: f(x) =")
    box.fill("max(0, x) - 0.5 * max(0, x - 2)")
    box.press("Enter")
    last = f"(() => {{ const c = ({CURVE_JS})(['Your formula', 1]); return c && c.y[c.y.length - 1] === 6; }})()"
    first.wait_for_function(last, timeout=15_000)  # at x = 10: 10 - 0.5 * 8, worked by hand
    first.wait_for_function("() => new URLSearchParams(location.search).get('custom.formula') === "
                            "'max(0, x) - 0.5 * max(0, x - 2)'", timeout=15_000)  # the address bar has it too
    box.fill("max(0, x) - import")
    box.press("Enter")
    first.get_by_text("Still drawing the last formula that worked").wait_for(timeout=15_000)
    assert curve(first, "Your formula")["y"][-1] == 6.0
    second = browser.new_context().new_page()
    open_page(second, first.locator("[data-testid='stCode'] code").first.inner_text())  # the share box's link
    assert curve(second, "Your formula") == curve(first, "Your formula")
    assert second.get_by_role("textbox", name="Your formula: f(x) =").input_value() == "max(0, x) - 0.5 * max(0, x - 2)"
    for page in (first, second):
        assert page.locator("[data-testid='stException']").count() == 0
