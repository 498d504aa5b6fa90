"""How fast a slider press repaints the chart, in headless Chromium, beside a minimal Streamlit app in the same run.

The minimal app is one slider and one Plotly chart of Leaky ReLU and its derivative (2001 points): the floor
Streamlit itself sets. For each case: a warm-up press, then the median of 7 presses of ArrowRight on the slider,
each timed in the page from the key press to the end of the first painted frame whose chart holds the new value
(chart), and to the first painted frame after the whole rerun landed (settled: probe, properties and share link
current too); ten rapid presses, timed from the last press until the page settles on the last value; and the cold
start, from the server process's start to the first painted chart.

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
# In the page: the time of the last key press (a capturing listener records it), then, frame by frame: `painted`, the
# end of the rendering of the first frame whose chart holds the target value (a user-blocking task queued from that
# frame's animation callback runs right after the frame's style, layout and paint), and `settled`, the same for the
# first frame after the whole rerun has landed (no script running, no element left stale): the probe, properties and
# share link current too. Milliseconds from the press.
LISTEN_JS = """() => { if (!window.__listening) { window.__listening = true;
    document.addEventListener('keydown', () => { window.__pressed = performance.now(); }, {capture: true}); } }"""
REPAINT_JS = """async (target) => {
    const value = """ + VALUE_JS + """;
    const landed = () => document.querySelector('[data-test-script-state]')?.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-stale="true"]');
    const frameDone = () => new Promise(r => requestAnimationFrame(() => scheduler.postTask(r,
        {priority: 'user-blocking'})));
    const start = performance.now();
    let painted = null;
    while (performance.now() - start < 20000) {
        await frameDone();
        const holds = value() !== null && Math.abs(value() - target) <= 1e-6;
        if (holds && painted === null) painted = performance.now() - window.__pressed;
        if (holds && landed()) return [painted, performance.now() - window.__pressed];
    }
    return null;
}"""


def slope_now(page) -> float:
    return -page.evaluate(VALUE_JS) / 10


def press(page, presses: int = 1) -> list[float]:
    """Press ArrowRight `presses` times on the focused slider; ms from the last press to the chart painted with the
    last value, and to the page settled."""
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
    return {"press": [t[0] for t in times], "settled": [t[1] for t in times], "burst": [burst[1]]}


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

    results = {name: {"press": [], "settled": [], "burst": []} for name in CASES}
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
    base = {kind: statistics.median(results["minimal app"][kind]) for kind in ("press", "settled")}
    print(f"slider press to painted chart, headless Chromium, 1440x900, median of {args.rounds} x "
          f"{args.presses} presses; ten rapid presses: median of {args.rounds}")
    print(f"{'case':30s} {'chart':>9s} {'ratio':>6s} {'settled':>9s} {'ratio':>6s} {'10 presses':>11s} "
          f"{'cold start':>11s} {'ratio':>6s}")
    for name, r in results.items():
        press_ms, settled_ms = statistics.median(r["press"]), statistics.median(r["settled"])
        print(f"{name:30s} {press_ms:6.0f} ms {press_ms / base['press']:5.2f}x {settled_ms:6.0f} ms "
              f"{settled_ms / base['settled']:5.2f}x {statistics.median(r['burst']):8.0f} ms "
              f"{r['cold']:9.2f} s {r['cold'] / results['minimal app']['cold']:5.2f}x")
    print("chart: to the painted frame that first shows the new value; settled: to the first painted frame after the "
          "whole rerun landed (probe, properties, share link); 10 presses: from the last of ten rapid presses until "
          "the page settled on the last value")


if __name__ == "__main__":
    main()
