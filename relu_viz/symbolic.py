"""The sympy side of a visitor's formula: text -> whitelisted syntax tree -> sympy expression -> exact derivative,
LaTeX and numeric programs (relu_viz.program). It runs only inside the sandbox (relu_viz.sandbox), under its
deadline and memory cap; the server imports relu_viz.formula, never this module.

The grammar bounds what can grow: numbers at most 1e6 typed, constants folded as they are built and refused when
not a finite real number or past 1e100, exponents of ±10 at most and a degree in x of at most 100, conditions that
involve x, one line. The text itself is never evaluated (no eval, exec, sympify or parse_expr).
"""

from __future__ import annotations

import ast
import functools
import math
import time
import warnings

import numpy as np
import sympy
from sympy.logic.boolalg import ITE
from sympy.printing.latex import LatexPrinter

from relu_viz import program as program_
from relu_viz.formula import (
    FUNCTIONS,
    MAX_DEGREE,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INSTRUCTIONS,
    MAX_LATEX,
    MAX_LENGTH,
    MAX_NODES,
    MAX_NUMBER,
    MAX_SWITCHES,
    NAMES,
    SWITCH_LIMIT,
    Formula,
    FormulaError,
)
from relu_viz.program import Instruction, Program, Switch

MAX_CONSTANT = 1e100  # a folded constant, such as exp(30) or 1000000 ** 10, in size
EXACT_DIGITS = 30  # a constant stays exact (1/10, sqrt(2)) while its rationals have at most this many digits
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
COMPARISONS = {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}
WHAT = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
        ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.SetComp: "comprehensions",
        ast.DictComp: "comprehensions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
        ast.BoolOp: "and/or", ast.IfExp: "if-else (use where(condition, then, else))", ast.NamedExpr: ":=",
        ast.Starred: "*arguments", ast.JoinedStr: "strings", ast.Await: "await", ast.Yield: "yield",
        ast.UnaryOp: "~ and not (the signs + and - are allowed)"}
SYMBOLS = {name: sympy.Symbol(name, real=True) for name in NAMES}
X = SYMBOLS["x"]


class sigmoid(sympy.Function):  # noqa: N801 (the name sympy prints)
    """The logistic function as a function of its own: sympy differentiates it (sigma' = sigma (1 - sigma)) and the
    program evaluates it without overflow (expit), where 1 / (1 + exp(-u)) gives inf / inf far out."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        text = r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


class softplus(sympy.Function):  # noqa: N801
    """log(1 + e^u), with softplus' = sigma, evaluated as logaddexp(0, u)."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        text = r"\operatorname{softplus}\left(" + printer._print(self.args[0]) + r"\right)"
        return text if exp is None else rf"{text}^{{{exp}}}"


BUILD = {
    "exp": sympy.exp, "log": sympy.log, "log1p": lambda u: sympy.log(1 + u), "expm1": lambda u: sympy.exp(u) - 1,
    "sqrt": sympy.sqrt, "abs": sympy.Abs, "sign": sympy.sign, "sin": sympy.sin, "cos": sympy.cos,
    "tanh": sympy.tanh, "erf": sympy.erf,
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)) if u.is_number else sigmoid(u),  # a constant is folded as any other
    "softplus": lambda u: sympy.log(1 + sympy.exp(u)) if u.is_number else softplus(u),
    "relu": lambda u: sympy.Max(0, u), "heaviside": lambda u: sympy.Heaviside(u, 1), "max": sympy.Max,
    "min": sympy.Min, "clip": lambda u, lo, hi: sympy.Min(sympy.Max(u, lo), hi),
    "where": lambda cond, p, q: sympy.Piecewise((p, cond), (q, True)),
}
assert set(BUILD) == set(FUNCTIONS)


def _fail(node: ast.AST, message: str, hint: str = "") -> FormulaError:
    return FormulaError(f"{message} at column {getattr(node, 'col_offset', 0) + 1}" + (f": {hint}" if hint else ""))


