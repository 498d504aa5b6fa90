"""Train a small MLP in numpy and watch its hidden units: which are dead (f' = 0 on every input), which saturate,
which sit on the negative side of every input.

Full-batch gradient descent on mean squared error by default (binary cross-entropy for two classes, softmax
cross-entropy for the digits' ten).
One code path trains a stack of seeds at once (batched matrix products): a single run is a stack of one, and a
sweep over 20 seeds costs a few single runs, not twenty.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy import special

from relu_viz import datasets
from relu_viz.activations import ACTIVATIONS, Activation
from relu_viz.datasets import Dataset, input_dim, make, outputs, task_of

INITS = ("he", "xavier", "lecun", "uniform", "custom")
OPTIMIZERS = ("gd", "momentum", "adam")
MOMENTUM, ADAM_BETAS, ADAM_EPS = 0.9, (0.9, 0.999), 1e-8  # PyTorch's SGD(momentum=0.9) and Adam defaults
SATURATED = 1e-3  # |f'| below this on every input: saturated
OUTPUT_GAIN = 0.1  # the output layer starts at N(0, (0.1)^2 / fan_in): small, so no run starts far off target
MAX_LAYERS, MAX_UNITS, MAX_SAMPLES, MAX_EPOCHS, MAX_SEEDS = 4, 128, 512, 2000, 20
SNAPSHOT_FLOATS = 2**21  # weights kept per run for the unit inspector: 8 MB of float32 (a sweep: 4 runs' worth)
MAX_WORK = 4e10  # epochs x work per epoch: about four seconds on one core of the 2-core reference machine
UNIT_COST = 500  # elementwise f and f' per unit and sample, in weight-updates (Mish, the slowest)
STEP_COST = 1.5e6  # Python overhead of one optimizer step, in weight-updates
START_LIMIT = 1e6  # the largest given initial weight, in size
LR_RANGE = (1e-5, 10.0)
BIAS_RANGE = (-5.0, 5.0)
STD_RANGE = (1e-3, 10.0)


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

    @property
    def work(self) -> float:
        """The cost of one epoch of one seed in weight-updates x samples, with the elementwise work of the slowest
        built-in activation (Mish, about 500 weight-updates per unit and sample; your formula's measured multiple of
        it) and the overhead of each mini-batch step; with mini-batches the data is also passed once more, whole, to
        record the epoch."""
        widths = (input_dim(self.dataset), *self.hidden, outputs(self.dataset))
        weights = sum(a * b for a, b in zip(widths, widths[1:]))
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
        if self.epochs > self.max_epochs(seeds):
            raise ValueError(f"this run is too large: at this size at most {self.max_epochs(seeds)} epochs fit the "
                             "time limit of a few seconds; use fewer epochs, samples or units, or larger batches")
        return self


    def _start_fits(self) -> bool:
        """Whether `start` holds, for every layer, fan_in rows and a bias row of fan_out finite numbers."""
        if not isinstance(self.hidden, tuple) or not datasets.known(self.dataset):
            return False
        widths = (input_dim(self.dataset), *self.hidden, outputs(self.dataset))
        try:
            layers = [np.array(layer, dtype=float) for layer in self.start]
        except (TypeError, ValueError):  # ragged rows, text
            return False
        return (len(layers) == len(widths) - 1
                and all(layer.shape == (n_in + 1, n_out) for layer, n_in, n_out in zip(layers, widths, widths[1:]))
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
    layers: list[tuple[np.ndarray, np.ndarray]]  # (W of shape (fan_in, fan_out), b), hidden layers then output
    loss: np.ndarray
    accuracy: np.ndarray | None  # classification only
    dead_fraction: np.ndarray  # (epochs + 1, len(hidden)): f' = 0 on every input
    saturated_fraction: np.ndarray  # (epochs + 1, len(hidden)): |f'| < SATURATED on every input
    negative_fraction: np.ndarray  # (epochs + 1, len(hidden)): pre-activation <= 0 on every input
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

    def dead_masks(self, epoch: int = -1) -> list[np.ndarray]:
        """Per hidden layer, which units are dead at `epoch` (the end by default)."""
        return [a[epoch] == 0 for a in self.activity]

    def zero_fraction(self, at_start: bool = False) -> np.ndarray:
        """Per hidden layer, the share of (input, unit) outputs that are exactly 0 (sparsity), with the final
        weights or, if `at_start`, the initial ones."""
        layers = initial_state(self.config).layers if at_start else self.layers
        stack = [(W[None].astype(np.float32), b[None].astype(np.float32)) for W, b in layers]
        with np.errstate(all="ignore"):  # a diverged run's weights may overflow
            inputs = _forward(stack, self.X[None].astype(np.float32), _resolved(self.config))[1]
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
        stack = [(W[None], b[None]) for W, b in self.layers]
        with np.errstate(all="ignore"):  # a diverged run's weights may overflow
            out = _forward(stack, np.asarray(X, np.float32)[None], _resolved(self.config))[2][0]
        if self.task == "multiclass":
            return special.softmax(out, axis=1)
        return special.expit(out) if self.task == "classification" else out


def snapshot_stride(config: TrainConfig, seeds: int = 1) -> int:
    """Every how many epochs the hidden layers' weights are kept: 1 while all epochs fit in SNAPSHOT_FLOATS (four
    times that over a sweep of many seeds)."""
    widths = (input_dim(config.dataset), *config.hidden)
    per_epoch = sum((a + 1) * b for a, b in zip(widths, widths[1:])) * seeds
    budget = SNAPSHOT_FLOATS * (1 if seeds == 1 else 4)
    return max(1, math.ceil((config.epochs + 1) * per_epoch / budget))


def _resolved(config: TrainConfig) -> list[tuple[Activation, dict]]:
    return [(ACTIVATIONS[key], ACTIVATIONS[key].resolve(params)) for key, params in config.layer_activations()]


def init_layers(config: TrainConfig, widths: Sequence[int], rng: np.random.Generator) -> list:
    """Hidden weights by the chosen scheme and biases at bias_init; the output layer N(0, OUTPUT_GAIN^2 / fan_in)
    with a zero bias. W has shape (fan_in, fan_out)."""
    layers = []
    for n_in, n_out in zip(widths[:-2], widths[1:-1]):
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
    """A run before its first step: the data the network sees, its initial layers, and the generator of its
    mini-batch order."""

    X: np.ndarray
    y: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]]
    batch_rng: np.random.Generator


def _rngs(config: TrainConfig) -> list[np.random.Generator]:
    """The generators of the data, the initial weights and the mini-batch order, from the run's seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(3)]


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
    _, init_rng, batch_rng = _rngs(config)
    dataset = raw_data(config)
    X = standardized(dataset.X) if config.standardize else dataset.X
    y = targets(dataset)
    if config.start is None:
        layers = init_layers(config, [X.shape[1], *config.hidden, y.shape[1]], init_rng)
    else:
        layers = [(np.array(rows[:-1], dtype=float), np.array(rows[-1], dtype=float)) for rows in config.start]
    return Start(X, y, layers, batch_rng)


