"""What the sandbox costs: reading a formula in it (a forked process, the result sent back) beside the same analysis
in this process (relu_viz.symbolic, as the server did before), for the explorer's examples and a few heavy ones.

Run: python benchmarks/sandbox.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz import sandbox  # noqa: E402
from relu_viz.formula import _analyse  # noqa: E402

FORMULAS = {
    "x * sigmoid(b * x)": "x * sigmoid(b * x)",
    "a ReLU with a second kink": "max(0, x) - 0.5 * max(0, x - 2)",
    "ELU with alpha = a": "where(x > 0, x, a * (exp(x) - 1))",
    "Mish": "x * tanh(softplus(x))",
    "24 nested erf": "erf(x*" * 23 + "erf(x)" + ")" * 23,
    "a sum of 10 kinked sines": "+".join(f"max(0, sin({k}*x))" for k in range(1, 11)),
}


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        _analyse.cache_clear()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from relu_viz.symbolic import analyse  # sympy, in this process: the reference

    sandbox.start()
    sandbox.run("relu_viz.formula", "_analyse", "x")  # the fork server is up and warm
    print(f"{'formula':28s} {'sandbox':>9s} {'in-process':>11s} {'overhead':>9s}   (median of {args.repeats})")
    for name, text in FORMULAS.items():
        boxed = median_ms(lambda t=text: _analyse(t), args.repeats)
        inline = median_ms(lambda t=text: analyse(t), args.repeats)
        print(f"{name:28s} {boxed:7.0f} ms {inline:8.0f} ms {boxed - inline:6.0f} ms")


if __name__ == "__main__":
    main()
