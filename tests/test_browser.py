"""The real app in a real browser: it loads, the keyboard moves a slider, and the URL carries the state."""

import numpy as np
import pytest

from relu_viz import ACTIVATIONS
from relu_viz.scenarios import SCENARIOS
from relu_viz.training import TrainConfig, raw_data, train
from tests.browser import CURVE_JS, curve, drawn, nudge_slider, open_page, pixels_off, wait_for_query, wait_for_value

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


ELU = ACTIVATIONS["elu"]


def follows(page, slider: str) -> list[float]:
    """ELU's f and f' as drawn now: the frames' source, and how far (pixels) each is from the core at the value."""
    shown = [drawn(page, "ELU", row, slider) for row in (1, 2)]
    assert {s["source"] for s in shown} == {"frames"}, "the chart is drawn from the frames during a drag"
    return [pixels_off(s, g, {"alpha": s["value"]}) for s, g in zip(shown, (ELU, ELU.derivative))]


def test_dragging_a_slider_moves_the_curve_with_the_hand_and_release_draws_it_exactly(page, server):
    """ELU's alpha dragged with the mouse, the button held: at each step the drawn f and f' are the core's at the
    slider's value, within half a pixel (alpha's frames interpolate); on release the value goes to the page."""
    open_page(page, f"{server}/?act=leaky_relu&act=elu")
    thumb = page.get_by_role("slider", name="ELU alpha")
    box = thumb.bounding_box()
    y, start = box["y"] + box["height"] / 2, box["x"] + box["width"] / 5  # alpha 1 of [0, 5]
    page.mouse.move(start, y)
    page.mouse.down()
    seen = set()
    for k in range(1, 13):
        page.mouse.move(start + k * box["width"] / 20, y)
        off = follows(page, "ELU alpha")
        seen.add(thumb.input_value())
        assert max(off) <= 0.5, f"alpha {thumb.input_value()}: f and f' {off} pixels from the core"
    assert len(seen) >= 10, seen
    page.mouse.up()
    alpha = float(thumb.input_value())
    wait_for_query(page, rf"elu\.alpha={alpha:g}(&|$)")
    page.wait_for_function("() => document.querySelector('.live-chart').dataset.source === 'python'")
    final = drawn(page, "ELU", 1, "ELU alpha")
    assert len(final["x"]) >= 401 and pixels_off(final, ELU, {"alpha": alpha}) <= 0.5, "Python's own curve"
    box = thumb.bounding_box()  # again, with the frames the page kept (this run sent only their digest)
    page.mouse.move(box["x"] + 8 + (box["width"] - 16) * alpha / 5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + 8 + (box["width"] - 16) * (alpha + 0.7) / 5, y)
    assert float(thumb.input_value()) > alpha and max(follows(page, "ELU alpha")) <= 0.5
    page.mouse.up()


def test_a_finger_taps_and_drags_a_slider_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    open_page(page, f"{server}/?act=elu")
    thumb = page.get_by_role("slider", name="ELU alpha")
    thumb.scroll_into_view_if_needed()
    box = thumb.bounding_box()
    y = box["y"] + box["height"] / 2
    page.touchscreen.tap(box["x"] + box["width"] * 0.6, y)  # a tap sets alpha near 3 and releases it
    page.wait_for_function("() => document.querySelector('input[aria-label=\"ELU alpha\"]').value !== '1'")
    tapped = float(thumb.input_value())
    assert 2.8 <= tapped <= 3.2
    wait_for_query(page, rf"elu\.alpha={tapped:g}(&|$)")
    page.wait_for_function("() => document.querySelector('.live-chart').dataset.source === 'python'")
    box = thumb.bounding_box()  # the page below the chart was redrawn: where the slider is now
    y = box["y"] + box["height"] / 2
    touch = context.new_cdp_session(page)

    def position(value: float) -> float:  # where the thumb's centre is at this alpha (of [0, 5])
        return box["x"] + 8 + (box["width"] - 16) * value / 5

    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": position(3), "y": y}]})
    checked = 0
    for k in range(1, 9):
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                "touchPoints": [{"x": position(3 - k * 0.2), "y": y}]})
        if float(thumb.input_value()) != tapped:  # (a finger moves a few pixels before the slider takes it)
            assert max(follows(page, "ELU alpha")) <= 0.5
            checked += 1
    assert checked >= 6
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    alpha = float(thumb.input_value())
    assert alpha < 1.5
    wait_for_query(page, rf"elu\.alpha={alpha:g}(&|$)")
    context.close()


