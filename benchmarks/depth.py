"""Time the depth panel's computations: the default born-dead figure (5 widths x 25 depths x 4000 trials), per
cell and in total, for each initialisation, and one signal-propagation run.

Run: python benchmarks/depth.py
"""

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz.depth import born_dead_by_depth, max_trials, signal_propagation  # noqa: E402

WIDTHS, DEPTH, TRIALS = (2, 3, 4, 5, 10), 25, 4000


def main() -> None:
    print(f"born-dead figure: widths {WIDTHS}, depths 1..{DEPTH}, up to {TRIALS} trials per width")
    for init in ("he", "he_bias", "rai"):
        start = time.perf_counter()
        trials = [min(TRIALS, max_trials(DEPTH, w, init)) for w in WIDTHS]
        for width, n in zip(WIDTHS, trials):
            born_dead_by_depth(DEPTH, width, n, seed=0, init=init)
        total = time.perf_counter() - start
        cells = len(WIDTHS) * DEPTH
        print(f"  {init:8s} {total * 1e3:8.1f} ms total, {total / cells * 1e3:6.2f} ms per cell "
              f"(trials per width: {', '.join(map(str, trials))})")
    for init in ("he", "xavier"):
        start = time.perf_counter()
        signal_propagation("relu", depth=30, width=256, init=init)
        print(f"signal propagation, 30 layers of 256, 8 networks, {init}: {(time.perf_counter() - start) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
