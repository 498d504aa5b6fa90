"""Time dead-neuron training: one 1-64-64-1 ReLU MLP, 256 samples, 500 epochs, lr 0.01, full batch, dead
fraction recorded every epoch, beside the same network and loop in PyTorch on the CPU (torch is a test
dependency: `pip install -r requirements-dev.txt`); then a scenario over seeds 0-19, trained at once (vectorised)
and one seed after another, beside a single run.

Run: python benchmarks/training.py [--repeats R]
"""

import argparse
import pathlib
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz.scenarios import SCENARIOS  # noqa: E402
from relu_viz.training import TrainConfig, train, train_seeds  # noqa: E402

CONFIG = TrainConfig(hidden=(64, 64), n_samples=256, epochs=500, lr=0.01, dataset="sine", seed=0)


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_run():
    """The same full-batch loop in PyTorch: forward, MSE, backward, SGD step, dead fraction per layer."""
    import torch

    torch.manual_seed(0)
    x = torch.rand(CONFIG.n_samples, 1) * 2 * np.pi - np.pi
    y = torch.sin(x)
    layers = [torch.nn.Linear(1, 64), torch.nn.Linear(64, 64), torch.nn.Linear(64, 1)]
    params = [p for layer in layers for p in layer.parameters()]
    opt = torch.optim.SGD(params, lr=CONFIG.lr)
    dead = torch.zeros(CONFIG.epochs + 1, 2)

    def run():
        for epoch in range(CONFIG.epochs + 1):
            pre1 = layers[0](x)
            pre2 = layers[1](torch.relu(pre1))
            loss = torch.mean((layers[2](torch.relu(pre2)) - y) ** 2)
            with torch.no_grad():
                dead[epoch, 0] = (pre1 <= 0).all(dim=0).float().mean()
                dead[epoch, 1] = (pre2 <= 0).all(dim=0).float().mean()
            if epoch < CONFIG.epochs:
                opt.zero_grad()
                loss.backward()
                opt.step()
    return run, torch.get_num_threads()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    ours = median_time(lambda: train(CONFIG), args.repeats)
    print(f"1-64-64-1, {CONFIG.n_samples} samples, {CONFIG.epochs} epochs, full batch, median of {args.repeats}")
    print(f"relu_viz (numpy):   {ours * 1e3:8.1f} ms  ({ours / CONFIG.epochs * 1e6:.0f} us per epoch)")
    try:
        run, threads = torch_run()
    except ImportError:
        print("PyTorch not installed: no comparison (pip install torch==2.13.0 for a CPU build)")
        return
    theirs = median_time(run, args.repeats)
    print(f"PyTorch (CPU, {threads} threads): {theirs * 1e3:6.1f} ms  "
          f"({theirs / CONFIG.epochs * 1e6:.0f} us per epoch)")
    print(f"ratio: {ours / theirs:.2f}x PyTorch's time (target <= 1)")
    sweeps(max(1, args.repeats // 3))


def sweeps(repeats: int) -> None:
    """A scenario over seeds 0-19: all at once against one seed at a time, in units of one single run."""
    print(f"\nseeds 0-19, median of {repeats}")
    for key in ("default", "healthy", "vanishing"):
        config = SCENARIOS[key].config
        single = median_time(lambda: train(config), repeats)  # noqa: B023
        together = median_time(lambda: train_seeds(config, range(20)), repeats)  # noqa: B023
        apart = median_time(lambda: [train(TrainConfig(**{**config.__dict__, "seed": s})) for s in range(20)],  # noqa: B023
                            1)
        print(f"  {key:10s} one run {single * 1e3:6.0f} ms | 20 seeds at once {together * 1e3:6.0f} ms "
              f"({together / single:4.1f} runs) | one after another {apart * 1e3:6.0f} ms ({apart / single:4.1f} runs)")


if __name__ == "__main__":
    main()
