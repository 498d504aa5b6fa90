"""Train a small MLP in numpy and watch its hidden units: which are dead (f' = 0 on every input), which saturate,
which sit on the negative side of every input.

Three activations learn or draw something beside the weights, as their PyTorch modules do: PReLU a negative slope per
hidden layer (nn.PReLU()), trained with the weights; RReLU random negative slopes, drawn per element in training and
their mean at evaluation (F.rrelu); Maxout k affine pieces of the layer's input per unit, each with its own weights,
the unit's output their maximum (Goodfellow et al. 2013).

Full-batch gradient descent on mean squared error by default (binary cross-entropy for two classes, softmax
cross-entropy for the digits' ten).
One code path trains a stack of seeds at once (batched matrix products): a single run is a stack of one, and a
sweep over 20 seeds costs about half of training them one after another (about 8 to 12 single runs of CPU time,
benchmarks/training.py), not twenty.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy import special
from threadpoolctl import threadpool_limits

from relu_viz import datasets
from relu_viz.activations import ACTIVATIONS, Activation
from relu_viz.datasets import Dataset, input_dim, make, outputs, task_of

INITS = ("he", "xavier", "lecun", "uniform", "custom")
OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM, ADAM_BETAS, ADAM_EPS = 0.9, (0.9, 0.999), 1e-8  # PyTorch's SGD(momentum=0.9) and Adam defaults
SATURATED = 1e-3  # |f'| below this on every input: saturated
OUTPUT_GAIN = 0.1  # the output layer starts at N(0, (0.1)^2 / fan_in): small, so no run starts far off target
MAX_LAYERS, MAX_UNITS, MAX_SAMPLES, MAX_EPOCHS, MAX_SEEDS = 4, 128, 512, 2000, 20
MIN_EPOCHS = 10  # the fewest the panels offer (their epoch sliders start there)
SNAPSHOT_FLOATS = 2**21  # weights kept per run for the unit inspector: 8 MB of float32 (a sweep: 4 runs' worth)
MAX_WORK = 4e10  # epochs x work per epoch: about four seconds on one core of the 2-core reference machine
UNIT_COST = 500  # elementwise f and f' per unit and sample, in weight-updates (Mish, the slowest)
STEP_COST = 1.5e6  # Python overhead of one optimizer step, in weight-updates
START_LIMIT = 1e6  # the largest given initial weight, in size
LR_RANGE = (1e-5, 10.0)
BIAS_RANGE = (-5.0, 5.0)
STD_RANGE = (1e-3, 10.0)
MAXOUT_PIECES = ACTIVATIONS["maxout"].defaults["slopes"]


@dataclass(frozen=True)
class TrainConfig:
    """One training run. `activation` and `params` are one key (and its parameters) for every hidden layer, or a
    tuple with one per hidden layer."""

    activation: str | tuple[str, ...] = "relu"
    params: dict | tuple[dict, ...] = field(default_factory=dict)
    hidden: tuple[int, ...] = (32, 32)
    dataset: str = "sine"
    n_samples: int = 256
    lr: float = 0.05
    epochs: int = 300
    init: str = "he"  # of the hidden layers; the output layer always starts small (OUTPUT_GAIN)
    bias_init: float = 0.0  # every hidden bias (added to PyTorch's random bias for init "uniform")
    seed: int = 0
    optimizer: str = "gd"  # "gd" (plain gradient descent), "momentum" (0.9) or "adam"
    batch_size: int | None = None  # None: full batch
    init_std: float = 1.0  # for init "custom"
    standardize: bool = True  # inputs scaled to zero mean and unit variance per feature
    # given initial weights instead of drawn ones (None: drawn by `init`): per layer, W's fan_in rows, then b
    start: tuple[tuple[tuple[float, ...], ...], ...] | None = None

    def canonical(self) -> TrainConfig:
        """The same run with every activation's parameters written out in full (defaults included), so that two
        configurations of the same run compare equal."""
        resolved = [ACTIVATIONS[key].resolve(params) for key, params in self.layer_activations()]
        return replace(self, params=tuple(resolved) if isinstance(self.activation, tuple) else resolved[0])

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        fields = json.loads(text)
        for name in ("activation", "params", "hidden"):
            if isinstance(fields[name], list):
                fields[name] = tuple(fields[name])
        if fields.get("start") is not None:
            fields["start"] = tuple(tuple(tuple(row) for row in layer) for layer in fields["start"])
        return cls(**fields)

    def layer_activations(self) -> list[tuple[str, dict]]:
        """(activation key, parameters) of each hidden layer."""
        n = len(self.hidden)
        keys = self.activation if isinstance(self.activation, tuple) else (self.activation,) * n
        params = self.params if isinstance(self.params, tuple) else (self.params,) * n
        return list(zip(keys, params))

    def pieces(self) -> tuple[int, ...]:
        """Affine pieces per unit of each hidden layer: k for Maxout (the explorer's number of pieces), else 1."""
        return tuple(len(params.get("slopes", MAXOUT_PIECES)) if key == "maxout" else 1
                     for key, params in self.layer_activations())

    def columns(self) -> tuple[int, ...]:
        """Columns of each hidden layer's weight matrix: units x pieces."""
        return tuple(units * k for units, k in zip(self.hidden, self.pieces()))

    @property
    def work(self) -> float:
        """The cost of one epoch of one seed in weight-updates x samples, with the elementwise work of the slowest
        built-in activation (Mish, about 500 weight-updates per unit and sample; your formula's measured multiple of
        it) and the overhead of each mini-batch step; with mini-batches the data is also passed once more, whole, to
        record the epoch."""
        widths = (input_dim(self.dataset), *self.hidden, outputs(self.dataset))
        weights = sum(a * b for a, b in zip(widths, (*self.columns(), widths[-1])))
        elementwise = sum(units * ACTIVATIONS[key].cost(**params)
                          for units, (key, params) in zip(self.hidden, self.layer_activations()))
        passes = 2 if self.batches > 1 else 1
        return passes * self.n_samples * (weights + UNIT_COST * elementwise) + self.batches * STEP_COST

    @property
    def batches(self) -> int:
        """Optimizer steps per epoch."""
        return math.ceil(self.n_samples / self.batch_size) if self.batch_size else 1

    def cost(self, seeds: int = 1) -> float:
        """Work of the whole run over `seeds` seeds trained together: the step overhead is paid once for all."""
        return self.epochs * (seeds * (self.work - self.batches * STEP_COST) + self.batches * STEP_COST)

    def max_epochs(self, seeds: int = 1) -> int:
        """The most epochs this network, data size and batch size may train for (over `seeds` seeds at once)."""
        per_epoch = replace(self, epochs=1).cost(seeds)
        return min(MAX_EPOCHS, int(MAX_WORK * _seed_allowance(seeds) // per_epoch))

    def validate(self, seeds: int = 1) -> TrainConfig:
        """Raise ValueError with a clear message if any setting is outside its limits; return self."""
        layers = self.layer_activations() if isinstance(self.hidden, tuple) else []
        checks = [
            (isinstance(self.hidden, tuple) and 1 <= len(self.hidden) <= MAX_LAYERS, f"1 to {MAX_LAYERS} hidden "
             "layers"),
            (all(isinstance(u, int) and 1 <= u <= MAX_UNITS for u in self.hidden), f"1 to {MAX_UNITS} units a layer"),
            (len(layers) == len(self.hidden) and all(isinstance(k, str) and k in ACTIVATIONS for k, _ in layers),
             "a known activation for every hidden layer"),
            (datasets.known(self.dataset), f"a dataset among {', '.join(datasets.DATASETS + datasets.FIXED)} or "
             "an uploaded one the server holds"),
            (_samples_fit(self.dataset, self.n_samples), f"8 to {MAX_SAMPLES} samples (all the rows of a fixed "
             "dataset)"),
            (_integer(self.epochs, 1, MAX_EPOCHS), f"1 to {MAX_EPOCHS} epochs"),
            (_within(self.lr, LR_RANGE), f"a learning rate in [{LR_RANGE[0]:g}, {LR_RANGE[1]:g}]"),
            (self.init in INITS, f"an init among {', '.join(INITS)}"),
            (_within(self.bias_init, BIAS_RANGE), f"a bias init in [{BIAS_RANGE[0]:g}, {BIAS_RANGE[1]:g}]"),
            (_within(self.init_std, STD_RANGE), f"a custom std in [{STD_RANGE[0]:g}, {STD_RANGE[1]:g}]"),
            (self.optimizer in OPTIMIZERS, f"an optimizer among {', '.join(OPTIMIZERS)}"),
            (self.batch_size is None or _integer(self.batch_size, 1, MAX_SAMPLES),
             f"a batch size from 1 to {MAX_SAMPLES} (or None for full batch)"),
            (_integer(self.seed, 0, 2**32 - 1), "a seed in [0, 2^32)"),
            (_integer(seeds, 1, MAX_SEEDS), f"1 to {MAX_SEEDS} seeds at once"),
            (isinstance(self.standardize, bool), "standardize True or False"),
            (self.start is None or self._start_fits(), "start weights of the network's shape, finite and at most "
             f"{START_LIMIT:g} in size (or None)"),
        ]
        for ok, wanted in checks:
            if not ok:
                raise ValueError(f"training needs {wanted}; got {self}")
        for key, params in layers:
            ACTIVATIONS[key].resolve(params)
        most = self.max_epochs(seeds)
        if self.epochs > most:
            smaller = ("fewer epochs, samples or units, or larger batches" if most >= MIN_EPOCHS else
                       f"fewer samples, units or layers, larger batches or a cheaper activation (fewer epochs than "
                       f"{MIN_EPOCHS} are not offered)")
            raise ValueError(f"this run is too large: at this size at most {most} epochs fit the time limit of a "
                             f"few seconds; use {smaller}")
        return self


    def _start_fits(self) -> bool:
        """Whether `start` holds, for every layer, fan_in rows and a bias row of fan_out finite numbers."""
        if not isinstance(self.hidden, tuple) or not datasets.known(self.dataset):
            return False
        widths = (input_dim(self.dataset), *self.hidden, outputs(self.dataset))
        try:
            layers = [np.array(layer, dtype=float) for layer in self.start]
            columns = (*self.columns(), widths[-1])  # a Maxout layer has units x k
        except (TypeError, ValueError, AttributeError):  # ragged rows, text, parameters that are not a dict
            return False
        return (len(layers) == len(widths) - 1 == len(columns)
                and all(layer.shape == (n_in + 1, n_out) for layer, n_in, n_out in zip(layers, widths, columns))
                and all(np.all(np.abs(layer) <= START_LIMIT) for layer in layers))


def _seed_allowance(seeds: int) -> float:
    """A sweep of many seeds may take up to three times a single run's time budget."""
    return 1.0 if seeds == 1 else 3.0


def _samples_fit(dataset: str, n: int) -> bool:
    rows = datasets.size(dataset) if datasets.known(dataset) else None
    return _integer(n, 8, MAX_SAMPLES) if rows is None else n == rows


def _within(value, bounds) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            and bounds[0] <= value <= bounds[1])


def _integer(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(eq=False)  # compared and hashed by identity: a finished run is one shared object (ui/run_store.py)
class Run:
    """What a training run recorded; index 0 is before training, index i after epoch i."""

    config: TrainConfig
    X: np.ndarray  # what the network sees (standardised unless the config says otherwise)
    y: np.ndarray
    task: str
    layers: list[tuple[np.ndarray, np.ndarray]]  # (W of shape (fan_in, fan_out), b), hidden layers then output;
    # a Maxout layer's W has units x k columns, unit u's pieces in columns u k .. u k + k - 1 (nn.Linear, then a max
    # over each group of k)
    loss: np.ndarray
    accuracy: np.ndarray | None  # classification only
    dead_fraction: np.ndarray  # (epochs + 1, len(hidden)): f' = 0 on every input (Maxout: on every piece)
    saturated_fraction: np.ndarray  # (epochs + 1, len(hidden)): |f'| < SATURATED on every input
    negative_fraction: np.ndarray  # (epochs + 1, len(hidden)): pre-activation <= 0 on every input (Maxout: some
    # piece is the maximum on no input, as ReLU = max(0, z)'s piece z is on none for a unit negative everywhere)
    activity: list[np.ndarray]  # per hidden layer, (epochs + 1, units): share of inputs where f' != 0
    learning: list[np.ndarray]  # per hidden layer, (epochs + 1, units): share of inputs where |f'| >= SATURATED
    gradient: list[np.ndarray]  # per hidden layer, (epochs + 1, units): norm of the full-batch loss gradient
    # with respect to the unit's incoming weights and bias (0 while it is dead)
    status: str = "ok"  # "ok", "diverged" (the loss stopped being finite) or "stopped"
    # for the unit inspector, each hidden layer's weights (rows 0 .. fan_in - 1) and bias (last row) at the epochs
    # in snapshot_epochs: per layer (snapshots, fan_in + 1, units), float32; every epoch while that fits in
    # SNAPSHOT_FLOATS (8 MB), else every k-th; the last epoch recorded is always among them
    snapshots: list[np.ndarray] = field(default_factory=list)
    snapshot_epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    # (epochs + 1, len(hidden)): each PReLU layer's learned negative slope after each epoch (NaN for other layers)
    prelu_weight: np.ndarray | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.loss) - 1

    @property
    def kept_every(self) -> int:
        """Every how many epochs the weights were kept (the last epoch is kept too)."""
        epochs = self.snapshot_epochs
        return int(epochs[1] - epochs[0]) if len(epochs) > 1 else 1

    def hidden_layers_at(self, epoch: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each hidden layer's (W, b) after `epoch` epochs, float32; the epoch must be in snapshot_epochs."""
        index = np.searchsorted(self.snapshot_epochs, epoch)
        if index == len(self.snapshot_epochs) or self.snapshot_epochs[index] != epoch:
            raise ValueError(f"the weights of epoch {epoch} were not kept (kept: every "
                             f"{self.kept_every} epochs and the last)")
        return [(layer[index, :-1], layer[index, -1]) for layer in self.snapshots]

    def network_at(self, layers, epoch: int) -> tuple[list[tuple[np.ndarray, ...]], list[Hidden]]:
        """`layers` (W, b) of this run after `epoch` epochs as the network computes them in evaluation mode: with
        each PReLU layer's slope of that epoch (RReLU takes its mean slope), and the hidden layers' activations."""
        hidden = hidden_layers(self.config)
        slopes = None if self.prelu_weight is None else self.prelu_weight[epoch]
        return network(layers, hidden, slopes), hidden

    def dead_masks(self, epoch: int = -1) -> list[np.ndarray]:
        """Per hidden layer, which units are dead at `epoch` (the end by default)."""
        return [a[epoch] == 0 for a in self.activity]

    def zero_fraction(self, at_start: bool = False) -> np.ndarray:
        """Per hidden layer, the share of (input, unit) outputs that are exactly 0 (sparsity), with the final
        weights or, if `at_start`, the initial ones."""
        layers = initial_state(self.config).layers if at_start else self.layers
        stack, hidden = self.network_at(layers, 0 if at_start else -1)
        with np.errstate(all="ignore"):  # a diverged run's weights may overflow
            inputs = _forward(stack, self.X[None].astype(np.float32), hidden)[1]
        return np.array([float(np.mean(h == 0)) for h in inputs[1:]])

    def classes(self) -> tuple[np.ndarray, np.ndarray]:
        """Multiclass: each training example's true class and the class the final network predicts for it."""
        return np.argmax(self.y, axis=1), np.argmax(self.predict(self.X), axis=1)

    def class_accuracy(self) -> np.ndarray:
        """Multiclass: per class, the share of its training examples the final network classifies right."""
        true, predicted = self.classes()
        return np.array([np.mean(predicted[true == c] == c) for c in range(self.y.shape[1])])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The network's output (a probability for classification) on inputs in the space of run.X."""
        stack, hidden = self.network_at(self.layers, -1)
        with np.errstate(all="ignore"):  # a diverged run's weights may overflow
            out = _forward(stack, np.asarray(X, np.float32)[None], hidden)[3][0]
        if self.task == "multiclass":
            return special.softmax(out, axis=1)
        return special.expit(out) if self.task == "classification" else out


def snapshot_stride(config: TrainConfig, seeds: int = 1) -> int:
    """Every how many epochs the hidden layers' weights are kept: 1 while all epochs fit in SNAPSHOT_FLOATS (four
    times that over a sweep of many seeds)."""
    widths = (input_dim(config.dataset), *config.hidden)
    per_epoch = sum((a + 1) * b for a, b in zip(widths, config.columns())) * seeds
    budget = SNAPSHOT_FLOATS * (1 if seeds == 1 else 4)
    return max(1, math.ceil((config.epochs + 1) * per_epoch / budget))


@dataclass(frozen=True)
class Hidden:
    """A hidden layer's activation as the network computes it, with what it learns or draws beside W and b."""

    act: Activation
    params: dict  # resolved

    @property
    def pieces(self) -> int:
        """Affine pieces per unit: Maxout's k (its weight matrix has k columns per unit), 1 otherwise."""
        return len(self.params["slopes"]) if self.act.key == "maxout" else 1

    @property
    def learns_slope(self) -> bool:
        """PReLU: a negative slope per layer, trained with the weights, starting at the explorer's value."""
        return self.act.key == "prelu"

    @property
    def draws_slopes(self) -> bool:
        """RReLU: in training, each element's negative slope drawn uniformly from [lower, upper]."""
        return self.act.key == "rrelu"

    def draw(self, generators: Sequence[np.random.Generator], shape: tuple) -> np.ndarray:
        """RReLU's random slopes for pre-activations of `shape` (seeds, n, units), one generator per seed."""
        lower, upper = self.params["lower"], self.params["upper"]
        return np.stack([rng.uniform(lower, upper, shape[1:]) for rng in generators]).astype(np.float32)

    def apply(self, pre: np.ndarray, learned=(), drawn: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The layer's output, and the derivative of each output with respect to each column of `pre` (autograd's,
        in pre's dtype). Maxout: each unit's k columns are its pieces, its output their maximum, the derivative 1 on
        the first piece attaining it and 0 on the others (as torch.max). PReLU takes its slope from `learned`; RReLU
        uses its `drawn` slopes where given (training) and their mean (lower + upper) / 2 otherwise (evaluation)."""
        if self.act.key == "maxout":
            groups = pre.reshape(*pre.shape[:-1], -1, self.pieces)
            first = np.argmax(groups, axis=-1)[..., None]
            winner = np.arange(self.pieces) == first
            return np.take_along_axis(groups, first, -1)[..., 0], winner.reshape(pre.shape).astype(pre.dtype)
        slope = learned[0] if self.learns_slope else drawn
        if slope is not None:  # as F.prelu and F.rrelu(training=True): the slope applies where x <= 0, 0 included
            return np.where(pre > 0, pre, slope * pre), np.where(pre > 0, np.float32(1), slope).astype(pre.dtype)
        out = self.act.f(pre, **self.params)  # params already resolved: skip re-validation
        d = self.act.df(pre, **self.params) if self.act.df_from_output is None else self.act.df_from_output(out)
        return out, np.asarray(d, dtype=pre.dtype)


def derivative_in_training(activation: Activation, params: dict, x) -> np.ndarray:
    """f' at x as training computes it: in float32, from the saved output where autograd does (Hidden.apply). PReLU
    (at the given slope), RReLU (at its evaluation slope) and Maxout are the explorer's functions of one input."""
    x = np.asarray(x, np.float32)
    layer = Hidden(activation, activation.resolve(params))
    if layer.pieces > 1 or layer.learns_slope or layer.draws_slopes:
        return activation.derivative(x, **params)
    with np.errstate(all="ignore"):
        return layer.apply(x)[1]


def hidden_layers(config: TrainConfig) -> list[Hidden]:
    return [Hidden(ACTIVATIONS[key], ACTIVATIONS[key].resolve(params)) for key, params in config.layer_activations()]


def network(layers, hidden: Sequence[Hidden], slopes=None) -> list[tuple[np.ndarray, ...]]:
    """One network's layers as training holds them: float32 with a leading seed axis of 1, each PReLU layer's
    (W, b) followed by its slope (`slopes[i]`, or the starting value of its parameters)."""
    stack = []
    for i, (W, b) in enumerate(layers):
        params = (np.asarray(W, np.float32)[None], np.asarray(b, np.float32)[None, None])
        if i < len(hidden) and hidden[i].learns_slope:
            slope = hidden[i].params["weight"] if slopes is None else slopes[i]
            params += (np.full((1, 1, 1), slope, np.float32),)
        stack.append(params)
    return stack


def init_layers(config: TrainConfig, widths: Sequence[int], rng: np.random.Generator) -> list:
    """Hidden weights by the chosen scheme and biases at bias_init; the output layer N(0, OUTPUT_GAIN^2 / fan_in)
    with a zero bias. W has shape (fan_in, fan_out): for Maxout, fan_out is units x k, drawn as nn.Linear(fan_in,
    units * k) would be."""
    layers = []
    for n_in, n_out in zip(widths[:-2], config.columns()):
        b = np.full(n_out, config.bias_init)
        if config.init == "uniform":  # PyTorch's nn.Linear default, weights and biases
            bound = 1 / math.sqrt(n_in)
            W = rng.uniform(-bound, bound, (n_in, n_out))
            b = b + rng.uniform(-bound, bound, n_out)
        else:
            std = {"he": math.sqrt(2 / n_in), "xavier": math.sqrt(2 / (n_in + n_out)), "lecun": math.sqrt(1 / n_in),
                   "custom": config.init_std}[config.init]
            W = rng.normal(0, std, (n_in, n_out))
        layers.append((W, b))
    n_in = widths[-2]
    layers.append((rng.normal(0, OUTPUT_GAIN / math.sqrt(n_in), (n_in, widths[-1])), np.zeros(widths[-1])))
    return layers


def standardized(X: np.ndarray) -> np.ndarray:
    """Each feature shifted to zero mean and scaled to unit variance (over this sample); a feature constant over the
    sample (a digit pixel that is blank in every image) is only shifted, to 0."""
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


@dataclass
class Start:
    """A run before its first step: the data the network sees, its initial layers, and the generators of its
    mini-batch order and of RReLU's random slopes."""

    X: np.ndarray
    y: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    batch_rng: np.random.Generator
    noise_rng: np.random.Generator


def _rngs(config: TrainConfig) -> list[np.random.Generator]:
    """The generators of the data, the initial weights, the mini-batch order and RReLU's slopes, from the seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(4)]


def raw_data(config: TrainConfig) -> Dataset:
    """The run's training data as drawn, before standardisation (labels as numbers 0, 1, ...)."""
    return make(config.dataset, config.n_samples, _rngs(config)[0])


def targets(dataset: Dataset) -> np.ndarray:
    """What the network is trained to output: y itself, or one-hot rows for multiclass labels."""
    if dataset.task != "multiclass":
        return dataset.y
    return (dataset.y == np.arange(dataset.outputs)).astype(float)


def initial_state(config: TrainConfig) -> Start:
    """The data and initial weights of `config`'s run (its given start, or drawn from its seed), exactly as `train`
    makes them."""
    _, init_rng, batch_rng, noise_rng = _rngs(config)
    dataset = raw_data(config)
    X = standardized(dataset.X) if config.standardize else dataset.X
    y = targets(dataset)
    if config.start is None:
        layers = init_layers(config, [X.shape[1], *config.hidden, y.shape[1]], init_rng)
    else:
        layers = [(np.array(rows[:-1], dtype=float), np.array(rows[-1], dtype=float)) for rows in config.start]
    return Start(X, y, layers, batch_rng, noise_rng)


def _forward(layers, X, hidden: Sequence[Hidden], noise=None):
    """Pre-activations of each hidden layer, the inputs of each layer (X first), the derivative of each hidden
    layer's output at its pre-activations (Hidden.apply), and the output. Arrays carry a leading seed axis: X
    (seeds, n, d), W (seeds, fan_in, fan_out), b (seeds, 1, fan_out). `noise`: in training, each seed's generator
    of RReLU's random slopes; None in evaluation."""
    pre_acts, inputs, slopes = [], [X], []
    for (W, b, *learned), layer in zip(layers[:-1], hidden):
        pre_acts.append(_affine(inputs[-1], W, b))
        drawn = layer.draw(noise, pre_acts[-1].shape) if noise is not None and layer.draws_slopes else None
        out, d = layer.apply(pre_acts[-1], learned, drawn)
        inputs.append(out)
        slopes.append(d)
    return pre_acts, inputs, slopes, _affine(inputs[-1], *layers[-1])


def _affine(h, W, b):
    """h @ W + b over the seed axis; with one or two inputs per unit, as broadcast products (numpy's matmul has
    no fast path for an inner dimension that small)."""
    if W.shape[1] > 2:
        out = h @ W
    else:
        out = h[:, :, :1] * W[:, :1]
        for k in range(1, W.shape[1]):
            out += h[:, :, k:k + 1] * W[:, k:k + 1]
    out += b
    return out


def _count(mask) -> np.ndarray:
    """Per seed and unit, how many inputs the mask (seeds, inputs, units) holds true for (a matrix product: faster
    than a reduction over the middle axis)."""
    ones = np.ones((mask.shape[0], 1, mask.shape[1]), np.float32)
    return (ones @ mask.astype(np.float32))[:, 0]


def _pass(layers, X, y, hidden, task, noise=None):
    """One forward pass in training: each layer's pre-activations and inputs, f' of each hidden layer at its
    pre-activations (in their dtype; from the layer's output where autograd computes it so, as for sigmoid and
    tanh, whose f' then rounds to exactly 0 in float32 once the output rounds to 1), the output, the loss per seed
    and its gradient with respect to the output."""
    pre_acts, inputs, slopes, out = _forward(layers, X, hidden, noise)
    return pre_acts, inputs, slopes, out, *_loss_and_grad(out, y, task)


def _loss_and_grad(out, y, task):
    """Mean loss per seed and its gradient with respect to the output."""
    n = y.shape[1]
    if task == "multiclass":  # softmax cross-entropy on logits, one-hot targets
        return (np.mean(special.logsumexp(out, axis=2) - np.sum(y * out, axis=2), axis=1),
                (special.softmax(out, axis=2) - y) / n)
    if task == "classification":  # binary cross-entropy on logits
        return np.mean(np.logaddexp(0, out) - y * out, axis=(1, 2)), (special.expit(out) - y) / n
    diff = out - y
    return np.mean(diff**2, axis=(1, 2)), 2 * diff / n


def backward(layers, hidden, pre_acts, inputs, slopes, grad_out):
    """Gradients of the loss for every layer's parameters ((W, b), and a PReLU layer's slope), by backpropagation:
    `pre_acts`, `inputs` and `slopes` as _forward gives them, `grad_out` the loss gradient with respect to the
    output."""
    grads, g, slope_grad = [None] * len(layers), grad_out, ()  # g: with respect to a layer's pre-activations
    for i in range(len(layers) - 1, -1, -1):
        grads[i] = (inputs[i].transpose(0, 2, 1) @ g, np.ones((g.shape[0], 1, g.shape[1]), g.dtype) @ g, *slope_grad)
        if i > 0:
            g = g @ layers[i][0].transpose(0, 2, 1)  # with respect to the output of the hidden layer below
            below = hidden[i - 1]
            slope_grad = ((np.sum(g * np.minimum(pre_acts[i - 1], 0), axis=(1, 2), keepdims=True),)
                          if below.learns_slope else ())  # d PReLU(z) / d slope = min(z, 0)
            g = (np.repeat(g, below.pieces, axis=2) if below.pieces > 1 else g) * slopes[i - 1]
    return grads


class Optimizer:
    """Plain gradient descent, heavy-ball momentum or Adam, as torch.optim.SGD / Adam with their defaults;
    updates the layers in place."""

    def __init__(self, kind: str, lr: float, layers):
        self.kind, self.lr, self.layers, self.t = kind, lr, layers, 0
        self.m = [tuple(np.zeros_like(p) for p in layer) for layer in layers]
        self.v = [tuple(np.zeros_like(p) for p in layer) for layer in layers]

    def step(self, grads) -> None:
        self.t += 1
        lr, (beta1, beta2) = self.lr, ADAM_BETAS
        for layer, grad, m, v in zip(self.layers, grads, self.m, self.v):
            for param, g, m_j, v_j in zip(layer, grad, m, v):
                if self.kind == "gd":
                    param -= lr * g
                elif self.kind == "momentum":
                    m_j *= MOMENTUM
                    m_j += g
                    param -= lr * m_j
                else:
                    m_j[...] = beta1 * m_j + (1 - beta1) * g
                    v_j[...] = beta2 * v_j + (1 - beta2) * g * g
                    m_hat = m_j / (1 - beta1**self.t)
                    v_hat = v_j / (1 - beta2**self.t)
                    param -= lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)


def train(config: TrainConfig, progress: Callable[[Run], bool | None] | None = None, every: int = 25) -> Run:
    """Train as `config` says. `progress(run_so_far)` is called every `every` epochs and at the end; returning
    False stops the run (status "stopped"). Reproducible from the seed."""
    report = None if progress is None else (lambda runs: progress(runs[0]))
    return train_seeds(config, (config.seed,), report, every)[0]


@threadpool_limits.wrap(limits=1)  # one BLAS thread, as the time budgets assume
def train_seeds(config: TrainConfig, seeds: Sequence[int],
                progress: Callable[[list[Run]], bool | None] | None = None, every: int = 25) -> list[Run]:
    """The same configuration trained from each seed, all at once: element i equals
    train(replace(config, seed=seeds[i])). A seed whose loss stops being finite ends there ("diverged")."""
    seeds = list(seeds)
    for seed in seeds:
        replace(config, seed=seed).validate(len(seeds))
    hidden = hidden_layers(config)
    starts = [initial_state(replace(config, seed=seed)) for seed in seeds]
    data = [(start.X, start.y) for start in starts]
    layers = [start.layers for start in starts]
    batch_rngs = [start.batch_rng for start in starts]
    noise = [start.noise_rng for start in starts] if any(layer.draws_slopes for layer in hidden) else None
    X = np.stack([x for x, _ in data]).astype(np.float32)  # float32, as PyTorch trains
    y = np.stack([t for _, t in data]).astype(np.float32)
    stack = [tuple(np.concatenate(params) for params in zip(*nets))
             for nets in zip(*(network(net, hidden) for net in layers))]
    task = task_of(config.dataset)
    history = _History(config, seeds, task, snapshot_stride(config, len(seeds)))
    optimizer = Optimizer(config.optimizer, config.lr, stack)
    n = X.shape[1]
    with np.errstate(all="ignore"):  # divergence shows up as a non-finite loss, checked below
        for epoch in range(config.epochs + 1):
            pre_acts, inputs, slopes, out, loss, grad_out = _pass(stack, X, y, hidden, task, noise)
            grads = backward(stack, hidden, pre_acts, inputs, slopes, grad_out)
            history.record(epoch, loss, out, y, pre_acts, slopes, grads, stack[:-1])
            last = epoch == config.epochs or bool(np.all(history.diverged_at >= 0))
            reporting = progress is not None and (last or epoch % every == 0)
            if reporting and progress(history.runs(data, stack, epoch)) is False and not last:
                return history.runs(data, stack, epoch, stopped=True)
            if last:
                break
            if config.batches == 1:
                optimizer.step(grads)
                continue
            orders = np.stack([rng.permutation(n) for rng in batch_rngs])
            for rows in np.array_split(orders, config.batches, axis=1):
                take = rows[:, :, None]
                pre_b, inputs_b, slopes_b, _, _, grad_b = _pass(
                    stack, np.take_along_axis(X, take, 1), np.take_along_axis(y, take, 1), hidden, task, noise)
                optimizer.step(backward(stack, hidden, pre_b, inputs_b, slopes_b, grad_b))
    return history.runs(data, stack, epoch)


@dataclass(frozen=True)
class UnitStates:
    """Per seed and unit: the share of inputs with f' != 0 and with |f'| >= SATURATED, and which units are dead
    (f' = 0 on every input), saturated (|f'| < SATURATED on every input) and negative (pre-activation <= 0 on every
    input). A Maxout unit's f' is taken with respect to each of its pieces: it is dead when every piece's is 0, and
    "negative" when some piece is the maximum on no input."""

    activity: np.ndarray
    learning: np.ndarray
    dead: np.ndarray
    saturated: np.ndarray
    negative: np.ndarray


def unit_states(pre: np.ndarray, slopes: np.ndarray, pieces: int = 1) -> UnitStates:
    """States of a hidden layer from its pre-activations and f' there, both (seeds, inputs, units x pieces)."""
    seeds, n, columns = slopes.shape

    def per_unit(mask):  # on how many inputs the mask holds for some piece of each unit
        return _count(mask if pieces == 1 else mask.reshape(seeds, n, -1, pieces).any(axis=3))

    active, learning = per_unit(slopes != 0), per_unit(np.abs(slopes) >= SATURATED)
    if pieces == 1:
        negative = _count(pre > 0) == 0
    else:
        negative = (_count(slopes != 0).reshape(seeds, -1, pieces) == 0).any(axis=2)
    return UnitStates(active / n, learning / n, active == 0, learning == 0, negative)


class _History:
    """Per-epoch records of every seed, and the epoch at which each seed's loss stopped being finite."""

    def __init__(self, config: TrainConfig, seeds: list[int], task: str, stride: int):
        rows, layers = config.epochs + 1, len(config.hidden)
        self.config, self.seeds, self.task, self.stride = config, seeds, task, stride
        self.pieces = config.pieces()
        seeds = len(seeds)
        self.loss = np.full((seeds, rows), np.nan)
        self.accuracy = None if task == "regression" else np.full((seeds, rows), np.nan)
        self.dead, self.saturated, self.negative = (np.zeros((seeds, rows, layers)) for _ in range(3))
        self.activity = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.learning = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.gradient = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.prelu_weight = np.full((seeds, rows, layers), np.nan)
        self.diverged_at = np.full(seeds, -1)  # the epoch whose loss was not finite, per seed (-1: none)
        widths = (input_dim(config.dataset), *config.hidden)
        kept = (rows - 1) // stride + 1
        self.snapshots = [np.zeros((seeds, kept, a + 1, b), np.float32) for a, b in zip(widths, config.columns())]
        # each layer at the last epoch recorded, per seed (a diverged seed: at its divergence)
        self.last = [np.zeros((seeds, a + 1, b), np.float32) for a, b in zip(widths, config.columns())]

    def record(self, epoch, loss, out, y, pre_acts, slopes, grads, hidden) -> None:
        self.loss[:, epoch] = loss
        going = self.diverged_at < 0  # seeds still training (a seed's weights after divergence are not kept)
        for i, (last, snapshots, (W, b, *slope)) in enumerate(zip(self.last, self.snapshots, hidden)):
            last[going, :-1], last[going, -1] = W[going], b[going, 0]
            if epoch % self.stride == 0:
                snapshots[:, epoch // self.stride] = last
            if slope:
                self.prelu_weight[:, epoch, i] = slope[0][:, 0, 0]
        if self.task == "multiclass":
            self.accuracy[:, epoch] = np.mean(np.argmax(out, axis=2) == np.argmax(y, axis=2), axis=1)
        elif self.accuracy is not None:
            self.accuracy[:, epoch] = np.mean((out > 0) == (y > 0.5), axis=(1, 2))
        for i, (pre, d, pieces) in enumerate(zip(pre_acts, slopes, self.pieces)):
            states = unit_states(pre, d, pieces)
            self.activity[i][:, epoch], self.learning[i][:, epoch] = states.activity, states.learning
            self.dead[:, epoch, i], self.saturated[:, epoch, i], self.negative[:, epoch, i] = (
                np.mean(mask, axis=1) for mask in (states.dead, states.saturated, states.negative))
            gW, gb = grads[i][:2]
            squares = np.sum(gW * gW, axis=1) + gb[:, 0] ** 2  # per column: a Maxout unit has one per piece
            self.gradient[i][:, epoch] = np.sqrt(squares.reshape(len(squares), -1, pieces).sum(axis=2))
        self.diverged_at[~np.isfinite(loss) & (self.diverged_at < 0)] = epoch

    def runs(self, data, stack, epoch: int, stopped: bool = False) -> list[Run]:
        """The run of each seed as recorded up to `epoch` (or to its divergence, if earlier)."""
        runs = []
        for s, (X, y) in enumerate(data):
            diverged = self.diverged_at[s] >= 0
            cut = slice(0, (self.diverged_at[s] if diverged else epoch) + 1)
            status = "diverged" if diverged else "stopped" if stopped else "ok"
            runs.append(Run(
                replace(self.config, seed=self.seeds[s]), X, y, self.task,
                [(W[s].copy(), b[s, 0].copy()) for W, b, *_ in stack],
                self.loss[s, cut].copy(), None if self.accuracy is None else self.accuracy[s, cut].copy(),
                self.dead[s, cut].copy(), self.saturated[s, cut].copy(), self.negative[s, cut].copy(),
                [a[s, cut].copy() for a in self.activity], [a[s, cut].copy() for a in self.learning],
                [g[s, cut].copy() for g in self.gradient], status, *self._snapshots(s, cut.stop - 1),
                self.prelu_weight[s, cut].copy()))
        return runs

    def _snapshots(self, s: int, end: int) -> tuple[list[np.ndarray], np.ndarray]:
        """Seed s's kept weights up to epoch `end`, that epoch's included."""
        epochs = np.arange(0, end + 1, self.stride)
        kept = [snapshots[s, :len(epochs)] for snapshots in self.snapshots]
        if epochs[-1] != end:
            epochs = np.append(epochs, end)
            kept = [np.concatenate([k, last[s][None]]) for k, last in zip(kept, self.last)]
        return [k.copy() for k in kept], epochs
