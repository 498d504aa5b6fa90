"""A training run as a self-contained PyTorch script: the same data, initial weights, batch order, optimiser and loss,
so a student can reproduce in PyTorch what the app showed (and the tests can check the trainer against it)."""

from __future__ import annotations

import base64
import textwrap

import numpy as np

from relu_viz.datasets import task_of
from relu_viz.training import TrainConfig, initial_state

# Each activation as torch code of a tensor x, its parameters filled in by str.format.
TORCH_CODE = {
    "relu": "F.relu(x)",
    "leaky_relu": "F.leaky_relu(x, {negative_slope!r})",
    "prelu": "F.prelu(x, torch.tensor([{weight!r}]))",
    "rrelu": "F.rrelu(x, {lower!r}, {upper!r}, training=False)",
    "relu6": "F.relu6(x)",
    "elu": "F.elu(x, {alpha!r})",
    "selu": "F.selu(x)",
    "celu": "F.celu(x, {alpha!r})",
    "maxout": "torch.stack([a * x + b for a, b in zip({slopes!r}, {intercepts!r})]).max(dim=0).values",
    "gelu": "F.gelu(x, approximate={approximate!r})",
    "silu": "F.silu(x)",
    "swish": "x * torch.sigmoid({beta!r} * x)",
    "mish": "F.mish(x)",
    "softplus": "F.softplus(x, {beta!r}, {threshold!r})",
    "hardswish": "F.hardswish(x)",
    "sigmoid": "torch.sigmoid(x)",
    "tanh": "torch.tanh(x)",
    "hardsigmoid": "F.hardsigmoid(x)",
    "hardtanh": "F.hardtanh(x, {min_val!r}, {max_val!r})",
    "softsign": "F.softsign(x)",
    "logsigmoid": "F.logsigmoid(x)",
    "softshrink": "F.softshrink(x, {lambd!r})",
    "hardshrink": "F.hardshrink(x, {lambd!r})",
    "tanhshrink": "F.tanhshrink(x)",
    "threshold": "F.threshold(x, {threshold!r}, {value!r})",
    "binary_step": "(x >= 0).to(x.dtype)",
    "identity": "x",
}
OPTIMIZERS = {"gd": "torch.optim.SGD(params, lr=LR)", "momentum": "torch.optim.SGD(params, lr=LR, momentum=0.9)",
              "adam": "torch.optim.Adam(params, lr=LR)"}
LOSSES = {"regression": "F.mse_loss(out, target)", "classification": "F.binary_cross_entropy_with_logits(out, target)",
          "multiclass": "F.cross_entropy(out, target)"}  # target: one-hot rows (class probabilities)

