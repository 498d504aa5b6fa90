"""The visitor's own activation: f(x) typed as text.

All work on the text (reading it through a whitelist of Python's `ast`, sympy's exact derivative, LaTeX, the
numeric programs, where the pieces switch) runs in the sandbox (relu_viz.sandbox: a killable process with a
deadline and a memory cap; the sympy side is relu_viz.symbolic). What comes back is a Formula of plain data whose
programs the server evaluates with numpy (relu_viz.program). The text itself is never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass

from relu_viz import program, sandbox
from relu_viz.program import Program

MAX_LENGTH = 300  # characters
MAX_DEPTH = 24  # nested brackets
MAX_NODES = 200  # syntax-tree nodes
MAX_NUMBER = 1e6  # a number as typed, in size
MAX_EXPONENT = 10  # |n| of a power u ** n (a number, not an expression)
MAX_DEGREE = 100  # the degree in x of any part ((x + 1) ** 10) ** 10 is 100), each function of x counting as 1
MAX_INSTRUCTIONS = 600  # numpy operations of f, and of f', each shared part once
MAX_LATEX = 4000  # characters of f's or f''s LaTeX; longer is not typeset
MAX_SWITCHES = 1000  # switch points in [-1000, 1000]; past it the formula "keeps switching" (sign(sin(50 x)))
ALONG_SECONDS = 1  # CPU seconds to find the switch points at every step of a slider
SWITCH_LIMIT = 1e3  # the switch points are found on [-SWITCH_LIMIT, SWITCH_LIMIT] (the plotted range's bound)
NAMES = ("x", "a", "b", "c")
FUNCTIONS = {  # name: number of arguments
    "exp": 1, "log": 1, "log1p": 1, "expm1": 1, "sqrt": 1, "abs": 1, "sign": 1, "sin": 1, "cos": 1, "tanh": 1,
    "sigmoid": 1, "softplus": 1, "erf": 1, "relu": 1, "heaviside": 1, "max": 2, "min": 2, "clip": 3, "where": 3,
}

UNANALYSABLE = "sympy could not analyse this formula; write it another way"
evaluate = program.evaluate


class FormulaError(ValueError):
    """A formula that cannot be used: the message says what is wrong and where (a 1-based column)."""


class FormulaBusy(FormulaError):
    """The server was too busy to read the formula in time: no verdict about it (try again)."""


@dataclass(frozen=True)
class Formula:
    """A formula as the server uses it: f and f' as numeric programs, their LaTeX (None: too long to typeset), the
    numbers a, b, c it uses, and what f and f' cost per element, in multiples of Mish's."""

    text: str
    f: Program
    df: Program
    latex: tuple[str | None, str | None]
    uses: frozenset[str]
    cost: float


@sandbox.task
def _analyse(text: str) -> Formula:
    from relu_viz.symbolic import analyse

    return analyse(text)


def parse(text: str) -> Formula:
    """Read a formula (in the sandbox, cached); FormulaError (a ValueError) says what is wrong and where, or that
    the formula is too costly to analyse; FormulaBusy (one too) that the server could not read it in time."""
    if not isinstance(text, str):
        raise FormulaError(f"A formula is text, not {type(text).__name__}")
    try:
        return _analyse(text)
    except FormulaError:
        raise
    except sandbox.Busy as error:
        raise FormulaBusy(f"The server is too busy to read this formula now: {error}") from None
    except sandbox.TooCostly as error:
        raise FormulaError(f"This formula is too costly to analyse: {error}") from None
    except Exception as error:  # noqa: BLE001 (sympy failed on it: a refusal, never a traceback on the page)
        raise FormulaError(f"{UNANALYSABLE} ({type(error).__name__}: {str(error)[:120]})") from None


parse.cache_clear = _analyse.cache_clear


@sandbox.task
def _switches(formula: Formula, a: float, b: float, c: float) -> tuple[float, ...] | None:
    return program.switch_points(formula.f, a, b, c, SWITCH_LIMIT, MAX_SWITCHES)


def switches(formula: Formula, a: float = 1.0, b: float = 1.0, c: float = 1.0) -> tuple[float, ...] | None:
    """The inputs in [-1000, 1000] where f or f' may switch piece (sorted), or None when there are more than
    MAX_SWITCHES of them or they take too long to find: the formula keeps switching. Found in the sandbox;
    sandbox.Busy when the server could not look in time (no verdict: a curve is not drawn as if it had no kinks)."""
    try:
        return _switches(formula, float(a), float(b), float(c))
    except sandbox.Busy:
        raise
    except sandbox.TooCostly:
        return None


@sandbox.task(seconds=ALONG_SECONDS)
def _switches_along(formula: Formula, name: str, values: tuple[float, ...], a: float, b: float,
                    c: float) -> tuple[tuple[float, ...] | None, ...]:
    numbers = {"a": a, "b": b, "c": c}
    return tuple(program.switch_points(formula.f, *{**numbers, name: v}.values(), SWITCH_LIMIT, MAX_SWITCHES)
                 for v in values)


def find_switches_along(formula: Formula, name: str, values: tuple[float, ...], a: float = 1.0, b: float = 1.0,
                        c: float = 1.0) -> bool:
    """Find the switch points at each of these values of the number `name` ("a", "b" or "c"; a slider's steps) in
    one task of the sandbox, under one budget (ALONG_SECONDS), so that `switches` at each is then answered from the
    cache with no task of its own (a live slider samples the formula at every step). False, and nothing kept, if
    the task runs out of time or the server is busy."""
    numbers = {"a": float(a), "b": float(b), "c": float(c)}
    try:
        found = _switches_along(formula, name, tuple(map(float, values)), *numbers.values()) if formula.f.switches \
            else ((),) * len(values)  # nothing in it switches: nothing to find
    except sandbox.TooCostly:
        return False
    for value, points in zip(values, found):
        _switches.remember(points, formula, *{**numbers, name: float(value)}.values())
    return True


def switch_points(formula: Formula, a: float = 1.0, b: float = 1.0, c: float = 1.0) -> tuple[float, ...]:
    """The switch points, or none when the formula keeps switching (it is then drawn and analysed like sin x,
    without per-kink work)."""
    return switches(formula, a, b, c) or ()
