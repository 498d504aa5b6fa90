"""The Build tab in a real browser: a hinge placed by typing in its table, or dragged on the chart (mouse, keyboard,
a finger), moves the drawn network, the table, the errors and the link, and the link reproduces it."""

import re

import numpy as np
import pytest

from relu_viz import build
from relu_viz.build import Hinges
from tests.browser import open_page, pixels_off, wait_for_query
from ui.state import format_number

pytestmark = pytest.mark.browser

# The network's line in the hinge chart (the figure whose first panel is titled "the target and g(x) ..."), as drawn
NETWORK_JS = """() => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g.layout && (g.layout.annotations || []).some(a => (a.text || '').startsWith('the target and g')));
    if (!gd || !gd._fullData) return null;
    const t = gd._fullData.find(d => d.name === 'g(x): the network');
    return t ? {x: Array.from(t.x), y: Array.from(t.y)} : null;
}"""


def network(page) -> tuple[np.ndarray, np.ndarray]:
    page.wait_for_function(f"({NETWORK_JS})() !== null", timeout=30_000)
    drawn = page.evaluate(NETWORK_JS)
    return np.array(drawn["x"]), np.array(drawn["y"])


def wait_for_network(page, hinges: Hinges) -> None:
    """Wait until the drawn line is g of these hinges (to float32 precision)."""
    x, expected = network(page)[0], hinges(network(page)[0])
    check = (f"(() => {{ const d = ({NETWORK_JS})(); const want = {expected.tolist()}; return d && d.y.length === "
             f"want.length && d.y.every((v, i) => Math.abs(v - want[i]) < 1e-4); }})()")
    page.wait_for_function(check, timeout=30_000)
    assert len(x) == len(expected)


def settled(page) -> None:
    """Wait for the app's run to end (its running indicator gone)."""
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def type_in_cell(page, row: int, column: int, text: str) -> None:
    """Type into the hinge table's cell (row 1 = hinge 1; columns 1 kink x, 2 w, 3 a) and press Enter, with the
    keyboard as a visitor can: select the cell, Enter opens its editor, type the number, Enter."""
    settled(page)
    cell = page.locator(f".st-key-lock-build-hinges #glide-cell-{column}-{row - 1}").first
    selected = f"() => document.querySelector('.st-key-lock-build-hinges #glide-cell-{column}-{row - 1}')" \
               ".getAttribute('aria-selected') === 'true'"
    for _ in range(3):  # the grid's first focus selects its first cell: focus the one wanted again
        cell.focus()
        page.wait_for_timeout(300)
        if page.evaluate(selected):
            break
    page.keyboard.press("Enter")
    editor = page.locator("input.gdg-input")
    editor.wait_for(timeout=10_000)
    editor.fill(text)
    editor.press("Enter")
    settled(page)


def test_a_hinge_placed_in_the_table_moves_the_network_and_the_link_reproduces_it(browser, server, page):
    open_page(page, f"{server}/?tab=Build")
    x, g = network(page)
    assert np.all(g == 0) and x.min() == pytest.approx(-3.6)
    kinks = np.array([-2.25, -0.75, 0.75, 2.25])
    type_in_cell(page, 2, 3, "1.5")  # hinge 2's output weight
    wait_for_query(page, r"build\.a=0,1\.5,0,0")
    wait_for_network(page, Hinges(np.ones(4), -kinks, [0, 1.5, 0, 0]))
    type_in_cell(page, 2, 1, "0.5")  # hinge 2's kink: b = -w * 0.5
    wait_for_query(page, r"build\.b=2\.25,-0\.5,-0\.75,-2\.25")
    placed = Hinges(np.ones(4), [2.25, -0.5, -0.75, -2.25], [0, 1.5, 0, 0])
    wait_for_network(page, placed)
    other = browser.new_context().new_page()
    open_page(other, page.url)  # the address bar, opened afresh: the same hinges
    wait_for_network(other, placed)
    other.context.close()
    page.get_by_role("button", name="Snap the output weights").click()
    wait_for_query(page, r"build\.c=")


