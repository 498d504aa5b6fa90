"""The URL table: share links round-trip exactly, and every bad value is caught with a notice."""

from urllib.parse import parse_qs

from hypothesis import given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS, MAX_PIECES
from ui.state import MAX_CURVES, PANEL_SETTINGS, X_LIMIT, View, check_link, format_number, to_query, view_from_link


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
        if key == "maxout":
            k = draw(st.integers(1, MAX_PIECES))
            pieces = st.lists(st.floats(-10, 10), min_size=k, max_size=k).map(tuple)
            chosen = {"slopes": draw(pieces), "intercepts": draw(pieces)}
        if act.check(**chosen):
            chosen = act.defaults
        params[key] = chosen
    xmin = draw(st.floats(-X_LIMIT, X_LIMIT - 1))
    xmax = draw(st.floats(xmin, X_LIMIT).filter(lambda v: v > xmin))
    panels = {}
    for name, p in PANEL_SETTINGS.items():
        if draw(st.booleans()):
            if p.kind == "choice":
                panels[name] = draw(st.sampled_from(p.choices))
            elif p.integer:
                panels[name] = draw(st.integers(int(p.low), int(p.high)))
            else:
                panels[name] = draw(st.floats(p.low, p.high))
    for name in ("sim.act", "depth.act", "depth.sig_act"):
        if panels.get(name, "relu") not in (acts or ["relu"]):
            panels.pop(name, None)
    panels = {name: value for name, value in panels.items() if value != PANEL_SETTINGS[name].default}
    return View(acts, params, xmin, xmax, draw(st.booleans()), draw(st.floats(-X_LIMIT, X_LIMIT)), panels)


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
