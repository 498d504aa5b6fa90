"""The unit inspector: any hidden unit of a finished run at a kept epoch, and why it is dead or alive. A unit is
picked by layer and number, or by clicking it in a chart above: the hinge plot, the input plane, or the handle beside
its row of the activity heatmap (`pick_on_click`)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from relu_viz.training import Run
from relu_viz.units import life_sentence, unit_at
from ui import links, presenter
from ui import training_charts as charts
from ui.state import View
from ui.state import default as default_of

LAYER, UNIT, EPOCH = "sim.inspect.layer", "sim.inspect.unit", "sim.inspect.epoch"
PICKED = "sim.inspect.picked"  # set by a click on a chart: the app reruns so the inspector shows that unit
SHOWN = "sim.inspector.run"  # the configuration of the run the inspector's choices belong to
CLICKS = "sim.inspect.clicks"  # counts clicks: a picking chart gets a new key each time, so no selection lingers


@st.fragment
def render(run: Run, view: View) -> None:
    """Pick a unit and an epoch (only this reruns): its input on every training example, weights, gradient. The
    choice is part of the share link, and a link's choice is shown on its first run."""
    st.subheader("Inspect a unit")
    layers = len(run.config.hidden)
    with_dead = [i for i, mask in enumerate(run.dead_masks()) if mask.any()]
    first_layer = with_dead[0] + 1 if with_dead else 1
    shown = run.config.canonical().to_json()
    if st.session_state.get(SHOWN) != shown:  # another run: start again at its first dead unit and last epoch
        for key in [k for k in st.session_state if str(k).startswith((LAYER, UNIT, EPOCH))]:
            del st.session_state[key]
        st.session_state[SHOWN] = shown
        if _first_time("sim.unit"):
            _follow_link(run, first_layer)
    pick, right = st.columns([1, 2])
    layer = 0
    if layers > 1:
        layer = _number(pick, "Hidden layer", layers, first_layer, LAYER,
                        help="Starts at the first layer with a unit dead at the end, if there is one.") - 1
    first_unit = _first_dead(run, layer) + 1
    unit = _number(pick, "Unit", run.config.hidden[layer], first_unit, f"{UNIT}.{layer}",
                   help="Starts at the first unit dead at the end, if there is one. Or click a unit above: in the "
                   "hinge plot, the input plane, or the square left of its heatmap row.") - 1
    _remember(view, {"sim.unit_layer": 0 if layer + 1 == first_layer else layer + 1,
                     "sim.unit": 0 if unit + 1 == first_unit else unit + 1})
    epoch = shared_epoch(run, view, "sim.unit_epoch", "Epoch of the unit shown", EPOCH, where=right)
    at = unit_at(run, layer, unit, epoch)
    maxout = charts.maxout_layers(run)[layer]
    st.markdown(f"**{charts.unit_name(run, layer, unit)}** at epoch {epoch}: {_weights_text(at)}; f′ ≠ 0 on "
                f"{at.active:.0%} of the training inputs. {life_sentence(run.activity[layer][:, unit])}")
    if layer == 0 and run.X.shape[1] == 64 and not maxout:  # the digits: a unit's weights form an 8 x 8 image
        presenter.chart(charts.weights_image_figure(run, unit, epoch))
    if layer == 0 and run.X.shape[1] == 2 and not maxout:
        presenter.chart(charts.unit_plane_figure(run, unit, epoch))
    histogram, gradient = st.columns(2)
    presenter.chart(charts.pre_activation_figure(run, layer, unit, epoch), where=histogram)
    presenter.chart(charts.gradient_figure(run, layer, unit, epoch), where=gradient)
    below = "w·x + b, x the training example" if layer == 0 else "w·h + b, h the outputs of the layer below"
    if maxout:
        st.caption(f"Left: on how many training inputs each of the unit's {at.pieces} pieces (each its own {below}) "
                   "is the maximum, the unit's output; an input's gradient reaches only that piece's weights, so a "
                   "piece that is the maximum on no input (vermillion) gets none. Right: the size of the gradient "
                   "all its pieces' weights and biases received at each epoch.")
    else:
        st.caption(f"Left: the unit's input {below}, on each training example; the shade marks where its "
                   "activation's derivative is exactly 0. When every input falls in the shade, no gradient reaches "
                   "the unit: it is dead. Right: the size of the gradient its weights and bias received at each "
                   "epoch (shaded: dead).")


def _weights_text(at) -> str:
    """A unit's incoming weights and bias (a Maxout unit's, piece by piece), the first eight of each."""
    def listed(w):
        return ", ".join(f"{v:.3g}" for v in w[:8]) + (f", … ({len(w)} in all)" if len(w) > 8 else "")

    if at.pieces == 1:
        return f"incoming weights ({listed(at.weights)}), bias {at.bias:.3g}"
    return f"{at.pieces} pieces: " + "; ".join(f"piece {j + 1} weights ({listed(at.weights[:, j])}), bias "
                                                f"{at.bias[j]:.3g}" for j in range(at.pieces))


