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
