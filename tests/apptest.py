"""Helpers for driving the app with Streamlit's AppTest and reading the curves it plotted."""

from __future__ import annotations

import base64
import json
import pathlib

import numpy as np
from streamlit.testing.v1 import AppTest

APP = str(pathlib.Path(__file__).resolve().parent.parent / "app.py")


def open_app(query: dict[str, str | list[str]] | None = None) -> AppTest:
    """Run the app as if opened from a link with this query."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _array(value) -> np.ndarray:
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype(np.float64)
    return np.asarray(value, dtype=np.float64)


def live(at: AppTest) -> dict:
    """What the explorer's live chart was sent: its figure (parsed) and its sliders."""
    charts = [c for c in at.get("bidi_component") if c.proto.component_name == "relu_viz.live_chart"]
    assert charts, "no live chart on the page"
    data = json.loads(charts[0].proto.json)
    return {**data, "figure": json.loads(data["figure"])}


def sliders(at: AppTest) -> dict[str, float]:
    """The live chart's sliders: id -> value shown."""
    return {s["id"]: s["value"] for s in live(at)["sliders"]}


def plotted(at: AppTest) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
    """The drawn curves: (label, row) -> (x, y); row 1 is f, row 2 is f'."""
    spec = live(at)["figure"]
    curves = {}
    for trace in spec["data"]:
        if trace.get("mode") == "lines" and trace.get("name"):  # Maxout's faint pieces have no name
            row = 2 if trace.get("yaxis") == "y2" else 1
            curves[(trace["name"], row)] = (_array(trace["x"]), _array(trace["y"]))
    return curves


def notices(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)
