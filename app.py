"""relu-viz: an interactive explorer of neural-network activation functions."""

import streamlit as st

from ui import controls, dead_neurons, depth_panel, explorer, links
from ui.state import TABS

st.set_page_config(
    page_title="relu-viz: activation functions, live",
    page_icon="📈",
    layout="wide",
    menu_items={"About": "relu-viz: how activation functions (ReLU and the PyTorch family) behave, with exact "
                         "derivatives and derived properties, and how ReLU units die in training. Every setting is "
                         "in the URL: share it."},
)

link = links.check_url()
view = controls.sidebar(link)
st.title("relu-viz")
st.caption("How activation functions behave: each curve with its exact derivative, formulas and properties.")
links.show_notices(link)
panels = dict(zip(TABS, st.tabs(TABS, key="tab", bind="query-params")))  # only the open tab runs
for name, render in zip(TABS, (explorer.render, dead_neurons.render, depth_panel.render)):
    with panels[name]:
        if panels[name].open:
            view.panels["tab"] = name
            render(view)
with st.sidebar:
    links.share_box(view)
