"""What the sandbox costs: reading a formula in it (a forked process, the result sent back) beside the same analysis
in this process (relu_viz.symbolic, as the server did before), for the explorer's examples and a few heavy ones.
Then a victim reading ordinary formulas while attackers keep the sandbox busy with costly ones (a fresh constant
each time, so no cache helps), with the two lanes and with one lane (the design before them), in the same run.

Run: python benchmarks/sandbox.py [--repeats 5] [--attackers 3] [--seconds 40]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import pathlib
import statistics
import sys
import threading
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


FRESH = itertools.count(1)  # a constant never used before in this run, so no cache helps


def under_attack(attackers: int, seconds: float) -> list[tuple[float, bool]]:
    """A victim's waits (s) for ordinary formulas, each new, and whether each was read (or the server was busy),
    while `attackers` threads read costly formulas (sympy's Max of 16 sines, past the 4-s budget) with a new
    constant each time, for `seconds`."""
    from benchmarks.attack import SLOW_MAX

    stop = threading.Event()
    _analyse.cache_clear()

    def attack() -> None:
        while not stop.is_set():
            with contextlib.suppress(ValueError):  # refused: too costly, or busy
                _analyse(f"{next(FRESH)} * {SLOW_MAX}")

    threads = [threading.Thread(target=attack, daemon=True) for _ in range(attackers)]
    for thread in threads:
        thread.start()
    time.sleep(3)  # the attackers hold the workers
    waits, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        try:
            _analyse(f"max(0, x) - {next(FRESH)} * max(0, x - 2)")
            read = True
        except sandbox.Busy:
            read = False
        waits.append((time.perf_counter() - start, read))
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--attackers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    from relu_viz.symbolic import analyse  # sympy, in this process: the reference

    sandbox.start()
    sandbox.run("relu_viz.formula", "_analyse", "x")  # the fork server is up and warm
    print(f"{'formula':28s} {'sandbox':>9s} {'in-process':>11s} {'overhead':>9s}   (median of {args.repeats})")
    for name, text in FORMULAS.items():
        boxed = median_ms(lambda t=text: _analyse(t), args.repeats)
        inline = median_ms(lambda t=text: analyse(t), args.repeats)
        print(f"{name:28s} {boxed:7.0f} ms {inline:8.0f} ms {boxed - inline:6.0f} ms")
    print(f"\nA victim's ordinary formulas while {args.attackers} attackers read costly ones, {args.seconds:g} s each:")
    for design, fast in (("two lanes", sandbox.FAST_SECONDS), ("one lane (before)", sandbox.SECONDS)):
        sandbox.FAST_SECONDS, sandbox.FAST_MEMORY = fast, (sandbox.FAST_MEMORY if fast < 1 else sandbox.MEMORY)
        waits = under_attack(args.attackers, args.seconds)
        times = [wait for wait, _ in waits]
        print(f"{design:18s} {len(waits):3d} formulas, {sum(read for _, read in waits):3d} read, "
              f"{sum(not read for _, read in waits)} refused as busy; wait median {statistics.median(times):6.2f} s, "
              f"slowest {max(times):6.2f} s")


if __name__ == "__main__":
    main()
