"""PyTorch as the independent reference: every activation in torch.nn.functional, and a trainer written with
torch.nn / torch.optim from the documented algorithm (data, initial weights and batch order from the seed)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from relu_viz.datasets import task_of
from relu_viz.training import TrainConfig, initial_state
from tests.reference import interpret

torch.set_num_threads(1)  # one thread: safe to fork (mutation testing) and deterministic

FORMULA_FUNCTIONS = {  # torch's own functions, so autograd differentiates the formula
    "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt,
    "abs": torch.abs, "sign": torch.sign, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "softplus": F.softplus, "erf": torch.erf, "relu": F.relu,
    "heaviside": lambda u: (u >= 0).to(u.dtype), "max": torch.maximum, "min": torch.minimum,
    "clip": lambda u, lo, hi: torch.minimum(torch.maximum(u, lo), hi), "where": torch.where,
}


def _formula(x, formula, a, b, c):
    as_tensor = lambda v: torch.tensor(float(v), dtype=x.dtype)  # noqa: E731
    y = interpret(formula, FORMULA_FUNCTIONS, as_tensor, x=x, a=as_tensor(a), b=as_tensor(b), c=as_tensor(c))
    return y + 0 * x  # a formula constant on a piece still has x's shape and gradient


TORCH = {
    "relu": lambda x: F.relu(x),
    "leaky_relu": lambda x, negative_slope: F.leaky_relu(x, negative_slope),
    "prelu": lambda x, weight: F.prelu(x, torch.tensor([weight], dtype=x.dtype)),
    "rrelu": lambda x, lower, upper: F.rrelu(x, lower, upper, training=False),
    "relu6": lambda x: F.relu6(x),
    "elu": lambda x, alpha: F.elu(x, alpha),
    "selu": lambda x: F.selu(x),
    "celu": lambda x, alpha: F.celu(x, alpha),
    "maxout": lambda x, slopes, intercepts: torch.stack(
        [a * x + b for a, b in zip(slopes, intercepts)]).max(dim=0).values,
    "gelu": lambda x, approximate: F.gelu(x, approximate=approximate),
    "silu": lambda x: F.silu(x),
    "swish": lambda x, beta: x * torch.sigmoid(beta * x),
    "mish": lambda x: F.mish(x),
    "softplus": lambda x, beta, threshold: F.softplus(x, beta, threshold),
    "hardswish": lambda x: F.hardswish(x),
    "sigmoid": lambda x: torch.sigmoid(x),
    "tanh": lambda x: torch.tanh(x),
    "hardsigmoid": lambda x: F.hardsigmoid(x),
    "hardtanh": lambda x, min_val, max_val: F.hardtanh(x, min_val, max_val),
    "softsign": lambda x: F.softsign(x),
    "logsigmoid": lambda x: F.logsigmoid(x),
    "softshrink": lambda x, lambd: F.softshrink(x, lambd),
    "hardshrink": lambda x, lambd: F.hardshrink(x, lambd),
    "tanhshrink": lambda x: F.tanhshrink(x),
    "threshold": lambda x, threshold, value: F.threshold(x, threshold, value),
    "binary_step": lambda x: (x >= 0).to(x.dtype),
    "identity": lambda x: x,
    "custom": _formula,
}


def torch_value_and_grad(key: str, x: np.ndarray, **params) -> tuple[np.ndarray, np.ndarray]:
    """f(x) and autograd's df/dx, in float64."""
    t = torch.tensor(np.asarray(x, float), dtype=torch.float64, requires_grad=True)
    y = TORCH[key](t, **params)
    if y.requires_grad:
        y.sum().backward()
        grad = t.grad.numpy()
    else:
        grad = np.zeros_like(t.detach().numpy())
    return y.detach().numpy(), grad


def in_training(key: str, params: dict, noise: np.random.Generator, dtype) -> tuple:
    """A hidden layer's activation as a network module computes it in training, and the pieces per unit:
    nn.PReLU (its slope a parameter, starting at the explorer's value); RReLU as F.rrelu(training=True) computes it
    (slope r ~ U(lower, upper) per element where x <= 0), its draws made by numpy from the run's generator so that
    they are the trainer's; Maxout as Goodfellow et al.'s units after nn.Linear(fan_in, units * k): the maximum of
    each unit's k consecutive columns; any other activation as torch.nn.functional computes it."""
    if key == "prelu":
        return torch.nn.PReLU(init=params["weight"]).to(dtype), 1
    if key == "rrelu":
        def rrelu(x):
            r = torch.tensor(noise.uniform(params["lower"], params["upper"], tuple(x.shape)), dtype=x.dtype)
            return torch.where(x > 0, x, x * r)
        return rrelu, 1
    if key == "maxout":
        k = len(params["slopes"])
        return (lambda x: x.unflatten(-1, (-1, k)).max(dim=-1).values), k
    return (lambda x: TORCH[key](x, **params)), 1