def check_text(text: str) -> None:
    """Refuse a text past the size limits, or not one line, before any expression is built."""
    if not text.strip():
        raise FormulaError("The formula is empty: type an expression of x, such as max(0, x)")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    for i, char in enumerate(text):
        if char in "\\#" or not char.isprintable():
            shown = {"\n": "a line break", "\r": "a line break", "\t": "a tab", "\\": "a backslash",
                     "#": "a comment sign (#)"}.get(char, f"the character U+{ord(char):04X}")
            raise FormulaError(f"A formula is one line of text: {shown} at column {i + 1} is not allowed")
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth > MAX_DEPTH:
            raise FormulaError(f"More than {MAX_DEPTH} nested brackets at column {i + 1}")


@functools.lru_cache(maxsize=4096)
def degree(expr) -> int:
    """An upper bound of the degree in x, counting any function of x as degree 1 (so exp(x ** 60) is 60)."""
    if not expr.has(X):
        return 0
    if expr == X:
        return 1
    if isinstance(expr, sympy.Pow) and expr.exp.is_number:
        return math.ceil(degree(expr.base) * abs(float(expr.exp)))
    if isinstance(expr, sympy.Mul):
        return sum(degree(arg) for arg in expr.args)
    return max(degree(arg) for arg in expr.args)


class _Builder:
    """Turns a whitelisted syntax tree into a sympy expression, node by node, folding and bounding constants."""

    def build(self, node: ast.AST, condition: bool = False):
        expr = self._build(node, condition)
        if isinstance(expr, sympy.Expr) and not expr.free_symbols:
            return self._constant(expr, node)
        if isinstance(expr, sympy.Expr) and degree(expr) > MAX_DEGREE:
            raise _fail(node, f"This part has degree {degree(expr)} in x; at most {MAX_DEGREE} is allowed")
        return expr

    def _constant(self, value, node: ast.AST):
        """A constant part, checked to be a finite real number of at most MAX_CONSTANT in size, and kept exact
        (1/10, sqrt(2)) only while it is short."""
        number = value.evalf(20)
        if not (number.is_real and number.is_finite):
            raise _fail(node, "This part is not a finite real number (a division by zero, the log of 0, the square "
                              "root of a negative number...)")
        if abs(number) > MAX_CONSTANT:
            raise _fail(node, f"This part is about {str(sympy.Float(number, 3)).lower()}: constants are limited "
                              f"to {MAX_CONSTANT:g} in size")
        short = all(len(str(abs(r.p))) + len(str(r.q)) <= EXACT_DIGITS for r in value.atoms(sympy.Rational))
        return value if short and sympy.count_ops(value) <= 12 else sympy.Float(float(number))

    def _build(self, node: ast.AST, condition: bool):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise _fail(node, f"Only numbers are allowed as constants, not {type(node.value).__name__}")
            if not abs(node.value) <= MAX_NUMBER:  # huge (integers too), infinite or NaN
                raise _fail(node, f"Numbers must be finite and at most {MAX_NUMBER:,.0f} in size")
            return sympy.Rational(repr(node.value)) if isinstance(node.value, float) else sympy.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in SYMBOLS:
                return SYMBOLS[node.id]
            if node.id in FUNCTIONS:
                raise _fail(node, f"{node.id} is a function: call it, as in {node.id}(x)")
            raise _fail(node, f"Unknown name '{node.id[:20]}'", "use x, a, b, c and the functions "
                        + ", ".join(FUNCTIONS))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            left = self.build(node.left)
            if isinstance(node.op, ast.Pow):
                return left ** self._exponent(node.right)
            right = self.build(node.right)
            if isinstance(node.op, ast.Div):
                return left / right
            return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
        if isinstance(node, ast.BinOp):
            raise _fail(node, "Not allowed: the operators are + - * / and ** (with a number as exponent)")
        if isinstance(node, ast.Compare):
            if not condition:
                raise _fail(node, "Comparisons are allowed only as the condition of where(condition, then, else)")
            if len(node.ops) != 1 or type(node.ops[0]) not in COMPARISONS:
                raise _fail(node, "Use one comparison with <, <=, > or >=")
            left, right = self.build(node.left), self.build(node.comparators[0])
            if not (left - right).has(X):
                raise _fail(node, "The condition of where must involve x (a condition of constants is always true "
                                  "or always false)")
            return COMPARISONS[type(node.ops[0])](left, right)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _fail(node, f"Not allowed: {WHAT.get(type(node), type(node).__name__)}")

    def _exponent(self, node: ast.AST):
        value = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
        if not isinstance(value, ast.Constant) or isinstance(value.value, bool) \
                or not isinstance(value.value, (int, float)):
            raise _fail(node, "An exponent must be a number, as in x ** 2 (use exp(...) for other powers)")
        number = -value.value if value is not node else value.value
        if not abs(number) <= MAX_EXPONENT:
            raise _fail(node, f"Exponents are limited to ±{MAX_EXPONENT}")
        return sympy.Rational(repr(number)) if isinstance(number, float) else sympy.Integer(number)

    def _call(self, node: ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name[:20] if name else "this expression"
            raise _fail(node, f"'{shown}' cannot be called", "the functions are " + ", ".join(FUNCTIONS))
        if node.keywords or len(node.args) != FUNCTIONS[name]:
            raise _fail(node, f"{name} takes {FUNCTIONS[name]} argument{'s' * (FUNCTIONS[name] > 1)}, by position")
        args = [self.build(arg, condition=name == "where" and i == 0) for i, arg in enumerate(node.args)]
        if name == "where" and not isinstance(node.args[0], ast.Compare):
            raise _fail(node.args[0], "The first argument of where must be a comparison, as in where(x > 0, x, 0)")
        return BUILD[name](*args)


def read(text: str):
    """The sympy expression of a formula; FormulaError says what is wrong and where."""
    check_text(text)
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and the like: the error below says enough
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"Not a formula: {error.msg} at column {error.offset or 1}") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise FormulaError(f"The formula has {nodes} parts; at most {MAX_NODES} are allowed")
    f = _Builder().build(tree.body)
    if not f.has(X):
        raise FormulaError("The formula does not depend on x")
    return f


