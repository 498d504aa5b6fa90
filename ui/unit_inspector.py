"""The unit inspector: one first-layer unit of a finished run at any epoch, and why it is dead or alive."""

from __future__ import annotations

import numpy as np
import streamlit as st

from relu_viz.training import Run
from relu_viz.units import first_layer_unit, life_sentence
from ui import presenter
from ui import training_charts as charts


@st.fragment
def render(run: Run) -> None:
    """Pick a unit and an epoch (only this reruns): its input on every training example, weights, gradient."""
    st.subheader("Inspect a unit")
    dead_at_end = np.flatnonzero(run.activity[0][-1] == 0)
    left, right = st.columns([1, 2])
    unit = int(left.number_input("First-layer unit", 1, run.config.hidden[0],
                                 int(dead_at_end[0]) + 1 if len(dead_at_end) else 1, key="sim.inspect.unit",
                                 help="Starts at the first unit dead at the end, if there is one.")) - 1
    epoch = epoch_slider(run, "Epoch of the unit shown", "sim.inspect.epoch", where=right)
    at = first_layer_unit(run, unit, epoch)
    weights = ", ".join(f"{w:.3g}" for w in at.weights)
    st.markdown(f"**Unit {unit + 1}** at epoch {epoch}: weights ({weights}), bias {at.bias:.3g}; f′ ≠ 0 on "
                f"{at.active:.0%} of the training inputs. {life_sentence(run.activity[0][:, unit])}")
    histogram, gradient = st.columns(2)
    presenter.chart(charts.pre_activation_figure(run, unit, epoch), where=histogram)
    presenter.chart(charts.gradient_figure(run, unit, epoch), where=gradient)
    st.caption("Left: the unit's input w·x + b on each training example; the shade marks where its activation's "
               "derivative is exactly 0. When every input falls in the shade, no gradient reaches the unit: it is "
               "dead. Right: the size of the gradient its weights and bias received at each epoch (shaded: dead).")


def epoch_slider(run: Run, label: str, key: str, where=st, help: str | None = None) -> int:
    """An epoch of the run picked with a slider (the last at first); a run stopped or diverged at epoch 0 has only
    that one, and no slider."""
    if run.epochs_run == 0:
        return 0
    return int(where.slider(label, 0, run.epochs_run, run.epochs_run, key=key, help=help))