# Four hinges, the last with w = 0 (a constant, a·relu(b)), and an output bias: the drawn g must hold every part of
# c + Σ a·relu(w·x + b)
PLACED = "?tab=Build&build.k=4&build.w=1,-2,1,0&build.b=2,0,-1,0.5&build.a=0.5,-1,0.8,-0.4&build.c=0.3"
W, B, A, C = np.array([1.0, -2, 1, 0]), np.array([2.0, 0, -1, 0.5]), np.array([0.5, -1, 0.8, -0.4]), 0.3
SINE = build.sample(np.sin, -3, 3)

# The hinge chart as drawn: g's line, the first panel's y-range and height, where x = 0 and one unit of x are in the
# page's pixels, what drew it (ui/hinge_drag.js while a hinge is held, else Python's figure), and a handle's value.
HELD_JS = """(name) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g.layout && (g.layout.annotations || []).some(a => (a.text || '').startsWith('the target and g')));
    const t = gd._fullData.find(d => d.name === 'g(x): the network');
    const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, left = gd.getBoundingClientRect().left;
    const handle = document.querySelector(`[role=slider][aria-label="${name}"]`);
    return {x: Array.from(t.x), y: Array.from(t.y), range: ya.range, height: ya._length,
            zero: left + xa._offset + xa.l2p(0), unit: xa.l2p(1) - xa.l2p(0),
            source: gd.closest('.live-chart').dataset.source, value: Number(handle.getAttribute('aria-valuenow'))};
}"""


