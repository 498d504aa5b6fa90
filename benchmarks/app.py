"""Median rerun time of the explorer (AppTest) with six activations, next to minimal one-chart apps.

Run: python benchmarks/app.py [--reruns N]
"""

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

from streamlit.testing.v1 import AppTest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIX = ["relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh"]
SAME_CURVES_APP = f"""
import numpy as np
import plotly.graph_objects as go
import streamlit as st
from relu_viz import ACTIVATIONS

x = np.linspace(-10, 10, 801)
fig = go.Figure()
for key in {SIX!r}:
    fig.add_trace(go.Scatter(x=x, y=ACTIVATIONS[key](x), name=key))
    fig.add_trace(go.Scatter(x=x, y=ACTIVATIONS[key].derivative(x), name=key + "'", yaxis="y2"))
fig.update_layout(yaxis={{"domain": [0.53, 1]}}, yaxis2={{"domain": [0, 0.47]}})
st.plotly_chart(fig)
"""
MINIMAL_APP = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

x = np.linspace(-10, 10, 801)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.maximum(x, 0))))
"""


def write_app(source: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as app:
        app.write(source)
    return app.name


def median_rerun(path: str, query: dict, reruns: int) -> float:
    at = AppTest.from_file(path, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()  # first run: imports and cold caches, not counted
    assert not at.exception, at.exception
    times = []
    for _ in range(reruns):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    base = median_rerun(write_app(MINIMAL_APP), {}, args.reruns)
    same = median_rerun(write_app(SAME_CURVES_APP), {}, args.reruns)
    explorer = median_rerun(str(ROOT / "app.py"), {"act": SIX}, args.reruns)
    print(f"median rerun over {args.reruns} reruns (AppTest)")
    print(f"minimal app, one chart of one curve:            {base * 1e3:7.1f} ms")
    print(f"minimal app, one chart of the same 12 curves:   {same * 1e3:7.1f} ms")
    print(f"explorer, 6 activations + derivatives, full page: {explorer * 1e3:5.1f} ms  "
          f"({explorer / same:.2f}x the same-curves app, {explorer / base:.2f}x the one-curve app; target <= 1.5x)")


if __name__ == "__main__":
    main()
