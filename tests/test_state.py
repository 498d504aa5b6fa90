"""The URL table: share links round-trip exactly, and every bad value is caught with a notice."""

from functools import partial
from urllib.parse import parse_qs

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS, MAX_PIECES
from relu_viz.text import SHOWN_CHARACTERS
from tests.reference import EXAMPLE_FORMULAS
from ui.state import (
    BUILD_K,
    BUILD_XMAX,
    BUILD_XMIN,
    HINGE_LISTS,
    LOCKABLE,
    MAX_CURVES,
    MIN_WIDTH,
    PANEL_SETTINGS,
    PARAMS,
    SCALARS,
    SPECS,
    X_LIMIT,
    View,
    _parse,
    check_link,
    format_number,
    placed_hinges,
    to_query,
    view_from_link,
)


def parse(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=True)


@st.composite
def views(draw):
    acts = draw(st.lists(st.sampled_from(list(ACTIVATIONS)), max_size=MAX_CURVES, unique=True))
    acts = [k for k in ACTIVATIONS if k in acts]
    params = {}
    for key in acts:
        act = ACTIVATIONS[key]
        chosen = {}
        for p in act.params:
            if p.kind == "choice":
                chosen[p.name] = draw(st.sampled_from(p.choices))
            elif p.kind == "number":
                chosen[p.name] = draw(st.floats(p.low, p.high))
            elif p.kind == "text":
                chosen[p.name] = draw(st.sampled_from(EXAMPLE_FORMULAS))
        if key == "maxout":
            k = draw(st.integers(1, MAX_PIECES))
            pieces = st.lists(st.floats(-10, 10), min_size=k, max_size=k).map(tuple)
            chosen = {"slopes": draw(pieces), "intercepts": draw(pieces)}
        if act.check(**chosen):
            chosen = act.defaults
        params[key] = chosen
    xmin = draw(st.floats(-X_LIMIT, X_LIMIT - 1))
    xmax = draw(st.floats(xmin, X_LIMIT).filter(lambda v: v - xmin >= MIN_WIDTH))
    panels = {}
    for name, p in PANEL_SETTINGS.items():
        if draw(st.booleans()):
            if p.kind == "choice":
                panels[name] = draw(st.sampled_from(p.choices))
            elif p.kind == "text":
                panels[name] = draw(st.sampled_from(EXAMPLE_FORMULAS))
            elif p.integer:
                panels[name] = draw(st.integers(int(p.low), int(p.high)))
            elif p.kind == "number":
                panels[name] = draw(st.floats(p.low, p.high))
    for name in ("sim.act", "sim.layer1", "depth.act", "depth.sig_act"):
        if panels.get(name, "relu") not in [*(acts or ["relu"]), "same"]:
            panels.pop(name, None)
    if not panels.get("build.xmax", BUILD_XMAX) - panels.get("build.xmin", BUILD_XMIN) >= MIN_WIDTH:
        panels.pop("build.xmin", None)
        panels.pop("build.xmax", None)
    k = panels.get("build.k", BUILD_K)  # the hinge lists have k numbers each
    for name in HINGE_LISTS:
        if draw(st.booleans()):
            p = PANEL_SETTINGS[name]
            panels[name] = tuple(draw(st.lists(st.floats(p.low, p.high), min_size=k, max_size=k)))
    placed = placed_hinges(panels)  # a link leaves out the lists of hinges placed afresh, like any default
    w, b = (np.array(panels.get(name, placed[name])) for name in ("build.w", "build.b"))
    with np.errstate(over="ignore"):
        if not np.all(np.isfinite(b[w != 0] / w[w != 0])):  # a kink past the range of numbers: refused
            panels.pop("build.w", None)
    panels = {name: value for name, value in panels.items() if value != placed.get(name)}
    panels = {name: value for name, value in panels.items() if value != PANEL_SETTINGS[name].default}
    hide = tuple(g for g in LOCKABLE if g in draw(st.sets(st.sampled_from(list(LOCKABLE)))))
    return View(acts, params, xmin, xmax, draw(st.booleans()), draw(st.floats(-X_LIMIT, X_LIMIT)), panels, hide)


@settings(max_examples=300, deadline=None)
@given(views())
def test_share_link_round_trips_exactly(view):
    query = parse(to_query(view))
    assert not check_link(query).notices, check_link(query).notices
    assert view_from_link(query) == view


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_format_reads_back_exactly(value):
    assert float(format_number(value)) == value


def test_default_view_has_an_empty_query():
    assert to_query(View()) == ""
    assert view_from_link({}) == View()


