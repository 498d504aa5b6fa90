"""Time f and f' of every activation over 1e6 float64 points through the speed tab's harness (the registry's code as
training calls it, warmed up, timed in turns, median of rounds), beside a plain copy of the array (memory traffic
alone) in the same run, and name the slowest.

Run: python benchmarks/core.py [--points N] [--rounds R]
"""

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz import ACTIVATIONS  # noqa: E402
from relu_viz.timing import in_turns, operations, time_activations  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    x = np.random.default_rng(0).uniform(-10, 10, args.points)
    relu, _ = operations(ACTIVATIONS["relu"], {}, x)
    first = []
    for _ in range(4):  # before anything else in this fresh process: what the harness's warm-up calls absorb
        start = time.perf_counter()
        relu()
        first.append(time.perf_counter() - start)
    shown = {key: (act, {}) for key, act in ACTIVATIONS.items() if key != "custom"}
    times = time_activations(shown, points=args.points, rounds=args.rounds)
    copy = in_turns({"copy": x.copy}, rounds=args.rounds)["copy"]
    relu_f = times["relu"][0]
    print(f"{args.points:,} float64 points, median of {args.rounds} rounds in turns; a copy of the array takes "
          f"{copy * 1e3:.2f} ms ({copy / relu_f:.1f}x ReLU's f)")
    print("the first four calls of ReLU's f in this fresh process: " + ", ".join(f"{t * 1e3:.2f}" for t in first)
          + " ms (the harness calls each function twice before timing it)")
    print(f"{'activation':<12} {'f (ms)':>8} {'f_prime (ms)':>13} {'f / ReLU':>9} {'f_prime / ReLU':>15}")
    for key, (f, d) in sorted(times.items(), key=lambda item: sum(item[1])):
        print(f"{key:<12} {f * 1e3:8.2f} {d * 1e3:13.2f} {f / relu_f:8.1f}x {d / relu_f:14.1f}x")
    key, (f, d) = max(times.items(), key=lambda item: sum(item[1]))
    per_point = (f + d) / args.points * 1e9
    print(f"slowest: {key} (f {f * 1e3:.1f} ms + f' {d * 1e3:.1f} ms = {per_point:.1f} ns per point); "
          f"ReLU f {relu_f * 1e3:.2f} ms, f' {times['relu'][1] * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