def held(page, name: str) -> dict:
    """The chart once the next frame is painted, and handle `name`'s value."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate(HELD_JS, name)


def with_kink(j: int, kink: float, a: np.ndarray = A) -> Hinges:
    b = B.copy()
    b[j] = -W[j] * kink
    return Hinges(W, b, a, C)


def following(page, name: str, j: int) -> float:
    """While hinge j's kink handle is held: how far (pixels) the drawn g is from the core's g with the kink where the
    handle says; and that kink."""
    shown = held(page, name)
    assert shown["source"] == "hinges", "drawn by the browser while the hinge is held"
    assert np.all(np.isfinite(shown["y"])), "g is drawn everywhere (pixels_off skips gaps)"
    hinges = with_kink(j, shown["value"])
    return pixels_off(shown, hinges, {}), shown["value"]


def link_lists(page) -> dict[str, np.ndarray]:
    query = dict(re.findall(r"(build\.[wbac])=([^&]+)", page.evaluate("decodeURIComponent(location.search)")))
    return {name[-1]: np.array([float(v) for v in value.split(",")]) for name, value in query.items()}


def shown_errors(page) -> tuple[float, float]:
    values = dict(zip(page.locator("[data-testid=stMetricLabel]").all_inner_texts(),
                      page.locator("[data-testid=stMetricValue]").all_inner_texts()))
    return float(values["Mean squared error"]), float(values["Largest error"])


def test_a_kink_dragged_with_the_mouse_follows_the_hand_and_its_release_is_the_table_the_errors_and_the_link(
        page, server):
    open_page(page, server + "/" + PLACED)
    handle = page.get_by_role("slider", name="Hinge 2 kink position")
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert page.locator(".hinge-handle").count() == 8 and page.get_by_role("slider", name="Hinge 4 kink position") \
        .count() == 0, "hinge 4 has w = 0: no kink, no handles shown"
    start = held(page, "Hinge 2 kink position")
    assert start["source"] == "python" and abs(x - start["zero"]) <= 0.5, "the handle sits on the kink (x = 0)"
    page.mouse.move(x, y)
    page.mouse.down()
    kinks = set()
    for step in range(1, 11):
        page.mouse.move(x + 9 * step, y + (step % 3))  # a hand drifts up and down a little: the kink moves sideways
        off, kink = following(page, "Hinge 2 kink position", 1)
        kinks.add(kink)
        assert off <= 0.5, f"kink at {kink}: the drawn g is {off:.3f} pixels from the core's"
    assert len(kinks) == 10
    page.mouse.up()
    wait_for_query(page, r"build\.b=2,[-0-9.e]+,-1,0\.5(&|$)")
    page.wait_for_function("() => [...document.querySelectorAll('.live-chart')].some("
                           "c => c.dataset.source === 'python' && c.querySelector('.hinge-handle'))")
    lists = link_lists(page)
    assert np.array_equal(lists["w"], W) and np.array_equal(lists["a"], A) and lists["c"][0] == C
    kink = -lists["b"][1] / W[1]
    after = held(page, "Hinge 2 kink position")
    assert after["value"] == kink and abs(after["zero"] + kink * after["unit"] - (x + 90)) <= 1.5, \
        f"the kink {kink} lands {after['zero'] + kink * after['unit'] - x - 90:.2f} pixels from the hand"
    hinges = with_kink(1, kink)
    assert pixels_off(after, hinges, {}) <= 0.5 and len(after["x"]) >= 513, "Python's own line"
    table = page.locator(".st-key-lock-build-hinges #glide-cell-1-1").inner_text()
    assert float(table) == pytest.approx(kink, rel=1e-5)
    mse, largest = hinges.errors(*SINE)
    shown = shown_errors(page)
    assert shown == pytest.approx((mse, largest), rel=1e-3), (shown, mse, largest)
    slope = page.get_by_role("slider", name="Hinge 3 slope change")  # then hinge 3's slope change, up: g follows
    box = slope.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + (step % 2), y - 8 * step)
        shown = held(page, "Hinge 3 slope change")
        a = A.copy()
        a[2] = shown["value"]
        moved = Hinges(W, [2, -W[1] * kink, -1, 0.5], a, C)
        assert shown["source"] == "hinges" and np.all(np.isfinite(shown["y"]))
        assert pixels_off(shown, moved, {}) <= 0.5
        box = slope.bounding_box()
        assert abs(box["y"] + box["height"] / 2 - (y - 8 * step)) <= 1.5, "the bar stays under the hand"
    page.mouse.up()
    wait_for_query(page, rf"build\.a=0\.5,-1,{re.escape(format_number(shown['value']))},-0\.4(&|$)")


def nice(size: float) -> float:
    """The largest of 1, 2, 5 times a power of ten not above `size` (the handles' keyboard step)."""
    power = 10 ** np.floor(np.log10(size))
    return next(m * power for m in (5, 2, 1) if m * power <= size * (1 + 1e-9))


def test_the_keyboard_moves_a_focused_kink_and_slope_handle(page, server):
    open_page(page, server + "/" + PLACED)
    page.get_by_role("slider", name="Hinge 1 kink position").focus()
    for name in ("Hinge 1 slope change", "Hinge 2 kink position"):  # the Tab key goes from handle to handle
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == name
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a step: a hundredth of the x-range [-3.6, 3.6], rounded down: 0.05
    wait_for_query(page, r"build\.b=2,0\.3,-1,0\.5(&|$)")  # kink 0.15: b = -w · kink = 0.3
    page.keyboard.press("PageDown")  # ten steps back, from the focused handle (it keeps the focus across the run)
    wait_for_query(page, r"build\.b=2,-0\.7,-1,0\.5(&|$)")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Hinge 2 kink position"
    bottom, top = held(page, "Hinge 3 slope change")["range"]
    step = nice((top - bottom) / 7.2 / 1 / 5)  # a fifth of the corner-to-corner slope, per unit of |w| = 1
    slope = page.get_by_role("slider", name="Hinge 3 slope change")
    slope.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expected = float(np.float64(0.8 + 2 * step).round(12))
    page.wait_for_function(f"() => /build\\.a=0\\.5,-1,([^,&]+),-0\\.4/.exec(decodeURIComponent(location.search))?.[1] "
                           f"=== String({expected})", timeout=15_000)
    assert link_lists(page)["b"].tolist() == [2, -0.7, -1, 0.5]


def test_a_finger_drags_a_kink_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    open_page(page, server + "/" + PLACED)
    handle = page.get_by_role("slider", name="Hinge 3 kink position")
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    kinks = []
    for step in range(1, 7):
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x - 6 * step, "y": y}]})
        off, kink = following(page, "Hinge 3 kink position", 2)
        assert off <= 0.5
        kinks.append(kink)
    assert kinks == sorted(kinks, reverse=True) and kinks[-1] < 1, kinks
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_for_query(page, r"build\.b=2,0,(?!-1,)[-0-9.e]+,0\.5(&|$)")
    assert -link_lists(page)["b"][2] == pytest.approx(kinks[-1], abs=1e-12)
    context.close()


def test_a_locked_link_has_no_handles(page, server):
    open_page(page, server + "/" + PLACED + "&hide=build")
    network(page)  # drawn: the live chart makes its handles before it draws
    assert page.locator(".hinge-handle").count() == 0
    assert page.get_by_role("slider", name=re.compile("Hinge")).count() == 0