def _first_dead(run: Run, layer: int) -> int:
    """The first unit of `layer` dead at the end (0-based), or 0 if none is."""
    dead = np.flatnonzero(run.activity[layer][-1] == 0)
    return int(dead[0]) if len(dead) else 0


def _follow_link(run: Run, first_layer: int) -> None:
    """Start at the unit the visit's link names, where this run has it; say what it has not (a unit without a
    layer is in the inspector's own first layer)."""
    values = links.check_url().values
    layers = len(run.config.hidden)
    layer = values.get("sim.unit_layer", 0)
    if layer and layer <= layers:
        st.session_state[LAYER] = layer
    elif layer:
        st.warning(f"The link's layer {layer} is not in this network ({layers} hidden layers): showing the "
                   "inspector's own choice.")
    target = (layer if 0 < layer <= layers else first_layer) - 1
    unit, width = values.get("sim.unit", 0), run.config.hidden[target]
    if unit and unit <= width:
        st.session_state[f"{UNIT}.{target}"] = unit
    elif unit:
        st.warning(f"The link's unit {unit} is not in this network ({width} units in layer {target + 1}): showing "
                   "the inspector's own choice.")


def _first_time(name: str) -> bool:
    """True once per visit for the URL setting `name`: the visit's link applies to the first run shown only."""
    seen = f"{name}.followed"
    first = seen not in st.session_state
    st.session_state[seen] = True
    return first


def shared_epoch(run: Run, view: View, name: str, label: str, key: str, where=st, help: str | None = None) -> int:
    """epoch_slider whose epoch travels in the share link as `name` (the last epoch left out), the share box then
    redrawn (a fragment may rerun alone). The visit's link picks the first epoch shown, if the run kept that epoch;
    if not, a warning says so and the last is shown."""
    if _first_time(name):
        kept, epoch = [int(e) for e in run.snapshot_epochs], links.check_url().values.get(name, -1)
        if epoch in kept:
            st.session_state[key] = epoch
        elif epoch != -1:
            every = f", every {run.kept_every}" if run.kept_every > 1 else ""
            st.warning(f"The link's epoch {epoch} ({label.lower()}) is not among this run's kept epochs "
                       f"(0 to {kept[-1]}{every}): showing the last.")
    epoch = epoch_slider(run, label, key, where, help)
    _remember(view, {name: -1 if epoch == run.snapshot_epochs[-1] else epoch})
    links.share_box(view)
    return epoch


def _remember(view: View, choice: dict[str, int]) -> None:
    """The choice, in the address and the view the share box is written from."""
    for name, value in choice.items():
        links.set_query(name, None if value == default_of(name) else str(value))
    view.panels.update(choice)


def _number(where, label: str, most: int, default: int, key: str, help: str | None = None) -> int:
    """A whole number from 1 to `most`, starting at `default` (a number kept from a larger network starts over)."""
    if not 1 <= st.session_state.get(key, default) <= most:
        st.session_state.pop(key)
    st.session_state.setdefault(key, default)
    return int(where.number_input(label, 1, most, key=key, help=help))


def epoch_slider(run: Run, label: str, key: str, where=st, help: str | None = None) -> int:
    """An epoch of the run whose weights were kept, picked with a slider (the last at first); a run stopped or
    diverged at epoch 0 has only that one, and no slider."""
    kept = [int(e) for e in run.snapshot_epochs]
    if len(kept) == 1:
        return kept[0]
    if kept == list(range(run.epochs_run + 1)):
        return int(where.slider(label, 0, run.epochs_run, run.epochs_run, key=key, help=help))
    note = f"Weights are kept every {run.kept_every} epochs (and at the last) for a network this size."
    return int(where.select_slider(label, kept, kept[-1], key=key, help=f"{help or ''} {note}".strip()))


def pick_on_click(fig, where=st, **kwargs) -> None:
    """Draw a chart whose units can be clicked (their points carry the 1-based layer and unit as the first two
    columns of customdata): a click shows that unit in the inspector."""
    key = f"sim.inspect.chart.{st.session_state.get(CLICKS, 0)}.{fig.layout.title.text[:12]}"
    presenter.chart(fig, where=where, key=key, on_select=lambda: _picked(key), selection_mode="points", **kwargs)
    if st.session_state.pop(PICKED, False):
        st.rerun()  # from a fragment too: the whole page, so the inspector shows the unit


def _picked(key: str) -> None:
    """A clicked point's (layer, unit), 1-based, from its customdata (a list, or a dict by column number)."""
    for point in st.session_state[key].selection.points:
        data = point.get("customdata")
        if isinstance(data, dict):
            data = [data[k] for k in sorted(data, key=int)]
        if isinstance(data, list) and len(data) >= 2:
            layer, unit = int(data[0]), int(data[1])
            st.session_state.update({LAYER: layer, f"{UNIT}.{layer - 1}": unit, PICKED: True,
                                     CLICKS: st.session_state.get(CLICKS, 0) + 1})
            return
