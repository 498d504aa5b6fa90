"""The teaching scenarios as data: each a configuration, the story it tells, and the predicate that checks the
story on a run. The page's preset buttons, the tour and the tests read this one table, and the page says in how
many of 20 seeds each story holds (a story true only at seed 0 is an anecdote).

Texts say what happens in words; every number shown beside them comes from `evidence`, computed from runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from relu_viz.activations import ACTIVATIONS
from relu_viz.properties import FAR, NEAR, float32_dead_zone
from relu_viz.training import SATURATED, Run, TrainConfig, initial_state, train_seeds

# the first input at which a sigmoid's f' is exactly 0 in float32 training (its output rounds to 1): 16.64
SIGMOID_ROUNDS_TO_1 = float32_dead_zone(ACTIVATIONS["sigmoid"], {}, np.linspace(-NEAR, NEAR, 2401), FAR)[-1][0]
SEEDS = tuple(range(20))  # every story is checked over these; the config's own seed is the one shown first


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str  # the button label
    text: str  # the story, in words
    config: TrainConfig
    holds: Callable[[Run], bool]  # True when this run shows what the text says
    evidence: Callable[[Sequence[Run]], str]  # the measured numbers behind the text, over seeds


@dataclass(frozen=True)
class Check:
    """A scenario checked over seeds: which seeds show the story, and the numbers behind it."""

    scenario: Scenario
    seeds: tuple[int, ...]
    held: tuple[bool, ...]
    evidence: str
    runs: tuple[Run, ...]

    @property
    def count(self) -> int:
        return sum(self.held)

    def sentence(self) -> str:
        first, last = self.seeds[0], self.seeds[-1]
        return f"This story holds in {self.count} of {len(self.seeds)} seeds ({first}-{last}). {self.evidence}"


def check(scenario: Scenario, seeds: Sequence[int] = SEEDS) -> Check:
    """Train the scenario from every seed at once and test its story on each run."""
    runs = train_seeds(scenario.config, seeds)
    return Check(scenario, tuple(seeds), tuple(bool(scenario.holds(r)) for r in runs), scenario.evidence(runs),
                 tuple(runs))


def percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def spread(values: Sequence[float], fmt: Callable[[float], str] = percent) -> str:
    """'median M (L to H)' of the values."""
    values = np.asarray(values, float)
    if values.size == 0:
        return "none (no run finished)"
    return f"median {fmt(float(np.median(values)))} ({fmt(float(values.min()))} to {fmt(float(values.max()))})"


def _ok(runs: Sequence[Run]) -> list[Run]:
    return [r for r in runs if r.status == "ok"]


def _final(runs, field: str, layer: int) -> list[float]:
    return [float(getattr(r, field)[-1, layer]) for r in _ok(runs)]


def _start(runs, field: str, layer: int) -> list[float]:
    return [float(getattr(r, field)[0, layer]) for r in _ok(runs)]


def _accuracy(runs) -> list[float]:
    return [float(r.accuracy[-1]) for r in _ok(runs)]


def _loss_kept(runs) -> list[float]:
    """Final loss as a share of the initial loss."""
    return [float(r.loss[-1] / r.loss[0]) for r in _ok(runs)]


def _diverged(runs) -> str:
    n = sum(r.status == "diverged" for r in runs)
    return f" {n} of {len(runs)} runs diverged." if n else ""


# -- the stories ---------------------------------------------------------------------------------------------------

def _default_holds(run: Run) -> bool:
    return run.status == "ok" and run.loss[-1] < 0.5 * run.loss[0] and run.dead_fraction[0, 1] > 0


def _default_evidence(runs) -> str:
    born = np.mean([r.dead_fraction[0, 1] for r in runs])
    ok = _ok(runs)
    revived = sum(bool(np.any((r.activity[1][:-1] == 0) & (r.activity[1][1:] > 0))) for r in ok)
    rose = sum(bool(r.dead_fraction[-1, 1] > r.dead_fraction[0, 1]) for r in ok)
    return (f"Loss after training: {spread(_loss_kept(runs))} of where it started. Layer 2 dead at the start: "
            f"{percent(born)} on average (one in four expected); at the end: "
            f"{spread(_final(runs, 'dead_fraction', 1))}. A dead layer-2 unit came back in {revived} of {len(ok)} "
            f"runs; layer 2 ended with more dead units than it started with in {rose}." + _diverged(runs))


def _healthy_holds(run: Run) -> bool:
    return run.status == "ok" and run.accuracy[-1] >= 0.95 and run.dead_fraction[-1, 0] == 0


def _healthy_evidence(runs) -> str:
    return (f"Accuracy: {spread(_accuracy(runs))}. Layer 1 dead at the end: {spread(_final(runs, 'dead_fraction', 0))}"
            f"; layer 2: {spread(_final(runs, 'dead_fraction', 1))}." + _diverged(runs))


def _too_high_holds(run: Run) -> bool:
    return run.status == "ok" and run.dead_fraction[0, 0] == 0 and run.dead_fraction[-1, 0] >= 0.2


def came_back(runs: Sequence[Run], layer: int = 0) -> tuple[int, int]:
    """Units of a layer that were dead at some epoch, and how many of them were alive again at the end."""
    died = [(r.activity[layer] == 0).any(axis=0) for r in runs]
    back = [d & (r.activity[layer][-1] > 0) for d, r in zip(died, runs)]
    return int(sum(d.sum() for d in died)), int(sum(b.sum() for b in back))


def _too_high_evidence(runs) -> str:
    died, back = came_back(_ok(runs))
    return (f"Layer 1 dead at the end: {spread(_final(runs, 'dead_fraction', 0))} (none at the start); layer 2: "
            f"{spread(_final(runs, 'dead_fraction', 1))}. Of the {died} first-layer units that died, {back} were "
            f"alive again at the end. Accuracy: {spread(_accuracy(runs))}." + _diverged(runs))


def _bad_bias_holds(run: Run) -> bool:
    dead = run.dead_fraction[:, 0]
    return run.status == "ok" and dead[0] >= 0.1 and bool(np.all(np.diff(dead) >= 0))


def _bad_bias_evidence(runs) -> str:
    return (f"Layer 1 dead from the first epoch: {spread(_start(runs, 'dead_fraction', 0))}; at the end: "
            f"{spread(_final(runs, 'dead_fraction', 0))}. Accuracy: {spread(_accuracy(runs))}." + _diverged(runs))


def _leaky_holds(run: Run) -> bool:
    return run.status == "ok" and not run.dead_fraction.any() and run.accuracy[-1] >= 0.9


def _leaky_evidence(runs) -> str:
    with_dead = sum(bool(r.dead_fraction.any()) for r in runs)
    return (f"Runs with a dead unit at any epoch: {with_dead} of {len(runs)}. Layer 1 negative on every input at the "
            f"end: {spread(_final(runs, 'negative_fraction', 0))}. Accuracy: {spread(_accuracy(runs))}."
            + _diverged(runs))


def _saturation_holds(run: Run) -> bool:
    saturated = run.saturated_fraction[:, 1]
    tiny_not_zero = saturated[0] - run.dead_fraction[0, 1]
    return run.status == "ok" and tiny_not_zero >= 0.05 and saturated[-1] >= saturated[0]


def _saturated_gradient_ratio(run: Run) -> float:
    """At the start: the median gradient of a saturated layer-2 unit over that of an unsaturated one."""
    start = initial_state(run.config)
    (W1, b1), (W2, b2) = start.layers[:2]
    act = ACTIVATIONS[run.config.activation]
    pre2 = act(start.X @ W1 + b1) @ W2 + b2
    saturated = np.abs(act.derivative(pre2)).max(axis=0) < SATURATED
    gradient = run.gradient[1][0]
    return float(np.median(gradient[saturated]) / np.median(gradient[~saturated]))


def _saturation_evidence(runs) -> str:
    ratios = [_saturated_gradient_ratio(r) for r in _ok(runs) if 0 < r.saturated_fraction[0, 1] < 1]
    return (f"Layer 2 saturated at the start: {spread(_start(runs, 'saturated_fraction', 1))}, of which dead "
            f"(f' exactly 0 in float32): {spread(_start(runs, 'dead_fraction', 1))}; saturated at the end: "
            f"{spread(_final(runs, 'saturated_fraction', 1))}. At the start a saturated unit's gradient is "
            f"{spread(ratios, lambda v: f'{v:.1g}x')} that of an unsaturated one. Loss after training: "
            f"{spread(_loss_kept(runs))} of where it started." + _diverged(runs))


def _vanishing_holds(run: Run) -> bool:
    return run.status == "ok" and run.loss[-1] >= 0.85 * run.loss[0]


def variation_ratios(run: Run) -> np.ndarray:
    """At the start, per hidden layer: how much its outputs vary over the training inputs relative to its inputs
    (each the root mean square over units of the standard deviation over the inputs)."""
    start = initial_state(run.config)
    act = ACTIVATIONS[run.config.activation]
    h, ratios = start.X, []
    for W, b in start.layers[:-1]:
        out = act(h @ W + b)
        ratios.append(np.sqrt(np.mean(np.var(out, axis=0)) / np.mean(np.var(h, axis=0))))
        h = out
    return np.array(ratios)


def _vanishing_evidence(runs) -> str:
    first = [float(np.median(r.gradient[0][0]) / np.median(r.gradient[-1][0])) for r in _ok(runs)]
    ratios = np.array([variation_ratios(r) for r in _ok(runs)])
    shrink = "; ".join(f"layer {i + 1} {spread(ratios[:, i], lambda v: f'{v:.2g}x')}" for i in range(ratios.shape[1]))
    return (f"Loss after training: {spread(_loss_kept(runs))} of where it started. At the start, each layer's "
            f"outputs vary over the inputs this much relative to its inputs: {shrink}; the typical gradient of a "
            f"layer-1 unit is {spread(first, lambda v: f'{v:.2g}x')} that of a layer-3 unit." + _diverged(runs))


def _digits_holds(run: Run) -> bool:
    return run.status == "ok" and run.dead_fraction[-1, 1] > 0 and run.accuracy[-1] >= 0.99


def _digits_evidence(runs) -> str:
    return (f"Layer 2 dead at the end: {spread(_final(runs, 'dead_fraction', 1))}; layer 1: "
            f"{spread(_final(runs, 'dead_fraction', 0))}. Accuracy on the training digits: "
            f"{spread(_accuracy(runs), lambda v: f'{100 * v:.1f}%')}." + _diverged(runs))


MOONS = TrainConfig(dataset="moons", lr=0.3, epochs=500)
TOO_HIGH = replace(MOONS, optimizer="adam", lr=2.0)

SCENARIOS: dict[str, Scenario] = {s.key: s for s in (
    Scenario(
        "default", "Default run",
        "ReLU, one input, the sine. Training more than halves the loss (how close the network gets to the curve "
        "varies from seed to seed), yet some of layer 2 is dead before the first step. With one input and zero "
        "biases every first-layer unit is a hinge through x = 0, so a layer-2 unit sees a·x for x > 0 and b·|x| "
        "for x < 0: it is dead from the start when a ≤ 0 and b ≤ 0, one time in four. Under plain gradient descent "
        "a dead first-layer unit stays dead for good, but a dead layer-2 unit can come back when the layer below "
        "changes, and in most seeds some do; in a few, more of layer 2 dies during training than comes back.",
        TrainConfig(), _default_holds, _default_evidence),
    Scenario(
        "healthy", "Healthy",
        "ReLU on the moons with plain gradient descent, learning rate 0.3: it learns the two classes and no "
        "first-layer unit dies. A few layer-2 units may die or revive as the layer below them changes.",
        MOONS, _healthy_holds, _healthy_evidence),
    Scenario(
        "lr_too_high", "Learning rate too high",
        "The same network with Adam at learning rate 2 (its usual default is 0.001): big updates push many "
        "first-layer units to where their input is negative on every example. Their derivative is then 0 on every "
        "input, so they get no gradient. (Adam's momentum can still move a unit for a while after its gradient "
        "stops, so a unit can come back; most do not.)",
        TOO_HIGH, _too_high_holds, _too_high_evidence),
    Scenario(
        "bad_bias", "Bad bias init",
        "Hidden biases start at -1.5: part of the first layer is negative on every input before training starts, "
        "so it is dead from the first epoch. Under plain gradient descent a dead first-layer unit gets no gradient "
        "at all and stays dead: the share never falls.",
        replace(MOONS, bias_init=-1.5), _bad_bias_holds, _bad_bias_evidence),
    Scenario(
        "leaky_rescue", "Leaky ReLU rescue",
        "The too-high learning rate again (Adam, learning rate 2), with Leaky ReLU: its slope for negative inputs "
        "is 0.01, never 0, so no unit dies. Many still end up negative on every input: alive, but learning only "
        "through the small slope, which is also how they can come back.",
        replace(TOO_HIGH, activation="leaky_relu"), _leaky_holds, _leaky_evidence),
    Scenario(
        "saturation", "Sigmoid saturation",
        "Sigmoid with large initial weights (std 5) on the sine, learning rate 0.05: before training starts, part "
        "of layer 2 sits in the flat tails of the sigmoid, where |f'| < 0.001 on every input, and it stays there, "
        "learning almost nothing. In most seeds some are even dead: in float32 a sigmoid's output rounds to "
        f"exactly 1 from an input of {SIGMOID_ROUNDS_TO_1:.4g} on, and autograd's f' = y(1 - y) is then exactly 0. "
        "The other units still bring the loss down.",
        TrainConfig(activation="sigmoid", init="custom", init_std=5.0, lr=0.05, epochs=500),
        _saturation_holds, _saturation_evidence),
    Scenario(
        "vanishing", "Sigmoid in depth",
        "Three sigmoid layers with Xavier weights on the sine, learning rate 0.05: the loss hardly moves in 400 "
        "epochs. A sigmoid layer passes on at most a quarter of the variation of its pre-activation (σ′ ≤ 1/4), "
        "and Xavier weights pass on at most about as much variation as the layer's input has: here each layer's "
        "outputs vary a third as much as its inputs or less, so the deeper features barely depend on x and every "
        "gradient is small: the typical gradient of a first-layer unit is smaller than that of a last-layer unit. "
        "Tanh (slope 1 at 0) trains the same network well.",
        TrainConfig(activation="sigmoid", init="xavier", hidden=(32, 32, 32), lr=0.05, epochs=400),
        _vanishing_holds, _vanishing_evidence),
    Scenario(
        "digits", "Dead, yet it works",
        "Real data: the handwritten digits (64 pixels, ten classes) with Adam at learning rate 0.1, a hundred times "
        "its usual default. Some of layer 2 dies, yet the network classifies nearly every training digit (99 in "
        "100 or more) right: a dead unit is lost capacity, not a broken network, and the units still alive carry the "
        "work.",
        TrainConfig(dataset="digits", n_samples=1797, optimizer="adam", lr=0.1, epochs=60),
        _digits_holds, _digits_evidence),
)}
