"""The visitor's own activation: a formula read through a whitelist of Python's `ast` into a sympy expression,
differentiated exactly by sympy and evaluated with numpy. The text itself is never evaluated (no eval, exec,
sympify or parse_expr): only the expression built node by node from the whitelist is compiled, by lambdify."""

from __future__ import annotations

import ast
import functools
import warnings
from dataclasses import dataclass

import numpy as np

MAX_LENGTH = 300  # characters
MAX_DEPTH = 24  # nested brackets
MAX_NODES = 200  # syntax-tree nodes
MAX_EXPONENT = 10  # |n| of a power x ** n (a number, not an expression)
NAMES = ("x", "a", "b", "c")
FUNCTIONS = {  # name: number of arguments
    "exp": 1, "log": 1, "log1p": 1, "expm1": 1, "sqrt": 1, "abs": 1, "sign": 1, "sin": 1, "cos": 1, "tanh": 1,
    "sigmoid": 1, "softplus": 1, "erf": 1, "relu": 1, "heaviside": 1, "max": 2, "min": 2, "clip": 3, "where": 3,
}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
COMPARISONS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
WHAT = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
        ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.SetComp: "comprehensions",
        ast.DictComp: "comprehensions", ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
        ast.BoolOp: "and/or", ast.IfExp: "if-else (use where(condition, then, else))", ast.NamedExpr: ":=",
        ast.Starred: "*arguments", ast.JoinedStr: "strings", ast.Await: "await", ast.Yield: "yield",
        ast.UnaryOp: "~ and not (the signs + and - are allowed)"}


class FormulaError(ValueError):
    """A formula that cannot be used: the message says what is wrong and where (a 1-based column)."""


@dataclass(frozen=True)
class Formula:
    """A parsed formula: f and f' as sympy expressions of x, a, b, c, and where f or f' may switch piece."""

    text: str
    f: object  # sympy.Expr
    df: object
    switches: tuple  # sympy expressions g(x, a, b, c): f or f' changes piece where g = 0

    def latex(self) -> tuple[str, str]:
        """LaTeX of f and f' (a step written as an indicator, 1 where its condition holds: 𝟏[x > 0])."""
        printer = _latex_printer()
        return printer.doprint(self.f), printer.doprint(self.df)


@functools.cache
def _latex_printer():
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_Heaviside(self, e, exp=None):
            at_zero = e.args[1] if len(e.args) > 1 else None
            relation = r"\ge" if at_zero == 1 else ">"
            text = rf"\mathbf{{1}}\left[{self._print(e.args[0])} {relation} 0\right]"
            return text if exp is None else rf"{text}^{{{exp}}}"

    return Printer()


def _symbols():
    import sympy

    return {name: sympy.Symbol(name, real=True) for name in NAMES}


def with_numbers(expr, a: float, b: float, c: float):
    """The expression with the numbers a, b, c put in, exactly (0.1 as 1/10)."""
    import sympy

    s = _symbols()
    return expr.subs({s[name]: sympy.Rational(repr(float(v))) for name, v in zip("abc", (a, b, c))})


@functools.cache
def _smooth_functions():
    """sigmoid and softplus as functions of their own: sympy differentiates them (sigma' = sigma (1 - sigma),
    softplus' = sigma) and numpy evaluates them without overflow (expit, logaddexp), where the spelled-out
    1 / (1 + exp(-u)) and its derivative give inf / inf far out."""
    import sympy as s

    class sigmoid(s.Function):  # noqa: N801 (the name sympy prints)
        def fdiff(self, argindex=1):
            return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

        def _latex(self, printer):
            return r"\sigma\left(" + printer._print(self.args[0]) + r"\right)"

    class softplus(s.Function):  # noqa: N801
        def fdiff(self, argindex=1):
            return sigmoid(self.args[0])

        def _latex(self, printer):
            return r"\operatorname{softplus}\left(" + printer._print(self.args[0]) + r"\right)"

    return sigmoid, softplus


def _functions():
    import sympy as s

    sigmoid, softplus = _smooth_functions()
    return {
        "exp": s.exp, "log": s.log, "log1p": lambda u: s.log(1 + u), "expm1": lambda u: s.exp(u) - 1,
        "sqrt": s.sqrt, "abs": s.Abs, "sign": s.sign, "sin": s.sin, "cos": s.cos, "tanh": s.tanh,
        "sigmoid": sigmoid, "softplus": softplus, "erf": s.erf,
        "relu": lambda u: s.Max(0, u), "heaviside": lambda u: s.Heaviside(u, 1), "max": s.Max, "min": s.Min,
        "clip": lambda u, lo, hi: s.Min(s.Max(u, lo), hi),
        "where": lambda cond, p, q: s.Piecewise((p, cond), (q, True)),
    }


def _fail(node: ast.expr, message: str, hint: str = "") -> FormulaError:
    return FormulaError(f"{message} at column {node.col_offset + 1}" + (f": {hint}" if hint else ""))


def _check_size(text: str) -> None:
    if not text.strip():
        raise FormulaError("The formula is empty: type an expression of x, such as max(0, x)")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth > MAX_DEPTH:
            raise FormulaError(f"More than {MAX_DEPTH} nested brackets at column {i + 1}")


