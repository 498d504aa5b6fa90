"""relu-viz: an interactive explorer of neural-network activation functions."""

import streamlit as st
from streamlit.errors import StreamlitInvalidLayoutContextError

from relu_viz import sandbox
from ui import (
    build_panel,
    controls,
    dead_neurons,
    depth_panel,
    explorer,
    links,
    lock,
    presenter,
    speed_panel,
    style,
    tour,
    visitor,
)
from ui.state import TABS, View

st.set_page_config(
    page_title="relu-viz: activation functions, live",
    page_icon="📈",
    layout="wide",
    initial_sidebar_state="collapsed" if presenter.is_on() else "auto",
    menu_items={"About": "**relu-viz** shows how neural-network activation functions behave: ReLU and the PyTorch "
                         "family with exact derivatives and derived properties, how ReLU units die in training, and "
                         "why deep, narrow ReLU networks can be dead at birth. Every setting is in the URL: share "
                         "it."},
)
sandbox.start()  # the formula sandbox's fork server starts with the app, not at a visitor's first formula
sandbox.wanted = visitor.present  # a closed tab's formulas do not queue in the sandbox
style.apply(presenting=presenter.is_on())
tour.navigate()  # a Previous/Next click: go to that step's link before drawing anything

link = links.check_url()
tour.follow_link()
with st.sidebar, lock.group("tour", "start"):
    tour.start_button()
view = controls.sidebar(link)
with st.sidebar:
    parameter_slot = st.container()
    with lock.group("tour", "presenter"):
        presenter.toggle(view)
    lock.switch(view, link)
    links.share_slot()
style.hide(view.hide)
st.title("relu-viz")
st.caption("How activation functions behave: each curve with its exact derivative, formulas and properties.")
links.show_notices(link)
tour_done = tour.box(view)


def draw(render, view: View) -> None:
    """The open panel with all that a parameter change touches: the parameter widgets, the panel, the share box."""
    try:
        with parameter_slot, lock.group("params"):
            controls.parameters(view, link)
    except StreamlitInvalidLayoutContextError:  # a late slider rerun after the last full run drew another tab
        st.rerun()  # so redraw the whole page as it now is
    render(view)
    links.share_box(view)


draw_live = st.fragment(draw)  # the explorer: a parameter or probe change reruns only this, not the whole page
panels = dict(zip(TABS, st.tabs(TABS, key="tab", bind="query-params")))  # only the open tab runs
for name, render in zip(TABS, (explorer.render, dead_neurons.render, depth_panel.render, build_panel.render,
                                  speed_panel.render)):
    with panels[name]:
        if panels[name].open:
            view.panels["tab"] = name
            (draw_live if name == "Explorer" else draw)(render, view)
tour_done()
