"""The depth panel through AppTest."""

import pytest

from tests.apptest import notices, open_app


def test_depth_panel_renders_both_sections():
    at = open_app({"tab": "Depth"})
    assert len(at.get("plotly_chart")) == 2
    assert any("At 25 layers" in c.value for c in at.caption)
    assert any("He ×" in c.value for c in at.caption)


def test_leaky_relu_is_shown_never_born_dead():
    at = open_app({"tab": "Depth", "act": ["relu", "leaky_relu"], "depth.act": "leaky_relu"})
    assert any("no network was born dead" in i.value for i in at.info)


def test_depth_link_with_other_init_and_custom_std():
    at = open_app({"tab": "Depth", "depth.init": "rai", "depth.layers": "10", "depth.trials": "1000",
                   "depth.sig_std": "0.05", "depth.sig_depth": "10", "depth.sig_width": "64"})
    assert not at.warning, notices(at)
    assert any("At 10 layers" in c.value for c in at.caption)


@pytest.mark.parametrize("query, named", [({"depth.layers": "500"}, "depth.layers"),
                                          ({"depth.init": "orthogonal"}, "depth.init"),
                                          ({"depth.sig_width": "4096"}, "depth.sig_width")])
def test_bad_depth_links_fall_back_with_notice(query, named):
    at = open_app({"tab": "Depth", **query})
    assert named in notices(at) and len(at.get("plotly_chart")) == 2
