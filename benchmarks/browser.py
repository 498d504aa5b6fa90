"""How the chart follows a slider in headless Chromium, beside a minimal Streamlit app in the same run.

The minimal app is one slider and one Plotly chart of Leaky ReLU and its derivative (2001 points): the floor
Streamlit itself sets. For each case (Leaky ReLU alone, six activations):

- drag: the slope's slider dragged with the mouse for 2 seconds in 60 steps (button held), its frames recorded in
  the page after each painted frame: the share of steps after which a frame shows the curve at the slider's new
  value, repaints per second, how far (pixels) each drawn curve is from the core's at the slider's value, the
  bytes the server sent during the drag, and after release: the time to the first painted frame of Python's own
  figure (the minimal app: of the chart at the new value, its only repaint) and to the settled page;
- press: a warm-up press, then the median of 7 presses of ArrowRight on the slider, each timed in the page from the
  key press to the end of the first painted frame whose chart holds the new value (chart), and to the first painted
  frame after the whole rerun landed (settled: probe, properties and share link current too); ten rapid presses,
  timed from the last press until the page settles on the last value;
- the cold start, from the server process's start to the first painted chart.

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
from relu_viz import ACTIVATIONS  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, pixels_off, running_server  # noqa: E402

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
SLIDER = {"minimal": "[data-testid=stSlider] input", "app": 'input[aria-label="Leaky ReLU negative slope"]'}
STEPS, SECONDS = 60, 2.0
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
# first frame after the whole rerun has landed (no script running, no element left stale, the live chart drawing
# Python's figure again, not its frames): the probe, properties and share link current too. Milliseconds from the
# press.
LISTEN_JS = """() => { if (!window.__listening) { window.__listening = true;
    document.addEventListener('keydown', () => { window.__pressed = performance.now(); }, {capture: true}); } }"""
REPAINT_JS = """async (target) => {
    const value = """ + VALUE_JS + """;
    const landed = () => document.querySelector('[data-test-script-state]')?.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-stale="true"]')
        && document.querySelector('.live-chart')?.dataset.source !== 'frames';  // the live chart: Python's figure
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


# A recorder in the page: the time of each move of the held pointer and of the release, and after each painted frame
# (a user-blocking task queued from the frame's animation callback runs right after its rendering) the slider's
# value, the Leaky ReLU curve drawn (its points when redrawn, its panel's range and height), what drew it (the live
# chart's frames or Python's figure; the minimal app's chart is always Python's) and whether the rerun has landed.
RECORD_JS = """(selector) => {
    const rec = window.__drag = {moves: [], frames: [], up: null, stop: false};
    const slider = () => document.querySelector(selector);
    const value = () => Number(slider().value);
    document.addEventListener('pointermove', e => { if (e.buttons) rec.moves.push(e.timeStamp); }, {capture: true});
    document.addEventListener('pointerup', e => { rec.up = e.timeStamp; }, {capture: true});
    const landed = () => document.querySelector('[data-test-script-state]')?.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-stale="true"]');
    let last = null;
    const record = () => {
        const gd = document.querySelector('.js-plotly-plot');
        const t = gd?._fullData?.find(d => d.name === 'Leaky ReLU' && (d.yaxis || 'y') === 'y');
        if (t) {  // (none while Streamlit replaces the chart)
            const redrawn = t.y !== last;  // its points, once a redraw
            last = t.y;
            rec.frames.push({t: performance.now(), v: value(), y0: t.y[0], landed: landed(),
                source: gd.closest('.live-chart')?.dataset.source || 'python',
                x: redrawn ? Array.from(t.x) : null, y: redrawn ? Array.from(t.y) : null,
                range: gd._fullLayout.yaxis.range, height: gd._fullLayout.yaxis._length});
        }
        if (!rec.stop) requestAnimationFrame(() => scheduler.postTask(record, {priority: 'user-blocking'}));
    };
    requestAnimationFrame(() => scheduler.postTask(record, {priority: 'user-blocking'}));
}"""


