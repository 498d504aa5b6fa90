"""What a live slider's frames cost: for each numeric parameter, the grid values kept of the step values, the
stretches interpolated, the bytes sent (once per visit, as JSON) and the time to compute them, the activation
shown alone at the default x-range (Leaky ReLU's slope and ELU's alpha also among six activations).

Run: python benchmarks/frames.py
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from relu_viz import ACTIVATIONS  # noqa: E402
from relu_viz.curves import sample  # noqa: E402
from ui.charts import Series, block_axes, block_offset, curves_figure, scales  # noqa: E402
from ui.live_curves import numeric, slider_frames, step_values  # noqa: E402

SIX = ("relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh")
CASES = [*((k,) for k, a in ACTIVATIONS.items() if k != "custom" and numeric(k)), SIX]
FORMULAS = ("x * sigmoid(b * x)", "where(x > 0, x, a * (exp(x) - 1))", "a * x ** 2 + b * x + c")


def main() -> None:
    print(f"{'shown':26s} {'slider':26s} {'grid':>10s} {'interpolated':>12s} {'bytes':>8s} {'time':>8s}")
    runs = [(keys, {}) for keys in CASES] + [(("custom",), {"formula": f}) for f in FORMULAS]
    for keys, given in runs:
        params = {k: {**ACTIVATIONS[k].defaults, **(given if k == "custom" else {})} for k in keys}
        live = tuple(k for k in keys if numeric(k))
        series = [Series(k, ACTIVATIONS[k].label, sample(ACTIVATIONS[k], params[k], -10, 10)) for k in keys]
        sizes = scales(curves_figure(series, -10, 10, live=live).to_plotly_json()["layout"])
        for key in live:
            i = keys.index(key)
            used = {n for n in "abc" if n in params[key]["formula"]} if key == "custom" else None
            for p in numeric(key, used):
                start = time.perf_counter()
                frames = slider_frames(key, params[key], p.name, -10.0, 10.0, None, i, block_offset(series, i, live),
                                       len(keys) == 1, sizes, block_axes(series, i, live), float("inf"))
                took = time.perf_counter() - start
                shown = "6 activations" if keys == SIX else given.get("formula", ACTIVATIONS[key].label)[:26]
                steps = len(step_values(key, params[key], p.name))
                print(f"{shown:26s} {ACTIVATIONS[key].label + ' ' + p.name:26s} {len(frames.values):3d} of {steps:3d} "
                      f"{sum(frames.lerp):12d} {len(json.dumps(frames.payload())):8d} {took * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
