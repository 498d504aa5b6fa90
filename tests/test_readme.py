"""The README states the figures the core computes (docs/readme_figures.py), so a text cannot drift from the app."""

import pathlib

import pytest

from docs import readme_figures

pytestmark = pytest.mark.slow
README = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
FLAT = " ".join(README.split())  # lines are wrapped in the README


@pytest.mark.parametrize("figure", ["mean_outputs", "float32_zones", "born_dead", "propagation", "output_layer",
                                    "snapshot_memory", "hinges", "sawtooth", "exponential_units",
                                    "maxout_inits"])
def test_readme_states_the_computed_figure(figure):
    text = getattr(readme_figures, figure)()
    assert " ".join(text.split()) in FLAT, f"README.md does not say: {text}"


def test_readme_scenario_table_is_the_computed_one():
    table = readme_figures.scenario_table()
    assert table in README, "README.md's scenario table differs: run python docs/readme_figures.py"
