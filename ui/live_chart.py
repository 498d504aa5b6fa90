"""A live Plotly chart: a Streamlit v2 component that draws a figure from Python with sliders beside it. While a
slider moves, the browser redraws the figure from the slider's frames (ui/frames.py: the figure's updates that
Python computed for a grid of its values), so the chart follows the hand; on release the values go back to Python
once, through `on_release`. The JavaScript is ui/live_chart.js; plotly.js is the installed plotly package's own
bundle, served by Streamlit and loaded once per page.

Reuse: `show(figure, sliders, key=..., on_release=...)` with any Plotly figure and `Slider`s whose frames update
it (ui/frames.py: `grid` from the exact updates at each step value, and a chart's pixels per unit). The Build tab's
hinges are dragged on the chart itself: `hinges=` gives their numbers to ui/hinge_drag.js, which is part of the same
module (so of the same plotly.js), and a hinge let go comes back through `on_release` as a slider's value does."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

from ui.charts import FLAT_PAD, PAD

NAME = "relu_viz.live_chart"
# The JavaScript is one module: the chart, then the hinge handles it uses on the Build tab (a component's inline
# module cannot import a file beside it).
_JS = "\n".join(pathlib.Path(__file__).with_name(name).read_text() for name in ("live_chart.js", "hinge_drag.js"))
_mount = st.components.v2.component(NAME, js=_JS, isolate_styles=False)  # plotly.js styles the page's document


@dataclass(frozen=True)
class Slider:
    """One slider: its value goes back to Python under `id` on release."""

    id: str
    label: str  # its accessible name, naming what it sets: "Leaky ReLU negative slope"
    group: str  # the heading it is listed under (the activation)
    name: str  # its visible label (the parameter)
    help: str
    low: float
    high: float
    step: float
    value: float
    frames: dict | None = None  # ui.frames.Frames.payload() (with its digest), or None: the chart follows on release
    others: dict[str, list[float]] = field(default_factory=dict)  # axis -> extremes the frames' extents join


def show(figure: go.Figure, sliders: list[Slider], *, key: str, on_release: Callable[[dict], None],
         filename: str = "chart", hinges: dict | None = None) -> None:
    """Draw `figure` with `sliders` beside it (none: the chart alone); `on_release(values)` gets {slider id:
    value} for the sliders released since the last run, before the run that follows. A slider's frames travel
    once per session: after that, by their digest (the browser keeps them). `hinges` ({w, b, a, c, view, a_range}:
    ui/hinge_drag.js) puts a handle on each hinge's kink and slope change; one let go comes back to `on_release` as
    {"hinge": index, "kink": x, "a": a}, as the browser sent it (unchecked)."""
    _serve_plotly()
    seq, sent = f"{key}.seq", st.session_state.setdefault(f"{key}.sent", set())

    def released() -> None:
        payload = (st.session_state[key] or {}).get("release") or {}
        if isinstance(payload, dict) and isinstance(payload.get("values"), dict) and isinstance(payload.get("seq"),
                                                                                                  int):
            st.session_state[seq] = payload["seq"]
            on_release(payload["values"])

    shown = [asdict(s) for s in sliders]
    for spec in shown:
        if spec["frames"] is not None:
            digest = spec["frames"]["digest"]
            spec["frames"] = {"digest": digest} if digest in sent else spec["frames"]
            sent.add(digest)
    spec = figure.to_plotly_json()
    spec["layout"].pop("template", None)  # the page's theme styles it (ui/live_chart.js)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    _mount(key=key, on_release_change=released, on_missing_change=sent.clear, data={
        "plotly": f"{'/' + base if base else ''}/_stcore/bidi-components/{NAME}/plotly.min.js",
        "figure": pio.to_json(spec, validate=False), "pad": [PAD, FLAT_PAD], "seq": st.session_state.get(seq),
        "png": {"format": "png", "filename": filename, "scale": 2},
        "sliders": shown, "hinges": hinges})


def _serve_plotly() -> None:
    """Serve the installed plotly package's plotly.min.js at /_stcore/bidi-components/<NAME>/plotly.min.js, as
    Streamlit serves the asset directory that an installed component declares in its pyproject.toml: here the
    declaration names plotly's own package_data (once per runtime; AppTest makes one per test)."""
    manager = get_bidi_component_manager()
    if manager.get_component_asset_root(NAME) is None:
        declared = ComponentManifest("relu_viz", "1", [ComponentConfig("live_chart", asset_dir="package_data")])
        manager.register_from_manifest(declared, pathlib.Path(plotly.__file__).parent)
