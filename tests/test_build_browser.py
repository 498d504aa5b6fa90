"""The Build tab in a real browser: a hinge placed by typing in its table moves the drawn network and the link,
and the link reproduces it."""

import numpy as np
import pytest

from relu_viz.build import Hinges
from tests.browser import open_page, wait_for_query

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
