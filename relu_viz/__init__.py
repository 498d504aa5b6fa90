"""relu_viz: the pure core of the activation explorer (numpy and scipy only; no UI imports)."""

from relu_viz.activations import ACTIVATIONS, GROUPS, MAX_PIECES, Activation, Param

__all__ = ["ACTIVATIONS", "GROUPS", "MAX_PIECES", "Activation", "Param"]
