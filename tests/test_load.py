"""A whole class at once: 20 concurrent browser sessions against one real server, and sessions that leave or
rerun in the middle of a simulation. Run alone with `pytest -m load`; it also runs in CI with everything else."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from relu_viz.scenarios import SCENARIOS
from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server

pytestmark = pytest.mark.load
SESSIONS = 20
# 20 Chromium pages share the 2-core machine with the server: rendering dominates, so allow minutes per step
STEP_TIMEOUT = 300_000
PRESETS = tuple(s.title for s in SCENARIOS.values())


@pytest.fixture(scope="module")
def load_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("load") / "streamlit.log") as running:
        yield running


async def one_visitor(browser, url: str, i: int) -> float:
    """Open a link, move a slider, switch to the dead-neuron tab and run a preset; return the seconds taken."""
    start = time.perf_counter()
    context = await browser.new_context(viewport={"width": 1024, "height": 700})
    context.set_default_timeout(STEP_TIMEOUT)
    page = await context.new_page()
    await page.goto(f"{url}/?act=relu&act=leaky_relu&act=gelu&leaky_relu.negative_slope=0.{i % 9 + 1}",
                    timeout=STEP_TIMEOUT)
    await page.wait_for_selector(".js-plotly-plot", timeout=STEP_TIMEOUT)
    thumb = page.get_by_role("slider").first
    await thumb.focus()
    for _ in range(3):
        await thumb.press("ArrowRight")
    await page.wait_for_function(
        f"() => /leaky_relu\\.negative_slope=0\\.{i % 9 + 1}3/.test(location.search)", timeout=STEP_TIMEOUT)
    await page.get_by_role("tab", name="Dead neurons").click()
    preset = PRESETS[i % len(PRESETS)]
    await page.get_by_role("button", name=preset).click()
    await page.get_by_text("dead L1").first.wait_for(timeout=STEP_TIMEOUT)
    await page.get_by_text("This story holds in").first.wait_for(timeout=STEP_TIMEOUT)
    assert await page.locator("[data-testid='stException']").count() == 0
    await context.close()
    return time.perf_counter() - start


async def a_class(url: str) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(one_visitor(browser, url, i) for i in range(SESSIONS)))
        finally:
            await browser.close()


def run_async(coroutine):
    """asyncio.run in a thread of its own: the browser suite's sync Playwright keeps a loop in this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_twenty_concurrent_sessions_render_with_bounded_memory(load_server):
    run_async(a_class_warm_up(load_server.url))
    before = load_server.rss_mib()
    start = time.perf_counter()
    times = run_async(a_class(load_server.url))
    wall = time.perf_counter() - start
    after, peak = load_server.rss_mib(), load_server.rss_mib("VmHWM")
    print(f"\n{SESSIONS} concurrent sessions in {wall:.1f} s (slowest {max(times):.1f} s); server RSS "
          f"{before:.0f} MiB before, {after:.0f} MiB after, peak {peak:.0f} MiB")
    assert len(times) == SESSIONS
    assert after - before < 600, f"memory grew by {after - before:.0f} MiB"
    assert peak < 2048, f"peak RSS {peak:.0f} MiB"


async def a_class_warm_up(url: str) -> None:
    """One visitor first, so 'before' counts the imports and caches every server has."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await one_visitor(browser, url, 0)
        await browser.close()


# about four seconds of training: Mish, 4 x 128 units, 512 samples, the most epochs the cost limit allows
LONG_RUN = ("?act=mish&tab=Dead+neurons&sim.act=mish&sim.layers=4&sim.width=128&sim.samples=512&sim.epochs=250"
            "&sim.lr=0.001&sim.seed=7")
PROGRESS = "[data-testid='stProgress']"


def test_leaving_and_rerunning_in_the_middle_of_a_simulation(load_server, browser):
    leaving = browser.new_context().new_page()
    leaving.goto(load_server.url + LONG_RUN, wait_until="commit")
    leaving.wait_for_selector(PROGRESS, timeout=60_000)
    leaving.context.close()  # the visitor closes the tab mid-run

    staying = browser.new_context().new_page()
    staying.goto(load_server.url + LONG_RUN.replace("seed=7", "seed=8"), wait_until="commit")
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
