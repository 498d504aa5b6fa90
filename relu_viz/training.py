"""Train a small MLP in numpy and watch its hidden units: which are dead (f' = 0 on every input), which saturate.

Full-batch gradient descent on mean squared error by default (binary cross-entropy for the classification sets).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import special

from relu_viz.activations import ACTIVATIONS
from relu_viz.datasets import DATASETS, Dataset, make

INITS = ("he", "xavier", "lecun", "uniform", "custom")
OPTIMIZERS = ("gd", "momentum", "adam")
SATURATED = 1e-3  # |f'| below this on every input: saturated
MAX_LAYERS, MAX_UNITS, MAX_SAMPLES, MAX_EPOCHS = 4, 128, 512, 2000
MAX_WORK = 4e10  # epochs x work per epoch: about four seconds on one core of the 2-core reference machine
UNIT_COST = 500  # elementwise f and f' per unit and sample, in weight-updates (Mish, the slowest)
STEP_COST = 1.5e6  # Python overhead of one optimizer step, in weight-updates
LR_RANGE = (1e-5, 10.0)
BIAS_RANGE = (-5.0, 5.0)
STD_RANGE = (1e-3, 10.0)


@dataclass(frozen=True)
class TrainConfig:
    activation: str = "relu"
    params: dict = field(default_factory=dict)
    hidden: tuple[int, ...] = (32, 32)
    dataset: str = "sine"
    n_samples: int = 256
    lr: float = 0.05
    epochs: int = 300
    init: str = "he"
    bias_init: float = 0.0
    seed: int = 0
    optimizer: str = "gd"  # "gd" (plain gradient descent), "momentum" (0.9) or "adam"
    batch_size: int | None = None  # None: full batch
    init_std: float = 1.0  # for init "custom"

    @property
    def work(self) -> float:
        """The cost of one epoch in weight-updates x samples, with the elementwise work of the slowest activation
        (Mish, about 500 weight-updates per unit and sample) and the overhead of each mini-batch step; with
        mini-batches the data is also passed once more, whole, to record the epoch."""
        widths = (2 if self.dataset in DATASETS[3:] else 1, *self.hidden, 1)
        weights = sum(a * b for a, b in zip(widths, widths[1:]))
        batches = math.ceil(self.n_samples / self.batch_size) if self.batch_size else 1
        passes = 2 if batches > 1 else 1
        return passes * self.n_samples * (weights + UNIT_COST * sum(self.hidden)) + batches * STEP_COST

    def max_epochs(self) -> int:
        """The most epochs this network, data size and batch size may train for."""
        return min(MAX_EPOCHS, int(MAX_WORK // self.work))

    def validate(self) -> TrainConfig:
        """Raise ValueError with a clear message if any setting is outside its limits; return self."""
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        ACTIVATIONS[self.activation].resolve(self.params)
        checks = [
            (1 <= len(self.hidden) <= MAX_LAYERS, f"1 to {MAX_LAYERS} hidden layers"),
            (all(isinstance(u, int) and 1 <= u <= MAX_UNITS for u in self.hidden), f"1 to {MAX_UNITS} units a layer"),
            (self.dataset in DATASETS, f"a dataset among {', '.join(DATASETS)}"),
            (isinstance(self.n_samples, int) and 8 <= self.n_samples <= MAX_SAMPLES, f"8 to {MAX_SAMPLES} samples"),
            (isinstance(self.epochs, int) and 1 <= self.epochs <= MAX_EPOCHS, f"1 to {MAX_EPOCHS} epochs"),
            (_within(self.lr, LR_RANGE), f"a learning rate in [{LR_RANGE[0]:g}, {LR_RANGE[1]:g}]"),
            (self.init in INITS, f"an init among {', '.join(INITS)}"),
            (_within(self.bias_init, BIAS_RANGE), f"a bias init in [{BIAS_RANGE[0]:g}, {BIAS_RANGE[1]:g}]"),
            (_within(self.init_std, STD_RANGE), f"a custom std in [{STD_RANGE[0]:g}, {STD_RANGE[1]:g}]"),
            (self.optimizer in OPTIMIZERS, f"an optimizer among {', '.join(OPTIMIZERS)}"),
            (self.batch_size is None or (isinstance(self.batch_size, int) and self.batch_size >= 1),
             "a positive batch size (or None for full batch)"),
            (isinstance(self.seed, int) and 0 <= self.seed < 2**32, "a seed in [0, 2^32)"),
        ]
        for ok, wanted in checks:
            if not ok:
                raise ValueError(f"training needs {wanted}; got {self}")
        if self.epochs > self.max_epochs():
            raise ValueError(f"this run is too large: at this size at most {self.max_epochs()} epochs fit the "
                             "time limit of a few seconds; use fewer epochs, samples or units, or larger batches")
        return self


def _within(value, bounds) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and bounds[0] <= value <= bounds[1]


@dataclass
class Run:
    """What a training run recorded; index 0 is before training, index i after epoch i."""

    config: TrainConfig
    X: np.ndarray
    y: np.ndarray
    task: str
    layers: list[tuple[np.ndarray, np.ndarray]]  # (W of shape (fan_in, fan_out), b), hidden layers then output
    loss: np.ndarray
    accuracy: np.ndarray | None  # classification only
    dead_fraction: np.ndarray  # (epochs + 1, len(hidden))
    saturated_fraction: np.ndarray  # (epochs + 1, len(hidden))
    activity: list[np.ndarray]  # per hidden layer, (epochs + 1, units): share of inputs where f' != 0
    status: str = "ok"  # "ok", "diverged" (the loss stopped being finite) or "stopped"

    @property
    def epochs_run(self) -> int:
        return len(self.loss) - 1

    def dead_masks(self) -> list[np.ndarray]:
        """Per hidden layer, which units are dead at the end."""
        return [a[-1] == 0 for a in self.activity]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The network's output (a probability for classification) on new inputs."""
        act = ACTIVATIONS[self.config.activation]
        out = _forward(self.layers, X, act, act.resolve(self.config.params))[2]
        return special.expit(out) if self.task == "classification" else out