def test_repeated_single_setting_uses_the_last_with_notice():
    result = check_link({"xmin": ["-2", "-3"]})
    assert result.values["xmin"] == -3.0 and "given 2 times" in result.notices[0]


def test_too_many_activations_are_cut_with_notice():
    result = check_link({"act": list(ACTIVATIONS)})
    assert len(result.values["act"]) == MAX_CURVES and any("first" in n for n in result.notices)


def test_explicitly_empty_selection_is_kept():
    assert check_link({"act": [""]}).values["act"] == [] and not check_link({"act": [""]}).notices


def test_params_of_hidden_activations_are_dropped():
    result = check_link({"leaky_relu.negative_slope": ["0.2"]})
    assert "leaky_relu.negative_slope" not in result.values and result.rewrite["leaky_relu.negative_slope"] is None
    assert "not among the shown" in result.notices[0]


def test_long_values_are_shortened_in_notices():
    result = check_link({"xmin": ["9" * 10_000]})
    assert len(result.notices[0]) < 200


def test_panel_settings_are_validated_from_their_specs():
    result = check_link({"sim.width": ["129"], "sim.layers": ["2.5"], "sim.lr": ["0.07"], "sim.data": ["mnist"],
                         "sim.epochs": ["300"], "tab": ["Dead neurons"], "sim.act": ["gelu"]})
    assert result.values["sim.epochs"] == 300 and isinstance(result.values["sim.epochs"], int)
    assert result.values["tab"] == "Dead neurons"
    for name in ("sim.width", "sim.layers", "sim.lr", "sim.data", "sim.act"):
        assert name not in result.values and any(name in n for n in result.notices), name


def _bounds_cases():
    """Every numeric setting of the URL table with its two ends (allowed) and a value just outside each."""
    for name, p in {**SPECS, **{n: spec for n, (_, spec) in PARAMS.items()}}.items():
        if p.kind != "number":
            continue
        for value, ok in ((p.low, True), (p.high, True), (p.low - (p.step or 1), False),
                          (p.high + (p.step or 1), False)):
            yield name, p, value, ok


def read(name: str, raw: str):
    """How the URL table reads one value of a setting (before rules between settings)."""
    return SCALARS[name](raw) if name in SCALARS else partial(_parse, PARAMS[name][1])(raw)


@pytest.mark.parametrize("name, p, value, ok", list(_bounds_cases()), ids=lambda v: str(v)[:20])
def test_every_numeric_bound_of_the_url_table(name, p, value, ok):
    raw = str(int(value)) if p.integer else format_number(value)
    if ok:
        assert read(name, raw) == value
    else:
        with pytest.raises(ValueError, match=name.split(".")[-1]):
            read(name, raw)
        query = {name: [raw], "act": [PARAMS[name][0]] if name in PARAMS else ["relu"]}
        result = check_link(query)
        assert f"Ignored `'{name}'` = `'{raw}'`: must be {p.allowed()}." in result.notices
        assert name not in result.values and result.rewrite[name] is None


@pytest.mark.parametrize("name", [n for n, p in SPECS.items() if p.kind == "number" and p.integer])
def test_whole_number_settings_refuse_fractions(name):
    p = SPECS[name]
    result = check_link({name: [str(p.low + 0.5)]})
    assert name not in result.values and "must be a whole number in" in result.notices[0]
    assert isinstance(check_link({name: [str(int(p.low))]}).values[name], int)


@pytest.mark.parametrize("name", [n for n, p in SPECS.items() if p.kind == "choice"])
def test_every_choice_setting_takes_its_choices_and_nothing_else(name):
    p = SPECS[name]
    for choice in p.choices:
        # the panels' activation must be a shown one
        shown = [choice] if name.endswith("act") or name == "sim.layer1" and choice != "same" else ["relu"]
        assert check_link({name: [choice], "act": shown}).values[name] == choice
    result = check_link({name: ["not-a-choice"]})
    assert result.notices == [f"Ignored `'{name}'` = `'not-a-choice'`: must be {p.allowed()}."]