def derivative(expr):
    """d expr / dx with relu's convention at a switch: a step is 0 at 0 on its lower side (relu'(0) = 0), and
    the Dirac deltas of a jump are dropped (the derivative on either side)."""
    df = sympy.diff(expr, X)
    df = df.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))
    return df.replace(sympy.Heaviside, lambda arg, *rest: sympy.Heaviside(arg, 0))


class _Latex(LatexPrinter):
    """sympy's LaTeX, with a step written as an indicator, 1 where its condition holds: 𝟏[x > 0]."""

    def _print_Heaviside(self, e, exp=None):
        relation = r"\ge" if len(e.args) > 1 and e.args[1] == 1 else ">"
        text = rf"\mathbf{{1}}\left[{self._print(e.args[0])} {relation} 0\right]"
        return text if exp is None else rf"{text}^{{{self._print(exp)}}}"


def latex(expr) -> str | None:
    """LaTeX of an expression, or None when it is longer than MAX_LATEX characters (too long to typeset)."""
    text = _Latex().doprint(expr)
    return text if len(text) <= MAX_LATEX else None


UNARY = {sympy.exp: "exp", sympy.log: "log", sympy.Abs: "abs", sympy.sign: "sign", sympy.sin: "sin",
         sympy.cos: "cos", sympy.tanh: "tanh", sympy.erf: "erf", sigmoid: "sigmoid", softplus: "softplus"}
NARY = {sympy.Add: "add", sympy.Mul: "mul", sympy.Max: "max", sympy.Min: "min", sympy.And: "and",
        sympy.Or: "or", sympy.Not: "not", sympy.StrictLessThan: "lt", sympy.LessThan: "le",
        sympy.StrictGreaterThan: "gt", sympy.GreaterThan: "ge"}


