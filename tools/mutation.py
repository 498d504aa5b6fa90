"""Mutation testing with mutmut: each core module and the URL table against its own fast tests.

Run: python tools/mutation.py [MODULE ...]     (about 26 minutes for all, on the 2-core machine)

For each module, mutmut plants every single-line mutation it knows (operators, constants, comparisons, strings,
removed calls, ...) one at a time and runs the module's own test files (tests marked slow, browser or load left
out); a mutant is killed when a test fails. Prints killed / total per module and lists the survivors, which are
also written to mutants/survivors.txt. Not part of CI (too slow); the README states the last figures.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODULES = {  # module: its own test files
    "relu_viz/activations.py": ["tests/test_activations.py"],
    "relu_viz/curves.py": ["tests/test_curves.py"],
    "relu_viz/datasets.py": ["tests/test_datasets.py"],
    "relu_viz/depth.py": ["tests/test_depth.py"],
    "relu_viz/export.py": ["tests/test_export.py"],
    "relu_viz/formula.py": ["tests/test_formula.py"],
    "relu_viz/program.py": ["tests/test_program.py", "tests/test_formula.py", "tests/test_hostile_formulas.py"],
    "relu_viz/properties.py": ["tests/test_properties.py"],
    "relu_viz/scenarios.py": ["tests/test_scenario_rules.py", "tests/test_scenarios.py"],
    "relu_viz/timing.py": ["tests/test_timing.py"],
    "relu_viz/training.py": ["tests/test_training.py"],
    "relu_viz/units.py": ["tests/test_units.py"],
    "relu_viz/upload.py": ["tests/test_upload.py"],
    "ui/state.py": ["tests/test_state.py"],
}
KILLED = ("killed", "timeout", "segfault", "caught by type check")
DIFFS = """import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
print("\\0".join(get_diff_for_mutant(name, path=find_mutant(name).path) for name in sys.argv[1:]))
"""  # one process for all the survivors of a module (mutmut show takes seconds each)


def run(module: str, tests: list[str]) -> tuple[int, int, list[str]]:
    """Mutate one module; return (killed, total, survivors)."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    name = module.removesuffix(".py").replace("/", ".")
    env = {**os.environ, "CI": "1", "MUTATION_TESTS": ",".join(tests)}
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(os.cpu_count() or 2), f"{name}.*"],
                   cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    from mutmut.stats import status_by_exit_code

    meta = json.loads((ROOT / "mutants" / f"{module}.meta").read_text())["exit_code_by_key"]
    status = {k: status_by_exit_code[code] for k, code in meta.items()}
    killed = [k for k, s in status.items() if s in KILLED]
    survivors = sorted(k for k, s in status.items() if s not in KILLED)
    diffs = subprocess.run([sys.executable, "-c", DIFFS, *survivors], cwd=ROOT, capture_output=True, text=True,
                           check=False).stdout.split("\0")
    return len(killed), len(meta), [f"{k} ({status[k]})\n{d}" for k, d in zip(survivors, diffs)]


def main() -> None:
    chosen = sys.argv[1:] or list(MODULES)
    rows, all_survivors, start = [], [], time.perf_counter()
    for module in chosen:
        began = time.perf_counter()
        killed, total, survivors = run(module, MODULES[module])
        rows.append((module, killed, total, time.perf_counter() - began))
        all_survivors += survivors
        (ROOT / f"mutants-{module.replace('/', '.')}.survivors.txt").write_text("\n".join(survivors) + "\n")
        print(f"{module:26s} {killed:5d} / {total:5d} killed  {100 * killed / max(total, 1):5.1f}%  "
              f"({time.perf_counter() - began:5.0f} s)", flush=True)
    killed, total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all':26s} {killed:5d} / {total:5d} killed  {100 * killed / max(total, 1):5.1f}%  "
          f"({time.perf_counter() - start:5.0f} s)")
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "survivors.txt").write_text("\n".join(all_survivors) + "\n")
    print(f"{len(all_survivors)} survivors, each with its diff, in mutants/survivors.txt (and per module in "
          "mutants-MODULE.survivors.txt)")


if __name__ == "__main__":
    main()
