"""The figures the README states, computed from the core; tests/test_readme.py checks the README holds them.

Run: python docs/readme_figures.py   (prints the Markdown blocks to paste into README.md)
"""

from __future__ import annotations

import pathlib
import sys
from dataclasses import replace

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import numpy as np  # noqa: E402

from relu_viz import ACTIVATIONS, build  # noqa: E402
from relu_viz.depth import born_dead_probability, signal_propagation  # noqa: E402
from relu_viz.properties import derive, fixed  # noqa: E402
from relu_viz.scenarios import SCENARIOS, check  # noqa: E402
from relu_viz.training import OUTPUT_GAIN, TrainConfig, input_dim, snapshot_stride, train_seeds  # noqa: E402


def scenario_table() -> str:
    """Each scenario: its configuration in brief, in how many of seeds 0-19 its story holds, and the evidence."""
    rows = ["| scenario | setup | story holds (seeds 0-19) | measured over the 20 seeds |", "|---|---|---|---|"]
    for scenario in SCENARIOS.values():
        c = scenario.config
        setup = (f"{ACTIVATIONS[c.activation].label}, {c.dataset}, {'-'.join(map(str, c.hidden))} units, "
                 f"{c.optimizer} lr {c.lr:g}, {c.init}" + (f" std {c.init_std:g}" if c.init == "custom" else "")
                 + (f", bias {c.bias_init:g}" if c.bias_init else "") + f", {c.epochs} epochs")
        result = check(scenario)
        rows.append(f"| {scenario.title} | {setup} | {result.count} of 20 | {result.evidence} |")
    return "\n".join(rows)


def mean_outputs() -> str:
    """Mean output for a standard normal input, for the activations the README names."""
    keys = ("relu", "leaky_relu", "gelu", "silu", "elu", "selu", "tanh", "sigmoid")
    return ", ".join(f"{ACTIVATIONS[k].label} {fixed(derive(ACTIVATIONS[k]).mean_output)}" for k in keys)


def float32_zones() -> str:
    """Where f' is exactly 0 in float32 training but not in exact arithmetic (the properties table's float32 row)."""
    keys = ("sigmoid", "tanh", "elu", "selu", "celu", "silu", "gelu", "mish", "softplus", "logsigmoid")
    return "; ".join(f"{ACTIVATIONS[k].label} {derive(ACTIVATIONS[k]).float32_dead_zone_text}" for k in keys)


def born_dead() -> str:
    p = born_dead_probability(hidden_layers=9, width=3, trials=20000, seed=0)
    lo, hi = p.interval()
    big = [born_dead_probability(9, 3, 100_000, seed=s) for s in (1, 2, 3)]
    return (f"`born_dead_probability(hidden_layers=9, width=3, trials=20000, seed=0)` returns {float(p):.3f} (95% "
            f"Wilson interval {lo:.3f} to {hi:.3f}); with 100,000 trials at seeds 1, 2 and 3: "
            + ", ".join(f"{float(b):.3f}" for b in big) + ".")


def propagation() -> str:
    """Gradient at layer 1 relative to layer 30 (30 layers of 256 units), as the depth panel measures it."""
    def ratio(key, init):
        g = signal_propagation(key, depth=30, width=256, init=init, batch=256).gradient_norm
        return f"{g[0] / g[-1]:.2g}"

    return (f"sigmoid under Xavier ×{ratio('sigmoid', 'xavier')}, tanh under Xavier ×{ratio('tanh', 'xavier')} "
            f"and under He ×{ratio('tanh', 'he')}")


def output_layer() -> str:
    return f"N(0, {OUTPUT_GAIN ** 2:g}/fan_in)"