def init_layers(config: TrainConfig, fan_ins: list[int], fan_outs: list[int], rng) -> list:
    """Weights by the chosen scheme, every bias at bias_init."""
    layers = []
    for n_in, n_out in zip(fan_ins, fan_outs):
        if config.init == "he":
            W = rng.normal(0, math.sqrt(2 / n_in), (n_in, n_out))
        elif config.init == "xavier":
            W = rng.normal(0, math.sqrt(1 / n_in), (n_in, n_out))
        elif config.init == "lecun":  # LeCun et al. 1998: uniform with variance 1/fan_in
            W = rng.uniform(-math.sqrt(3 / n_in), math.sqrt(3 / n_in), (n_in, n_out))
        elif config.init == "uniform":  # PyTorch's nn.Linear default
            W = rng.uniform(-1 / math.sqrt(n_in), 1 / math.sqrt(n_in), (n_in, n_out))
        else:
            W = rng.normal(0, config.init_std, (n_in, n_out))
        layers.append((W, np.full(n_out, config.bias_init)))
    return layers


def _forward(layers, X, act, params):
    """Pre-activations of each hidden layer, the inputs of each layer (X first), and the output."""
    pre_acts, inputs = [], [X]
    for W, b in layers[:-1]:
        pre_acts.append(inputs[-1] @ W + b)
        inputs.append(act.f(pre_acts[-1], **params))  # params already resolved: skip re-validation
    W, b = layers[-1]
    return pre_acts, inputs, inputs[-1] @ W + b


def _pass(layers, X, y, act, params, task):
    """One forward pass: each layer's inputs, f' of each hidden layer at its pre-activations (in their dtype: some
    derivatives build float64 constants), the output, the loss and its gradient with respect to the output."""
    pre_acts, inputs, out = _forward(layers, X, act, params)
    slopes = [np.asarray(act.df(pre, **params), dtype=pre.dtype) for pre in pre_acts]
    return inputs, slopes, out, *_loss_and_grad(out, y, task)


def _loss_and_grad(out, y, task):
    """Mean loss and its gradient with respect to the output."""
    n = len(y)
    if task == "classification":  # binary cross-entropy on logits
        loss = float(np.mean(np.logaddexp(0, out) - y * out))
        return loss, (special.expit(out) - y) / n
    diff = out - y
    return float(np.mean(diff**2)), 2 * diff / n


