"""Screenshot pages of the real app in Debian's Chromium, at the projector, laptop and phone sizes.

Run: python docs/screenshots.py [OUT_DIR] [--only NAME ...]   (default OUT_DIR: docs/)
Each shot is NAME-WIDTHxHEIGHT.png for the views below; the README links some of them.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

SIZES = {"projector": (1920, 1080), "laptop": (1440, 900), "phone": (390, 844)}


def hand_placed() -> str:
    """The Build tab with five hinges placed by hand on the sine, one of them beyond the interval (dead), and the
    output weights snapped: the link a student's table and Snap button write."""
    import numpy as np

    from relu_viz import build
    from ui.state import format_number

    w = np.array([1.0, 1.0, -1.0, 1.0, 1.0])
    kinks = np.array([-2.4, -1.2, 0.3, 1.6, 3.5])
    x, y = build.sample(np.sin, -3, 3)
    fit = build.fit_output(w, -w * kinks, x, y)
    lists = {name: ",".join(format_number(v) for v in getattr(fit, name)) for name in "wba"}
    return (f"?tab=Build&build.k=5&build.w={lists['w']}&build.b={lists['b']}&build.a={lists['a']}"
            f"&build.c={format_number(fit.c)}")


VIEWS = {  # name: (query string, sizes, full page, colour scheme)
    "explorer": ("?act=relu&act=leaky_relu&act=gelu&act=sigmoid&leaky_relu.negative_slope=0.1", SIZES, False,
                 "light"),
    "explorer-dark": ("?act=relu&act=leaky_relu&act=gelu&act=sigmoid&leaky_relu.negative_slope=0.1",
                      {"laptop": SIZES["laptop"]}, False, "dark"),
    "properties": ("?act=relu&act=leaky_relu&act=tanh&act=hardshrink&act=binary_step", {"laptop": SIZES["laptop"]},
                   True, "light"),
    "dead-neurons": ("?tab=Dead+neurons&act=relu&act=leaky_relu&sim.data=moons&sim.lr=2&sim.opt=adam"
                     "&sim.epochs=500", SIZES, True, "light"),
    "depth": ("?tab=Depth&depth.init=rai&depth.layers=50", {"laptop": SIZES["laptop"]}, True, "light"),
    "tour-6": ("?tour=6&present=1", {"projector": SIZES["projector"]}, False, "light"),
    "tour-5": ("?tour=5", {"laptop": SIZES["laptop"]}, False, "light"),
    "build": (hand_placed(), {"phone": SIZES["phone"]}, False, "light"),
}
# Parts of a tab at the laptop size: (query, an uploaded CSV of the moons or None, the text the shot starts above,
# its height, a text shown once the part is drawn)
PARTS = {
    "own-data": ("?tab=Dead+neurons&sim.data=upload&sim.bias=-1&sim.lr=0.3&sim.epochs=100", True, "Dataset", 900,
                 "Inspect a unit"),
    "unit-microscope": ("?tab=Dead+neurons&sim.data=upload&sim.bias=-1&sim.lr=0.3&sim.epochs=100", True,
                        "Epoch shown in the input plane", 1700, "Inspect a unit"),
    "digits": ("?tab=Dead+neurons&sim.data=digits&sim.opt=adam&sim.lr=0.1&sim.epochs=60", False,
               "Accuracy per class (training digits)", 1900, "Inspect a unit"),
    "build-hinges": (hand_placed(), False, "Target", 1330, "Snap the output weights"),
    "build-training": ("?tab=Build&build.k=6&build.start=random&build.seed=1&build.fit=true", False,
                       "Fit by training", 1000, "Keep the trained hinges"),
    "build-depth": ("?tab=Build", False, "Why depth helps", 1250, "10 units, two ways."),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs"))
    parser.add_argument("--only", nargs="*", default=[*VIEWS, *PARTS])
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, running_server(pathlib.Path(tmp) / "log") as server, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in (n for n in args.only if n in PARTS):
            print(part(browser, server.url, out / f"{name}.png", *PARTS[name]))
        for name in (n for n in args.only if n in VIEWS):
            query, sizes, full, scheme = VIEWS[name]
            for width, height in sizes.values():
                # Streamlit scrolls inside the page, so a whole-page shot needs a tall window
                tall = {"width": width, "height": 4200 if full else height}
                context = browser.new_context(viewport=tall, color_scheme=scheme)
                page = context.new_page()
                page.goto(server.url + "/" + query)
                page.wait_for_selector(".js-plotly-plot", timeout=60_000)
                page.wait_for_timeout(2500)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                       timeout=120_000)
                page.wait_for_timeout(1500)
                path = out / f"{name}-{width}x{height}.png"
                page.screenshot(path=str(path))
                print(path)
                context.close()
        browser.close()


def part(browser, url: str, path: pathlib.Path, query: str, upload: bool, start: str, height: int,
         ready: str) -> pathlib.Path:
    """A shot of the page from just above the text `start`, `height` pixels tall, at the laptop width."""
    from relu_viz.training import TrainConfig, raw_data

    width = SIZES["laptop"][0]
    page = browser.new_context(viewport={"width": width, "height": 6000}).new_page()
    page.goto(url + "/" + query)
    if upload:
        moons = raw_data(TrainConfig(dataset="moons", n_samples=200, seed=3))
        rows = (f"{a:.5f},{b:.5f},{int(c)}\n" for (a, b), c in zip(moons.X, moons.y[:, 0]))
        page.get_by_text("Upload a CSV file").wait_for(timeout=60_000)
        page.set_input_files("input[type=file]", files=[{"name": "moons.csv", "mimeType": "text/csv",
                                                         "buffer": ("x1,x2,label\n" + "".join(rows)).encode()}])
    page.get_by_text(ready).first.wait_for(timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(3000)
    top = max(0, int(page.get_by_text(start, exact=True).first.bounding_box()["y"]) - 40)
    page.screenshot(path=str(path), clip={"x": 0, "y": top, "width": width, "height": height})
    page.context.close()
    return path


if __name__ == "__main__":
    main()
