"""Independent high-precision reference implementations (mpmath), written from the textbook formulas."""

import ast
import operator

import mpmath as mp

mp.mp.dps = 40

SELU_ALPHA = mp.mpf("1.6732632423543772848170429916717")
SELU_SCALE = mp.mpf("1.0507009873554804934193349852946")


def _sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def _leaky(x, a):
    return x if x > 0 else a * x


def _softplus(x, beta=1, threshold=20):
    return x if beta * x > threshold else mp.log(1 + mp.exp(beta * x)) / beta


FORMULA_FUNCTIONS = {
    "exp": mp.exp, "log": mp.log, "log1p": lambda u: mp.log(1 + u), "expm1": mp.expm1, "sqrt": mp.sqrt,
    "abs": abs, "sign": mp.sign, "sin": mp.sin, "cos": mp.cos, "tanh": mp.tanh, "sigmoid": _sigmoid,
    "softplus": lambda u: mp.log(1 + mp.exp(u)), "erf": mp.erf, "relu": lambda u: max(u, mp.mpf(0)),
    "heaviside": lambda u: mp.mpf(u >= 0), "max": max, "min": min, "clip": lambda u, lo, hi: min(max(u, lo), hi),
    "where": lambda condition, then, otherwise: then if condition else otherwise,
}
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
             ast.Pow: operator.pow, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
             ast.GtE: operator.ge}


def interpret(text, functions, number, **names):
    """A formula of the custom activation read straight from its syntax tree (no sympy), with the given
    functions and number type: an interpreter independent of relu_viz.formula."""
    def value(node):
        if isinstance(node, ast.Constant):
            return number(node.value)
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            return -value(node.operand) if isinstance(node.op, ast.USub) else value(node.operand)
        if isinstance(node, ast.BinOp):
            return OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.Compare):
            return OPERATORS[type(node.ops[0])](value(node.left), value(node.comparators[0]))
        return functions[node.func.id](*map(value, node.args))

    return value(ast.parse(text.strip(), mode="eval").body)


EXAMPLE_FORMULAS = (  # the examples, and some with kinks, jumps and the parameters
    "x * sigmoid(b * x)", "max(0, x) - 0.5 * max(0, x - 2)", "log(1 + exp(x))", "where(x > 0, x, a * (exp(x) - 1))",
    "x * tanh(softplus(x))", "sin(x)", "exp(-x**2)", "clip(a * x, -1, c) + heaviside(x - b)", "abs(x) ** 1.5",
    "min(x, a) * sign(x + c)", "relu(x) + erf(x / 2) - expm1(-abs(x)) / 3", "x / (1 + abs(x) ** 2)")


REFERENCE = {
    "relu": lambda x: max(x, mp.mpf(0)),
    "leaky_relu": lambda x, negative_slope: _leaky(x, negative_slope),
    "prelu": lambda x, weight: _leaky(x, weight),
    "rrelu": lambda x, lower, upper: _leaky(x, (lower + upper) / 2),
    "relu6": lambda x: min(max(x, mp.mpf(0)), 6),
    "elu": lambda x, alpha: x if x > 0 else alpha * (mp.exp(x) - 1),
    "selu": lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * (mp.exp(x) - 1)),
    "celu": lambda x, alpha: max(mp.mpf(0), x) + min(mp.mpf(0), alpha * (mp.exp(x / alpha) - 1)),
    "maxout": lambda x, slopes, intercepts: max(a * x + b for a, b in zip(slopes, intercepts)),
    "gelu": lambda x, approximate: (
        x / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)))
        if approximate == "tanh" else x / 2 * (1 + mp.erf(x / mp.sqrt(2)))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x, beta: x * _sigmoid(beta * x),
    "mish": lambda x: x * mp.tanh(mp.log(1 + mp.exp(x))),
    "softplus": _softplus,
    "hardswish": lambda x: x * min(max(x + 3, mp.mpf(0)), 6) / 6,
    "sigmoid": _sigmoid,
    "tanh": mp.tanh,
    "hardsigmoid": lambda x: min(max(x + 3, mp.mpf(0)), 6) / 6,
    "hardtanh": lambda x, min_val, max_val: min(max(x, min_val), max_val),
    "softsign": lambda x: x / (1 + abs(x)),
    "logsigmoid": lambda x: mp.log(_sigmoid(x)),
    "softshrink": lambda x, lambd: x - lambd if x > lambd else (x + lambd if x < -lambd else mp.mpf(0)),
    "hardshrink": lambda x, lambd: x if abs(x) > lambd else mp.mpf(0),
    "tanhshrink": lambda x: x - mp.tanh(x),
    "threshold": lambda x, threshold, value: x if x > threshold else value,
    "binary_step": lambda x: mp.mpf(1) if x >= 0 else mp.mpf(0),
    "identity": lambda x: x,
    "custom": lambda x, formula, a, b, c: interpret(formula, FORMULA_FUNCTIONS, lambda v: mp.mpf(repr(v)),
                                                    x=x, a=a, b=b, c=c),
}


def reference(key, x, **params):
    """f(x) to 40 digits."""
    params = {k: (tuple(mp.mpf(v) for v in val) if isinstance(val, tuple) else
                  (val if isinstance(val, str) else mp.mpf(val))) for k, val in params.items()}
    return REFERENCE[key](mp.mpf(x), **params)


def reference_derivative(key, x, **params):
    """f'(x) by high-precision numerical differentiation of the reference (valid away from kinks)."""
    return mp.diff(lambda t: reference(key, t, **params), mp.mpf(x))
