"""A formula as a straight-line numeric program: a short list of numpy operations that the server evaluates.

A visitor's formula is read and differentiated by sympy only inside the sandbox (relu_viz.sandbox); what comes
back is this plain data (operation names, argument indices and constants), evaluated here by a table of numpy
functions: no code is generated, compiled or executed from the visitor's text. Shared subexpressions are computed
once, and each value is dropped after its last use, in chunks, so memory stays bounded whatever the input size.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import special

CHUNK_BYTES = 2**26  # live values of one chunk of inputs: 64 MiB at most


def _sum(*values):
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _product(*values):
    total = values[0]
    for v in values[1:]:
        total = total * v
    return total


def _piecewise(*args):
    """args = (condition, value, condition, value, ..., otherwise): the value of the first condition that holds."""
    *pairs, otherwise = args
    out = otherwise
    for condition, value in reversed(list(zip(pairs[::2], pairs[1::2]))):
        out = np.where(condition, value, out)
    return out


OPERATIONS = {  # name: numpy function of the argument values (and of the instruction's constant, where it has one)
    "add": _sum, "mul": _product,
    "exp": np.exp, "log": np.log, "abs": np.abs, "sign": np.sign, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "erf": special.erf, "sigmoid": special.expit, "softplus": lambda u: np.logaddexp(0, u),
    "max": lambda *v: functools.reduce(np.maximum, v), "min": lambda *v: functools.reduce(np.minimum, v),
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "and": np.logical_and, "or": np.logical_or, "not": np.logical_not,
    "piecewise": _piecewise,
}
WITH_CONSTANT = {"pow": lambda u, p: np.power(u, p), "heaviside": lambda u, at_zero: np.heaviside(u, at_zero)}
INPUTS = ("x", "a", "b", "c")
SOURCE = {  # the same operations as numpy source (for the PyTorch export); {0}, {1}: arguments, {c}: the constant
    "exp": "np.exp({0})", "log": "np.log({0})", "abs": "np.abs({0})", "sign": "np.sign({0})", "sin": "np.sin({0})",
    "cos": "np.cos({0})", "tanh": "np.tanh({0})", "erf": "erf({0})", "sigmoid": "sigmoid({0})",
    "softplus": "np.logaddexp(0, {0})", "lt": "np.less({0}, {1})", "le": "np.less_equal({0}, {1})",
    "gt": "np.greater({0}, {1})", "ge": "np.greater_equal({0}, {1})", "not": "np.logical_not({0})",
    "pow": "np.power({0}, {c!r})", "heaviside": "np.heaviside({0}, {c!r})",
}
FOLDS = {"add": "{} + {}", "mul": "{} * {}", "max": "np.maximum({}, {})", "min": "np.minimum({}, {})",
         "and": "np.logical_and({}, {})", "or": "np.logical_or({}, {})"}


@dataclass(frozen=True)
class Instruction:
    op: str  # an input ("x", "a", "b", "c"), "const", or a name in OPERATIONS or WITH_CONSTANT
    args: tuple[int, ...] = ()  # indices of earlier instructions
    value: float = 0.0  # the constant of "const", "pow" (the exponent) and "heaviside" (its value at 0)


@dataclass(frozen=True)
class Switch:
    """Where a formula may change piece: `kind` "sign" (where args[0] - args[1], or args[0] alone, changes sign),
    "max" or "min" (where the argument on top, or at the bottom, changes)."""

    kind: str
    args: tuple[int, ...]


@dataclass(frozen=True)
class Program:
    """Straight-line code: the value of the last instruction, with `switches` naming where it may change piece."""

    instructions: tuple[Instruction, ...]
    switches: tuple[Switch, ...] = ()

    def __post_init__(self):
        for i, ins in enumerate(self.instructions):
            known = ins.op in INPUTS or ins.op == "const" or ins.op in OPERATIONS or ins.op in WITH_CONSTANT
            if not known or not all(0 <= j < i for j in ins.args):
                raise ValueError(f"instruction {i} ({ins.op}) is not a valid operation on earlier values")

    @property
    def last_uses(self) -> list[int]:
        """For each instruction, the index of the last instruction that reads it (itself if none does)."""
        last = list(range(len(self.instructions)))
        for i, ins in enumerate(self.instructions):
            for j in ins.args:
                last[j] = i
        return last

    @property
    def peak_values(self) -> int:
        """The most values alive at once while the program runs (each dropped after its last use)."""
        dropped_after = Counter(self.last_uses[:-1])  # the output is never dropped
        alive = peak = 0
        for i in range(len(self.instructions)):
            alive += 1
            peak = max(peak, alive)
            alive -= dropped_after[i]
        return peak


def source(program: Program, name: str) -> str:
    """The program as a Python function `name`(x, a, b, c) of numpy arrays, a line per instruction (erf and sigmoid
    are left for the caller to define)."""
    lines = [f"def {name}(x, a, b, c):"]
    for i, ins in enumerate(program.instructions):
        args = [f"v{j}" for j in ins.args]
        if ins.op in INPUTS:
            code = ins.op
        elif ins.op == "const":
            code = repr(ins.value) if np.isfinite(ins.value) else "float('nan')"
        elif ins.op in FOLDS:
            code = functools.reduce(FOLDS[ins.op].format, args)
        elif ins.op == "piecewise":
            code = args[-1]
            for condition, value in reversed(list(zip(args[:-1:2], args[1::2]))):
                code = f"np.where({condition}, {value}, {code})"
        else:
            code = SOURCE[ins.op].format(*args, c=ins.value)
        lines.append(f"    v{i} = {code}")
    return "\n".join([*lines, f"    return v{len(program.instructions) - 1}"])


def run(program: Program, x: np.ndarray, a: float, b: float, c: float, keep: tuple[int, ...] = ()) -> list:
    """Every value the program needs for the output and for `keep`, on the inputs x (1-D or any shape, one chunk):
    a list indexed like the instructions, None where a value was dropped after its last use."""
    inputs = {"x": x, "a": a, "b": b, "c": c}
    last = program.last_uses
    for i in keep:
        last[i] = len(last)
    values: list = [None] * len(program.instructions)
    for i, ins in enumerate(program.instructions):
        if ins.op in inputs:
            values[i] = inputs[ins.op]
        elif ins.op == "const":
            values[i] = ins.value
        elif ins.op in WITH_CONSTANT:
            values[i] = WITH_CONSTANT[ins.op](values[ins.args[0]], ins.value)
        else:
            values[i] = OPERATIONS[ins.op](*(values[j] for j in ins.args))
        for j in set(ins.args):
            if last[j] == i:
                values[j] = None
    return values


def evaluate(program: Program, x, a: float = 1.0, b: float = 1.0, c: float = 1.0) -> np.ndarray:
    """The program's value at the inputs x (float32 stays float32, anything else float64), computed in chunks so
    that its live values stay within CHUNK_BYTES; overflow and undefined values are ±inf and NaN, never errors."""
    x = np.asarray(x)
    x = x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)
    flat = x.reshape(-1)
    chunk = max(1024, CHUNK_BYTES // (x.itemsize * program.peak_values))
    out = np.empty_like(flat)
    with np.errstate(all="ignore"):
        for start in range(0, max(len(flat), 1), chunk):
            part = flat[start:start + chunk]
            value = run(program, part, float(a), float(b), float(c))[-1]
            out[start:start + chunk] = np.broadcast_to(np.asarray(value, dtype=x.dtype), part.shape)
    return out.reshape(x.shape)


NEAR = 20.0  # the switch search is finest on [-NEAR, NEAR], where most formulas have their structure


def switch_points(program: Program, a: float, b: float, c: float, limit: float, most: int) -> tuple[float, ...] | None:
    """The inputs in [-limit, limit] where a switch of the program changes piece (the argument of a sign crosses 0,
    another argument comes on top of a max), sorted; None when there are more than `most`. Found on a grid
    (finest near 0), then each change of piece by 64 bisections: to the last bit where |x| > 1e-6 (exact where the
    crossing is a float), within 2e-22 nearer 0."""
    grid = np.union1d(np.linspace(-limit, limit, 40_001), np.linspace(-NEAR, NEAR, 20_001))
    keep = tuple(sorted({j for s in program.switches for j in s.args}))
    points: set[float] = set()
    brackets = []  # (lo, hi, first argument, second argument or -1): the switch's g = first - second changes sign
    for start in range(0, len(grid), 8192):
        x = grid[start:start + 8193]  # one point of overlap, so a change between chunks is seen
        with np.errstate(all="ignore"):
            values = run(program, x, a, b, c, keep)
        for s in program.switches:
            args = [np.broadcast_to(values[j], x.shape) for j in s.args]
            if s.kind == "sign":
                g = args[0] - args[1] if len(args) == 2 else args[0]
                points.update(x[g == 0].tolist())
                for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
                    brackets.append((x[i], x[i + 1], s.args[0], s.args[1] if len(s.args) == 2 else -1))
            else:
                stacked = np.stack(args)
                top = (np.argmax if s.kind == "max" else np.argmin)(np.where(np.isnan(stacked), -np.inf if
                                                                            s.kind == "max" else np.inf, stacked), 0)
                for i in np.flatnonzero(top[:-1] != top[1:]):
                    first, second = s.args[top[i]], s.args[top[i + 1]]
                    d = args[top[i]] - args[top[i + 1]]
                    if d[i] == 0 or d[i + 1] == 0:  # a tie on the grid: the switch is that point
                        points.add(float(x[i] if d[i] == 0 else x[i + 1]))
                    elif np.isfinite(d[i]) and np.isfinite(d[i + 1]):
                        brackets.append((x[i], x[i + 1], first, second))
        if len(points) + len(brackets) > most:
            return None
    points.update(_bisect(program, a, b, c, brackets))
    return tuple(sorted(p for p in points if -limit <= p <= limit)) if len(points) <= most else None


def _bisect(program: Program, a, b, c, brackets) -> list[float]:
    """The point where g = values[first] - values[second] changes sign in each bracket: the end of the last bracket
    where g is exactly 0 if there is one, else the end where |g| is smallest."""
    if not brackets:
        return []
    lo, hi, first, second = (np.array(column) for column in zip(*brackets))
    keep = tuple(sorted(set(first.tolist()) | set(second[second >= 0].tolist())))

    def g(x):
        with np.errstate(all="ignore"):
            values = run(program, x, a, b, c, keep)
        by_index = {j: np.broadcast_to(values[j], x.shape) for j in keep}
        out = np.empty_like(x)
        for j in set(first.tolist()):
            rows = first == j
            out[rows] = by_index[j][rows]
        for j in set(second[second >= 0].tolist()):
            rows = second == j
            out[rows] -= by_index[j][rows]
        return out

    sign = np.sign(g(lo))
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        same = np.sign(g(mid)) == sign
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    g_lo, g_hi = np.abs(g(lo)), np.abs(g(hi))
    return np.where(g_hi <= g_lo, hi, lo).tolist()
