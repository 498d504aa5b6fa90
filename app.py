"""relu-viz: an interactive explorer of neural-network activation functions."""

import streamlit as st

from ui import controls, explorer, links

st.set_page_config(
    page_title="relu-viz: activation functions, live",
    page_icon="📈",
    layout="wide",
    menu_items={"About": "relu-viz: how activation functions (ReLU and the PyTorch family) behave, with exact "
                         "derivatives and derived properties. Every setting is in the URL: share it."},
)

link = links.check_url()
view = controls.sidebar(link)
st.title("relu-viz")
st.caption("How activation functions behave: each curve with its exact derivative, formulas and properties.")
links.show_notices(link)
explorer.render(view)
with st.sidebar:
    links.share_box(view)
