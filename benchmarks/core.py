"""Time f and f' of every activation over 1e6 float64 points (median of repeats) and name the slowest.

Run: python benchmarks/core.py [--points N] [--repeats R]
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz import ACTIVATIONS  # noqa: E402
from relu_viz.timing import time_activation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = [(key, *time_activation(act, points=args.points, repeats=args.repeats, budget=float("inf")))
            for key, act in ACTIVATIONS.items()]
    relu_f = rows[0][1]
    print(f"{args.points:,} float64 points, median of {args.repeats} runs")
    print(f"{'activation':<12} {'f (ms)':>8} {'f_prime (ms)':>13} {'f / ReLU':>9}")
    for key, f, d in sorted(rows, key=lambda r: r[1] + r[2]):
        print(f"{key:<12} {f * 1e3:8.2f} {d * 1e3:13.2f} {f / relu_f:9.1f}x")
    key, f, d = max(rows, key=lambda r: r[1] + r[2])
    print(f"slowest: {key} (f {f * 1e3:.1f} ms + f' {d * 1e3:.1f} ms = {(f + d) / args.points * 1e9:.1f} ns per point)")


if __name__ == "__main__":
    main()