def train(config: TrainConfig, progress: Callable[[Run], bool | None] | None = None, every: int = 25) -> Run:
    """Train as `config` says. `progress(run_so_far)` is called every `every` epochs and at the end; returning
    False stops the run (status "stopped"). Reproducible from the seed."""
    config = config.validate()
    data_rng, init_rng, batch_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(3))
    data: Dataset = make(config.dataset, config.n_samples, data_rng)
    X, y = data.X.astype(np.float32), data.y.astype(np.float32)  # float32, as PyTorch trains
    widths = [data.X.shape[1], *config.hidden, 1]
    layers = [(W.astype(np.float32), b.astype(np.float32))
              for W, b in init_layers(config, widths[:-1], widths[1:], init_rng)]
    act = ACTIVATIONS[config.activation]
    params = act.resolve(config.params)
    n_layers, epochs = len(config.hidden), config.epochs
    loss = np.full(epochs + 1, np.nan)
    accuracy = np.full(epochs + 1, np.nan) if data.task == "classification" else None
    dead, saturated = np.zeros((epochs + 1, n_layers)), np.zeros((epochs + 1, n_layers))
    activity = [np.zeros((epochs + 1, u), dtype=np.float32) for u in config.hidden]
    optimizer = _Optimizer(config, layers)
    run = Run(config, data.X, data.y, data.task, layers, loss, accuracy, dead, saturated, activity)
    batch = config.batch_size if config.batch_size and config.batch_size < len(data.y) else None

    with np.errstate(all="ignore"):  # divergence shows up as a non-finite loss, checked below
        for epoch in range(epochs + 1):
            inputs, slopes, out, loss[epoch], grad_out = _pass(layers, X, y, act, params, data.task)
            if accuracy is not None:
                accuracy[epoch] = np.mean((out > 0) == (y > 0.5))
            for i, d in enumerate(slopes):
                activity[i][epoch] = np.count_nonzero(d, axis=0) / len(d)
                dead[epoch, i] = np.mean(activity[i][epoch] == 0)
                saturated[epoch, i] = np.mean(np.abs(d).max(axis=0) < SATURATED)
            if not math.isfinite(loss[epoch]):
                run.status = "diverged"
            elif epoch < epochs:
                if batch is None:
                    optimizer.step(_backward(layers, inputs, slopes, grad_out))
                else:
                    for rows in np.array_split(batch_rng.permutation(len(data.y)), math.ceil(len(data.y) / batch)):
                        inputs_b, slopes_b, _, _, grad_b = _pass(layers, X[rows], y[rows], act, params, data.task)
                        optimizer.step(_backward(layers, inputs_b, slopes_b, grad_b))
            stopping = run.status != "ok" or epoch == epochs
            reporting = progress is not None and (stopping or epoch % every == 0)
            if reporting and progress(_truncated(run, epoch)) is False and not stopping:
                run.status = "stopped"
                stopping = True
            if stopping:
                return _truncated(run, epoch)
    return run


def _truncated(run: Run, epoch: int) -> Run:
    """The run as recorded up to and including `epoch`."""
    cut = slice(0, epoch + 1)
    return replace(run, layers=[(W.copy(), b.copy()) for W, b in run.layers], loss=run.loss[cut],
                   accuracy=None if run.accuracy is None else run.accuracy[cut],
                   dead_fraction=run.dead_fraction[cut], saturated_fraction=run.saturated_fraction[cut],
                   activity=[a[cut] for a in run.activity])


def _backward(layers, inputs, slopes, grad_out):
    """Gradients of the loss for every (W, b), by backpropagation: `inputs` of each layer, `slopes` f' of each
    hidden layer at its pre-activations."""
    grads = [None] * len(layers)
    g = grad_out
    for i in range(len(layers) - 1, -1, -1):
        grads[i] = (inputs[i].T @ g, g.sum(axis=0))
        if i > 0:
            g = (g @ layers[i][0].T) * slopes[i - 1]
    return grads


class _Optimizer:
    """Plain gradient descent, heavy-ball momentum (0.9) or Adam (0.9, 0.999), updating the layers in place."""

    def __init__(self, config: TrainConfig, layers):
        self.config, self.layers, self.t = config, layers, 0
        self.m = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]
        self.v = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]

    def step(self, grads) -> None:
        lr, kind = self.config.lr, self.config.optimizer
        self.t += 1
        for i, (layer, grad) in enumerate(zip(self.layers, grads)):
            for j in (0, 1):
                param, g = layer[j], grad[j]
                if kind == "gd":
                    param -= lr * g
                elif kind == "momentum":
                    self.m[i][j][...] = 0.9 * self.m[i][j] + g
                    param -= lr * self.m[i][j]
                else:
                    self.m[i][j][...] = 0.9 * self.m[i][j] + 0.1 * g
                    self.v[i][j][...] = 0.999 * self.v[i][j] + 0.001 * g * g
                    m_hat = self.m[i][j] / (1 - 0.9**self.t)
                    v_hat = self.v[i][j] / (1 - 0.999**self.t)
                    param -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)
