"""Where a slider press's repaint goes: the explorer with one part of the page left out at a time, in headless
Chromium, beside the whole page and the minimal app of benchmarks/browser.py in the same run.

Each variant is app.py run by a small wrapper that first replaces a drawing function by one that draws nothing
(the activation pills, the probe, the properties, the formulas, the share box; the last four together), so what a
part costs is the whole page's time less the variant's. Timed as in benchmarks/browser.py (key press to the painted
frame that first shows the new value, and to the settled page), Leaky ReLU alone or six activations.

Run: python benchmarks/parts.py [--six] [--presses N] [--rounds R]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
from contextlib import ExitStack

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.browser import MINIMAL_APP, SIX, measure  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

WRAPPER = '''
import runpy, sys
sys.path.insert(0, {root!r})
from ui import controls, explorer, links
{patch}
runpy.run_path({app!r}, run_name="__main__")
'''
NOTHING = "lambda *args, **kwargs: None"
VARIANTS = {  # name: the replacements made before app.py runs
    "the whole page": "",
    "without the activation pills": 'controls._picker = lambda link: list(link.values["act"])',
    "without the probe": "explorer._probe = lambda view: 0.0",
    "without the properties": f"explorer._properties = {NOTHING}",
    "without the formulas": f"explorer._formulas = {NOTHING}",
    "without the share box": f"links.share_box = {NOTHING}",
    "without all four": "\n".join(["explorer._probe = lambda view: 0.0"] + [
        f"{name} = {NOTHING}" for name in ("explorer._properties", "explorer._formulas", "links.share_box")]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--six", action="store_true", help="six activations instead of Leaky ReLU alone")
    parser.add_argument("--presses", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    query = "?" + "&".join(f"act={k}" for k in (SIX if args.six else ("leaky_relu",)))
    results = {name: {"press": [], "settled": []} for name in ["minimal app", *VARIANTS]}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p, ExitStack() as servers:
        apps = {"minimal app": pathlib.Path(tmp) / "minimal.py"}
        apps["minimal app"].write_text(MINIMAL_APP)
        for i, (name, patch) in enumerate(VARIANTS.items()):
            apps[name] = pathlib.Path(tmp) / f"variant{i}.py"
            apps[name].write_text(WRAPPER.format(root=str(ROOT), patch=patch, app=str(ROOT / "app.py")))
        urls = {name: servers.enter_context(running_server(pathlib.Path(tmp) / f"{i}.log", app=app)).url
                for i, (name, app) in enumerate(apps.items())}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.rounds):  # the variants take turns, so a slow moment of the machine hits all
            for name, url in urls.items():
                found = measure(browser, url + "/" + ("" if name == "minimal app" else query), args.presses)
                for kind in ("press", "settled"):
                    results[name][kind] += found[kind]
        browser.close()
    medians = {name: {kind: statistics.median(r[kind]) for kind in r} for name, r in results.items()}
    whole, base = medians["the whole page"], medians["minimal app"]
    shown = "six activations" if args.six else "Leaky ReLU alone"
    print(f"slider press to painted chart and to settled page, {shown}, headless Chromium 1440x900, "
          f"median of {args.rounds} x {args.presses} presses")
    print(f"{'variant':34s} {'chart':>8s} {'ratio':>6s} {'saved':>8s} {'settled':>9s} {'ratio':>6s} {'saved':>8s}")
    for name, m in medians.items():
        saved = {kind: "" if name == "minimal app" else f"{whole[kind] - m[kind]:5.0f} ms" for kind in m}
        print(f"{name:34s} {m['press']:5.0f} ms {m['press'] / base['press']:5.2f}x {saved['press']:>8s} "
              f"{m['settled']:6.0f} ms {m['settled'] / base['settled']:5.2f}x {saved['settled']:>8s}")
    print("saved: the whole page's time less the variant's, what the part left out costs a press")


if __name__ == "__main__":
    main()
