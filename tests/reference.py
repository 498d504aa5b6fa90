"""Independent high-precision reference implementations (mpmath), written from the textbook formulas."""

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
}


def reference(key, x, **params):
    """f(x) to 40 digits."""
    params = {k: (tuple(mp.mpf(v) for v in val) if isinstance(val, tuple) else
                  (val if isinstance(val, str) else mp.mpf(val))) for k, val in params.items()}
    return REFERENCE[key](mp.mpf(x), **params)


def reference_derivative(key, x, **params):
    """f'(x) by high-precision numerical differentiation of the reference (valid away from kinks)."""
    return mp.diff(lambda t: reference(key, t, **params), mp.mpf(x))
