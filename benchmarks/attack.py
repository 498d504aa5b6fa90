"""Hostile links against a real server: does it stay responsive for everyone else?

One `streamlit run app.py` on loopback. A victim opens the explorer and moves a slider once a second; a watcher
asks /_stcore/health every 0.1 s. First with nobody else on the server (the reference), then while attackers open,
each in a session of its own, every link of issue 25's table (and a formula slow enough to hit the sandbox's
deadline), all at once and again and again. Prints the victim's slider times and the health check's times in both
phases, side by side, and how long each attack page took and what it said.

Run: python benchmarks/attack.py [--seconds 30] [--attackers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlencode

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.visitors import Visitor, VisitorError  # noqa: E402

DEEP_ERF = "erf(x*" * 23 + "erf(x)" + ")" * 23
SLOW_MAX = "max(" * 16 + "sin(x)" + "".join(f", sin({k}*x))" for k in range(2, 18))  # sympy's Max: past 4 s
FLOOD = "+".join(f"sign(sin({k}*x))" for k in range(40, 50))
ATTACKS = {  # name: the link's query (issue 25's table, one row each, plus the slowest formula known to sympy)
    "integer tower": {"act": "custom", "custom.formula": "x*(((((((999999)**10)**10)**10)**10)**10)**10)**10"},
    "powers of powers": {"act": "custom", "custom.formula": "max(0, (((((x+1)**9)**9)**9)**9)**9)"},
    "condition of constants": {"act": "custom", "custom.formula": "where(0 <= softplus(0), x, 0)"},
    "kink flood on ±1000": {"act": "custom", "custom.formula": FLOOD, "xmin": "-1000", "xmax": "1000"},
    "deep erf, trained": {"act": "custom", "custom.formula": DEEP_ERF, "tab": "Dead neurons", "sim.act": "custom",
                          "sim.width": "128", "sim.layers": "1", "sim.samples": "512", "sim.epochs": "40"},
    "deep erf, depth tab": {"act": "custom", "custom.formula": DEEP_ERF, "tab": "Depth", "depth.act": "custom",
                            "depth.sig_act": "custom"},
    "tracebacks before": {"act": "custom", "custom.formula": "softplus(x)**2 + sign(max(sqrt(x), x))"},
    "slow to analyse": {"act": "custom", "custom.formula": SLOW_MAX},
}


async def victim(base: str, until: float, times: list[float]) -> None:
    """Open the explorer with Leaky ReLU and move its slope slider once a second until `until`."""
    visitor = Visitor(base, 120)
    try:
        await visitor.open("?act=leaky_relu")
        step = 0
        while time.monotonic() < until:
            step += 1
            times.append(await visitor.release("leaky_relu.negative_slope", round(0.05 * (1 + step % 15), 2)))
            await asyncio.sleep(1)
    finally:
        await visitor.close()


async def watcher(base: str, until: float, times: list[float]) -> None:
    """Ask /_stcore/health every 0.1 s: seconds to each answer (a missing answer counts as the 10 s timeout)."""
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            ok = await asyncio.to_thread(lambda: urllib.request.urlopen(base + "/_stcore/health", timeout=10).read())
            times.append(time.perf_counter() - start if ok == b"ok" else 10.0)
        except OSError:
            times.append(10.0)
        await asyncio.sleep(0.1)


async def attacker(base: str, until: float, pages: dict[str, list]) -> None:
    """Open every attack link in turn, in a fresh session each, until `until`."""
    while time.monotonic() < until:
        for name, query in ATTACKS.items():
            visitor = Visitor(base, 120)
            try:
                seconds = await visitor.open("?" + urlencode(query))
                said = " | ".join(e.text for e in visitor.elements.values()
                                  if e.kind in ("alert", "warning", "error") or "too costly" in e.text)
                pages[name].append((seconds, said[:160]))
            except VisitorError as error:
                pages[name].append((float("nan"), f"ERROR {error}"))
            finally:
                await visitor.close()


async def phase(base: str, seconds: float, attackers: int) -> dict:
    until = time.monotonic() + seconds
    slides, health, pages = [], [], {name: [] for name in ATTACKS}
    await asyncio.gather(victim(base, until, slides), watcher(base, until, health),
                         *(attacker(base, until, pages) for _ in range(attackers)))
    return {"slides": slides, "health": health, "pages": pages}


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.0f} ms, max {max(values) * 1000:6.0f} ms (n={len(values)})"


def measure(seconds: float, attackers: int) -> tuple[dict, dict]:
    """The reference phase and the attack phase on one fresh server."""
    from tests.browser import running_server

    with tempfile.TemporaryDirectory() as tmp, running_server(pathlib.Path(tmp) / "streamlit.log") as server:
        quiet = asyncio.run(phase(server.url, seconds, 0))
        attacked = asyncio.run(phase(server.url, seconds, attackers))
    return quiet, attacked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--attackers", type=int, default=2, choices=range(1, 9))
    args = parser.parse_args()
    quiet, attacked = measure(args.seconds, args.attackers)
    print(f"victim's slider move, no attack:     {summary(quiet['slides'])}")
    print(f"victim's slider move, under attack:  {summary(attacked['slides'])}")
    print(f"/_stcore/health, no attack:          {summary(quiet['health'])}")
    print(f"/_stcore/health, under attack:       {summary(attacked['health'])}")
    print(f"{args.attackers} attacker(s), each opening every link in turn; seconds to the finished page:")
    for name, results in attacked["pages"].items():
        times = [t for t, _ in results]
        print(f"  {name:24s} {len(times):3d} pages, max {max(times):5.1f} s   {results[-1][1] if results else ''}")


if __name__ == "__main__":
    main()