def _forward(layers, X, acts):
    """Pre-activations of each hidden layer, the inputs of each layer (X first), and the output. Arrays carry a
    leading seed axis: X (seeds, n, d), W (seeds, fan_in, fan_out), b (seeds, 1, fan_out)."""
    pre_acts, inputs = [], [X]
    for (W, b), (act, params) in zip(layers[:-1], acts):
        pre_acts.append(_affine(inputs[-1], W, b))
        inputs.append(act.f(pre_acts[-1], **params))  # params already resolved: skip re-validation
    return pre_acts, inputs, _affine(inputs[-1], *layers[-1])


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


def _pass(layers, X, y, acts, task):
    """One forward pass: each layer's pre-activations and inputs, f' of each hidden layer at its pre-activations
    (in their dtype; from the layer's output where autograd computes it so, as for sigmoid and tanh, whose f'
    then rounds to exactly 0 in float32 once the output rounds to 1), the output, the loss per seed and its
    gradient with respect to the output."""
    pre_acts, inputs, out = _forward(layers, X, acts)
    slopes = [np.asarray(act.df(pre, **params) if act.df_from_output is None else act.df_from_output(h),
                         dtype=pre.dtype) for pre, h, (act, params) in zip(pre_acts, inputs[1:], acts)]
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


def backward(layers, inputs, slopes, grad_out):
    """Gradients of the loss for every (W, b), by backpropagation: `inputs` of each layer, `slopes` f' of each
    hidden layer at its pre-activations, `grad_out` the loss gradient with respect to the output."""
    grads = [None] * len(layers)
    g = grad_out
    for i in range(len(layers) - 1, -1, -1):
        grads[i] = (inputs[i].transpose(0, 2, 1) @ g, np.ones((g.shape[0], 1, g.shape[1]), g.dtype) @ g)
        if i > 0:
            g = (g @ layers[i][0].transpose(0, 2, 1)) * slopes[i - 1]
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


