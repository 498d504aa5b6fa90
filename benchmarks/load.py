"""A class at once: how many visitors one server process holds, measured with simulated visitors (no browser).

Each case starts a fresh `streamlit run app.py` on loopback and lets N visitors (benchmarks/visitors.py: Streamlit's
websocket protocol) arrive within 10 seconds:
  tour      N open the tour's first link (?tour=1)
  scenario  N open the dead-neuron tab, then click the same scenario ("Healthy") within 10 s
  sliders   N open the explorer and move a slider five times, a second apart
  mix       as sliders, while one visitor in 25 starts a long training run of their own (a few: 4 of 100)
It prints, per case, the seconds from a visitor's action to the finished page (p50, p95, max over the timed
actions), the errors (an exception on the page, a failed run, a dropped connection, a step over 120 s), and the
server's resident memory (at the end and its peak) and CPU (core-seconds per second of the case); with
--replicas K, K server processes behind the shipped nginx recipe (deploy/nginx), their memory and CPU summed.

Run: python benchmarks/load.py [--cases tour,scenario,sliders,mix] [--sizes 25,50,100,200] [--replicas K]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.visitors import Visitor, VisitorError  # noqa: E402

ARRIVAL = 10.0  # seconds over which a class arrives (and over which it clicks)
STEP_TIMEOUT = 120.0
MAX_VISITORS = 200  # bounded: one run of this script never opens more sessions than this
# about four seconds of training: Mish, 4 x 128 units, 512 samples, the most epochs the cost limit allows
LONG_RUN = ("?act=mish&tab=Dead+neurons&sim.act=mish&sim.layers=4&sim.width=128&sim.samples=512&sim.epochs=250"
            "&sim.lr=0.001&sim.seed={seed}")
SCENARIO = "Healthy"


@dataclass
class Result:
    times: list[float] = field(default_factory=list)  # seconds to a finished page, one per timed action
    errors: list[str] = field(default_factory=list)


async def tour(base: str, i: int, rng: random.Random, result: Result) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVAL))
    visitor = Visitor(base, STEP_TIMEOUT)
    try:
        result.times.append(await visitor.open("?tour=1"))
        visitor.widget("button_group", "Guided tour")  # the tour box is on the page
        if "**1. " not in visitor.texts():
            raise VisitorError("the tour's first step is not on the page")
    finally:
        await visitor.close()


async def scenario(base: str, i: int, rng: random.Random, result: Result) -> None:
    await asyncio.sleep(arrival := rng.uniform(0, ARRIVAL))
    visitor = Visitor(base, STEP_TIMEOUT)
    try:
        opened = await visitor.open("?tab=Dead+neurons")
        # the teacher says "click Healthy" 5 s after the last arrival: the class clicks within the next 10 s
        await asyncio.sleep(max(0.0, ARRIVAL + 5 + rng.uniform(0, ARRIVAL) - arrival - opened))
        result.times.append(await visitor.click(SCENARIO))
        if "This story holds in" not in visitor.texts():
            raise VisitorError("the scenario's story is not on the page")
    finally:
        await visitor.close()


async def sliders(base: str, i: int, rng: random.Random, result: Result) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVAL))
    visitor = Visitor(base, STEP_TIMEOUT)
    try:
        await visitor.open("?act=leaky_relu")
        for step in range(1, 6):
            await asyncio.sleep(1)
            result.times.append(await visitor.release("leaky_relu.negative_slope", round(0.1 * step, 2)))
        if f"negative_slope={0.5}" not in visitor.texts():
            raise VisitorError("the share link does not hold the slider's last value")
    finally:
        await visitor.close()


async def trainer(base: str, i: int, rng: random.Random, result: Result) -> None:
    """A visitor who starts a long training run of their own (a seed nobody else asks for)."""
    await asyncio.sleep(rng.uniform(0, ARRIVAL / 2))
    visitor = Visitor(base, STEP_TIMEOUT)
    try:
        await visitor.open(LONG_RUN.format(seed=100 + i))
    finally:
        await visitor.close()


TRAINERS = 25  # in the mix, one visitor in this many trains a long run


async def mix(base: str, i: int, rng: random.Random, result: Result) -> None:
    await (trainer if i % TRAINERS == 0 else sliders)(base, i, rng, result if i % TRAINERS else Result())


CASES = {"tour": tour, "scenario": scenario, "sliders": sliders, "mix": mix}


async def a_class(base: str, case: str, n: int, seed: int = 0) -> Result:
    """N visitors of one case at once; every error is recorded, none stops the others."""
    result, rng = Result(), random.Random(seed)

    async def one(i: int) -> None:
        try:
            await CASES[case](base, i, random.Random(rng.random()), result)
        except (VisitorError, OSError) as error:
            result.errors.append(f"visitor {i}: {error}")

    await asyncio.gather(*(one(i) for i in range(n)))
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def measure(case: str, n: int, replicas: int = 1) -> dict:
    """One case on fresh servers (behind the shipped nginx recipe if more than one): the figures of one row."""
    from benchmarks.balancer import nginx_in_front
    from tests.browser import free_port, running_server

    if not 1 <= n <= MAX_VISITORS:
        raise SystemExit(f"N must be between 1 and {MAX_VISITORS}")
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        servers = [stack.enter_context(running_server(pathlib.Path(tmp) / f"{i}.log")) for i in range(replicas)]
        url = servers[0].url
        if replicas > 1:
            url = stack.enter_context(nginx_in_front(pathlib.Path(tmp), free_port(),
                                                     [s.url.removeprefix("http://") for s in servers]))
        cpu, start = sum(cpu_seconds(s.pid) for s in servers), time.perf_counter()
        result = asyncio.run(a_class(url, case, n))
        wall = time.perf_counter() - start
        return {"times": result.times, "errors": result.errors, "rss": sum(s.rss_mib() for s in servers),
                "peak": sum(s.rss_mib("VmHWM") for s in servers),
                "cpu": (sum(cpu_seconds(s.pid) for s in servers) - cpu) / wall, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--sizes", default="25,50,100,200")
    parser.add_argument("--replicas", type=int, default=1, choices=range(1, 5),
                        help="server processes; more than one run behind deploy/nginx (Debian's nginx)")
    args = parser.parse_args()
    print(f"{args.replicas} server process(es){' behind nginx' if args.replicas > 1 else ''}")
    print(f"{'case':9s} {'N':>4s} {'p50':>7s} {'p95':>7s} {'max':>7s} {'errors':>6s} {'RSS':>8s} {'peak':>8s} "
          f"{'CPU':>6s} {'wall':>6s}")
    for case in args.cases.split(","):
        for n in map(int, args.sizes.split(",")):
            r = measure(case, n, args.replicas)
            t = r["times"] or [float("nan")]
            print(f"{case:9s} {n:4d} {statistics.median(t):6.2f}s {percentile(t, 95):6.2f}s {max(t):6.2f}s "
                  f"{len(r['errors']):6d} {r['rss']:5.0f}MiB {r['peak']:5.0f}MiB {r['cpu']:5.2f} {r['wall']:5.0f}s",
                  flush=True)
            for error in r["errors"][:3]:
                print("   ", error)
    print("seconds from a visitor's action to the finished page; CPU: the server's core-seconds per second")


if __name__ == "__main__":
    main()
