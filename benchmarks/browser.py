"""How fast a slider press repaints the chart, in headless Chromium, beside a minimal Streamlit app in the same run.

The minimal app is one slider and one Plotly chart of Leaky ReLU and its derivative (2001 points): the floor
Streamlit itself sets. For each case: a warm-up press, then the median of 7 presses of ArrowRight on the slider,
each timed in the page from the key press to the first animation frame after the chart holds the new value; ten
rapid presses, timed from the last press until the chart settles on the last value; and the cold start, from the
server process's start to the first painted chart.

Run: python benchmarks/browser.py [--presses N] [--rounds R]   (the cases take turns, R rounds; medians over all)
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

MINIMAL_APP = '''
import numpy as np
import plotly.graph_objects as go
import streamlit as st

slope = st.slider("negative_slope", 0.0, 1.0, 0.01, 0.01)
x = np.linspace(-10, 10, 2001)
fig = go.Figure([go.Scatter(x=x, y=np.where(x > 0, x, slope * x), name="Leaky ReLU"),
                 go.Scatter(x=x, y=np.where(x > 0, 1.0, slope), name="derivative")])
st.plotly_chart(fig)
'''
SIX = ("relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh")
CASES = {  # name: (app, query)
    "minimal app": ("minimal", ""),
    "relu-viz, Leaky ReLU alone": ("app", "?act=leaky_relu"),
    "relu-viz, 6 activations": ("app", "?" + "&".join(f"act={k}" for k in SIX)),
}
# The y of the Leaky ReLU curve at x = -10 (-10 x slope), read from Plotly's decoded traces once painted.
VALUE_JS = """() => {
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        const t = (gd._fullData || []).find(d => d.name === 'Leaky ReLU');
        if (t) return t.y[0];
    }
    return null;
}"""
# In the page: the time of the last key press (a capturing listener records it), then wait for the chart to hold the
# target value and for the next animation frame; return the milliseconds in between.
LISTEN_JS = """() => { if (!window.__listening) { window.__listening = true;
    document.addEventListener('keydown', () => { window.__pressed = performance.now(); }, {capture: true}); } }"""
REPAINT_JS = """async (target) => {
    const value = """ + VALUE_JS + """;
    const start = performance.now();
    while (value() === null || Math.abs(value() - target) > 1e-6) {
        await new Promise(r => requestAnimationFrame(r));
        if (performance.now() - start > 20000) return null;
    }
    await new Promise(r => requestAnimationFrame(r));
    return performance.now() - window.__pressed;
}"""


def slope_now(page) -> float:
    return -page.evaluate(VALUE_JS) / 10


def press(page, presses: int = 1) -> float:
    """Press ArrowRight `presses` times on the focused slider; ms from the last press to the repaint."""
    target = -10 * round(slope_now(page) + 0.01 * presses, 2)
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
    result = page.evaluate(REPAINT_JS, target)
    if result is None:
        raise RuntimeError("the chart never showed the new value")
    return result


def measure(browser, url: str, presses: int) -> dict:
    """Latencies of single presses (after a warm-up) and of a burst of ten, in ms."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(f"({VALUE_JS})() !== null", timeout=60_000)
    page.wait_for_timeout(1500)
    page.evaluate(LISTEN_JS)
    page.get_by_role("slider").first.focus()
    press(page)  # warm-up
    page.wait_for_timeout(500)
    times = []
    for _ in range(presses):
        times.append(press(page))
        page.wait_for_timeout(400)
    burst = press(page, 10)
    context.close()
    return {"press": times, "burst": [burst]}


def cold_start(browser, app: pathlib.Path, query: str) -> float:
    """Seconds from starting the server process to the first painted chart."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, running_server(pathlib.Path(tmp) / "log", app=app) as server:
        page = browser.new_page()
        page.goto(server.url + "/" + query)
        page.wait_for_function(f"({VALUE_JS})() !== null", timeout=120_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(r))")
        elapsed = time.perf_counter() - start
        page.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presses", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = {name: {"press": [], "burst": []} for name in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        minimal = pathlib.Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        apps = {"minimal": minimal, "app": ROOT / "app.py"}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            with running_server(pathlib.Path(tmp) / "minimal.log", app=minimal) as small, \
                    running_server(pathlib.Path(tmp) / "app.log") as full:
                urls = {"minimal": small.url, "app": full.url}
                for _ in range(args.rounds):  # the cases take turns, so a slow moment of the machine hits all
                    for name, (app, query) in CASES.items():
                        for kind, values in measure(browser, urls[app] + "/" + query, args.presses).items():
                            results[name][kind] += values
            for name, (app, query) in CASES.items():
                results[name]["cold"] = cold_start(browser, apps[app], query)
            browser.close()
    base = statistics.median(results["minimal app"]["press"])
    print(f"slider press to repainted chart, headless Chromium, 1440x900, median of {args.rounds} x "
          f"{args.presses} presses; ten rapid presses: median of {args.rounds}")
    print(f"{'case':30s} {'press':>9s} {'ratio':>6s} {'10 presses':>11s} {'cold start':>11s} {'ratio':>6s}")
    for name, r in results.items():
        press_ms, burst_ms = statistics.median(r["press"]), statistics.median(r["burst"])
        print(f"{name:30s} {press_ms:7.0f} ms {press_ms / base:5.2f}x {burst_ms:8.0f} ms "
              f"{r['cold']:9.2f} s {r['cold'] / results['minimal app']['cold']:5.2f}x")
    print("10 presses: from the last of ten rapid presses until the chart shows the last value")


if __name__ == "__main__":
    main()