def drag(browser, url: str, app: str) -> dict:
    """Drag the slope's slider for SECONDS in STEPS mouse moves; what the page painted, step by step."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append((time.perf_counter(), len(f)))))
    page.goto(url)
    page.wait_for_function(f"({VALUE_JS})() !== null", timeout=60_000)
    page.wait_for_timeout(1500)
    slider = page.locator(SLIDER[app]).first
    if app == "app":  # a range input: its thumb sits at the value's place along it (slope 0.01 of [0, 1])
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        x, width = box["x"] + 8 + (box["width"] - 16) * 0.01, box["width"] - 16
    else:  # Streamlit's slider: a hidden input in the thumb, which sits on the track
        box = slider.locator("xpath=../..").bounding_box()
        x, width = box["x"] + box["width"] / 2, slider.locator("xpath=../../..").bounding_box()["width"]
    y = box["y"] + box["height"] / 2
    page.evaluate(RECORD_JS, SLIDER[app])
    page.mouse.move(x, y)
    page.mouse.down()
    start = time.perf_counter()
    for i in range(1, STEPS + 1):
        page.mouse.move(x + 0.85 * width * i / STEPS, y)
        time.sleep(max(0.0, start + SECONDS * i / STEPS - time.perf_counter()))
    during = sum(n for t, n in received if t >= start)
    released = time.perf_counter()
    page.mouse.up()
    settled = """() => { const f = window.__drag.frames.at(-1);
        return f.landed && f.source === 'python' && Math.abs(f.y0 + 10 * f.v) < 1e-4; }"""
    try:
        page.wait_for_function(settled, timeout=30_000)
    except Exception:
        raise RuntimeError(f"{url}: no settled page after the release; last frame "
                           f"{page.evaluate('() => window.__drag.frames.at(-1)')}") from None
    page.evaluate("() => { window.__drag.stop = true; }")
    record = page.evaluate("() => window.__drag")
    context.close()
    return {**_steps(record), "bytes during": during, "bytes after": sum(n for t, n in received if t >= released)}


def _steps(record: dict) -> dict:
    """The drag's figures from the page's record (times in ms)."""
    moves, frames, up = record["moves"], record["frames"], record["up"]
    ends = moves[1:] + [up]
    shown, changed = 0, 0
    previous = None
    for start, end in zip(moves, ends):
        inside = [f for f in frames if start <= f["t"] < end]
        target = inside[-1]["v"] if inside else None
        if target is None or target == previous:
            continue  # the step did not move the slider to a new value
        changed += 1
        shown += any(abs(f["y0"] + 10 * target) < 1e-4 for f in inside)
        previous = target
    held = [f for f in frames if moves[0] <= f["t"] < up]
    repaints = sum(1 for a, b in zip(held, held[1:]) if b["y0"] != a["y0"])
    points = None
    for f in frames:  # how far each drawn curve is from the core's at the slider's value, in pixels
        points = f if f["x"] is not None else points
        f["off"] = pixels_off({**f, **{k: points[k] for k in ("x", "y")}}, ACTIVATIONS["leaky_relu"],
                              {"negative_slope": f["v"]}) if points else None
    final = frames[-1]["v"]
    after = [f for f in frames if f["t"] >= up]
    exact = next(f["t"] for f in after if f["v"] == final and f["off"] is not None and f["off"] <= 0.01)
    python = [f for f in after if f["source"] == "python" and abs(f["y0"] + 10 * final) < 1e-4]
    settled = next(f["t"] for f in python if f["landed"])
    return {"steps": changed, "shown": shown, "seconds": (up - moves[0]) / 1000,
            "per second": repaints / ((up - moves[0]) / 1000), "off": max(f["off"] or 0 for f in held),
            "to exact": exact - up, "to figure": python[0]["t"] - up, "to settled": settled - up}


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

    results = {name: {"press": [], "settled": [], "burst": [], "drag": []} for name in CASES}
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
                        results[name]["drag"].append(drag(browser, urls[app] + "/" + query, app))
                        for kind, values in measure(browser, urls[app] + "/" + query, args.presses).items():
                            results[name][kind] += values
            for name, (app, query) in CASES.items():
                results[name]["cold"] = cold_start(browser, apps[app], query)
            browser.close()
    report(results, args)


def report(results: dict, args) -> None:
    print(f"a {SECONDS:g} s drag of {STEPS} moves of the slope's slider (button held), headless Chromium 1440x900, "
          f"median of {args.rounds} drags")
    print(f"{'case':27s} {'steps shown':>12s} {'took':>6s} {'repaints/s':>10s} {'off, px':>8s} {'bytes':>7s} "
          f"{'release to: exact curve':>24s} {'figure':>7s} {'settled':>8s} {'bytes':>7s}")
    for name, r in results.items():
        d = {k: statistics.median(x[k] for x in r["drag"]) for k in r["drag"][0]}
        share = d["shown"] / d["steps"]
        print(f"{name:27s} {d['shown']:4.0f} of {d['steps']:2.0f} {share:4.0%} {d['seconds']:5.2f}s "
              f"{d['per second']:10.1f} {max(x['off'] for x in r['drag']):8.3f} {d['bytes during']:7.0f} "
              f"{d['to exact']:21.0f} ms {d['to figure']:4.0f} ms {d['to settled']:5.0f} ms {d['bytes after']:7.0f}")
    print("steps shown: moves after which a painted frame showed the curve at the slider's new value, of the moves "
          "that changed it; took: from the first move to the release (each move waits for the page to take it); "
          "off: the most any curve drawn while the button was held was from the core's at the slider's value (the "
          "minimal app's chart stays put); bytes: sent by the server while the button was held, then after the "
          "release; release to: the first painted frame showing the exact curve at the released value (within "
          "0.01 px of the core's: the live chart's frames are exact at the grid values and where interpolation is), "
          "showing Python's figure (the minimal app: its chart at the new value, its only repaint), and after the "
          "whole rerun landed")
    print()
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