def train_seeds(config: TrainConfig, seeds: Sequence[int],
                progress: Callable[[list[Run]], bool | None] | None = None, every: int = 25) -> list[Run]:
    """The same configuration trained from each seed, all at once: element i equals
    train(replace(config, seed=seeds[i])). A seed whose loss stops being finite ends there ("diverged")."""
    seeds = list(seeds)
    for seed in seeds:
        replace(config, seed=seed).validate(len(seeds))
    acts = _resolved(config)
    starts = [initial_state(replace(config, seed=seed)) for seed in seeds]
    data = [(start.X, start.y) for start in starts]
    layers = [start.layers for start in starts]
    batch_rngs = [start.batch_rng for start in starts]
    X = np.stack([x for x, _ in data]).astype(np.float32)  # float32, as PyTorch trains
    y = np.stack([t for _, t in data]).astype(np.float32)
    stack = [(np.stack([net[i][0] for net in layers]).astype(np.float32),
              np.stack([net[i][1] for net in layers])[:, None, :].astype(np.float32)) for i in range(len(layers[0]))]
    task = task_of(config.dataset)
    history = _History(config, seeds, task, snapshot_stride(config, len(seeds)))
    optimizer = Optimizer(config.optimizer, config.lr, stack)
    n = X.shape[1]
    with np.errstate(all="ignore"):  # divergence shows up as a non-finite loss, checked below
        for epoch in range(config.epochs + 1):
            pre_acts, inputs, slopes, out, loss, grad_out = _pass(stack, X, y, acts, task)
            grads = backward(stack, inputs, slopes, grad_out)
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
                _, inputs_b, slopes_b, _, _, grad_b = _pass(
                    stack, np.take_along_axis(X, take, 1), np.take_along_axis(y, take, 1), acts, task)
                optimizer.step(backward(stack, inputs_b, slopes_b, grad_b))
    return history.runs(data, stack, epoch)


@dataclass(frozen=True)
class UnitStates:
    """Per seed and unit: the share of inputs with f' != 0 and with |f'| >= SATURATED, and which units are dead
    (f' = 0 on every input), saturated (|f'| < SATURATED on every input) and negative (pre-activation <= 0 on every
    input)."""

    activity: np.ndarray
    learning: np.ndarray
    dead: np.ndarray
    saturated: np.ndarray
    negative: np.ndarray


def unit_states(pre: np.ndarray, slopes: np.ndarray) -> UnitStates:
    """States of a hidden layer from its pre-activations and f' there, both (seeds, inputs, units)."""
    active, learning = _count(slopes != 0), _count(np.abs(slopes) >= SATURATED)
    return UnitStates(active / slopes.shape[1], learning / slopes.shape[1], active == 0, learning == 0,
                      _count(pre > 0) == 0)


