"""Hand-edited and hostile links: the page always renders, every ignored value is announced, as inert text."""

import pathlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relu_viz import ACTIVATIONS
from tests.apptest import notices, open_app, sliders
from ui.state import PANEL_SETTINGS, PARAMS, SCALARS, check_link
from ui.style import locked

NAMES = sorted({"act", *SCALARS, *PARAMS, *PANEL_SETTINGS})
HOSTILE = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-320", "-1", "0", "99999999999999999999999999",
    "9" * 5000, "abc", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold** [x](javascript:1)",
    "`code`", "$x^2$", "ünïcødé ✓ 漢字", "\u202eevil", "\x00", "1,2,3", "-1,1", "0,0", ",", "true", "True", "1",
    "relu", "leaky_relu", "Dead neurons", "Depth", "Speed", "tanh", "he", "rai", "0.3", "4", "10", "2000",
]


def values_for(name: str):
    """Hostile strings, plus values a real link might hold for this name."""
    plausible = []
    if name in PARAMS and PARAMS[name][1].choices:
        plausible = list(PARAMS[name][1].choices)
    elif name in PANEL_SETTINGS and PANEL_SETTINGS[name].choices:
        plausible = list(PANEL_SETTINGS[name].choices)
    elif name == "act":
        plausible = list(ACTIVATIONS)
    return st.sampled_from(HOSTILE + plausible) | st.text(max_size=30)


pairs = st.lists(
    st.sampled_from(NAMES + ["unknown", "tour.x", "<b>", "x" * 300, "sim.", "depth"]).flatmap(
        lambda name: st.tuples(st.just(name), values_for(name))),
    min_size=1, max_size=6)


def as_query(items) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for name, value in items:
        query.setdefault(name, []).append(value.replace("\x00", ""))
    return query


def outside_code(text: str) -> str:
    return re.sub(r"`[^`]*`", "", text)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs)
def test_hostile_links_render_with_every_ignored_value_announced_as_text(items):
    query = as_query(items)
    expected = check_link(query).notices
    at = open_app(query)  # asserts that no exception was raised
    shown = notices(at)
    for notice in expected:
        assert notice in shown, f"notice missing: {notice!r}"
    assert "<" not in outside_code(shown) and "javascript" not in outside_code(shown).lower()
    for name, raws in query.items():
        accepted = name in check_link(query).values or (name == "act" and set(raws) <= set(ACTIVATIONS) | {""})
        if not accepted:
            assert name[:20] in shown or any(r[:20] in shown for r in raws), f"{name}={raws} ignored silently"


def test_explicit_hostile_examples():
    for query in [{"xmin": ["1e308"], "xmax": ["-1e308"]}, {"act": ["relu"] * 50},
                  {"sim.epochs": ["99999999999"], "tab": ["Dead neurons"]}, {"depth.trials": ["100000000"]},
                  {"maxout.slopes": [",".join(["1"] * 10_000)], "act": ["maxout"]}, {"tour": ["0"], "present": ["2"]},
                  {"leaky_relu.negative_slope": ["0.1", "0.2", "0.3"], "act": ["leaky_relu"]}]:
        at = open_app(query)
        assert at.warning, f"no notice for {query}"


def test_no_eval_exec_or_raw_html_from_visitors():
    root = pathlib.Path(__file__).resolve().parent.parent
    paths = [root / "app.py", *(root / "ui").glob("*.py"), *(root / "relu_viz").glob("*.py")]
    sources = {p: p.read_text() for p in paths}
    for path, text in sources.items():
        assert not re.search(r"\b(eval|exec)\(", text), f"{path.name} calls eval/exec"
        assert "unsafe_allow_html=True" not in text, f"{path.name} renders raw HTML"
        assert "unsafe_allow_javascript=True" not in text, f"{path.name} runs raw JavaScript"
    html_calls = [(p.name, m) for p, t in sources.items() for m in re.findall(r"st\.html\(([^)]*)\)", t)]
    assert html_calls == [("style.py", "READABLE + (PRESENTER if presenting else \"\""),
                          ("style.py", "locked(groups")], f"st.html only for the page's stylesheets: {html_calls}"
    hostile = '"] { } </style><script>alert(1)</script>'
    assert locked(("picker", hostile)) == locked(("picker",)) == (
        '<style>[class*="st-key-lock-picker"] { display: none !important; }</style>')


def test_a_link_with_several_bad_values_announces_each_and_leaves_only_valid_settings_in_the_url():
    query = {"act": ["relu", "bogus", "tanh"], "xmin": ["abc"], "sim.lr": ["0.07"], "colour": ["red"],
             "leaky_relu.negative_slope": ["0.2"], "tanh.x": ["1"], "sim.epochs": ["20", "30"], "probe": ["1.5"]}
    at = open_app(query)
    shown = notices(at)
    for bad in ("'bogus'", "'xmin'` = `'abc'", "'sim.lr'` = `'0.07'", "'colour'` = `'red'",
                "'leaky_relu.negative_slope'` = `'0.2'", "'tanh.x'", "'sim.epochs'` was given 2 times"):
        assert bad in shown, f"not announced: {bad}"
    after = {name: at.query_params.get_all(name) if hasattr(at.query_params, "get_all") else at.query_params[name]
             for name in at.query_params}
    after = {name: value if isinstance(value, list) else [value] for name, value in after.items()}
    assert set(after) <= {"act", "sim.epochs", "probe", "tab"}, after
    assert after["act"] == ["relu", "tanh"] and after["sim.epochs"] == ["30"] and after["probe"] == ["1.5"]
    assert not check_link(after).notices, "what stays in the URL is all valid"


@pytest.mark.parametrize("query, shown", [
    ({"xmin": "5", "xmax": "-5"}, {"xmin": -10.0, "xmax": 10.0}),
    ({"act": "hardtanh", "hardtanh.min_val": "2", "hardtanh.max_val": "-2"},
     {"hardtanh.min_val": -1.0, "hardtanh.max_val": 1.0}),
    ({"act": "softplus", "softplus.beta": "3", "softplus.threshold": "5", "xmin": "3", "xmax": "2"},
     {"softplus.beta": 3.0, "softplus.threshold": 5.0, "xmin": -10.0, "xmax": 10.0}),
])
def test_a_rejected_pair_never_sits_in_its_widgets(query, shown):
    """Values valid alone but rejected together (xmin >= xmax, min_val >= max_val) are announced once, and the
    widgets show the values in use, not the rejected ones."""
    at = open_app(query)
    widgets = {**{w.key: w.value for w in at.number_input}, **sliders(at)}
    assert {label: widgets[label] for label in shown} == shown
    assert not at.error, [e.value for e in at.error]
    assert notices(at).count("Ignored") == 1
