"""Hinges: a one-hidden-layer ReLU network on 1-D input, g(x) = c + sum_j a_j relu(w_j x + b_j), as plain arrays.

Each unit is a hinge: flat on one side of its kink x = -b/w, a line of slope a·w on the other. The module evaluates
the network, fits its output layer by least squares, places k hinges evenly (the piecewise-linear interpolant),
trains it with relu_viz.training, and composes the two-unit tent map L times: 2^L linear pieces from 2L units in L
layers, which one hidden layer can only draw with 2^L units (Telgarsky 2016, "Benefits of depth in neural networks").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from scipy import linalg

from relu_viz import training
from relu_viz.datasets import Dataset, add
from relu_viz.training import Run, TrainConfig

MAX_HINGES = 32
MAX_DEPTH = 8  # of the tent composition: 256 pieces
POINTS = 513  # a target is sampled at 2^9 + 1 points of its interval: on [0, 1] every kink of the sawtooth is one
MAX_VALUE = 1e6  # the largest target value, in size, that is fitted
FRAMES = 40  # states of a training run kept for its animation
TARGETS = {"sine": "sin(x)", "abs": "|x|", "square": "x²", "step": "a step: 1 for x > 0, else 0",
           "sawtooth": "the sawtooth: the tent map composed L times across the interval (2^L pieces)"}


def relu(z):
    return np.maximum(z, 0.0)


@dataclass(frozen=True, eq=False)
class Hinges:
    """g(x) = c + sum_j a_j relu(w_j x + b_j): k units of one input, one output."""

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    c: float = 0.0

    def __post_init__(self):
        arrays = [np.array(v, dtype=float).reshape(-1) for v in (self.w, self.b, self.a)]
        if len({len(v) for v in arrays}) != 1:
            raise ValueError(f"w, b and a must have the same length, got {', '.join(str(len(v)) for v in arrays)}")
        for name, value in zip("wba", arrays):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "c", float(self.c))

    @property
    def k(self) -> int:
        return len(self.w)

    def units(self, x) -> np.ndarray:
        """Each hinge's part of the output, a_j relu(w_j x + b_j): shape (len(x), k)."""
        return self.a * relu(np.outer(x, self.w) + self.b)

    def __call__(self, x) -> np.ndarray:
        return self.c + self.units(x).sum(axis=1)

    @property
    def kinks(self) -> np.ndarray:
        """x = -b_j / w_j of each hinge (NaN where w_j = 0: that unit is a constant, with no kink; infinite past
        float's range, as for a subnormal w_j)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(self.w != 0, -self.b / np.where(self.w != 0, self.w, 1.0) + 0.0, np.nan)

    def dead(self, x) -> np.ndarray:
        """Which hinges are dead on the inputs x: w_j x + b_j <= 0 at every one, so relu' = 0 there and training
        gives their weights no gradient (the dead-neuron panel's definition)."""
        return np.all(np.outer(x, self.w) + self.b <= 0, axis=0)

    def errors(self, x, y) -> tuple[float, float]:
        """Mean squared error and largest error on the points (x, y)."""
        residual = self(x) - np.asarray(y, dtype=float)
        return float(np.mean(residual**2)), float(np.max(np.abs(residual)))

    def with_output(self, a, c: float) -> Hinges:
        return Hinges(self.w, self.b, a, c)

    def start(self) -> tuple:
        """The weights as relu_viz.training's TrainConfig.start: per layer, W's rows, then b."""
        return ((tuple(self.w), tuple(self.b)), (*((v,) for v in self.a), (self.c,)))

    @classmethod
    def of_layers(cls, layers) -> Hinges:
        """The hinges of a trained one-hidden-layer network's [(W1, b1), (W2, b2)], W1 of shape (1, k)."""
        (W1, b1), (W2, b2) = layers
        return cls(np.asarray(W1, float)[0], np.asarray(b1, float), np.asarray(W2, float)[:, 0], float(b2[0]))


@dataclass(frozen=True, eq=False)
class Drawn:
    """Hinges sampled for a chart: the data interval, a view a little wider (so a kink pushed off the data stays in
    sight, up to the view's edge), inputs across the view with every kink in it included (a kink is not rounded
    off), g and each hinge's part there, and per hinge its kink, g at the kink, the side it is active on (+1 right,
    -1 left, 0 for w = 0) and whether it is dead on the data."""

    interval: tuple[float, float]
    view: tuple[float, float]
    x: np.ndarray
    total: np.ndarray
    parts: np.ndarray
    kinks: np.ndarray
    at_kinks: np.ndarray
    side: np.ndarray
    dead: np.ndarray


VIEW_MARGIN = 0.1  # of the data interval's length, on each side


def drawn(hinges: Hinges, data_x, points: int = POINTS) -> Drawn:
    """`hinges` sampled over the view of the data inputs `data_x`."""
    lo, hi = float(np.min(data_x)), float(np.max(data_x))
    margin = VIEW_MARGIN * (hi - lo)
    view = (lo - margin, hi + margin)
    kinks = hinges.kinks
    inside = kinks[(kinks > view[0]) & (kinks < view[1])]
    x = np.union1d(np.linspace(*view, points), inside)
    at = np.where(np.isfinite(kinks), kinks, 0.0)
    return Drawn((lo, hi), view, x, hinges(x), hinges.units(x), kinks,
                 np.where(np.isfinite(kinks), hinges(at), np.nan), np.sign(hinges.w), hinges.dead(data_x))


def features(w, b, x) -> np.ndarray:
    """relu(w_j x + b_j) for each input and hinge, and a column of ones for the output bias."""
    return np.column_stack([relu(np.outer(x, w) + np.asarray(b, float)), np.ones(len(x))])


def fit_output(w, b, x, y) -> Hinges:
    """The hinges (w, b) with the output weights a and bias c that minimise the squared error on (x, y): linear
    least squares, solved by a complete orthogonal factorisation (minimum norm when hinges coincide or are dead)."""
    solution = linalg.lstsq(features(w, b, x), np.asarray(y, dtype=float), lapack_driver="gelsy")[0]
    return Hinges(w, b, solution[:-1], solution[-1])


def even(f: Callable, lo: float, hi: float, k: int) -> Hinges:
    """k hinges at lo, lo + h, ..., hi - h (h = (hi - lo) / k) whose sum is the piecewise-linear interpolant of f
    through its values at the k + 1 points lo + i h: the first hinge draws the first piece, each other one bends
    the line by the change of slope at its point."""
    nodes = np.linspace(lo, hi, k + 1)
    with np.errstate(all="ignore"):
        values = _checked(nodes, f(nodes), f"the {k + 1} points")
    slopes = np.diff(values) / np.diff(nodes)
    return Hinges(np.ones(k), -nodes[:-1], np.diff(slopes, prepend=0.0), values[0])


def default(k: int, lo: float, hi: float) -> Hinges:
    """k hinges waiting to be placed: kinks spread evenly over (lo, hi), facing right, output weights 0."""
    return Hinges(np.ones(k), -(lo + (np.arange(k) + 0.5) * (hi - lo) / k), np.zeros(k))


def resized(hinges: Hinges, k: int, lo: float, hi: float) -> Hinges:
    """The first k hinges, with new ones (as `default` places them, output weight 0) added if k is larger."""
    extra = default(k, lo, hi)
    keep = min(k, hinges.k)
    return Hinges(*(np.concatenate([mine[:keep], spare[keep:]]) for mine, spare in
                    ((hinges.w, extra.w), (hinges.b, extra.b), (hinges.a, extra.a))), hinges.c)


def errors_by_k(f: Callable, lo: float, hi: float, x, y, most: int = MAX_HINGES) -> tuple[np.ndarray, np.ndarray]:
    """Mean squared and largest error on (x, y) of `even` with k = 1 .. most hinges (NaN for a k whose points f
    is not finite at)."""
    found = []
    for k in range(1, most + 1):
        try:
            found.append(even(f, lo, hi, k).errors(x, y))
        except ValueError:
            found.append((np.nan, np.nan))
    found = np.array(found)
    return found[:, 0], found[:, 1]


def interpolation_bound(max_curvature: float, lo: float, hi: float, k: int) -> float:
    """The largest error of the interpolant through k + 1 evenly spaced points of a twice-differentiable f:
    h^2 max|f''| / 8 with h = (hi - lo) / k."""
    return ((hi - lo) / k) ** 2 * max_curvature / 8


# --- targets --------------------------------------------------------------------------------------------------------

def sawtooth(x, depth: int) -> np.ndarray:
    """The tent map composed `depth` times, in closed form: on [0, 1] a sawtooth of 2^depth pieces between 0 and 1,
    continued periodically outside."""
    return 1 - np.abs(np.mod(2.0**depth * np.asarray(x, dtype=float), 2) - 1)


def target(key: str, depth: int = 5, interval: tuple[float, float] = (0.0, 1.0)) -> Callable:
    """A built-in target (TARGETS) as a function of x; the sawtooth of this depth spans the interval (on [0, 1], the
    tent map composed `depth` times)."""
    lo, hi = interval
    functions = {"sine": np.sin, "abs": np.abs, "square": np.square,
                 "step": lambda x: (np.asarray(x) > 0).astype(float),
                 "sawtooth": lambda x: sawtooth((np.asarray(x, dtype=float) - lo) / (hi - lo), depth)}
    return functions[key]


def max_curvature(key: str, lo: float, hi: float) -> float | None:
    """max |f''| over [lo, hi] for the twice-differentiable built-in targets, in closed form (None for the others):
    |sin''| = |sin| peaks at pi/2 + m pi where the interval holds one, else at an end; (x^2)'' = 2."""
    if key == "square":
        return 2.0
    if key != "sine":
        return None
    if math.floor((hi - math.pi / 2) / math.pi) >= math.ceil((lo - math.pi / 2) / math.pi):
        return 1.0
    return max(abs(math.sin(lo)), abs(math.sin(hi)))


def sample(f: Callable, lo: float, hi: float, points: int = POINTS) -> tuple[np.ndarray, np.ndarray]:
    """f at `points` evenly spaced inputs of [lo, hi]; ValueError if a value is not finite or beyond MAX_VALUE."""
    x = np.linspace(lo, hi, points)
    with np.errstate(all="ignore"):
        return x, _checked(x, f(x), f"the {points} points of [{lo:g}, {hi:g}]")


def _checked(x: np.ndarray, values, where: str) -> np.ndarray:
    """The values of f at x as floats; ValueError naming the first x where one is not finite or beyond MAX_VALUE."""
    y = np.broadcast_to(np.asarray(values, dtype=float), x.shape).copy()
    bad = np.flatnonzero(~(np.abs(y) <= MAX_VALUE))
    if len(bad):
        what = "is not finite" if not np.isfinite(y[bad[0]]) else f"is beyond {MAX_VALUE:g} in size"
        raise ValueError(f"f({x[bad[0]]:.4g}) {what} (at {len(bad)} of {where})")
    return y


def through(x, y) -> Callable:
    """The line through data points (x, y) sorted by x (repeated inputs averaged), flat beyond the ends: what
    `even` interpolates for data rather than a formula."""
    xs, inverse = np.unique(np.asarray(x, dtype=float), return_inverse=True)
    ys = np.bincount(inverse, weights=np.asarray(y, dtype=float)) / np.bincount(inverse)
    return lambda t: np.interp(t, xs, ys)


# --- training -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Trained:
    """A training run of hinges and the hinges at the epochs kept for its animation (the last epoch included)."""

    run: Run
    epochs: tuple[int, ...]
    frames: tuple[Hinges, ...]


def points(x, y) -> Dataset:
    """The points (x, y) as a dataset relu_viz.training can train on (datasets.add: the same points, the same name).
    The server keeps it while the caller holds the dataset returned."""
    return add(Dataset("hinges", np.asarray(x, float).reshape(-1, 1), np.asarray(y, float).reshape(-1, 1),
                       "regression"))


def training_config(data: Dataset, k: int, start: Hinges | None = None, **settings) -> TrainConfig:
    """The one-hidden-layer ReLU network of k hinges trained on `data` (from `points`) as given (no standardising),
    from `start` or, without one, from PyTorch's default init (kinks -b/w spread out; He's zero biases would put
    them all at 0). `settings`: lr, epochs, optimizer, seed."""
    return TrainConfig(activation="relu", params={}, hidden=(k,), dataset=data.name, n_samples=len(data.X),
                       init="uniform", standardize=False, start=None if start is None else start.start(), **settings)


def train(config: TrainConfig, frames: int = FRAMES) -> Trained:
    """Train with relu_viz.training, keeping the hinges about `frames` times (each finite state: a diverged run's
    last state is not)."""
    kept: dict[int, Hinges] = {}

    def keep(run: Run) -> None:
        hinges = Hinges.of_layers(run.layers)
        if all(np.all(np.isfinite(v)) for v in (hinges.w, hinges.b, hinges.a, hinges.c)):
            kept[run.epochs_run] = hinges

    run = training.train(config, progress=keep, every=max(1, config.epochs // frames))
    return Trained(run, tuple(kept), tuple(kept.values()))


def epochs_allowed(config: TrainConfig) -> int:
    """The most epochs this network and data may train for (relu_viz.training's time budget)."""
    return replace(config, epochs=1).max_epochs()


# --- depth ----------------------------------------------------------------------------------------------------------

def tent_network(depth: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The tent map t(z) = 2 relu(z) - 4 relu(z - 1/2) composed `depth` times, as a ReLU network of `depth` hidden
    layers of 2 units each ((W, b) per layer, W of shape (fan_in, fan_out), the output layer last)."""
    first = (np.array([[1.0, 1.0]]), np.array([0.0, -0.5]))
    tent = np.array([[2.0], [-4.0]])  # the output of a layer's two units: t = 2 h1 - 4 h2
    deeper = (tent @ first[0], first[1])  # the next layer's pre-activations t and t - 1/2, from h1, h2
    return [first, *[deeper] * (depth - 1), (tent, np.zeros(1))]


def forward(layers, x) -> np.ndarray:
    """The output of a ReLU network (hidden layers then a linear output layer) at the inputs x."""
    h = np.asarray(x, dtype=float).reshape(-1, 1)
    for W, b in layers[:-1]:
        h = relu(h @ W + b)
    W, b = layers[-1]
    return (h @ W + b)[:, 0]


def units(layers) -> int:
    """Hidden units of a network."""
    return sum(len(b) for _, b in layers[:-1])


def linear_pieces(x, y, tolerance: float = 1e-9) -> int:
    """The number of linear pieces of a piecewise-linear function sampled at sorted x (every kink among them): one
    more than the number of points where the slope changes."""
    slopes = np.diff(y) / np.diff(x)
    scale = max(1.0, float(np.max(np.abs(slopes))))
    return 1 + int(np.count_nonzero(np.abs(np.diff(slopes)) > tolerance * scale))


def one_layer_floor(depth: int, k: int, x) -> tuple[float, float]:
    """Lower bounds on the mean squared and the largest error, on the points x of [0, 1], of ANY k-unit
    one-hidden-layer ReLU network fitting the sawtooth of this depth: the sawtooth has 2^(depth-1) teeth and the
    network at most k kinks, so on at least 2^(depth-1) - k teeth it is one straight line; a line is at least 1/2
    off at a tooth's two ends or its peak, and misses the tooth's points by at least the best line's squared error.
    (0, 0) if k kinks suffice for every tooth."""
    teeth = 2 ** (depth - 1)
    free = teeth - k
    if free <= 0:
        return 0.0, 0.0
    x = np.asarray(x, dtype=float)
    y = sawtooth(x, depth)
    tooth = np.minimum(np.floor(x * teeth), teeth - 1).astype(int)
    squared = []
    for i in range(teeth):
        inside = tooth == i
        line = np.column_stack([x[inside], np.ones(int(inside.sum()))])
        residual = y[inside] - line @ np.linalg.lstsq(line, y[inside], rcond=None)[0]
        squared.append(float(residual @ residual))
    return float(np.sum(np.sort(squared)[:free])) / len(x), 0.5


def best_found(x, y, k: int, starts: int = 4) -> Hinges:
    """A good k-hinge fit of (x, y), searched for: from `even`'s kinks and from `starts` - 1 random ones
    (seeds 1, 2, ...), move one kink at a time to the data point where it lowers the squared error most (output
    weights by least squares), until no move helps; the best end. A search, not a proof of the optimum."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    candidates = relu(x[:, None] - x[None, :])  # column i: a right-facing hinge with its kink at x_i
    tiny = 1e-12 * max(float(y @ y), 1e-300)
    best, best_error = None, np.inf
    for seed in range(starts):
        kinks = (np.linspace(x[0], x[-1], k + 1)[:-1] if seed == 0
                 else np.sort(np.random.default_rng(seed).choice(x[:-1], k, replace=False)))
        error = np.inf
        while True:
            moved = False
            for j in range(k):
                others = np.delete(kinks, j)
                q = np.linalg.qr(features(np.ones(k - 1), -others, x))[0]
                rest = y - q @ (q.T @ y)
                projected = candidates - q @ (q.T @ candidates)
                norms = np.einsum("ij,ij->j", projected, projected)
                gain = np.where(norms > 1e-12, (projected.T @ rest) ** 2 / np.maximum(norms, 1e-12), 0.0)
                i = int(np.argmax(gain))
                if rest @ rest - gain[i] < error - tiny:  # a move must help by more than rounding
                    error, kinks[j], moved = rest @ rest - gain[i], x[i], True
            if not moved:
                break
        if error < best_error:
            best, best_error = kinks.copy(), error
    return fit_output(np.ones(k), -best, x, y)
