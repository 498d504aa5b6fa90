"""Shared fixtures for the browser suite: the real app under `streamlit run`, and Debian's Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]

# The plotted data of one curve, read from Plotly's decoded traces (_fullData) in the page.
CURVE_JS = """([label, row]) => {
    const gd = document.querySelector('.js-plotly-plot');
    if (!gd || !gd._fullData) return null;
    const t = gd._fullData.find(d => d.name === label && d.mode === 'lines' && (row === 2) === (d.yaxis === 'y2'));
    return t ? {x: Array.from(t.x), y: Array.from(t.y)} : null;
}"""


def run_async(coroutine):
    """asyncio.run in a thread of its own: the browser suite's sync Playwright keeps a loop in the main one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    pid: int
    log: pathlib.Path

    def rss_mib(self, field: str = "VmRSS") -> float:
        """Resident memory of the server process (VmHWM: its peak), from /proc."""
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise KeyError(field)


@contextlib.contextmanager
def running_server(log_path: pathlib.Path, app: pathlib.Path = ROOT / "app.py"):
    """`streamlit run app.py` (or another app) on a free localhost port, until the block ends; its log must hold
    no traceback."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.headless",
             "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"streamlit did not start within 60 s:\n{log_path.read_text()}")
                time.sleep(0.3)
        try:
            yield Server(url, proc.pid, log_path)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    text = log_path.read_text()
    assert "Traceback" not in text, f"the server logged an error:\n{text}"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app's base URL, served for the whole browser suite."""
    with running_server(tmp_path_factory.mktemp("server") / "streamlit.log") as running:
        yield running.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing Chromium is a failure, never a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def open_page(page, url: str):
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    return page


def wait_for_value(page, label: str, index: int, value: float, row: int = 1) -> None:
    """Wait until curve `label` has y[index] == value (to float32 precision): the chart was redrawn."""
    check = f"const c = ({CURVE_JS})({[label, row]!r}); return c && Math.abs(c.y[{index}] - ({value})) < 1e-5;"
    page.wait_for_function(f"(() => {{ {check} }})()", timeout=15_000)


def curve(page, label: str, row: int = 1) -> dict:
    page.wait_for_function(f"({CURVE_JS})({[label, row]!r})", timeout=15_000)
    return page.evaluate(CURVE_JS, [label, row])


def wait_for_query(page, pattern: str) -> None:
    """Wait until the address bar's query string matches the regular expression (bound widgets rewrite it in
    place, without a navigation)."""
    page.wait_for_function(f"() => new RegExp({pattern!r}).test(decodeURIComponent(location.search))",
                           timeout=15_000)


def nudge_slider(page, presses: int) -> None:
    """Move the page's first slider right by `presses` steps with the keyboard."""
    thumb = page.get_by_role("slider").first
    thumb.focus()
    for _ in range(presses):
        thumb.press("ArrowRight")


# One curve as drawn, with its panel's y-range and height in pixels, what drew it (frames or Python's figure) and
# the value of the slider named.
DRAWN_JS = """([label, row, slider]) => {
    const gd = document.querySelector('.js-plotly-plot');
    const t = gd._fullData.find(d => d.name === label && d.mode === 'lines' && (row === 2) === (d.yaxis === 'y2'));
    const axis = gd._fullLayout[row === 2 ? 'yaxis2' : 'yaxis'];
    const input = document.querySelector(`input[aria-label="${slider}"]`);
    return {x: Array.from(t.x), y: Array.from(t.y), range: axis.range, height: axis._length,
            source: gd.closest('.live-chart').dataset.source, value: Number(input.value)};
}"""


def drawn(page, label: str, row: int, slider: str) -> dict:
    """The curve `label` (row 1: f, 2: f') as drawn once the next frame is painted, and the slider's value."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate(DRAWN_JS, [label, row, slider])


def pixels_off(shown: dict, g, params: dict) -> float:
    """How far, in pixels of its panel, a drawn curve is from the core's function g at its points (a jump's
    limits aside) and between them (the polyline against g on a fine grid inside each piece)."""
    x, y = np.array(shown["x"], dtype=float), np.array(shown["y"], dtype=float)
    scale = shown["height"] / (shown["range"][1] - shown["range"][0])
    off = [0.0]
    for piece in np.split(np.arange(len(x)), np.flatnonzero(np.isnan(y))):
        piece = piece[~np.isnan(y[piece])]
        if len(piece) < 2:
            continue
        inside = np.linspace(x[piece[0]], x[piece[-1]], 2001)[1:-1]
        off.append(np.max(np.abs(np.interp(inside, x[piece], y[piece]) - g(inside, **params))))
        off.append(np.max(np.abs(y[piece[1:-1]] - g(x[piece[1:-1]], **params)), initial=0))
    return max(off) * scale
