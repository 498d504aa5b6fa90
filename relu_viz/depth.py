"""Why deep ReLU networks die or stall before training: born-dead networks and signal propagation through depth.

Born dead (Lu, Shin, Su, Karniadakis, "Dying ReLU and Initialization: Theory and Numerical Examples", Commun.
Comput. Phys. 28, 2020): a 1-input, 1-output network whose output is constant over [-sqrt(7), sqrt(7)] at
initialisation because some hidden layer is dead on the whole domain: f' = 0 for every unit at every input, so
the layer's output does not depend on x and no gradient passes it (for ReLU: the layer is all zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from relu_viz.activations import ACTIVATIONS

DOMAIN = math.sqrt(7)
GRID = 129  # inputs per network where no exact shortcut applies
BORN_INITS = ("he", "he_bias", "rai")  # He with zero biases; He with N(0, 2/fan_in) biases; randomized asymmetric
RAI_SIGMA = 0.6007  # Lu et al. 2020: sigma of the symmetric part of RAI, whose asymmetric part is Beta(2, 1)
HOMOGENEOUS = ("relu", "leaky_relu", "prelu", "rrelu", "identity")  # f(a x) = a f(x) for a > 0
MAX_DEPTH, MAX_WIDTH, MAX_TRIALS = 100, 512, 100_000
MAX_CELLS = 5e8  # trials x depth x inputs x (width^2 + 10 width) of one estimate: about a second of numpy
CHUNK = 2000  # trials simulated at once


class Estimate(float):
    """A Monte Carlo probability that also carries its standard error and the number of trials."""

    standard_error: float
    trials: int

    def __new__(cls, value: float, trials: int):
        estimate = super().__new__(cls, value)
        estimate.trials = trials
        estimate.standard_error = math.sqrt(max(value * (1 - value), 0.0) / trials) if trials else math.nan
        return estimate

    def __reduce__(self):
        return Estimate, (float(self), self.trials)


def _init_layer(rng, trials: int, fan_in: int, width: int, init: str):
    """Weights (trials, fan_in, width) and biases (trials, 1, width) of one layer for every trial."""
    if init == "rai":
        v = rng.normal(0, RAI_SIGMA / math.sqrt(fan_in + 1), (trials, fan_in + 1, width))
        chosen = rng.integers(0, fan_in + 1, (trials, width))  # one entry of each neuron's [w, b] is asymmetric
        t, u = np.meshgrid(np.arange(trials), np.arange(width), indexing="ij")
        v[t, chosen, u] = rng.beta(2, 1, (trials, width))
        return v[:, :fan_in], v[:, fan_in:]
    W = rng.normal(0, math.sqrt(2 / fan_in), (trials, fan_in, width))
    b = rng.normal(0, math.sqrt(2 / fan_in), (trials, 1, width)) if init == "he_bias" else None
    return W, b


def first_dead_layer(hidden_layers: int, width: int, trials: int, seed: int = 0, init: str = "he",
                     activation: str = "relu", params: dict | None = None, inputs: np.ndarray | None = None):
    """For each trial network, the first hidden layer (1-based) with f' = 0 for every unit at every input, or 0
    if none is. A network with L hidden layers is the first L layers of a deeper one, so one run answers every
    depth <= L."""
    _check(hidden_layers, width, trials, init, activation)
    act = ACTIVATIONS[activation]
    p = act.resolve(params or {})
    if inputs is None:  # zero biases, homogeneous f: pre(x) = x pre(1) for x > 0 and |x| pre(-1) for x < 0
        exact = init == "he" and activation in HOMOGENEOUS
        inputs = np.array([-1.0, 1.0]) if exact else np.linspace(-DOMAIN, DOMAIN, GRID)
    rng = np.random.default_rng(seed)
    first = np.zeros(trials, dtype=int)
    for start in range(0, trials, CHUNK):
        n = min(CHUNK, trials - start)
        h = np.broadcast_to(np.asarray(inputs, float)[None, :, None], (n, len(inputs), 1))
        dead = np.zeros(n, dtype=int)
        for layer in range(1, hidden_layers + 1):
            W, b = _init_layer(rng, n, h.shape[2], width, init)
            pre = h @ W if b is None else h @ W + b
            h = act.f(pre, **p)
            blocked = ~np.any(act.df(pre, **p) != 0, axis=(1, 2))
            dead = np.where((dead == 0) & blocked, layer, dead)
        first[start:start + n] = dead
    return first


def born_dead_probability(hidden_layers: int, width: int, trials: int = 20_000, seed: int = 0, init: str = "he",
                          activation: str = "relu", params: dict | None = None) -> Estimate:
    """Monte Carlo probability that the network is born dead (constant over [-sqrt(7), sqrt(7)])."""
    first = first_dead_layer(hidden_layers, width, trials, seed, init, activation, params)
    return Estimate(float(np.mean(first > 0)), trials)


def born_dead_by_depth(max_layers: int, width: int, trials: int, seed: int = 0, init: str = "he",
                       activation: str = "relu", params: dict | None = None) -> list[Estimate]:
    """born_dead_probability for every depth 1..max_layers from one simulation of the deepest networks."""
    first = first_dead_layer(max_layers, width, trials, seed, init, activation, params)
    return [Estimate(float(np.mean((first > 0) & (first <= depth))), trials) for depth in range(1, max_layers + 1)]


def dead_at_point_probability(hidden_layers: int, width: int, trials: int = 20_000, seed: int = 0,
                              x: float = 1.0) -> Estimate:
    """Monte Carlo probability that a He-initialised ReLU network with zero biases has a layer that is all zero
    at the single input x (compare single_input_closed_form)."""
    first = first_dead_layer(hidden_layers, width, trials, seed, inputs=np.array([x]))
    return Estimate(float(np.mean(first > 0)), trials)


def single_input_closed_form(hidden_layers: int, width: int) -> float:
    """1 - (1 - 2^-N)^L: each layer of N units is all zero at a given input with probability 2^-N."""
    return 1 - (1 - 2.0**-width) ** hidden_layers


def _cost_per_trial(hidden_layers, width, init, activation) -> int:
    """Multiply-adds (and elementwise work, about 10 per unit) to simulate one network."""
    inputs = 2 if init == "he" and activation in HOMOGENEOUS else GRID
    return hidden_layers * inputs * (width**2 + 10 * width)


def max_trials(hidden_layers: int, width: int, init: str = "he", activation: str = "relu") -> int:
    """The most trials one estimate may use, by the cost bound."""
    return int(min(MAX_TRIALS, MAX_CELLS // _cost_per_trial(hidden_layers, width, init, activation)))


def _check(hidden_layers, width, trials, init, activation):
    if not (1 <= hidden_layers <= MAX_DEPTH and 1 <= width <= MAX_WIDTH and 1 <= trials <= MAX_TRIALS):
        raise ValueError(f"born-dead estimates take 1 to {MAX_DEPTH} layers, 1 to {MAX_WIDTH} units and 1 to "
                         f"{MAX_TRIALS} trials; got {hidden_layers}, {width}, {trials}")
    if init not in BORN_INITS:
        raise ValueError(f"init must be one of {', '.join(BORN_INITS)}, got {init!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    cells = trials * _cost_per_trial(hidden_layers, width, init, activation)
    if cells > MAX_CELLS:
        raise ValueError(f"this estimate is too large ({cells:.2g} > {MAX_CELLS:.2g} multiply-adds): use fewer "
                         "trials, layers or units")


@dataclass(frozen=True)
class Propagation:
    """Per layer (1 = first hidden layer): the mean square pre-activation, and the RMS of dLoss/dW."""

    second_moment: np.ndarray
    gradient_norm: np.ndarray


def signal_propagation(activation: str = "relu", params: dict | None = None, depth: int = 30, width: int = 256,
                       init: str = "he", init_std: float = 1.0, batch: int = 256, seed: int = 0,
                       networks: int = 8) -> Propagation:
    """Push a batch of N(0, 1) inputs through deep MLPs at initialisation (zero biases) and a random output
    gradient back, averaged over `networks` independent draws: how the signal and the gradient scale with depth
    (He et al. 2015; Glorot and Bengio 2010)."""
    if not (1 <= depth <= MAX_DEPTH and 1 <= width <= MAX_WIDTH and 1 <= batch <= MAX_WIDTH and 1 <= networks <= 16):
        raise ValueError(f"signal propagation takes 1 to {MAX_DEPTH} layers, 1 to {MAX_WIDTH} units and inputs, "
                         "and 1 to 16 networks")
    if init not in ("he", "xavier", "custom") or not (0 < init_std <= 10):
        raise ValueError("init must be he, xavier or custom (std in (0, 10])")
    act = ACTIVATIONS[activation]
    p = act.resolve(params or {})
    rng = np.random.default_rng(seed)
    std = {"he": math.sqrt(2 / width), "xavier": math.sqrt(1 / width), "custom": init_std}[init]
    moments, squares = np.zeros(depth), np.zeros(depth)
    with np.errstate(all="ignore"):
        for _ in range(networks):
            h = rng.normal(0, 1, (batch, width))
            weights, inputs, slopes = [], [], []
            for layer in range(depth):
                weights.append(rng.normal(0, std, (width, width)))
                inputs.append(h)
                pre = h @ weights[-1]
                moments[layer] += np.mean(pre**2) / networks
                slopes.append(act.df(pre, **p))
                h = act.f(pre, **p)
            g = rng.normal(0, 1, (batch, width)) / batch  # dLoss/dh of the last layer, for a random linear loss
            for layer in range(depth - 1, -1, -1):
                g = g * slopes[layer]
                squares[layer] += np.mean((inputs[layer].T @ g) ** 2) / networks
                g = g @ weights[layer].T
    return Propagation(moments, np.sqrt(squares))