def torch_train(config: TrainConfig, epochs: int | None = None, dtype=torch.float32) -> dict:
    """Train `config` with torch from the same data, initial weights and batch order; per epoch the full-batch
    loss (before the epoch's steps), the share of dead units per hidden layer (f' exactly 0 on every input: for
    Maxout, on every piece) and each PReLU layer's slope (NaN for other layers)."""
    start = initial_state(config)
    epochs = config.epochs if epochs is None else epochs
    X = torch.tensor(start.X, dtype=dtype)
    y = torch.tensor(start.y, dtype=dtype)
    weights = [torch.tensor(np.asarray(p, float), dtype=dtype).requires_grad_() for layer in start.layers
               for p in layer]
    acts = [in_training(key, p, start.noise_rng, dtype) for key, p in config.canonical().layer_activations()]
    slopes = [f.weight if isinstance(f, torch.nn.PReLU) else None for f, _ in acts]
    params = weights + [w for w in slopes if w is not None]
    optimizer = {"gd": lambda: torch.optim.SGD(params, lr=config.lr),
                 "momentum": lambda: torch.optim.SGD(params, lr=config.lr, momentum=0.9),
                 "adam": lambda: torch.optim.Adam(params, lr=config.lr)}[config.optimizer]()
    task = task_of(config.dataset)

    def forward(inputs):
        h, pre_acts, outs = inputs, [], []
        for i, (f, _) in enumerate(acts):
            pre_acts.append(h @ weights[2 * i] + weights[2 * i + 1])
            h = f(pre_acts[-1])
            outs.append(h)
        return h @ weights[-2] + weights[-1], pre_acts, outs

    def loss_of(out, target):
        if task == "multiclass":
            return F.cross_entropy(out, target.argmax(dim=1))  # class indices: PyTorch's usual form
        if task == "classification":
            return F.binary_cross_entropy_with_logits(out, target)
        return F.mse_loss(out, target)

    losses, dead, negative, prelu = [], [], [], []
    n = len(y)
    batches = math.ceil(n / config.batch_size) if config.batch_size else 1
    for epoch in range(epochs + 1):
        out, pre_acts, outs = forward(X)
        loss = loss_of(out, y)
        losses.append(float(loss.detach()))
        states = [_states(pre, h, k) for pre, h, (_, k) in zip(pre_acts, outs, acts)]
        dead.append([float(d.float().mean()) for d, _ in states])
        negative.append([float(n.float().mean()) for _, n in states])
        prelu.append([math.nan if w is None else float(w.detach()[0]) for w in slopes])
        if epoch == epochs or not math.isfinite(losses[-1]):
            break
        if batches == 1:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            continue
        order = start.batch_rng.permutation(n)
        for rows in np.array_split(order, batches):
            optimizer.zero_grad()
            out_b = forward(X[rows])[0]
            loss_of(out_b, y[rows]).backward()
            optimizer.step()
    return {"loss": np.array(losses), "dead_fraction": np.array(dead), "negative_fraction": np.array(negative),
            "prelu_weight": np.array(prelu),
            "layers": [p.detach().numpy() for p in weights]}


def _states(pre: torch.Tensor, h: torch.Tensor, pieces: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per unit: dead (autograd's derivative of the layer's output with respect to each of the unit's
    pre-activations, in the very pass that computed it, is exactly 0 at every input), and negative (a single
    pre-activation <= 0 at every input; a Maxout unit: some piece whose derivative is 0 at every input, a piece that
    is never the maximum)."""
    negative = (pre <= 0).all(dim=0)
    if not h.requires_grad:  # a function with no gradient at all (the binary step)
        return torch.ones(h.shape[1], dtype=torch.bool), negative
    grad = torch.autograd.grad(h.sum(), pre, retain_graph=True)[0].unflatten(-1, (-1, pieces)) == 0
    return grad.all(dim=-1).all(dim=0), grad.all(dim=0).any(dim=-1) if pieces > 1 else negative