def test_one_hover_shows_f_and_its_derivative_of_every_curve_on_either_panel(page, server):
    open_page(page, f"{server}/?act=leaky_relu&act=elu")
    leaky = ACTIVATIONS["leaky_relu"]
    for panel in (0, 1):  # the f panel, then the f' panel
        box = page.locator(".js-plotly-plot .nsewdrag").nth(panel).bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)  # near x = -4
        page.wait_for_timeout(300)
        lines = page.evaluate("() => [...document.querySelectorAll('.hoverlayer text')].map(t => t.textContent)")
        x = float(lines[0].replace("−", "-"))
        shown = [(label, float(value)) for label, value in (line.split(" = ") for line in lines[1:])]
        assert [label for label, _ in shown] == ["Leaky ReLU: f", "Leaky ReLU: f′", "ELU: f", "ELU: f′"], lines
        expected = [leaky(x), leaky.derivative(x), ELU(x), ELU.derivative(x)]
        assert np.allclose([v for _, v in shown], expected, rtol=1e-3), (lines, expected)
        assert -4.2 < x < -3.8


def test_on_a_phone_nothing_sits_on_the_legend_or_the_axis_titles(browser, server):
    """No toolbar floats over the chart (issue 27: it covered the legend); its PNG download is a button beside it."""
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    open_page(page, f"{server}/?act=relu&act=leaky_relu&act=elu&act=gelu&act=sigmoid&act=tanh&hide=picker")
    page.wait_for_timeout(1000)
    assert page.locator(".modebar").count() == 0
    boxes = page.evaluate("""() => [...document.querySelectorAll(`.js-plotly-plot .legend, .js-plotly-plot .g-ytitle,
        .js-plotly-plot .g-y2title, .live-png, .live-slider`)].map(e => e.getBoundingClientRect().toJSON())""")
    assert len(boxes) == 6, "legend, the two titles, the PNG button and two sliders (Leaky ReLU, ELU)"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a["right"], b["right"]) - max(a["left"], b["left"]), \
                min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            assert min(overlap) <= 0, (a, b)
    page.context.close()


def test_a_linked_value_between_steps_is_shown_as_it_is_drawn(page, server):
    """A link may hold any value in range (0.0137), where the slider's thumb can only stand on a step (0.01): its
    text says the value drawn."""
    open_page(page, f"{server}/?act=leaky_relu&leaky_relu.negative_slope=0.0137")
    assert curve(page, "Leaky ReLU")["y"][0] == pytest.approx(-0.137, abs=1e-6)
    row = page.locator(".live-slider").first
    assert row.locator("output").inner_text() == "0.0137"
    assert page.get_by_role("slider", name="Leaky ReLU negative slope").get_attribute("aria-valuetext") == "0.0137"


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
        page.wait_for_selector(".js-plotly-plot >> visible=true", timeout=30_000)  # other tabs keep a hidden chart
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


CHART_DRAWN_JS = """(title) => [...document.querySelectorAll('.js-plotly-plot')].some(
    g => g._fullLayout && g._fullData && g.layout.title && g.layout.title.text.includes(title))"""
# The page position of a chart's point: of the named trace's point nearest the plot's middle (or point `index`).
POINT_JS = """([title, trace, index]) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g.layout.title && g.layout.title.text.includes(title));
    gd.scrollIntoView({block: 'center'});
    const t = gd._fullData.find(d => d.name === trace || (trace === null && d.type === 'scatter'));
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    const y = k => ya.type === 'category' ? ya.d2p(t.y[k]) : ya.l2p(t.y[k]);
    let best = index, distance = Infinity;
    if (best === null) t.x.forEach((v, k) => {
        if (v === null) return;
        const d = Math.abs(xa.l2p(v) - xa._length / 2) + Math.abs(y(k) - ya._length / 2);
        if (d < distance) { distance = d; best = k; }
    });
    const box = gd.getBoundingClientRect();
    return {x: box.left + xa._offset + xa.l2p(t.x[best]), y: box.top + ya._offset + y(best), unit: t.customdata[best]};
}"""