def snapshot_memory() -> str:
    """What the unit inspector's kept weights cost: the default run, the digits, and the largest allowed network."""
    def mib(config):
        widths = (input_dim(config.dataset), *config.hidden)
        return f"{sum((a + 1) * b for a, b in zip(widths, widths[1:])) * (config.epochs + 1) * 4 / 2**20:.1f} MiB"

    largest = TrainConfig(dataset="moons", hidden=(128,) * 4, n_samples=32, epochs=2000).validate()
    digits = TrainConfig(dataset="digits", n_samples=1797)
    return (f"the default run needs {mib(TrainConfig())}, the digits' {mib(digits)}); a larger network keeps every "
            f"k-th epoch and the last (the largest allowed, 4 x 128 units on 32 points of 2-D data for 2000 epochs, "
            f"every {snapshot_stride(largest)}th)")


def hinges() -> str:
    """Evenly placed hinges on the sine of the Build tab, against the interpolation bound."""
    x, y = build.sample(np.sin, -3, 3)
    parts = []
    for k in (4, 8, 32):
        mse, largest = build.even(np.sin, -3, 3, k).errors(x, y)
        bound = build.interpolation_bound(build.max_curvature("sine", -3, 3), -3, 3, k)
        parts.append(f"{k} hinges {largest:.4g} (bound {bound:.4g}; mean squared error {mse:.2g})")
    return "largest error of the hinges placed evenly on the sine over [-3, 3]: " + ", ".join(parts)


def sawtooth() -> str:
    """The L = 5 sawtooth: deep against one layer of 10 units."""
    x, y = build.sample(build.target("sawtooth", 5), 0, 1)
    network = build.tent_network(5)
    best = build.best_found(x, y, 10).errors(x, y)
    floor = build.one_layer_floor(5, 10, x)
    return (f"the L = 5 sawtooth has {build.linear_pieces(x, build.forward(network, x))} pieces; "
            f"{build.units(network)} units in 5 layers draw it with a largest error of "
            f"{np.max(np.abs(build.forward(network, x) - y)):g}; the best 10-unit one-layer fit found has a mean "
            f"squared error of {best[0]:.3g} and a largest error of {best[1]:.3g}, and no 10-unit one-layer network "
            f"does better than {floor[1]:g} and {floor[0]:.3g}")


def exponential_units() -> str:
    """Where ELU's f' is 0 in float32, and in how many of seeds 0-19 the too-high learning rate leaves a dead unit
    with ELU, SELU and CELU: at some epoch, at the end, and in which layer."""
    config = SCENARIOS["lr_too_high"].config

    def counts(key):
        runs = train_seeds(replace(config, activation=key), range(20))
        return (sum(bool(r.dead_fraction.any()) for r in runs), sum(bool(r.dead_fraction[-1].any()) for r in runs),
                sum(bool(r.dead_fraction[:, 0].any()) for r in runs))

    (elu_any, elu_end, elu_first), *others = [counts(k) for k in ("elu", "selu", "celu")]
    first = elu_first + sum(o[2] for o in others)
    return (f"ELU's f' = αeˣ is positive in exact arithmetic but exactly 0 in float32 on "
            f"{derive(ACTIVATIONS['elu']).float32_dead_zone_text}, and in the *Learning rate too high* setup (seeds "
            f"0-19) an ELU network has a dead unit at some epoch in {elu_any} of 20 seeds and at the end in {elu_end} "
            f"(SELU {others[0][0]} and {others[0][1]}, CELU {others[1][0]} and {others[1][1]}); "
            + ("all in layer 2: no first-layer unit dies" if first == 0 else
               f"first-layer units die in {first} of the 60 runs"))


def maxout_inits() -> str:
    """The default run with Maxout units, He's init against Xavier's, over 20 seeds."""
    def diverged(init):
        return sum(r.status == "diverged" for r in train_seeds(TrainConfig(activation="maxout", init=init), range(20)))

    return (f"With He's init and the default learning rate 0.05, a Maxout network diverges on the sine in "
            f"{diverged('he')} of 20 seeds; with Xavier's, in {diverged('xavier')}")


if __name__ == "__main__":
    print(scenario_table(), mean_outputs(), float32_zones(), born_dead(), propagation(), output_layer(),
          snapshot_memory(), hinges(), sawtooth(), exponential_units(), maxout_inits(), sep="\n\n")
