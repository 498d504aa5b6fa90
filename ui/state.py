"""Every setting that lives in the URL, in one table: it validates incoming links and writes share links.

Pure (no streamlit): the views bind widgets to these names with ``bind="query-params"``; this module checks a
link before the widgets read it, so a bad value falls back to its default with a notice instead of vanishing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from relu_viz import ACTIVATIONS, Param

X_LIMIT = 1000.0  # |x| bound of the plotted range and the probe
MAX_CURVES = 8  # activations drawn at once
DEFAULT_ACTS = ("relu",)
DEFAULT_XMIN, DEFAULT_XMAX = -10.0, 10.0  # the classic range(-10, 11)
DEFAULT_PROBE = 0.0
SHOWN_CHARACTERS = 40  # of a rejected value, in a notice


@dataclass
class View:
    """What the explorer shows: the picked activations with their parameters, and the plotting options."""

    acts: list[str] = field(default_factory=lambda: list(DEFAULT_ACTS))
    params: dict[str, dict] = field(  # key -> {param name: value}, complete
        default_factory=lambda: {key: ACTIVATIONS[key].defaults for key in DEFAULT_ACTS})
    xmin: float = DEFAULT_XMIN
    xmax: float = DEFAULT_XMAX
    ints: bool = False  # draw the integer sample points
    probe: float = DEFAULT_PROBE


def format_number(v: float) -> str:
    """Shortest text that reads back as exactly the same float (1.0 -> "1", 0.1 -> "0.1")."""
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") else text


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"must be a number in [{low:g}, {high:g}]")
        return value
    return parse


def _flag(raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return raw.lower() == "true"


def _param(p: Param) -> Callable[[str], object]:
    def parse(raw: str):
        if p.kind == "pieces":
            value = tuple(float(v) for v in raw.split(","))
        elif p.kind == "number":
            value = float(raw)
        else:
            value = raw
        return p.validate(value)
    return parse


def _param_text(p: Param, value) -> str:
    if p.kind == "pieces":
        return ",".join(format_number(v) for v in value)
    return value if p.kind == "choice" else format_number(value)


SCALARS: dict[str, Callable[[str], object]] = {
    "xmin": _number(-X_LIMIT, X_LIMIT),
    "xmax": _number(-X_LIMIT, X_LIMIT),
    "ints": _flag,
    "probe": _number(-X_LIMIT, X_LIMIT),
}
PARAMS: dict[str, tuple[str, Param]] = {
    f"{a.key}.{p.name}": (a.key, p) for a in ACTIVATIONS.values() for p in a.params}


def _show(raw) -> str:
    """A rejected value as inert text: quoted, shortened, no backticks (notices render it in a code span)."""
    text = raw if isinstance(raw, str) else ",".join(map(str, raw))
    text = text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"
    return repr(text).replace("`", "'")


@dataclass
class LinkCheck:
    """The outcome of checking a link: valid values by name, and what was ignored, in words."""

    values: dict[str, object]
    notices: list[str]
    rewrite: dict[str, list[str] | None]  # query names to rewrite (a list) or delete (None) in the URL


def check_link(query: dict[str, list[str]]) -> LinkCheck:
    """Validate every query parameter of a link against the settings table."""
    values: dict[str, object] = {}
    notices: list[str] = []
    rewrite: dict[str, list[str] | None] = {}

    def reject(name: str, raw, why: str) -> None:
        notices.append(f"Ignored `{_show(name)}` = `{_show(raw)}`: {why}.")
        rewrite[name] = None

    raw_acts = [a for a in query.get("act", []) if a != ""]  # "act=" alone: the visitor picked none
    acts = [a for a in ACTIVATIONS if a in raw_acts][:MAX_CURVES]  # drawn in registry order
    for bad in [a for a in raw_acts if a not in ACTIVATIONS]:
        notices.append(f"Ignored activation `{_show(bad)}`: not one of the {len(ACTIVATIONS)} known keys.")
    if len(set(raw_acts) & set(ACTIVATIONS)) > MAX_CURVES:
        notices.append(f"Showing the first {MAX_CURVES} activations of the link (at most {MAX_CURVES} at once).")
    if raw_acts and acts != raw_acts:
        rewrite["act"] = acts or None
    values["act"] = acts if acts or "act" in query and not raw_acts else list(DEFAULT_ACTS)

    for name, raws in query.items():
        if name == "act":
            continue
        parse = SCALARS.get(name) or (_param(PARAMS[name][1]) if name in PARAMS else None)
        if parse is None:
            reject(name, raws[-1], "not a setting of this page")
            continue
        if name in PARAMS and PARAMS[name][0] not in values["act"]:
            reject(name, raws[-1], f"{ACTIVATIONS[PARAMS[name][0]].label} is not among the shown activations")
            continue
        try:
            values[name] = parse(raws[-1])
        except (ValueError, TypeError, OverflowError) as error:
            why = str(error) if name in SCALARS else PARAMS[name][1].allowed()
            reject(name, raws[-1], why if name in SCALARS else f"must be {why}")
            continue
        if len(raws) > 1:
            notices.append(f"`{_show(name)}` was given {len(raws)} times; used the last, `{_show(raws[-1])}`.")
            rewrite[name] = [raws[-1]]

    if "xmin" in values or "xmax" in values:
        xmin, xmax = values.get("xmin", DEFAULT_XMIN), values.get("xmax", DEFAULT_XMAX)
        if not xmin < xmax:
            notices.append(f"Ignored the x-range [{format_number(xmin)}, {format_number(xmax)}]: xmin must be "
                           f"below xmax; showing [{format_number(DEFAULT_XMIN)}, {format_number(DEFAULT_XMAX)}].")
            for name in ("xmin", "xmax"):
                values.pop(name, None)
                if name in query:
                    rewrite[name] = None

    for key in values["act"]:
        activation = ACTIVATIONS[key]
        given = {n.split(".", 1)[1]: v for n, v in values.items() if n in PARAMS and PARAMS[n][0] == key}
        problem = activation.check(**{**activation.defaults, **given})
        if problem:
            notices.append(f"Ignored the {activation.label} parameters of the link: {problem}; using defaults.")
            for name in given:
                values.pop(f"{key}.{name}")
                rewrite[f"{key}.{name}"] = None
    return LinkCheck(values, notices, rewrite)


def to_query(view: View) -> str:
    """The query string that reproduces `view` (defaults left out, as the bound widgets do)."""
    pairs: list[tuple[str, str]] = []
    if view.acts != list(DEFAULT_ACTS):
        pairs += [("act", key) for key in view.acts] or [("act", "")]
    for key in view.acts:
        for p in ACTIVATIONS[key].params:
            value = view.params.get(key, {}).get(p.name, p.default)
            if value != p.default:
                pairs.append((f"{key}.{p.name}", _param_text(p, value)))
    for name, value, default in (("xmin", view.xmin, DEFAULT_XMIN), ("xmax", view.xmax, DEFAULT_XMAX),
                                 ("probe", view.probe, DEFAULT_PROBE)):
        if value != default:
            pairs.append((name, format_number(value)))
    if view.ints:
        pairs.append(("ints", "true"))
    return urlencode(pairs, safe=",")


def view_from_link(query: dict[str, list[str]]) -> View:
    """The view a link asks for (invalid parts replaced by defaults): what opening it must show."""
    values = check_link(query).values
    acts = values["act"]
    params = {key: {**ACTIVATIONS[key].defaults,
                    **{n.split(".", 1)[1]: v for n, v in values.items() if n in PARAMS and PARAMS[n][0] == key}}
              for key in acts}
    return View(acts, params, values.get("xmin", DEFAULT_XMIN), values.get("xmax", DEFAULT_XMAX),
                values.get("ints", False), values.get("probe", DEFAULT_PROBE))
