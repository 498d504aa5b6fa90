"""Shared test settings: in CI a skipped test is a failure (the browser suite must never be silently skipped)."""

import os

import pytest
from hypothesis import settings

from tests.browser import browser, page, server  # noqa: F401 (fixtures of the browser and load suites)

# In CI hypothesis draws the same examples every run, so a green build stays green; locally it explores afresh.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == pytest.ExitCode.OK:
        reporter.write_line(f"CI: {skipped} test(s) skipped; every test must run in CI", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(config, items):
    """Under tools/mutation.py, MUTATION_TESTS names the test files of the module being mutated: every other test,
    and every test marked slow, is left out so that each mutant runs only its module's own fast tests."""
    chosen = os.environ.get("MUTATION_TESTS")
    if not chosen:
        return
    files = tuple(chosen.split(","))
    keep = [item for item in items if item.nodeid.startswith(files) and not item.get_closest_marker("slow")]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep
