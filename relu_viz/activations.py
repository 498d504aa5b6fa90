"""The activation registry: each function, its exact derivative, parameters and formulas in one entry.

Semantics (values and autograd gradients, kink values included) follow ``torch.nn.functional``.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
from scipy import special

from relu_viz import formula as formula_

MAX_PIECES = 8

Number = float | str | tuple[float, ...]


@dataclass(frozen=True)
class Param:
    """One parameter: its default and allowed range (or choices), the single source for sliders and validation."""

    name: str
    default: Number
    low: float | None = None
    high: float | None = None
    step: float | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    integer: bool = False  # a whole number (returned as int)
    read: Callable[[str], object] | None = None  # checks a text value: raises ValueError saying what is wrong
    most: int = MAX_PIECES  # the longest sequence of numbers allowed (kind "pieces")

    @property
    def kind(self) -> str:
        """"choice", "pieces" (a sequence of 1 to `most` numbers), "text" (checked by `read`) or "number"."""
        if self.choices:
            return "choice"
        if isinstance(self.default, tuple):
            return "pieces"
        return "text" if isinstance(self.default, str) else "number"

    def allowed(self) -> str:
        """The allowed values, as a sentence fragment for error messages and notices."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "pieces":
            return f"1 to {self.most} numbers in [{self.low:g}, {self.high:g}]"
        if self.kind == "text":
            return "a formula: " + self.help
        return f"{'a whole' if self.integer else 'a'} number in [{self.low:g}, {self.high:g}]"

    def validate(self, value) -> Number:
        """Return the value in canonical form, or raise ValueError naming this parameter and its allowed range."""
        if self.kind == "choice":
            if value in self.choices:
                return value
        elif self.kind == "pieces":
            try:
                values = tuple(float(v) for v in value)
            except (TypeError, ValueError, OverflowError):  # OverflowError: an integer past float's range
                values = ()
            if 1 <= len(values) <= self.most and all(self._in_range(v) for v in values):
                return values
        elif self.kind == "text":
            if not isinstance(value, str):
                raise ValueError(f"{self.name} must be text, got {type(value).__name__}")
            try:
                self.read(value)
            except ValueError as error:  # its own kind kept (a formula the server was too busy to read, say)
                raise type(error)(f"{self.name}: {error}") from None
            return value
        else:
            is_number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
            if is_number and abs(value) <= sys.float_info.max and self._in_range(float(value)) and (
                    not self.integer or float(value).is_integer()):
                return int(value) if self.integer else float(value)
        raise ValueError(f"{self.name} must be {self.allowed()}, got {value!r:.60}")

    def _in_range(self, v: float) -> bool:
        return math.isfinite(v) and self.low <= v <= self.high


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative, parameters, formulas and a short explanation."""

    key: str
    label: str
    group: str
    f: Callable[..., np.ndarray]
    df: Callable[..., np.ndarray]
    formula: str
    derivative_formula: str
    summary: str
    params: tuple[Param, ...] = ()
    kinks: Callable[..., tuple[float, ...]] = lambda **p: ()  # where f or f' is not smooth
    check: Callable[..., str | None] = lambda **p: None  # cross-parameter rule: an error message or None
    # f' from the saved output y = f(x), where PyTorch's autograd computes it that way (relu, sigmoid, tanh)
    df_from_output: Callable[..., np.ndarray] | None = None
    latex: Callable[..., tuple[str, str]] | None = None  # formulas that depend on the parameters (your own)
    untrusted: bool = False  # a visitor's text is among its parameters: analysing it runs in the sandbox
    cost_of: Callable[..., float] | None = None  # f and f' per element in multiples of Mish's, if it may cost more

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def resolve(self, params: dict) -> dict:
        """Validated parameters with defaults filled in; ValueError names the offending parameter."""
        known = {p.name for p in self.params}
        unknown = sorted(set(params) - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise ValueError(f"{self.key}: unknown parameter {unknown[0]!r} (allowed: {allowed})")
        resolved = self.defaults
        for name, value in params.items():
            try:
                resolved[name] = self.param(name).validate(value)
            except ValueError as error:
                raise ValueError(f"{self.key}: {error}") from None
        problem = self.check(**resolved)
        if problem:
            raise ValueError(f"{self.key}: {problem}")
        return resolved

    def __call__(self, x, **params):
        """f(x), elementwise; float32 stays float32, anything else becomes float64."""
        x = _as_float_array(x)
        return _same_shape(self.f(x, **self.resolve(params)), x)

    def derivative(self, x, **params):
        """f'(x), elementwise, with PyTorch autograd's value at kinks (your own formula: the rule in its summary)."""
        x = _as_float_array(x)
        return _same_shape(self.df(x, **self.resolve(params)), x)

    def formulas(self, **params) -> tuple[str, str]:
        """LaTeX of f and of f' at these parameters."""
        if self.latex is None:
            return self.formula, self.derivative_formula
        return self.latex(**self.resolve(params))

    def cost(self, **params) -> float:
        """What f and f' cost per element, in multiples of Mish's, the slowest built-in, by which the training, depth
        and speed budgets are set: 1 for every built-in; your formula's as measured when it was read, if higher."""
        return max(1.0, self.cost_of(**self.resolve(params))) if self.cost_of else 1.0

    def kink_points(self, **params) -> tuple[float, ...]:
        """The x where f or f' is not smooth (jumps or corners), sorted."""
        return tuple(sorted(set(self.kinks(**self.resolve(params)))))


def _as_float_array(x) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float32 if x.dtype == np.float16 else np.float64)


def _same_shape(y, x: np.ndarray):
    y = np.broadcast_to(np.asarray(y), x.shape).astype(x.dtype)
    return y[()] if y.ndim == 0 else y


def _sech2(z):
    """sech(z)^2 without overflow."""
    return 4.0 * special.expit(2 * z) * special.expit(-2 * z)


def _neg_exp(x, alpha=1.0):
    """exp(x/alpha) on the non-positive side only, so the unused branch of np.where cannot overflow."""
    return np.exp(np.minimum(x, 0) / alpha)


def _neg_expm1(x, alpha=1.0):
    return np.expm1(np.minimum(x, 0) / alpha)


# --- functions and derivatives ---------------------------------------------------------------------------------

def _leaky(x, slope):
    """x where x > 0, slope * x elsewhere: for slope <= 1 (every registry range) the larger of the two, which numpy
    computes in two passes (np.where takes three and is slower); slope 0 is ReLU's one pass."""
    return np.maximum(x, slope * x) if slope else np.maximum(x, 0)


def _leaky_d(x, slope):
    return np.maximum(x > 0, slope) if slope >= 0 else np.where(x > 0, 1.0, slope)


def _hardtanh(x, min_val, max_val):
    return np.clip(x, min_val, max_val)


def _hardtanh_d(x, min_val, max_val):
    return ((x > min_val) & (x < max_val)).astype(x.dtype)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
GELU_TANH_K = math.sqrt(2 / math.pi)
GELU_TANH_C = 0.044715


def _gelu(x, approximate):
    if approximate == "tanh":
        return x * special.expit(2 * GELU_TANH_K * (x + GELU_TANH_C * x**3))  # 0.5 (1 + tanh u) = expit(2u)
    return 0.5 * x * special.erfc(-x / math.sqrt(2))


def _gelu_d(x, approximate):
    if approximate == "tanh":
        u2 = 2 * GELU_TANH_K * (x + GELU_TANH_C * x**3)
        s, s_minus = special.expit(u2), special.expit(-u2)
        return s + (x * s * s_minus) * 2 * GELU_TANH_K * (1 + 3 * GELU_TANH_C * x**2)
    return 0.5 * special.erfc(-x / math.sqrt(2)) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _swish(x, beta):
    return x * special.expit(beta * x)


def _swish_d(x, beta):
    s = special.expit(beta * x)
    return s + beta * x * s * special.expit(-beta * x)


def _softplus(x, beta, threshold):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


def _softplus_d(x, beta, threshold):
    """z / (1 + z) with z = e^(beta x), as PyTorch's backward computes it: in float32 it rounds to 0 where z
    underflows (x below about -104), not where e^(-beta x) overflows (expit's 1 / (1 + e^(-x)): below about -89)."""
    z = np.exp(np.minimum(beta * x, threshold))
    return np.where(beta * x > threshold, 1.0, z / (1 + z))


def _logsigmoid_d(x):
    """sigma(-x) as PyTorch's backward computes it, from z = e^(-|x|): in float32 it rounds to 0 where z underflows
    (x above about 104)."""
    z = np.exp(-np.abs(x))
    return np.where(x > 0, z, 1) / (1 + z)


def _tanh(x):
    """tanh, in float32 computed in float64 and rounded once (numpy's float32 tanh stays below 1 up to x = 10, where
    PyTorch's rounds to 1 from about 9.011, and 1 - y^2 with it)."""
    return np.tanh(x.astype(np.float64)).astype(x.dtype) if x.dtype == np.float32 else np.tanh(x)


def _mish_d(x):
    sp = np.logaddexp(0, x)
    return np.tanh(sp) + x * _sech2(sp) * special.expit(x)


def _maxout(x, slopes, intercepts):
    """The running maximum over the pieces, one piece at a time (no k x n stack)."""
    out = slopes[0] * x + intercepts[0]
    for a, b in zip(slopes[1:], intercepts[1:]):
        out = np.maximum(out, a * x + b)
    return out


def _maxout_d(x, slopes, intercepts):
    """The slope of the first piece attaining the maximum (a later piece takes over only where strictly larger)."""
    best, d = slopes[0] * x + intercepts[0], np.full(np.shape(x), slopes[0], dtype=x.dtype)
    for a, b in zip(slopes[1:], intercepts[1:]):
        piece = a * x + b
        np.copyto(d, a, where=piece > best)
        best = np.maximum(best, piece)
    return d


def _maxout_kinks(slopes, intercepts):
    """Crossings of two pieces that lie on the upper envelope."""
    kinks = []
    for i, j in itertools.combinations(range(len(slopes)), 2):
        if slopes[i] != slopes[j]:
            x = (intercepts[j] - intercepts[i]) / (slopes[i] - slopes[j])
            top = max(a * x + b for a, b in zip(slopes, intercepts))
            if slopes[i] * x + intercepts[i] >= top - 1e-12 * max(1.0, abs(top)):
                kinks.append(x)
    return tuple(kinks)


def _your_formula(part: str, x, formula, a, b, c):
    """f (part "f") or f' (part "df") of the visitor's formula, evaluated with numpy."""
    return formula_.evaluate(getattr(formula_.parse(formula), part), x, a, b, c)


def _custom_latex(formula, a, b, c):
    f, df = formula_.parse(formula).latex
    too_long = r"\text{(too long to typeset: see the curves)}"
    return f"f(x) = {f or too_long}", f"f'(x) = {df or too_long}"


FORMULA_HELP = ("an expression of x and the numbers a, b, c with + - * / ** (a number as exponent), brackets and "
                "the functions " + ", ".join(formula_.FUNCTIONS) + "; comparisons only in where(condition, then, "
                "else)")
NUMBER_HELP = "A number your formula can use as {}: move it to see what it does."


def _maxout_check(slopes, intercepts):
    if len(slopes) != len(intercepts):
        return f"slopes and intercepts must have the same length, got {len(slopes)} and {len(intercepts)}"
    return None


# --- parameters shared by several entries -------------------------------------------------------------------------

ALPHA = Param("alpha", 1.0, 0.0, 5.0, 0.05, "Scale of the negative saturation: f tends to -alpha as x goes to "
              "-infinity.")
LAMBD = Param("lambd", 0.5, 0.0, 5.0, 0.05, "Half-width of the interval that is set to zero.")


# the rectifier's history, said alike by ReLU's summary and the tour's first step
RECTIFIER_HISTORY = (
    "The rectifier is older than its fame: Fukushima used rectifying units for visual feature extraction (1969) "
    "and in the neocognitron (1980); Hahnloser et al. (2000) built them into a cortex-inspired circuit; Jarrett et "
    "al. (2009) used rectification (|tanh x|) in convolutional networks for object recognition and found it, with "
    "local contrast normalisation, the most important ingredient for accuracy; Nair and Hinton (2010) named the "
    "rectified linear unit and popularised it in "
    "restricted Boltzmann machines.")

RELU_FAMILY, CURVED, SQUASHING, SHRINKAGE, OTHER, YOUR_OWN = (
    "ReLU family", "Curved ReLU-likes", "Squashing", "Shrinkage", "Other", "Your own")
GROUPS = (RELU_FAMILY, CURVED, SQUASHING, SHRINKAGE, OTHER, YOUR_OWN)

_ENTRIES = [
    Activation(
        "relu", "ReLU", RELU_FAMILY,
        lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(x.dtype),
        r"\mathrm{ReLU}(x) = \max(0, x)",
        r"\mathrm{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
        f"{RECTIFIER_HISTORY} Glorot, Bordes and Bengio (2011) showed that deep rectifier networks train well, and "
        "AlexNet (Krizhevsky et al. 2012) made it the default hidden activation: cheap, its gradient is exactly 1 for "
        "every positive input, and its outputs are sparse (exact zeros wherever the input is negative). Its weakness "
        "is the flat negative side: a unit whose pre-activation is negative on every input gets zero gradient (a dead "
        "ReLU). In the first layer, under plain gradient descent, it stays dead; deeper units can revive when the "
        "layers below them change.",
        kinks=lambda: (0.0,), df_from_output=lambda y: (y > 0).astype(y.dtype),
    ),
    Activation(
        "leaky_relu", "Leaky ReLU", RELU_FAMILY,
        lambda x, negative_slope: _leaky(x, negative_slope),
        lambda x, negative_slope: _leaky_d(x, negative_slope),
        r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},\quad a = "
        r"\text{negative\_slope}",
        r"\mathrm{LeakyReLU}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        "ReLU with a small slope for negative inputs (Maas, Hannun and Ng 2013): with a slope above 0 every unit "
        "always receives some gradient and cannot die, though a unit negative on every input learns only through "
        "that small slope. Its outputs are not zero-centred either. Used where dead units hurt, for example in GAN "
        "discriminators.",
        (Param("negative_slope", 0.01, 0.0, 1.0, 0.01, "Slope for x < 0; 0 gives ReLU, 1 gives the identity."),),
        kinks=lambda negative_slope: (0.0,),
    ),
    Activation(
        "prelu", "PReLU", RELU_FAMILY,
        lambda x, weight: _leaky(x, weight), lambda x, weight: _leaky_d(x, weight),
        r"\mathrm{PReLU}(x) = \begin{cases} x & x > 0 \\ w\,x & x \le 0 \end{cases}",
        r"\mathrm{PReLU}'(x) = \begin{cases} 1 & x > 0 \\ w & x \le 0 \end{cases}",
        "Leaky ReLU whose negative slope w is learned with the weights (He et al. 2015, the paper that also "
        "introduced He initialisation). The curve is drawn at the slider's w; the dead-neuron panel learns w with "
        "the weights, one per layer as PyTorch's nn.PReLU() does by default (num_parameters=1; it can also learn "
        "one per channel), starting at the slider's value, and draws it epoch by epoch.",
        (Param("weight", 0.25, -1.0, 1.0, 0.01, "The learned negative slope w (PyTorch initialises it to 0.25)."),),
        kinks=lambda weight: (0.0,),
    ),
    Activation(
        "rrelu", "RReLU", RELU_FAMILY,
        lambda x, lower, upper: _leaky(x, (lower + upper) / 2),
        lambda x, lower, upper: _leaky_d(x, (lower + upper) / 2),
        r"\mathrm{RReLU}(x) = \begin{cases} x & x > 0 \\ a\,x & x \le 0 \end{cases},\quad "
        r"a \sim U(l, u) \text{ in training},\ a = \tfrac{l+u}{2} \text{ in evaluation}",
        r"\mathrm{RReLU}'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        "Randomised Leaky ReLU (Xu et al. 2015): during training the negative slope is drawn uniformly from "
        "[lower, upper] anew for every element of every pass, a mild regulariser; at evaluation the slope is their "
        "mean, which is the curve drawn. The dead-neuron panel trains with the random slopes, as "
        "F.rrelu(training=True) does, and evaluates with the mean.",
        (Param("lower", 1 / 8, 0.0, 1.0, 0.005, "Lower bound of the random negative slope."),
         Param("upper", 1 / 3, 0.0, 1.0, 0.005, "Upper bound of the random negative slope.")),
        kinks=lambda lower, upper: (0.0,),
        check=lambda lower, upper: None if lower <= upper else f"lower ({lower:g}) must not exceed upper ({upper:g})",
    ),
    Activation(
        "relu6", "ReLU6", RELU_FAMILY,
        lambda x: _hardtanh(x, 0.0, 6.0), lambda x: _hardtanh_d(x, 0.0, 6.0),
        r"\mathrm{ReLU6}(x) = \min(\max(0, x), 6)",
        r"\mathrm{ReLU6}'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
        "ReLU capped at 6 (Krizhevsky 2010), popular in mobile networks (MobileNet) because the bounded output "
        "suits low-precision arithmetic. The cap adds a second flat region where the gradient is zero.",
        kinks=lambda: (0.0, 6.0),
    ),
    Activation(
        "elu", "ELU", RELU_FAMILY,
        lambda x, alpha: np.where(x > 0, x, alpha * _neg_expm1(x)),
        lambda x, alpha: np.where(x > 0, 1.0, alpha * _neg_exp(x)),
        r"\mathrm{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
        r"\mathrm{ELU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        "Exponential Linear Unit (Clevert et al. 2015): identity for positive inputs, a smooth exponential that "
        "saturates at -alpha for negative ones. Negative outputs push mean activations towards zero. For alpha > 0 "
        "the derivative alpha·e^x is positive everywhere in exact arithmetic, but it is below 0.001 past about "
        "x = -7 (alpha = 1) and rounds to exactly 0 in float32 past about x = -104, so a unit pushed that far on "
        "every input is as dead as a ReLU (the dead-neuron panel's 'Learning rate too high' setup shows it with ELU; "
        "alpha = 0 is ReLU). Costs an exponential.",
        (ALPHA,),
        kinks=lambda alpha: (0.0,),
    ),
    Activation(
        "selu", "SELU", RELU_FAMILY,
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * _neg_expm1(x)),
        lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * _neg_exp(x)),
        r"\mathrm{SELU}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases},\quad "
        r"\lambda \approx 1.0507,\ \alpha \approx 1.6733",
        r"\mathrm{SELU}'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha\,e^{x} & x \le 0 \end{cases}",
        "Scaled ELU (Klambauer et al. 2017) with constants chosen so that, with LeCun-normal weights, activations "
        "keep zero mean and unit variance through depth: self-normalising networks without batch norm.",
        kinks=lambda: (0.0,),
    ),
    Activation(
        "celu", "CELU", RELU_FAMILY,
        lambda x, alpha: np.where(x > 0, x, alpha * _neg_expm1(x, alpha)),
        lambda x, alpha: np.where(x > 0, 1.0, _neg_exp(x, alpha)),
        r"\mathrm{CELU}(x) = \max(0, x) + \min\!\big(0,\ \alpha\,(e^{x/\alpha} - 1)\big)",
        r"\mathrm{CELU}'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        "Continuously differentiable ELU (Barron 2017): the exponent is divided by alpha, so the slope at 0 is 1 "
        "from both sides for every alpha, unlike ELU whose left slope at 0 is alpha.",
        (replace(ALPHA, low=0.05),),
        kinks=lambda alpha: (0.0,),
    ),
    Activation(
        "maxout", "Maxout", RELU_FAMILY,
        _maxout, _maxout_d,
        r"\mathrm{Maxout}(x) = \max_{j=1..k} \left(a_j x + b_j\right)",
        r"\mathrm{Maxout}'(x) = a_{j^*},\quad j^* = \text{first } j \text{ attaining the max}",
        "A maxout unit (Goodfellow et al. 2013) outputs the largest of k affine functions of its input, each with "
        "its own learned weights, so it can represent any convex piecewise-linear function of up to k pieces. Drawn "
        "here as a fixed function of one input with the pieces you set: ReLU is max(0, x), Leaky ReLU max(ax, x), |x| "
        "max(-x, x); this curve's gradient is zero only where a flat piece (slope 0) is on top. In the dead-neuron "
        "panel Maxout layers are real maxout units with k pieces (the rows here), each learned: the winning piece "
        "always passes the gradient on, so a unit cannot die, though a piece that never wins gets no gradient. The "
        "price is k times the parameters.",
        (Param("slopes", (-0.5, 0.5, 2.0), -10.0, 10.0, 0.1, "Slope a_j of each linear piece."),
         Param("intercepts", (0.0, 1.0, -2.0), -10.0, 10.0, 0.1, "Intercept b_j of each linear piece.")),
        kinks=_maxout_kinks,
        check=_maxout_check,
    ),
    Activation(
        "gelu", "GELU", CURVED,
        _gelu, _gelu_d,
        r"\mathrm{GELU}(x) = x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)"
        r"\quad\text{tanh: } \tfrac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)",
        r"\mathrm{GELU}'(x) = \Phi(x) + x\,\varphi(x),\quad \varphi(x) = e^{-x^2/2}/\sqrt{2\pi}"
        r"\quad\text{tanh: } \tfrac{1}{2}(1 + t) + \tfrac{x}{2}(1 - t^2)\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2),"
        r"\ t = \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)",
        "Gaussian Error Linear Unit (Hendrycks and Gimpel 2016): the input weighted by the probability that a "
        "standard normal falls below it. Smooth and slightly non-monotonic; the default in BERT and GPT models. "
        "The tanh form is the fast approximation those models originally used.",
        (Param("approximate", "none", help="'none': exact, with erf; 'tanh': the tanh approximation.",
               choices=("none", "tanh")),),
    ),
    Activation(
        "silu", "SiLU", CURVED,
        lambda x: _swish(x, 1.0), lambda x: _swish_d(x, 1.0),
        r"\mathrm{SiLU}(x) = x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
        r"\mathrm{SiLU}'(x) = \sigma(x)\,\big(1 + x\,(1 - \sigma(x))\big)",
        "Sigmoid Linear Unit (Hendrycks and Gimpel 2016; Elfwing et al. 2017; Swish with beta = 1): smooth, "
        "non-monotonic with a small dip "
        "below zero, unbounded above. Used in EfficientNet, YOLO and the feed-forward layers of LLaMA (SwiGLU).",
    ),
    Activation(
        "swish", "Swish", CURVED,
        _swish, _swish_d,
        r"\mathrm{Swish}(x) = x\,\sigma(\beta x)",
        r"\mathrm{Swish}'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,\big(1 - \sigma(\beta x)\big)",
        "Swish (Ramachandran et al. 2017, found by automated search): x times a sigmoid gate. beta = 1 is SiLU, "
        "beta = 0 the line x/2, and large beta approaches ReLU, so it interpolates between linear and ReLU.",
        (Param("beta", 1.0, 0.0, 10.0, 0.1, "Sharpness of the gate; 0 gives x/2, large values approach ReLU."),),
    ),
    Activation(
        "mish", "Mish", CURVED,
        lambda x: x * np.tanh(np.logaddexp(0, x)), _mish_d,
        r"\mathrm{Mish}(x) = x \tanh\!\big(\mathrm{softplus}(x)\big)",
        r"\mathrm{Mish}'(x) = \tanh(s) + x\,\mathrm{sech}^2(s)\,\sigma(x),\quad s = \mathrm{softplus}(x)",
        "Mish (Misra 2019): smooth and non-monotonic like Swish, with a slightly deeper negative dip. Used in "
        "YOLOv4. More expensive than ReLU: a softplus and a tanh per element.",
    ),
    Activation(
        "softplus", "Softplus", CURVED,
        _softplus, _softplus_d,
        r"\mathrm{Softplus}(x) = \tfrac{1}{\beta} \log\!\left(1 + e^{\beta x}\right)"
        r"\quad (x \text{ where } \beta x > \text{threshold})",
        r"\mathrm{Softplus}'(x) = \sigma(\beta x)\quad (1 \text{ where } \beta x > \text{threshold})",
        "A smooth ReLU: always positive, its derivative is the sigmoid. Larger beta hugs ReLU more closely. Used "
        "where an output must be positive (variances, rates) more than as a hidden activation.",
        (Param("beta", 1.0, 0.1, 10.0, 0.1, "Sharpness; larger beta is closer to ReLU."),
         Param("threshold", 20.0, 1.0, 50.0, 1.0, "Above beta*x > threshold the function is exactly x.")),
        kinks=lambda beta, threshold: (threshold / beta,),
    ),
    Activation(
        "hardswish", "Hardswish", CURVED,
        lambda x: x * np.clip(x + 3, 0, 6) / 6,
        lambda x: np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0)),
        r"\mathrm{Hardswish}(x) = x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
        r"\mathrm{Hardswish}'(x) = \begin{cases} 0 & x \le -3 \\ x/3 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
        "A piecewise-quadratic Swish (Howard et al. 2019, MobileNetV3): no exponential, so it is cheap on phones, "
        "while keeping Swish's shape.",
        kinks=lambda: (-3.0, 3.0),
    ),
    Activation(
        "sigmoid", "Sigmoid", SQUASHING,
        lambda x: special.expit(x), lambda x: special.expit(x) * special.expit(-x),
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        r"\sigma'(x) = \sigma(x)\,\big(1 - \sigma(x)\big) \le \tfrac{1}{4}",
        "The logistic function, the classic neuron of the 1980s: squashes any input into (0, 1). Its derivative is "
        "at most 1/4 and vanishes in both tails, so each sigmoid layer scales the gradient passing back through it "
        "by at most 1/4 (times its weights), and its output is not zero-centred (mean 1/2). Today used for gates "
        "(LSTM) and binary probabilities, not hidden layers.",
        df_from_output=lambda y: y * (1 - y),
    ),
    Activation(
        "tanh", "Tanh", SQUASHING,
        _tanh, _sech2,
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1",
        r"\tanh'(x) = 1 - \tanh^2(x)",
        "A rescaled sigmoid with range (-1, 1): zero-centred, with slope 1 at the origin, so it usually trains "
        "better than the sigmoid (LeCun et al. 1998, 'Efficient BackProp'), but it still saturates in both tails, "
        "where gradients vanish. Used in RNNs and LSTMs.",
        df_from_output=lambda y: 1 - y * y,
    ),
    Activation(
        "hardsigmoid", "Hardsigmoid", SQUASHING,
        lambda x: np.clip(x / 6 + 0.5, 0, 1),
        lambda x: np.where((x > -3) & (x < 3), 1 / 6, 0.0),
        r"\mathrm{Hardsigmoid}(x) = \frac{\mathrm{ReLU6}(x + 3)}{6}",
        r"\mathrm{Hardsigmoid}'(x) = \begin{cases} 1/6 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
        "A piecewise-linear sigmoid: no exponential, exact zeros of gradient outside [-3, 3]. Used for gates in "
        "mobile networks (MobileNetV3).",
        kinks=lambda: (-3.0, 3.0),
    ),
    Activation(
        "hardtanh", "Hardtanh", SQUASHING,
        _hardtanh, _hardtanh_d,
        r"\mathrm{Hardtanh}(x) = \min(\max(x, \text{min\_val}), \text{max\_val})",
        r"\mathrm{Hardtanh}'(x) = \begin{cases} 1 & \text{min\_val} < x < \text{max\_val} \\ "
        r"0 & \text{otherwise} \end{cases}",
        "A piecewise-linear tanh: the identity clipped to [min_val, max_val]. Cheap, but its gradient is exactly "
        "zero outside the interval. ReLU6 is Hardtanh(0, 6).",
        (Param("min_val", -1.0, -10.0, 10.0, 0.1, "Lower clip value."),
         Param("max_val", 1.0, -10.0, 10.0, 0.1, "Upper clip value.")),
        kinks=lambda min_val, max_val: (min_val, max_val),
        check=lambda min_val, max_val: None if min_val < max_val
        else f"min_val ({min_val:g}) must be below max_val ({max_val:g})",
    ),
    Activation(
        "softsign", "Softsign", SQUASHING,
        lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) ** 2,
        r"\mathrm{Softsign}(x) = \frac{x}{1 + |x|}",
        r"\mathrm{Softsign}'(x) = \frac{1}{(1 + |x|)^2}",
        "A tanh-like squashing function that approaches its limits polynomially rather than exponentially, so its "
        "tails saturate more slowly (Bergstra et al. 2009; studied by Glorot and Bengio 2010).",
    ),
    Activation(
        "logsigmoid", "LogSigmoid", SQUASHING,
        lambda x: special.log_expit(x), _logsigmoid_d,
        r"\mathrm{LogSigmoid}(x) = \log \sigma(x) = -\mathrm{softplus}(-x)",
        r"\mathrm{LogSigmoid}'(x) = 1 - \sigma(x) = \sigma(-x)",
        "The logarithm of the sigmoid: always negative, linear for very negative inputs. It appears inside "
        "losses (binary cross-entropy, word2vec's negative sampling) rather than as a hidden activation.",
    ),
    Activation(
        "softshrink", "Softshrink", SHRINKAGE,
        lambda x, lambd: x - np.clip(x, -lambd, lambd),  # x - lambd, x + lambd, or 0 (two passes)
        lambda x, lambd: (np.abs(x) > lambd).astype(x.dtype),
        r"\mathrm{Softshrink}(x) = \begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\ "
        r"0 & \text{otherwise} \end{cases}",
        r"\mathrm{Softshrink}'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        "Soft thresholding: values within lambda of zero become zero, the rest move towards zero by lambda. It is "
        "the proximal operator of the L1 norm, used in sparse coding (ISTA) and denoising.",
        (LAMBD,),
        kinks=lambda lambd: (-lambd, lambd),
    ),
    Activation(
        "hardshrink", "Hardshrink", SHRINKAGE,
        lambda x, lambd: np.where(np.abs(x) > lambd, x, 0.0),
        lambda x, lambd: (np.abs(x) > lambd).astype(x.dtype),
        r"\mathrm{Hardshrink}(x) = \begin{cases} x & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        r"\mathrm{Hardshrink}'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
        "Hard thresholding: values within lambda of zero become zero, the rest pass unchanged. Discontinuous at "
        "plus and minus lambda. Used in sparse approximation.",
        (LAMBD,),
        kinks=lambda lambd: (-lambd, lambd),
    ),
    Activation(
        "tanhshrink", "Tanhshrink", SHRINKAGE,
        lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2,
        r"\mathrm{Tanhshrink}(x) = x - \tanh(x)",
        r"\mathrm{Tanhshrink}'(x) = \tanh^2(x)",
        "The residual of tanh: nearly flat (cubic) around zero and parallel to x far from it, a smooth shrinkage. "
        "Rarely used as a hidden activation.",
    ),
    Activation(
        "threshold", "Threshold", OTHER,
        lambda x, threshold, value: np.where(x > threshold, x, value),
        lambda x, threshold, value: (x > threshold).astype(x.dtype),
        r"\mathrm{Threshold}(x) = \begin{cases} x & x > \text{threshold} \\ \text{value} & \text{otherwise} "
        r"\end{cases}",
        r"\mathrm{Threshold}'(x) = \begin{cases} 1 & x > \text{threshold} \\ 0 & \text{otherwise} \end{cases}",
        "Passes inputs above the threshold and replaces the rest by a constant. ReLU is Threshold(0, 0); a value "
        "other than the threshold itself makes a jump there.",
        (Param("threshold", 1.0, -5.0, 5.0, 0.1, "Inputs above this pass unchanged."),
         Param("value", 0.0, -5.0, 5.0, 0.1, "The output for inputs at or below the threshold.")),
        kinks=lambda threshold, value: (threshold,),
    ),
    Activation(
        "binary_step", "Binary step", OTHER,
        lambda x: (x >= 0).astype(x.dtype), lambda x: np.zeros_like(x),
        r"\mathrm{step}(x) = \begin{cases} 1 & x \ge 0 \\ 0 & x < 0 \end{cases}",
        r"\mathrm{step}'(x) = 0 \quad (x \ne 0;\ \text{undefined at } 0)",
        "The perceptron's original activation (Rosenblatt 1958): fire or not. Its derivative is zero wherever it "
        "exists, so gradient descent gets no signal through it; that is why smooth and piecewise-linear "
        "activations replaced it.",
        kinks=lambda: (0.0,),
    ),
    Activation(
        "identity", "Identity", OTHER,
        lambda x: x, lambda x: np.ones_like(x),
        r"\mathrm{id}(x) = x",
        r"\mathrm{id}'(x) = 1",
        "No activation at all: a stack of linear layers collapses into one linear map. Shown for comparison; "
        "used on output layers for regression.",
    ),

    Activation(
        "custom", "Your formula", YOUR_OWN,
        partial(_your_formula, "f"), partial(_your_formula, "df"), "", "",
        "Your own activation. Its derivative is computed exactly by sympy from the formula. Where pieces meet, "
        "where(condition, then, else) takes the branch its condition picks (as torch.where does) and the steps "
        "inside max, min, abs, sign, heaviside and clip count as 0 (as PyTorch's relu'(0) = 0; torch.maximum and "
        "torch.clamp can give another value there); the probe shows f' from both sides. It works everywhere a "
        "built-in one does: curves, probe, properties, training, depth and speed. In the formulas, "
        "**1**[condition] is 1 where the condition holds and 0 elsewhere.",
        (Param("formula", "x * sigmoid(b * x)", help=FORMULA_HELP, read=formula_.parse),
         *(Param(name, 1.0, -10.0, 10.0, 0.1, NUMBER_HELP.format(name)) for name in "abc")),
        kinks=lambda formula, a, b, c: formula_.switch_points(formula_.parse(formula), a, b, c),
        latex=_custom_latex, untrusted=True, cost_of=lambda formula, a, b, c: formula_.parse(formula).cost,
    ),
]

ACTIVATIONS: dict[str, Activation] = {a.key: a for a in _ENTRIES}
