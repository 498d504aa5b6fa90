"""Shared test settings: in CI a skipped test is a failure (the browser suite must never be silently skipped)."""

import os

import pytest
from hypothesis import settings

from tests.browser import browser, page, server  # noqa: F401 (fixtures of the browser and load suites)

# Hypothesis draws the same examples on every run of the README's command and in CI, so a suite that passes on a
# fresh clone passes every time. Fresh draws, for developers hunting counterexamples (each one found becomes an
# @example in its test): python -m pytest --hypothesis-profile=explore -m "not browser and not load"
settings.register_profile("derandomized", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile("derandomized")


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
