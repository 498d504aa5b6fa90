"""A whole class at once: simulated visitors (benchmarks/visitors.py, Streamlit's websocket protocol) against one
real server, the cases of benchmarks/load.py at classroom sizes; visitors who leave in the middle of a training run
that others follow; and a browser that leaves and reruns mid-run. Run alone with `pytest -m load`; it also runs in
CI with everything else. Speed is not asserted here: benchmarks/load.py measures it."""

import asyncio

import pytest

from benchmarks.load import LONG_RUN, TRAINERS, a_class
from benchmarks.visitors import Visitor
from tests.browser import run_async, running_server

pytestmark = pytest.mark.load
CLASS = {"tour": 60, "scenario": 40, "sliders": 40, "mix": 50}  # visitors per case (mix: 2 of them train)
STEPS = {"tour": 1, "scenario": 1, "sliders": 5, "mix": 5}  # timed actions per visitor (mix: the slider movers')


@pytest.fixture(scope="module")
def load_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("load") / "streamlit.log") as running:
        yield running


@pytest.mark.parametrize("case", CLASS)
def test_a_class_gets_every_page_finished_with_bounded_memory(load_server, case):
    n = CLASS[case]
    before = load_server.rss_mib()
    result = run_async(a_class(load_server.url, case, n))
    grown = load_server.rss_mib() - before
    print(f"\n{case}: {n} visitors, {len(result.times)} timed actions, slowest {max(result.times):.1f} s, "
          f"server RSS grew {grown:.0f} MiB")
    assert result.errors == []
    movers = n - len(range(0, n, TRAINERS)) if case == "mix" else n
    assert len(result.times) == movers * STEPS[case]
    assert grown < 300, f"memory grew by {grown:.0f} MiB"
    assert load_server.rss_mib("VmHWM") < 2048


def test_when_the_trainer_leaves_a_follower_finishes_the_run(load_server):
    """Two visitors ask for the same long run; the one training it closes the tab; the other still gets it."""
    link = LONG_RUN.format(seed=41)

    async def two():
        trainer, follower = Visitor(load_server.url, 120), Visitor(load_server.url, 120)
        started = asyncio.ensure_future(trainer.open(link))
        await asyncio.sleep(1.0)  # the run is under way
        following = asyncio.ensure_future(follower.open(link))
        await asyncio.sleep(0.5)
        started.cancel()
        await trainer.close()  # the trainer's tab closes mid-run
        await following
        await follower.close()
        return follower

    follower = run_async(two())
    metrics = {e.label: e.text for e in follower.elements.values() if e.kind == "metric"}
    assert metrics.get("epochs") == "250" and "dead L1" in metrics


PROGRESS = "[data-testid='stProgress']"


def test_leaving_and_rerunning_in_the_middle_of_a_simulation(load_server, browser):
    leaving = browser.new_context().new_page()
    leaving.goto(load_server.url + LONG_RUN.format(seed=7), wait_until="commit")
    leaving.wait_for_selector(PROGRESS, timeout=60_000)
    leaving.context.close()  # the visitor closes the tab mid-run

    staying = browser.new_context().new_page()
    staying.goto(load_server.url + LONG_RUN.format(seed=8), wait_until="commit")
    staying.wait_for_selector(PROGRESS, timeout=60_000)
    staying.get_by_role("button", name="Healthy").click()  # a rerun arrives while the simulation runs
    staying.get_by_text("This story holds in").first.wait_for(timeout=60_000)
    staying.wait_for_function("() => /sim\\.epochs=500/.test(location.search)", timeout=60_000)
    staying.get_by_text("dead L1").first.wait_for(timeout=60_000)
    assert staying.locator("[data-testid='stException']").count() == 0

    again = browser.new_context().new_page()  # the server still serves a fresh visitor
    again.goto(load_server.url)
    again.wait_for_selector(".js-plotly-plot", timeout=60_000)
    for page in (staying, again):
        page.context.close()


def test_while_attackers_open_the_worst_links_another_visitor_and_the_health_check_are_answered(load_server):
    """Issue 25's links (benchmarks/attack.py), opened over and over, while a victim moves a slider once a second
    and /_stcore/health is asked every 0.1 s: every move and every health check answered within a second (before,
    one link held the GIL for 135 s), every attack page finished with a message and no exception."""
    from benchmarks.attack import ATTACKS, phase

    result = run_async(phase(load_server.url, seconds=15, attackers=1))
    slowest_move, slowest_health = max(result["slides"]), max(result["health"])
    print(f"\nslider moves {len(result['slides'])}, slowest {slowest_move:.2f} s; health checks "
          f"{len(result['health'])}, slowest {slowest_health:.2f} s")
    assert len(result["slides"]) >= 10 and slowest_move < 1.0
    assert slowest_health < 1.0
    assert set(result["pages"]) == set(ATTACKS) and all(result["pages"].values()), "every attack link was opened"
    errors = [(name, said) for name, pages in result["pages"].items() for _, said in pages if said.startswith("ERROR")]
    assert not errors