TEMPLATE = '''"""A relu-viz training run, reproduced in PyTorch: {summary}.

Run: python {filename}   (needs torch and numpy). It trains the network from the same data, initial weights and
mini-batch order as relu-viz, with torch.nn.functional, autograd and torch.optim, and prints the loss and the share of
dead units of each hidden layer per epoch as JSON on its last line{prelu_note}. relu-viz's configuration:
{config}
"""

import base64
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
{formula}
torch.manual_seed(0)
LR, EPOCHS, BATCHES, SEED = {lr!r}, {epochs}, {batches}, {seed}


def array(text, shape):
    """A float32 array stored below as base64 (the standardised inputs, targets and initial weights)."""
    return torch.tensor(np.frombuffer(base64.b64decode(text), dtype="<f4").reshape(shape).copy())


{helpers}ACTIVATIONS = [  # the activation of each hidden layer, as it computes in training
{activations}
]
PIECES = {pieces}  # affine pieces per unit of each hidden layer (Maxout: k, else 1)


def forward(weights, inputs):
    """The output, and each hidden layer's pre-activations and outputs."""
    h, pre_acts, outs = inputs, [], []
    for i, f in enumerate(ACTIVATIONS):
        pre_acts.append(h @ weights[2 * i] + weights[2 * i + 1])
        h = f(pre_acts[-1])
        outs.append(h)
    return h @ weights[-2] + weights[-1], pre_acts, outs


def loss_of(out, target):
    return {loss}


def dead_share(pre, h, pieces):
    """The share of a layer's units whose derivative (autograd's, in the pass that computed h) with respect to each
    of their pre-activations (a Maxout unit: each of its pieces) is exactly 0 at every training input."""
    if not h.requires_grad:  # a function of x with no gradient at all (the binary step)
        return 1.0
    grad, = torch.autograd.grad(h.sum(), pre, retain_graph=True)
    return float((grad.unflatten(-1, (-1, pieces)) == 0).all(dim=-1).all(dim=0).float().mean())


def main():
    X, target = array(DATA["X"], {x_shape}), array(DATA["y"], {y_shape})
    weights = [array(text, shape).requires_grad_() for text, shape in DATA["layers"]]  # W1, b1, ..., output W, b
    slopes = [f.weight for f in ACTIVATIONS if isinstance(f, torch.nn.PReLU)]  # PReLU's learned slopes
    params = weights + slopes
    optimizer = {optimizer}
    batch_order = np.random.default_rng(np.random.SeedSequence(SEED).spawn(4)[2])  # relu-viz's mini-batch order
    losses, dead, prelu = [], [], []
    for epoch in range(EPOCHS + 1):
        out, pre_acts, outs = forward(weights, X)  # the whole training set, before this epoch's steps
        loss = loss_of(out, target)
        losses.append(loss.item())
        dead.append([dead_share(*layer) for layer in zip(pre_acts, outs, PIECES)])
        prelu.append([w.item() for w in slopes])
        if epoch == EPOCHS or not math.isfinite(losses[-1]):
            break  # done, or diverged
        if BATCHES == 1:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            continue
        for rows in np.array_split(batch_order.permutation(len(X)), BATCHES):
            optimizer.zero_grad()
            loss_of(forward(weights, X[rows])[0], target[rows]).backward()
            optimizer.step()
    result = {{"loss": [v if math.isfinite(v) else None for v in losses], "dead_fraction": dead}}
    if slopes:
        result["prelu_weight"] = prelu
    print(json.dumps(result))

DATA = {data}

if __name__ == "__main__":
    main()
'''


def pytorch_script(config: TrainConfig, filename: str = "relu_viz_run.py") -> str:
    """A self-contained script (torch and numpy only) that trains `config` as relu-viz does and prints, on its last
    line, {"loss": [...], "dead_fraction": [[...], ...]} with the shapes of run.loss and run.dead_fraction (a
    non-finite loss as null), and "prelu_weight" (each PReLU layer's slope per epoch) when a layer is PReLU."""
    config.validate()
    config = config.canonical()
    start = initial_state(config)
    acts = config.layer_activations()
    activations = "\n".join(f"    {layer_code(key, params)},  # layer {i + 1}: {key}"
                            for i, (key, params) in enumerate(acts))
    helpers = "".join(HELPERS[key] for key in dict.fromkeys(key for key, _ in acts) if key in HELPERS)
    prelu_note = (", and the slope of each PReLU layer (nn.PReLU, learned with the weights)"
                  if any(key == "prelu" for key, _ in acts) else "")
    formula = next((formula_code(params) for key, params in acts if key == "custom"), "")
    layers = [p for layer in start.layers for p in layer]
    data = {"X": _text(start.X), "y": _text(start.y), "layers": [(_text(p), p.shape) for p in layers]}
    widths = "-".join(str(w) for w in (start.X.shape[1], *config.hidden, 1))
    summary = (f"{'/'.join(sorted({k for k, _ in acts}))}, {config.dataset}, {widths}, "
               f"{config.optimizer} lr {config.lr:g}, {config.epochs} epochs, seed {config.seed}")
    return TEMPLATE.format(
        summary=summary, filename=filename, formula=formula, config=textwrap.fill(config.to_json(), 116), lr=config.lr,
        epochs=config.epochs,
        batches=config.batches, seed=config.seed, activations=activations, helpers=helpers, prelu_note=prelu_note,
        pieces=list(config.pieces()), x_shape=start.X.shape,
        y_shape=start.y.shape, optimizer=OPTIMIZERS[config.optimizer], loss=LOSSES[task_of(config.dataset)],
        data=_data_literal(data))