class _Builder:
    """Turns a whitelisted syntax tree into a sympy expression, node by node."""

    def __init__(self):
        self.symbols, self.functions = _symbols(), _functions()

    def build(self, node: ast.AST, condition: bool = False):
        import sympy

        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise _fail(node, f"Only numbers are allowed as constants, not {type(node.value).__name__}")
            if not abs(node.value) <= 1e6:  # huge (integers too), infinite or NaN
                raise _fail(node, "Numbers must be finite and at most 1e6 in size")
            return sympy.Rational(repr(node.value)) if isinstance(node.value, float) else sympy.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
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
            return {ast.Lt: sympy.Lt, ast.LtE: sympy.Le, ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}[type(node.ops[0])](
                left, right)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise _fail(node, f"Not allowed: {WHAT.get(type(node), type(node).__name__)}")

    def _exponent(self, node: ast.AST):
        import sympy

        value = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) else node
        if not isinstance(value, ast.Constant) or isinstance(value.value, bool) \
                or not isinstance(value.value, (int, float)):
            raise _fail(node, "An exponent must be a number, as in x ** 2 (use exp(...) for other powers)")
        number = -value.value if value is not node else value.value
        if abs(number) > MAX_EXPONENT:
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
        return self.functions[name](*args)


def _switches(expr) -> tuple:
    """The expressions whose sign decides a piece: arguments of Max, Min, Abs, sign and Heaviside, and the
    comparisons of Piecewise, each as g with the switch at g = 0."""
    import sympy

    found = []
    for sub in sympy.preorder_traversal(expr):
        if isinstance(sub, (sympy.Max, sympy.Min)):
            args = sub.args
            found += [p - q for i, p in enumerate(args) for q in args[i + 1:]]
        elif isinstance(sub, (sympy.Abs, sympy.sign, sympy.Heaviside)):
            found.append(sub.args[0])
        elif isinstance(sub, sympy.Piecewise):
            found += [cond.lhs - cond.rhs for _, cond in sub.args if isinstance(cond, sympy.core.relational.Relational)]
    x = _symbols()["x"]
    return tuple(dict.fromkeys(g for g in found if g.has(x)))


def _derivative(expr):
    """d expr / dx with relu's convention at a switch: a step is 0 at 0 on its lower side (relu'(0) = 0), and
    the Dirac deltas of a jump are dropped (the derivative on either side)."""
    import sympy

    x = _symbols()["x"]
    df = sympy.diff(expr, x)
    df = df.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))
    return df.replace(sympy.Heaviside, lambda arg, *rest: sympy.Heaviside(arg, 0))


@functools.lru_cache(maxsize=256)
def parse(text: str) -> Formula:
    """Read a formula; FormulaError (a ValueError) says what is wrong and where."""
    _check_size(text)
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
    if not f.has(_symbols()["x"]):
        raise FormulaError("The formula does not depend on x")
    return Formula(text, f, _derivative(f), _switches(f))


@functools.lru_cache(maxsize=256)
def _compiled(expr):
    import sympy
    from scipy import special

    s = _symbols()
    numeric = {"Heaviside": _heaviside, "sigmoid": special.expit, "softplus": lambda u: np.logaddexp(0, u)}
    return sympy.lambdify([s[n] for n in NAMES], expr, modules=[numeric, "numpy", "scipy"])


def _heaviside(u, at_zero=0.5):
    return np.heaviside(u, at_zero)


def evaluate(expr, x, a: float = 1.0, b: float = 1.0, c: float = 1.0) -> np.ndarray:
    """A parsed expression at the inputs x (numpy), with parameters a, b, c; overflow and undefined values are
    NaN or ±inf, never an exception."""
    x = np.asarray(x, dtype=np.result_type(np.asarray(x).dtype, np.float32))
    with np.errstate(all="ignore"):
        out = np.asarray(_compiled(expr)(x, a, b, c), dtype=x.dtype)
    return np.broadcast_to(out, x.shape).copy() if out.shape != x.shape else out


@functools.lru_cache(maxsize=256)
def switch_points(formula: Formula, a: float = 1.0, b: float = 1.0, c: float = 1.0,
                  limit: float = 1e3) -> tuple[float, ...]:
    """The inputs in [-limit, limit] where f or f' may switch piece: exact roots of polynomial switching
    arguments, and sign changes of the others on a fine grid refined by bisection (all at once, vectorised)."""
    import sympy

    x = _symbols()["x"]
    points = set()
    for g in formula.switches:
        g = with_numbers(g, a, b, c)
        if g.is_polynomial(x) and sympy.degree(g, x) <= 4:
            points.update(float(r) for r in sympy.Poly(g, x).real_roots() if abs(float(r)) <= limit)
            continue
        grid = np.linspace(-limit, limit, 40_001)
        values = evaluate(g, grid)
        changes = np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)
        lo, hi, sign = grid[changes], grid[changes + 1], np.sign(values[changes])
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            same = np.sign(evaluate(g, mid)) == sign
            lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
        points.update(float(v) for v in 0.5 * (lo + hi))
        points.update(float(v) for v in grid[values == 0])
    return tuple(sorted(points))