def test_a_visitor_uploads_a_csv_trains_on_it_and_inspects_units_by_clicking_them(page, server, tmp_path):
    moons = raw_data(TrainConfig(dataset="moons", n_samples=200, seed=3))
    path = tmp_path / "my moons.csv"
    rows = (f"{a:.6f},{b:.6f},{int(c)}\n" for (a, b), c in zip(moons.X, moons.y[:, 0]))
    path.write_text("x1,x2,label\n" + "".join(rows))
    page.goto(f"{server}/?tab=Dead+neurons&sim.data=upload&sim.bias=-1&sim.lr=0.3&sim.epochs=100")
    page.get_by_text("Upload a CSV file").wait_for(timeout=60_000)
    page.set_input_files("input[type=file]", str(path))
    page.get_by_text("Read 'my moons.csv': 200 rows").wait_for(timeout=60_000)  # the name quoted inert
    page.get_by_text("Inspect a unit").wait_for(timeout=120_000)
    assert page.get_by_text("Your uploaded data cannot travel in a link").count() >= 1
    for title, trace, index in (("First-layer units at epoch", "live unit", None), ("Activity of every", None, 40)):
        page.wait_for_function(CHART_DRAWN_JS, arg=title, timeout=60_000)
        page.evaluate(POINT_JS, [title, trace, index])  # scrolls the chart into view
        page.wait_for_timeout(500)  # the page settles (charts above may still be laying out)
        point = page.evaluate(POINT_JS, [title, trace, index])
        layer, unit = point["unit"] if isinstance(point["unit"], list) else (point["unit"]["0"], point["unit"]["1"])
        page.mouse.move(point["x"], point["y"])
        page.mouse.click(point["x"], point["y"])
        page.get_by_text(f"Layer {layer}, unit {unit} at epoch 100").wait_for(timeout=30_000)
    assert (layer, unit) == (2, 9), "the 41st row of the heatmap: layer 2's ninth unit"
    epoch = page.get_by_test_id("stSlider").filter(has_text="Epoch of the unit shown").get_by_role("slider")
    epoch.focus()
    epoch.press("Home")  # the inspector alone reruns: the share box follows it
    page.get_by_text(f"Layer {layer}, unit {unit} at epoch 0").wait_for(timeout=30_000)
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar] [data-testid=stCode]')"
                           ".textContent.includes('sim.unit_epoch=0')", timeout=30_000)
    assert "sim.unit_epoch=0" in page.url
    assert page.locator("[data-testid='stException']").count() == 0


# The boxes of the curves chart's axis labels and titles, as drawn by Plotly, relative to the chart's own box.
LABEL_BOXES_JS = """() => {
    const TITLES = '.g-ytitle text, .g-y2title text, .g-y3title text';
    const gd = document.querySelector('.js-plotly-plot'), chart = gd.getBoundingClientRect();
    const box = e => { const r = e.getBoundingClientRect(); return {text: e.textContent, left: r.left - chart.left,
        right: r.right - chart.left, top: r.top, bottom: r.bottom}; };
    return {ticks: [...gd.querySelectorAll('.ytick text, .y2tick text')].map(box),
        titles: [...gd.querySelectorAll(TITLES)].map(box), strips: [...gd.querySelectorAll('.y3tick text')].map(box),
        plot: gd.querySelector('.nsewdrag').getBoundingClientRect().left - chart.left};
}"""


@pytest.mark.parametrize("query, width", [("", 1280), ("", 390), ("&present=1", 1280)])
def test_the_curves_margin_reckoned_in_python_holds_every_label(browser, server, query, width):
    """The left margin is computed, not measured by Plotly: the longest names and tick labels must fit in it, left of
    the panels and inside the chart, and the strip rows' names must not overlap (presenter mode's large type)."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    open_page(page, f"{server}/?act=leaky_relu&act=hardsigmoid&act=tanhshrink&act=selu{query}")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .y3tick text').length === 4")
    boxes = page.evaluate(LABEL_BOXES_JS)
    labels = boxes["ticks"] + boxes["titles"]
    assert {b["text"] for b in boxes["strips"]} == {"Leaky ReLU", "Hardsigmoid", "Tanhshrink", "SELU"}
    assert all(b["left"] >= 0 and b["right"] <= boxes["plot"] + 1 for b in labels), labels
    rows = sorted(boxes["strips"], key=lambda b: b["top"])
    assert all(upper["bottom"] <= lower["top"] + 1 for upper, lower in zip(rows, rows[1:])), rows
    page.context.close()