def test_a_link_with_several_bad_values_announces_each_one_and_rewrites_exactly_those():
    query = {"act": ["relu", "bogus", "tanh", "relu"], "xmin": ["abc"], "probe": ["1e308"], "sim.lr": ["0.07"],
             "leaky_relu.negative_slope": ["0.2"], "tanh.x": ["1"], "colour": ["red"], "ints": ["maybe"],
             "sim.epochs": ["20", "30"], "depth.act": ["gelu"]}
    result = check_link(query)
    assert result.notices == [
        "Ignored activation `'bogus'`: not one of the 28 known keys.",
        "Activations listed more than once were shown once: `'relu'`.",
        "Ignored `'xmin'` = `'abc'`: must be a number in [-1000, 1000].",
        "Ignored `'probe'` = `'1e308'`: must be a number in [-1000, 1000].",
        "Ignored `'sim.lr'` = `'0.07'`: must be one of '0.0001', '0.0003', '0.001', '0.003', '0.01', '0.03', "
        "'0.05', '0.1', '0.3', '1', '2', '4', '10'.",
        "Ignored `'leaky_relu.negative_slope'` = `'0.2'`: Leaky ReLU is not among the shown activations.",
        "Ignored `'tanh.x'` = `'1'`: not a setting of this page.",
        "Ignored `'colour'` = `'red'`: not a setting of this page.",
        "Ignored `'ints'` = `'maybe'`: must be true or false.",
        "`'sim.epochs'` was given 2 times; used the last, `'30'`.",
        "Ignored `'depth.act'` = `'gelu'`: the panels use one of the activations shown in the explorer.",
    ]
    assert result.rewrite == {"act": ["relu", "tanh"], "xmin": None, "probe": None, "sim.lr": None,
                              "leaky_relu.negative_slope": None, "tanh.x": None, "colour": None, "ints": None,
                              "sim.epochs": ["30"], "depth.act": None}
    assert result.values == {"act": ["relu", "tanh"], "sim.epochs": 30}


@pytest.mark.parametrize("low, high, kept", [("0", "5e-324", False), ("0", "0.0099", False),
                                             ("-1e-300", "1e-300", False), ("0", "0.01", True),
                                             ("999.99", "1000", True)])
def test_a_range_narrower_than_a_hundredth_is_refused_in_links(low, high, kept):
    """A subnormal width (0 to 5e-324) was accepted and left Plotly's axes, and the chart, blank."""
    for what, lo, hi in (("x-range", "xmin", "xmax"), ("interval", "build.xmin", "build.xmax")):
        if lo == "build.xmin" and float(high) > 100:
            continue  # (the interval's bounds are +-100)
        result = check_link({lo: [low], hi: [high]})
        assert (lo in result.values) == kept
        assert kept or result.notices[0].startswith(f"Ignored the {what} [{low}, {high}]: {lo} must be at least 0.01")


def test_the_x_range_must_increase():
    result = check_link({"xmin": ["3"], "xmax": ["3"]})
    assert result.notices == ["Ignored the x-range [3, 3]: xmin must be at least 0.01 below xmax; showing [-10, 10]."]
    assert "xmin" not in result.values and "xmax" not in result.values
    assert result.rewrite == {"xmin": None, "xmax": None}
    one = check_link({"xmin": ["20"]})
    assert one.rewrite == {"xmin": None} and "[20, 10]" in one.notices[0], "only what the link holds is removed"
    assert check_link({"xmin": ["2.5"], "xmax": ["2.75"]}).values | {"act": None} == {
        "act": None, "xmin": 2.5, "xmax": 2.75}


def test_cross_parameter_rules_drop_the_given_parameters_of_that_activation():
    result = check_link({"act": ["rrelu", "hardtanh"], "hardtanh.min_val": ["2"], "hardtanh.max_val": ["-2"],
                         "rrelu.lower": ["0.2"]})
    assert result.notices == ["Ignored the Hardtanh parameters of the link: min_val (2) must be below max_val (-2); "
                              "using defaults."]
    assert result.rewrite == {"hardtanh.min_val": None, "hardtanh.max_val": None}
    assert result.values["rrelu.lower"] == 0.2 and "hardtanh.min_val" not in result.values
    only_one = check_link({"act": ["hardtanh"], "hardtanh.min_val": ["1"]})
    assert only_one.rewrite == {"hardtanh.min_val": None}, "a rule broken against a default drops only the given"


def test_the_activation_list_defaults_cuts_and_keeps_an_empty_choice():
    assert check_link({}).values == {"act": ["relu"]} and check_link({}).rewrite == {}
    assert check_link({"act": ["tanh", "relu"]}).values["act"] == ["relu", "tanh"], "drawn in registry order"
    assert check_link({"act": ["tanh", "relu"]}).rewrite == {"act": ["relu", "tanh"]}
    assert check_link({"act": ["bogus"]}).values["act"] == ["relu"] and check_link({"act": ["bogus"]}).rewrite == {
        "act": None}
    keys = list(ACTIVATIONS)
    many = check_link({"act": keys[:MAX_CURVES + 1]})
    assert many.values["act"] == keys[:MAX_CURVES]
    assert many.notices == [f"Showing the first {MAX_CURVES} activations of the link (at most {MAX_CURVES} at once)."]
    exactly = check_link({"act": keys[:MAX_CURVES]})
    assert exactly.values["act"] == keys[:MAX_CURVES] and not exactly.notices


