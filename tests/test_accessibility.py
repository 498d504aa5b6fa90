"""Accessibility in the browser: axe-core (WCAG 2 A and AA rules) finds no serious or critical violation on any
tab or in the tour, in the light and the dark theme; the controls are reached with the Tab key."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

VIEWS = {
    "explorer": "?act=relu&act=leaky_relu&act=sigmoid",
    "dead neurons": "?tab=Dead+neurons",
    "your data": "?tab=Dead+neurons&sim.data=upload",
    "digits": "?tab=Dead+neurons&sim.data=digits&sim.epochs=30",
    "depth": "?tab=Depth",
    "build": "?tab=Build&build.k=6&build.start=random&build.fit=true",
    "speed": "?tab=Speed",
    "tour": "?tour=6",
    "presenter": "?tour=2&present=1",
}
# What a view shows once it is drawn, where the running indicator may be gone before it is: the Build tab's hinge
# handles (ui/hinge_drag.js), which axe checks too
READY = {"build": ".hinge-handle:not([hidden])"}
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def settled(page, url: str, ready: str | None = None):
    """The page once every element of the view is drawn (the running indicator gone, and `ready` shown)."""
    page.goto(url)
    page.get_by_role("heading", name="relu-viz").wait_for(timeout=30_000)  # not every view has a chart
    page.wait_for_timeout(1000)  # the run under way (its status widget shown) before waiting for it to end
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    if ready:
        page.wait_for_selector(ready, timeout=120_000)
    page.wait_for_timeout(500)  # the last delta painted
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violation_on_any_view(browser, server, axe, scheme):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
    failures = {}
    try:
        page = context.new_page()
        for name, query in VIEWS.items():
            results = axe.run(settled(page, server + "/" + query, READY.get(name)), options=OPTIONS)
            serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                failures[name] = [(v["id"], [n["failureSummary"].splitlines()[-1] + " at " + str(n["target"])
                                             for n in v["nodes"][:3]]) for v in serious]
    finally:
        context.close()
    assert not failures, f"axe-core, {scheme} theme: {failures}"


def test_the_tab_key_reaches_every_kind_of_control_and_shows_where_it_is(page, server):
    """Tab through the explorer: sliders, tabs, buttons and number boxes are reached, and each focused control
    looks different from the same control unfocused (a focus indicator a sighted keyboard user can see)."""
    settled(page, server + "/?act=leaky_relu")
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        role = focused.evaluate("e => e.getAttribute('role') || e.getAttribute('type') || e.tagName.toLowerCase()")
        role = {"range": "slider"}.get(role, role)  # Streamlit's slider is an <input type="range">
        box = focused.bounding_box()
        if role in ("slider", "tab", "button", "number", "checkbox", "switch") and box and box["width"] > 0:
            clip = {"x": max(box["x"] - 4, 0), "y": max(box["y"] - 4, 0), "width": box["width"] + 8,
                    "height": box["height"] + 8}
            with_focus = page.screenshot(clip=clip, animations="disabled")
            focused.evaluate("e => e.blur()")
            page.wait_for_timeout(100)
            without = page.screenshot(clip=clip, animations="disabled")
            focused.evaluate("e => e.focus()")
            html = focused.evaluate("e => e.outerHTML.slice(0, 200)")
            assert with_focus != without, f"no visible focus indicator on a {role}: {html}"
            reached.add(role)
    assert {"slider", "tab", "button", "number", "checkbox", "switch"} <= reached, reached
