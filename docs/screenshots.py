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
}
# Parts of the dead-neuron tab at the laptop size: (query, an uploaded CSV of the moons or None, the text the shot
# starts above, its height)
PARTS = {
    "own-data": ("?tab=Dead+neurons&sim.data=upload&sim.bias=-1&sim.lr=0.3&sim.epochs=100", True, "Dataset", 900),
    "unit-microscope": ("?tab=Dead+neurons&sim.data=upload&sim.bias=-1&sim.lr=0.3&sim.epochs=100", True,
                        "Epoch shown in the input plane", 1700),
    "digits": ("?tab=Dead+neurons&sim.data=digits&sim.opt=adam&sim.lr=0.1&sim.epochs=60", False,
               "Accuracy per class (training digits)", 1900),
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


def part(browser, url: str, path: pathlib.Path, query: str, upload: bool, start: str, height: int) -> pathlib.Path:
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
    page.get_by_text("Inspect a unit").wait_for(timeout=120_000)
    page.wait_for_timeout(3000)
    top = max(0, int(page.get_by_text(start, exact=True).first.bounding_box()["y"]) - 40)
    page.screenshot(path=str(path), clip={"x": 0, "y": top, "width": width, "height": height})
    page.context.close()
    return path


if __name__ == "__main__":
    main()