class _Compiler:
    """Writes an expression as one straight-line program, each distinct subexpression once, and records where the
    pieces of max, min, abs, sign, heaviside and where switch."""

    def __init__(self):
        self.instructions: list[Instruction] = []
        self.index: dict = {}
        self.switches: list[Switch] = []

    def constant(self, value: float) -> int:
        return self._append(("const", value), Instruction("const", value=value))

    def _append(self, key, ins: Instruction) -> int:
        if key not in self.index:
            self.instructions.append(ins)
            if len(self.instructions) > MAX_INSTRUCTIONS:
                raise FormulaError(f"This formula or its derivative takes more than {MAX_INSTRUCTIONS} operations to "
                                   "evaluate; write a shorter one")
            self.index[key] = len(self.instructions) - 1
        return self.index[key]

    def emit(self, expr) -> int:
        if expr in self.index:
            return self.index[expr]
        if expr in (sympy.true, sympy.false):
            return self.constant(float(expr == sympy.true))
        if expr.is_number:
            value = complex(expr.evalf(17))
            if value.imag or not math.isfinite(value.real):
                raise FormulaError(f"Its derivative is not a finite real number everywhere: it holds {str(expr)[:40]}")
            return self.constant(value.real)
        if expr in SYMBOLS.values():
            return self._append(expr, Instruction(expr.name))
        if isinstance(expr, sympy.Pow) and expr.exp.is_number:
            ins = Instruction("pow", (self.emit(expr.base),), float(expr.exp))
        elif isinstance(expr, sympy.Heaviside):
            ins = Instruction("heaviside", (self.emit(expr.args[0]),), float(expr.args[1]))
            self.switches.append(Switch("sign", ins.args))
        elif isinstance(expr, ITE):  # a condition on a where: (c and a) or (not c and b)
            ins = Instruction("piecewise", tuple(self.emit(arg) for arg in expr.args))
        elif isinstance(expr, sympy.Piecewise):
            args = [self.emit(part) for pair in expr.args for part in (pair.cond, pair.expr)]
            otherwise = math.nan  # where no condition holds, sympy leaves a Piecewise undefined
            ins = Instruction("piecewise", (*args, self.constant(otherwise)))
        elif expr.func in UNARY:
            ins = Instruction(UNARY[expr.func], (self.emit(expr.args[0]),))
            if expr.func in (sympy.Abs, sympy.sign):
                self.switches.append(Switch("sign", ins.args))
        elif expr.func in (sympy.Add, sympy.Mul) and sum(arg.is_number for arg in expr.args) > 1:
            numbers = [arg for arg in expr.args if arg.is_number]  # 2 / sqrt(pi): one constant
            rest = [arg for arg in expr.args if not arg.is_number]
            return self.emit(expr.func(expr.func(*numbers).evalf(17), *rest, evaluate=False))
        elif expr.func in NARY:
            ins = Instruction(NARY[expr.func], tuple(self.emit(arg) for arg in expr.args))
            if ins.op in ("max", "min"):
                self.switches.append(Switch(ins.op, ins.args))
            elif ins.op in ("lt", "le", "gt", "ge"):
                self.switches.append(Switch("sign", ins.args))
        else:
            raise FormulaError(f"sympy cannot write its derivative with the functions here (it holds "
                               f"{type(expr).__name__}); write the formula another way")
        return self._append(expr, ins)


def compile_(expr) -> Program:
    """The program of an expression."""
    compiler = _Compiler()
    compiler.emit(expr)
    return Program(tuple(compiler.instructions), tuple(dict.fromkeys(compiler.switches)))


def cost(f: Program, df: Program, points: int = 2**14) -> float:
    """Seconds per element of f and f' together, over Mish's in the same process and moment (the slowest
    built-in, which the training and depth budgets were set by)."""
    from relu_viz.activations import ACTIVATIONS

    x = np.linspace(-10, 10, points)
    mish = ACTIVATIONS["mish"]

    def best(fn):
        fn()  # warm-up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    own = best(lambda: (program_.evaluate(f, x), program_.evaluate(df, x)))
    reference = best(lambda: (mish.f(x), mish.df(x)))
    return own / reference


def analyse(text: str) -> Formula:
    """Everything the page needs of a formula: its programs, LaTeX, the names it uses and its cost (run in the
    sandbox)."""
    f = read(text)
    df = derivative(f)
    f_program, df_program = compile_(f), compile_(df)
    probe = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    for program in (f_program, df_program):  # what parses renders: no exception at a few points
        program_.evaluate(program, probe, 1.0, 1.0, 1.0)
    program_.switch_points(f_program, 1.0, 1.0, 1.0, SWITCH_LIMIT, MAX_SWITCHES)  # nor where it switches piece
    return Formula(text=text, f=f_program, df=df_program, latex=(latex(f), latex(df)),
                   uses=frozenset(s.name for s in f.free_symbols) - {"x"}, cost=cost(f_program, df_program))


analyse("x * sigmoid(b * x) + max(0, x) - where(x > 1, abs(x), 0)")  # warms sympy up once in the sandbox's fork server