def test_rejected_values_are_quoted_shortened_and_never_carry_backticks():
    result = check_link({"x" * 50: ["`" + "y" * 60]})
    shown_name, shown_value = "'" + "x" * SHOWN_CHARACTERS + "…'", "''" + "y" * (SHOWN_CHARACTERS - 1) + "…'"
    assert result.notices == [f"Ignored `{shown_name}` = `{shown_value}`: not a setting of this page."]
    assert check_link({"tab": ["Secret"]}).notices[0].startswith("Ignored `'tab'` = `'Secret'`")


def test_flags_and_pieces_are_read_and_written():
    assert check_link({"ints": ["TRUE"]}).values["ints"] is True
    assert check_link({"ints": ["false"]}).values["ints"] is False
    pieces = check_link({"act": ["maxout"], "maxout.slopes": ["-1,1"], "maxout.intercepts": ["0,0.5"]}).values
    assert pieces["maxout.slopes"] == (-1.0, 1.0) and pieces["maxout.intercepts"] == (0.0, 0.5)
    view = View(["maxout"], {"maxout": {"slopes": (-1.0, 0.25), "intercepts": (0.0, 0.0)}}, ints=True)
    assert to_query(view) == "act=maxout&maxout.slopes=-1,0.25&maxout.intercepts=0,0&ints=true"


def test_share_links_hold_only_what_differs_from_the_defaults_in_a_fixed_order():
    view = View(["leaky_relu", "gelu"], {"leaky_relu": {"negative_slope": 0.2}, "gelu": {"approximate": "none"}},
                xmin=-3.0, xmax=10.0, probe=0.5, panels={"tab": "Depth", "sim.lr": "0.05", "depth.layers": 30})
    assert to_query(view) == ("act=leaky_relu&act=gelu&leaky_relu.negative_slope=0.2&xmin=-3&probe=0.5&tab=Depth"
                              "&depth.layers=30")
    assert to_query(View([], {})) == "act="
    assert to_query(View(xmax=12.5)) == "xmax=12.5"


def test_more_rules_of_the_link_checker():
    assert check_link({"xmax": ["-20"]}).notices == [
        "Ignored the x-range [-10, -20]: xmin must be at least 0.01 below xmax; showing [-10, 10]."]
    repeated = check_link({"probe": ["1", "2", "3"]})
    assert repeated.values["probe"] == 3.0 and repeated.rewrite == {"probe": ["3"]}
    assert repeated.notices == ["`'probe'` was given 3 times; used the last, `'3'`."]
    assert check_link({"act": ["tanh", "relu", "tanh", "relu"]}).notices == [
        "Activations listed more than once were shown once: `'relu,tanh'`."]
    hidden = check_link({"act": ["relu"], "depth.sig_act": ["tanh"]})
    assert hidden.notices == ["Ignored `'depth.sig_act'` = `'tanh'`: the panels use one of the activations shown "
                              "in the explorer."]
    none_shown = check_link({"act": [""], "sim.act": ["relu"], "depth.act": ["relu"]})
    assert not none_shown.notices and none_shown.values["sim.act"] == "relu", "with none shown, the panels use ReLU"
    exactly = "x" * SHOWN_CHARACTERS
    assert check_link({exactly: ["1"]}).notices == [f"Ignored `'{exactly}'` = `'1'`: not a setting of this page."]


def test_share_links_fill_missing_parameters_with_defaults():
    assert to_query(View(["leaky_relu"], {})) == "act=leaky_relu"
    assert to_query(View(["leaky_relu"], {"leaky_relu": {}})) == "act=leaky_relu"
    assert to_query(View(panels={"sim.seed": 12, "sim.std": 2.5})) == "sim.seed=12&sim.std=2.5"


@pytest.mark.parametrize("value, text", [(-0.0, "0"), (0.0, "0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"),
                                         (1e-7, "1e-07")])
