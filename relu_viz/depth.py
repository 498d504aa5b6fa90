"""Why deep ReLU networks die or stall before training: born-dead networks and signal propagation through depth.

Born dead (Lu, Shin, Su, Karniadakis, "Dying ReLU and Initialization: Theory and Numerical Examples", Commun.
Comput. Phys. 28, 2020): a 1-input, 1-output network whose output is constant over [-sqrt(7), sqrt(7)] at
initialisation because some hidden layer gives the same output at every input and has f' = 0 there (for ReLU: the
layer is all zero), so no gradient reaches the layers below it either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from relu_viz.activations import ACTIVATIONS

DOMAIN = math.sqrt(7)
GRID = 129  # inputs per network where no exact shortcut applies
BORN_INITS = ("he", "he_bias", "rai")  # He with zero biases; He with N(0, 2/fan_in) biases; randomized asymmetric
RAI_SIGMA = 0.6007  # Lu et al. 2020: the symmetric part of RAI is N(0, sigma^2 / fan_in), the asymmetric Beta(2, 1)
NEARLY_CONSTANT = 1e-6  # a layer whose every unit varies by less than this over the domain is nearly constant
MAX_DEPTH, MAX_WIDTH, MAX_TRIALS = 100, 512, 100_000
MAX_CELLS = 5e8  # trials x depth x inputs x (width^2 + 10 width) of one estimate: about a second of numpy
CHUNK = 2000  # trials simulated at once


class Estimate(float):
    """A Monte Carlo probability that also carries the number of trials, its standard error and its Wilson score
    interval (which, unlike +-2 standard errors, does not collapse to a point at 0 or 1)."""

    standard_error: float
    trials: int

    def __new__(cls, value: float, trials: int):
        estimate = super().__new__(cls, value)
        estimate.trials = trials
        estimate.standard_error = math.sqrt(max(value * (1 - value), 0.0) / trials) if trials else math.nan
        return estimate

    def __reduce__(self):
        return Estimate, (float(self), self.trials)

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """The Wilson score interval (95% for z = 1.96)."""
        n, p = self.trials, float(self)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ByDepth:
    """For every depth 1..L: the probability of being born dead (some layer exactly constant over the domain) and
    of being at least nearly constant (some layer varies by less than NEARLY_CONSTANT)."""

    dead: list[Estimate]
    nearly_constant: list[Estimate]


def positively_homogeneous(activation: str, params: dict | None = None) -> bool:
    """Whether f(a x) = a f(x) for every a > 0, checked on a grid of x for several a. With zero biases such a
    network satisfies h(x) = x h(1) for x > 0 and h(x) = |x| h(-1) for x < 0, so three inputs decide it."""
    act = ACTIVATIONS[activation]
    p = act.resolve(params or {})
    x = np.concatenate([np.linspace(-5, 5, 1001), [-1e3, -1e-3, 1e-3, 1e3]])
    with np.errstate(all="ignore"):
        return all(np.allclose(act.f(a * x, **p), a * act.f(x, **p), rtol=1e-12, atol=1e-300)
                   for a in (0.25, 0.5, 2.0, 3.7))


def _init_layer(rng, trials: int, fan_in: int, width: int, init: str):
    """Weights (trials, fan_in, width) and biases (trials, 1, width) of one layer for every trial."""
    if init == "rai":
        v = rng.normal(0, RAI_SIGMA / math.sqrt(fan_in), (trials, fan_in + 1, width))
        chosen = rng.integers(0, fan_in + 1, (trials, width))  # one entry of each neuron's [w, b] is asymmetric
        t, u = np.meshgrid(np.arange(trials), np.arange(width), indexing="ij")
        v[t, chosen, u] = rng.beta(2, 1, (trials, width))
        return v[:, :fan_in], v[:, fan_in:]
    W = rng.normal(0, math.sqrt(2 / fan_in), (trials, fan_in, width))
    b = rng.normal(0, math.sqrt(2 / fan_in), (trials, 1, width)) if init == "he_bias" else None
    return W, b


def exact_inputs(init: str, activation: str, params: dict | None = None) -> bool:
    """Whether the three inputs -sqrt(7), 0, sqrt(7) decide exactly (zero biases, positively homogeneous f)."""
    return init == "he" and positively_homogeneous(activation, params)


@threadpool_limits.wrap(limits=1)  # one BLAS thread, as the time budgets assume
def first_constant_layer(hidden_layers: int, width: int, trials: int, seed: int = 0, init: str = "he",
                         activation: str = "relu", params: dict | None = None, inputs: np.ndarray | None = None):
    """For each trial network, the first hidden layer (1-based) whose every unit gives the same output at every
    input with f' = 0 there (so no rounding of a merely tiny variation counts), or 0 if none does; and the first
    layer whose units vary by less than NEARLY_CONSTANT. A network with L hidden layers is the first L layers of a
    deeper one, so one run answers every depth <= L."""
    _check(hidden_layers, width, trials, init, activation, params)
    act = ACTIVATIONS[activation]
    p = act.resolve(params or {})
    if inputs is None:
        exact = exact_inputs(init, activation, params)
        inputs = np.array([-DOMAIN, 0.0, DOMAIN]) if exact else np.linspace(-DOMAIN, DOMAIN, GRID)
    rng = np.random.default_rng(seed)
    constant, flat = np.zeros(trials, dtype=int), np.zeros(trials, dtype=int)
    with np.errstate(all="ignore"):
        for start in range(0, trials, CHUNK):
            n = min(CHUNK, trials - start)
            h = np.broadcast_to(np.asarray(inputs, float)[None, None, :], (n, 1, len(inputs)))  # units x inputs
            first, first_flat = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
            live = np.arange(n)  # trials with no constant layer yet (a constant layer makes every later one so)
            for layer in range(1, hidden_layers + 1):
                W, b = _init_layer(rng, n, h.shape[1], width, init)  # drawn for every trial: one random stream
                pre = W[live].transpose(0, 2, 1) @ h[live]
                if b is not None:
                    pre += b[live].transpose(0, 2, 1)
                out = act.f(pre, **p)
                variation = (out.max(axis=2) - out.min(axis=2)).max(axis=1)
                first_flat[live] = np.where((first_flat[live] == 0) & (variation < NEARLY_CONSTANT), layer,
                                            first_flat[live])
                still = variation == 0
                if still.any():
                    blocked = ~np.any(act.df(pre[still], **p) != 0, axis=(1, 2))
                    still[np.flatnonzero(still)[~blocked]] = False
                first[live[still]] = layer
                h = np.zeros((n, width, len(inputs)))
                h[live] = out
                live = live[~still]
                if live.size == 0:
                    break
            constant[start:start + n], flat[start:start + n] = first, first_flat
    return constant, flat


def born_dead_probability(hidden_layers: int, width: int, trials: int = 20_000, seed: int = 0, init: str = "he",
                          activation: str = "relu", params: dict | None = None) -> Estimate:
    """Monte Carlo probability that the network is born dead (its output constant over [-sqrt(7), sqrt(7)])."""
    constant, _ = first_constant_layer(hidden_layers, width, trials, seed, init, activation, params)
    return Estimate(float(np.mean(constant > 0)), trials)


def born_dead_by_depth(max_layers: int, width: int, trials: int, seed: int = 0, init: str = "he",
                       activation: str = "relu", params: dict | None = None) -> ByDepth:
    """born_dead_probability (and the nearly-constant share) for every depth 1..max_layers, from one simulation
    of the deepest networks."""
    constant, flat = first_constant_layer(max_layers, width, trials, seed, init, activation, params)
    depths = range(1, max_layers + 1)
    return ByDepth([Estimate(float(np.mean((constant > 0) & (constant <= d))), trials) for d in depths],
                   [Estimate(float(np.mean((flat > 0) & (flat <= d))), trials) for d in depths])


@threadpool_limits.wrap(limits=1)  # one BLAS thread, as the time budgets assume
def dead_at_point_probability(hidden_layers: int, width: int, trials: int = 20_000, seed: int = 0,
                              x: float = 1.0, init: str = "he", activation: str = "relu",
                              params: dict | None = None) -> Estimate:
    """Monte Carlo probability that a network has a layer whose every unit has f' = 0 at the single input x (for
    ReLU: the layer is all zero there; compare single_input_closed_form)."""
    act = ACTIVATIONS[activation]
    p = act.resolve(params or {})
    rng = np.random.default_rng(seed)
    h = np.full((trials, 1, 1), float(x))
    dead = np.zeros(trials, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(hidden_layers):
            W, b = _init_layer(rng, trials, h.shape[2], width, init)
            pre = h @ W + (0 if b is None else b)
            dead |= ~np.any(act.df(pre, **p) != 0, axis=(1, 2))
            h = act.f(pre, **p)
    return Estimate(float(np.mean(dead)), trials)


def single_input_closed_form(hidden_layers: int, width: int, share: float = 0.5) -> float:
    """1 - (1 - share^N)^L: each layer of N units has f' = 0 at every unit at a given input with probability share^N
    (2^-N where single_input_share is 1/2)."""
    return 1 - (1 - share**width) ** hidden_layers


def single_input_share(init: str, dead_zone: tuple[tuple[float, float], ...]) -> tuple[float | None, str]:
    """The probability that one unit's f' is 0 at a given input, from the activation's dead zone (where f' = 0,
    properties.derive), and why: 1/2 when each unit's pre-activation there is symmetric about 0 (He's weights and
    biases are drawn symmetric, independently of the layer below) and the dead zone is exactly x <= 0; 0 with no
    dead zone; None when it depends on more than the sign (RAI's Beta(2, 1) entry is not symmetric; a dead zone
    other than x <= 0 depends on the pre-activation's size)."""
    if not dead_zone:
        return 0.0, "its f' is 0 nowhere (in exact arithmetic; the simulation's float64 underflows only far out)"
    if init not in ("he", "he_bias"):
        return None, ("RAI draws one entry of each unit's weights and bias from Beta(2, 1), so a unit's "
                      "pre-activation is not symmetric about 0")
    if dead_zone != ((-math.inf, 0.0),):
        return None, "f' is 0 on more or less than x ≤ 0, so the share depends on the pre-activation's size"
    return 0.5, ("each unit's pre-activation is symmetric about 0 (weights and biases drawn symmetric) and f' is 0 "
                 "exactly where it is ≤ 0")


def _cost_per_trial(hidden_layers, width, init, activation, params=None) -> float:
    """Multiply-adds (and elementwise work, about 10 per unit, times the activation's cost) to simulate one network."""
    inputs = 3 if exact_inputs(init, activation, params) else GRID
    return hidden_layers * inputs * (width**2 + 10 * width * ACTIVATIONS[activation].cost(**(params or {})))


def max_trials(hidden_layers: int, width: int, init: str = "he", activation: str = "relu",
               params: dict | None = None) -> int:
    """The most trials one estimate may use, by the cost bound."""
    return int(min(MAX_TRIALS, MAX_CELLS // _cost_per_trial(hidden_layers, width, init, activation, params)))


def _check(hidden_layers, width, trials, init, activation, params=None):
    if not (1 <= hidden_layers <= MAX_DEPTH and 1 <= width <= MAX_WIDTH and 1 <= trials <= MAX_TRIALS):
        raise ValueError(f"born-dead estimates take 1 to {MAX_DEPTH} layers, 1 to {MAX_WIDTH} units and 1 to "
                         f"{MAX_TRIALS} trials; got {hidden_layers}, {width}, {trials}")
    if init not in BORN_INITS:
        raise ValueError(f"init must be one of {', '.join(BORN_INITS)}, got {init!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    cells = trials * _cost_per_trial(hidden_layers, width, init, activation, params)
    if cells > MAX_CELLS:
        raise ValueError(f"this estimate is too large ({cells:.2g} > {MAX_CELLS:.2g} multiply-adds): use fewer "
                         "trials, layers or units")


@dataclass(frozen=True)
class Propagation:
    """Per layer (1 = first hidden layer): the mean square pre-activation, and the RMS of dLoss/dW, averaged over
    `networks` random networks."""

    second_moment: np.ndarray
    gradient_norm: np.ndarray
    networks: int


def propagation_networks(activation: str, params: dict | None, depth: int, width: int, batch: int,
                         networks: int = 8) -> int:
    """How many of `networks` random networks fit the time budget of one training run (training.MAX_WORK): three
    matrix products per layer, and f and f' at every unit and input (UNIT_COST, times the activation's cost)."""
    from relu_viz.training import MAX_WORK, UNIT_COST

    per_network = depth * (3 * batch * width**2 + UNIT_COST * ACTIVATIONS[activation].cost(**(params or {}))
                           * batch * width)
    return int(min(networks, MAX_WORK // per_network))


@threadpool_limits.wrap(limits=1)  # one BLAS thread, as the time budgets assume
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
    networks = propagation_networks(activation, p, depth, width, batch, networks)
    if networks < 1:
        raise ValueError(f"{act.label} costs {act.cost(**p):.3g} times Mish per element: one network of {depth} "
                         f"layers of {width} units would take longer than a training run; use fewer layers or units")
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
    return Propagation(moments, np.sqrt(squares), networks)
