"""Time dead-neuron training: one 1-64-64-1 ReLU MLP, 256 samples, 500 epochs, lr 0.01, full batch, dead
fraction recorded every epoch, beside the same run as the exported PyTorch script (relu_viz.export) on the CPU
(torch is a test dependency: `pip install -r requirements-dev.txt`); then a scenario over seeds 0-19, trained at
once (vectorised) and one seed after another, beside a single run.

Run: python benchmarks/training.py [--repeats R]
"""

import argparse
import pathlib
import statistics
import sys
import time
from dataclasses import replace

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from relu_viz.export import pytorch_script  # noqa: E402
from relu_viz.scenarios import SCENARIOS  # noqa: E402
from relu_viz.training import TrainConfig, train, train_seeds  # noqa: E402

CONFIG = TrainConfig(hidden=(64, 64), n_samples=256, epochs=500, lr=0.01, dataset="sine", seed=0)


def median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def exported_run():
    """The same run as relu_viz.export writes it for PyTorch (same data, initial weights and loop; the dead share
    from autograd's f' every epoch), loaded as a module so that torch's import is not timed."""
    import contextlib
    import importlib.util
    import io
    import tempfile

    import torch

    path = pathlib.Path(tempfile.mkdtemp()) / "relu_viz_run.py"
    path.write_text(pytorch_script(CONFIG))
    spec = importlib.util.spec_from_file_location("relu_viz_run", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)

    def run():
        with contextlib.redirect_stdout(io.StringIO()):
            script.main()
    return run, torch.get_num_threads()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    ours = median_time(lambda: train(CONFIG), args.repeats)
    print(f"1-64-64-1, {CONFIG.n_samples} samples, {CONFIG.epochs} epochs, full batch, median of {args.repeats}")
    print(f"relu_viz (numpy):   {ours * 1e3:8.1f} ms  ({ours / CONFIG.epochs * 1e6:.0f} us per epoch)")
    try:
        run, threads = exported_run()
    except ImportError:
        print("PyTorch not installed: no comparison (pip install torch==2.13.0 for a CPU build)")
        return
    theirs = median_time(run, args.repeats)
    print(f"exported PyTorch script (CPU, {threads} threads): {theirs * 1e3:6.1f} ms  "
          f"({theirs / CONFIG.epochs * 1e6:.0f} us per epoch)")
    print(f"ratio: {ours / theirs:.2f}x PyTorch's time (target <= 1)")
    sweeps(max(1, args.repeats // 3))


def sweeps(repeats: int) -> None:
    """A scenario over seeds 0-19: all at once against one seed at a time, in units of one single run. In CPU time
    (time.process_time): on a machine shared with other work, wall-clock ratios swing with the load."""
    print(f"\nseeds 0-19, CPU time, median of {repeats}")
    for key in ("default", "healthy", "vanishing"):
        config = SCENARIOS[key].config
        single = median_time(lambda: train(config), repeats, time.process_time)  # noqa: B023
        together = median_time(lambda: train_seeds(config, range(20)), repeats, time.process_time)  # noqa: B023
        apart = median_time(lambda: [train(replace(config, seed=s)) for s in range(20)], 1,  # noqa: B023
                            time.process_time)
        print(f"  {key:10s} one run {single * 1e3:6.0f} ms | 20 seeds at once {together * 1e3:6.0f} ms "
              f"({together / single:4.1f} runs) | one after another {apart * 1e3:6.0f} ms ({apart / single:4.1f} "
              f"runs) | at once / one after another {together / apart:.2f}")


if __name__ == "__main__":
    main()