class _History:
    """Per-epoch records of every seed, and the epoch at which each seed's loss stopped being finite."""

    def __init__(self, config: TrainConfig, seeds: list[int], task: str, stride: int):
        rows, layers = config.epochs + 1, len(config.hidden)
        self.config, self.seeds, self.task, self.stride = config, seeds, task, stride
        seeds = len(seeds)
        self.loss = np.full((seeds, rows), np.nan)
        self.accuracy = None if task == "regression" else np.full((seeds, rows), np.nan)
        self.dead, self.saturated, self.negative = (np.zeros((seeds, rows, layers)) for _ in range(3))
        self.activity = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.learning = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.gradient = [np.zeros((seeds, rows, units), dtype=np.float32) for units in config.hidden]
        self.diverged_at = np.full(seeds, -1)  # the epoch whose loss was not finite, per seed (-1: none)
        widths = (input_dim(config.dataset), *config.hidden)
        kept = (rows - 1) // stride + 1
        self.snapshots = [np.zeros((seeds, kept, a + 1, b), np.float32) for a, b in zip(widths, widths[1:])]
        # each layer at the last epoch recorded, per seed (a diverged seed: at its divergence)
        self.last = [np.zeros((seeds, a + 1, b), np.float32) for a, b in zip(widths, widths[1:])]

    def record(self, epoch, loss, out, y, pre_acts, slopes, grads, hidden) -> None:
        self.loss[:, epoch] = loss
        going = self.diverged_at < 0  # seeds still training (a seed's weights after divergence are not kept)
        for last, snapshots, (W, b) in zip(self.last, self.snapshots, hidden):
            last[going, :-1], last[going, -1] = W[going], b[going, 0]
            if epoch % self.stride == 0:
                snapshots[:, epoch // self.stride] = last
        if self.task == "multiclass":
            self.accuracy[:, epoch] = np.mean(np.argmax(out, axis=2) == np.argmax(y, axis=2), axis=1)
        elif self.accuracy is not None:
            self.accuracy[:, epoch] = np.mean((out > 0) == (y > 0.5), axis=(1, 2))
        for i, (pre, d) in enumerate(zip(pre_acts, slopes)):
            states = unit_states(pre, d)
            self.activity[i][:, epoch], self.learning[i][:, epoch] = states.activity, states.learning
            self.dead[:, epoch, i], self.saturated[:, epoch, i], self.negative[:, epoch, i] = (
                np.mean(mask, axis=1) for mask in (states.dead, states.saturated, states.negative))
            gW, gb = grads[i]
            self.gradient[i][:, epoch] = np.sqrt(np.sum(gW * gW, axis=1) + gb[:, 0] ** 2)
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
                [(W[s].copy(), b[s, 0].copy()) for W, b in stack],
                self.loss[s, cut].copy(), None if self.accuracy is None else self.accuracy[s, cut].copy(),
                self.dead[s, cut].copy(), self.saturated[s, cut].copy(), self.negative[s, cut].copy(),
                [a[s, cut].copy() for a in self.activity], [a[s, cut].copy() for a in self.learning],
                [g[s, cut].copy() for g in self.gradient], status, *self._snapshots(s, cut.stop - 1)))
        return runs

    def _snapshots(self, s: int, end: int) -> tuple[list[np.ndarray], np.ndarray]:
        """Seed s's kept weights up to epoch `end`, that epoch's included."""
        epochs = np.arange(0, end + 1, self.stride)
        kept = [snapshots[s, :len(epochs)] for snapshots in self.snapshots]
        if epochs[-1] != end:
            epochs = np.append(epochs, end)
            kept = [np.concatenate([k, last[s][None]]) for k, last in zip(kept, self.last)]
        return [k.copy() for k in kept], epochs