def torch_code(key: str, params: dict) -> str:
    """Activation `key` at `params` as torch code of a tensor x (your own formula: YOUR_FORMULA, which
    formula_code defines), as the explorer draws it."""
    return "YOUR_FORMULA(x)" if key == "custom" else TORCH_CODE[key].format(**params)


def layer_code(key: str, params: dict) -> str:
    """A hidden layer's activation as it computes in training: nn.PReLU with a learned slope, RReLU with random
    slopes, Maxout's units over k pieces (HELPERS), any other as torch code of x."""
    if key == "prelu":
        return f"torch.nn.PReLU(init={params['weight']!r})"
    if key == "rrelu":
        return f"rrelu_in_training({params['lower']!r}, {params['upper']!r})"
    if key == "maxout":
        return f"maxout({len(params['slopes'])})"
    return f"lambda x: {torch_code(key, params)}"


HELPERS = {  # definitions the script needs for a layer of this activation
    "rrelu": '''RRELU_SLOPES = np.random.default_rng(np.random.SeedSequence(SEED).spawn(4)[3])  # relu-viz's RReLU draws


def rrelu_in_training(lower, upper):
    """F.rrelu(x, lower, upper, training=True): where x <= 0, x times a slope drawn uniformly from [lower, upper] for
    each element (the derivative there is that slope). The slopes are drawn by numpy from the run's seed, as
    relu-viz draws them, so that both runs match exactly; F.rrelu would draw them from torch's generator. (In
    evaluation, F.rrelu uses the mean slope (lower + upper) / 2.)"""
    def f(x):
        r = torch.tensor(RRELU_SLOPES.uniform(lower, upper, tuple(x.shape)), dtype=x.dtype)
        return torch.where(x > 0, x, x * r)
    return f


''',
    "maxout": '''def maxout(k):
    """Maxout units (Goodfellow et al. 2013): the layer's weights compute k affine pieces of its input per unit
    (unit u's in columns u k to u k + k - 1), and each unit outputs the largest."""
    return lambda z: z.unflatten(-1, (-1, k)).max(dim=-1).values


''',
}


FORMULA_TEMPLATE = '''

def numpy_activation(f, df):
    """An activation computed with numpy: f forward, and backward its exact derivative df (sympy's)."""
    def as_tensor(g, x):
        x = x.detach().numpy()
        with np.errstate(all="ignore"):
            return torch.from_numpy(np.broadcast_to(g(x), x.shape).astype(x.dtype))

    class Activation(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return as_tensor(f, x)

        @staticmethod
        def backward(ctx, grad):
            return grad * as_tensor(df, ctx.saved_tensors[0])

    return Activation.apply


def sigmoid(u):
    return np.exp(-np.logaddexp(0, -u))


erf = np.vectorize(math.erf, otypes=[float])


# Your formula {text}, with a = {a!r}, b = {b!r}, c = {c!r}: f and its exact derivative (sympy's), a line per
# operation, each shared part computed once
{f}


{df}


YOUR_FORMULA = numpy_activation(
    lambda x: your_f(x, {a!r}, {b!r}, {c!r}),
    lambda x: your_df(x, {a!r}, {b!r}, {c!r}),
)
'''


def formula_code(params: dict) -> str:
    """The definitions behind YOUR_FORMULA for the custom activation at `params`: the programs of f and of its exact
    derivative as numpy functions, applied through a torch.autograd.Function."""
    from relu_viz.formula import parse
    from relu_viz.program import source

    formula = parse(params["formula"])
    return "\n" + FORMULA_TEMPLATE.format(text=repr(params["formula"]), a=params["a"], b=params["b"], c=params["c"],
                                           f=source(formula.f, "your_f"), df=source(formula.df, "your_df"))


def _text(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


def _data_literal(data: dict) -> str:
    """The arrays as a Python literal, one per line."""
    layers = "".join(f"\n        ({text!r}, {shape!r})," for text, shape in data["layers"])
    return f'{{\n    "X": {data["X"]!r},\n    "y": {data["y"]!r},\n    "layers": [{layers}\n    ],\n}}'
