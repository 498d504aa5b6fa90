"""Links a teacher locks: each group of ?hide=... disappears from the page (and from the Tab key's path) while the
settings it holds still apply; the switch writes the link; a bad value is announced."""

import pytest

from tests.apptest import notices, open_app
from tests.browser import curve, open_page
from ui.state import LOCKABLE

# group: (the link's other settings, a control of the group, found by role and name or by text)
CONTROLS = {
    "picker": ("", ("text", "ReLU family")),
    "params": ("act=leaky_relu&act=gelu&leaky_relu.negative_slope=0.2", ("slider", "Leaky ReLU negative slope")),
    "xrange": ("", ("text", "x from (≥ -1000)")),
    "probe": ("", ("text", "x (-1000 to 1000)")),
    "scenarios": ("tab=Dead+neurons&sim.epochs=20", ("button", "Healthy")),
    "training": ("tab=Dead+neurons&sim.epochs=20", ("text", "Network and training")),
    "depth": ("tab=Depth&depth.layers=5&depth.trials=1000", ("text", "Activation (born dead)")),
    "build": ("tab=Build", ("button", "Snap the output weights")),
    "tabs": ("", ("tab", "Speed")),
    "tour": ("", ("button", "Take the guided tour")),
}


def test_every_lockable_group_has_a_browser_check():
    assert set(CONTROLS) == set(LOCKABLE)


def locate(page, how):
    kind, name = how
    return page.get_by_text(name, exact=True).first if kind == "text" else page.get_by_role(kind, name=name).first


@pytest.mark.browser
@pytest.mark.parametrize("name", LOCKABLE)
def test_a_locked_group_is_hidden_and_its_settings_still_apply(page, server, name):
    query, control = CONTROLS[name]
    open_page(page, f"{server}/?{query}")
    locate(page, control).wait_for(state="visible", timeout=60_000)
    open_page(page, f"{server}/?{query}&hide={name}")
    page.get_by_role("switch", name="Lock for students").wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(500)
    assert not locate(page, control).is_visible(), f"hide={name} left {control} on the page"
    if name == "params":  # the chart's sliders and the sidebar's choices are gone; the hidden value is still drawn
        assert curve(page, "Leaky ReLU")["y"][0] == pytest.approx(-2.0, abs=1e-5)
        assert page.get_by_role("slider").count() == 0 and not page.get_by_text("GELU parameters").is_visible()


def test_the_switch_writes_the_link_and_the_share_box_carries_it():
    at = open_app({"act": "leaky_relu"})
    assert not at.toggle(key="lock.on").value and "hide" not in at.query_params
    at.toggle(key="lock.on").set_value(True).run()
    at.multiselect(key="lock.hide").set_value(["tabs", "picker"]).run()
    assert at.query_params["hide"] == "picker,tabs"
    assert "hide=picker%2Ctabs" in at.code[0].value or "hide=picker,tabs" in at.code[0].value
    at.toggle(key="lock.on").set_value(False).run()
    assert "hide" not in at.query_params and "hide" not in at.code[0].value


def test_a_locked_link_opens_locked_and_a_bad_group_is_announced():
    at = open_app({"hide": "tabs,params"})
    assert at.toggle(key="lock.on").value and at.multiselect(key="lock.hide").value == ["params", "tabs"]
    bad = open_app({"hide": "params,everything"})
    assert "Ignored `'hide'` = `'params,everything'`: must list groups among picker" in notices(bad)
    assert not bad.toggle(key="lock.on").value and "hide" not in bad.query_params