def test_number_format_by_hand(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("raw, groups", [("tabs,picker", ("picker", "tabs")), ("picker,picker", ("picker",)),
                                         ("tour,depth,training", ("training", "depth", "tour"))])
def test_hide_lists_groups_in_a_fixed_order(raw, groups):
    assert check_link({"hide": [raw]}).values["hide"] == groups


@pytest.mark.parametrize("raw", ["", ",", "picker,", "everything", "picker,Tabs", "picker;tabs"])
def test_hide_with_an_unknown_or_empty_group_is_refused(raw):
    result = check_link({"hide": [raw]})
    if raw == "picker,":  # a trailing comma names nothing more
        assert result.values["hide"] == ("picker",) and not result.notices
        return
    assert "hide" not in result.values and result.rewrite == {"hide": None}
    assert result.notices == [f"Ignored `'hide'` = `{raw!r}`: must list groups among " + ", ".join(LOCKABLE) + "."]


def test_default_of_each_kind_of_setting():
    from ui.state import default

    assert default("ints") is False and default("xmin") == -10.0 and default("probe") == 0.0
    assert default("sim.lr") == "0.05" and default("sim.seed") == 0 and default("tab") == "Explorer"
    assert default("leaky_relu.negative_slope") == 0.01 and default("gelu.approximate") == "none"
    assert default("maxout.slopes") == ACTIVATIONS["maxout"].param("slopes").default
    assert default("act") is None and default("colour") is None and default("hide") is None


def test_whole_numbers_are_written_without_a_decimal_point():
    view = View(["elu", "gelu"], {"elu": {"alpha": 2.0}, "gelu": {"approximate": "tanh"}}, xmin=-3.0)
    assert to_query(view) == "act=elu&act=gelu&elu.alpha=2&gelu.approximate=tanh&xmin=-3"


def test_the_build_interval_must_increase_and_the_hinge_lists_must_have_k_numbers():
    result = check_link({"build.xmin": ["2"], "build.xmax": ["-1"], "build.k": ["3"], "build.w": ["1,1,1"],
                         "build.a": ["1,2"]})
    assert result.notices == [
        "Ignored the interval [2, -1]: build.xmin must be at least 0.01 below build.xmax; showing [-3, 3].",
        "Ignored the hinges of the link: `build.a` has 2 numbers, and there are k = 3 hinges (`build.k`); placing 3 "
        "hinges afresh."]
    assert result.rewrite == {"build.xmin": None, "build.xmax": None, "build.w": None, "build.a": None}
    assert result.values == {"act": ["relu"], "build.k": 3}
    assert not check_link({"build.w": ["1,-1,2,0.5"], "build.a": ["0,0,0,1"]}).notices  # k = 4 by default
    assert check_link({"build.w": [",".join(["1"] * 33)], "build.k": ["32"]}).notices  # at most 32 hinges


@pytest.mark.parametrize("query", [{"build.w": ["1,1,1,5e-324"]}, {"build.k": ["2"], "build.w": ["1e-310,1"],
                                                                     "build.b": ["1e6,0"]}])
def test_a_hinge_whose_kink_is_past_the_range_of_numbers_is_refused_and_the_hinges_placed_afresh(query):
    """w = 5e-324 beside a bias of 1: the kink -b/w overflows (it was accepted, drawn with no kink, and the table
    said 'the kink must be a number')."""
    result = check_link(query)
    assert result.notices == [f"Ignored the hinges of the link: a kink -b/w is past the range of numbers (w too "
                              f"small for its b); placing {len(query['build.w'][0].split(','))} hinges afresh."]
    assert not any(name in result.values for name in ("build.w", "build.b", "build.a"))
    assert not check_link({"build.w": ["1,1,1,1e-300"], "build.b": ["0,0,0,1e-10"]}).notices  # kink -1e290: fine


def test_a_link_without_hinge_lists_means_k_hinges_placed_afresh_on_its_interval():
    placed = placed_hinges({"build.k": 2, "build.xmin": 0.0, "build.xmax": 1.0})
    assert placed == {"build.w": (1.0, 1.0), "build.b": (-0.25, -0.75), "build.a": (0.0, 0.0)}
    view = View(panels={"build.k": 2, "build.xmin": 0.0, "build.xmax": 1.0, **placed})
    assert to_query(view) == "build.k=2&build.xmin=0&build.xmax=1"  # the lists are what such a link means
    moved = View(panels={**view.panels, "build.b": (0.0, -0.75)})
    assert "build.b=0,-0.75" in to_query(moved) and "build.w" not in to_query(moved)
    assert view_from_link(parse(to_query(moved))).panels == {n: v for n, v in moved.panels.items() if n != "build.w"
                                                             and n != "build.a"}


def test_the_link_limits_are_the_ones_the_readme_states():
    """Typed from the README: up to 8 activations, Maxout 1 to 8 pieces, the plotted range within ±1000."""
    assert (MAX_CURVES, MAX_PIECES, X_LIMIT) == (8, 8, 1000)
