"""The sandbox for work on visitor text: a task past its deadline or its memory cap is killed and named, the server
process keeps no trace of it, and a task's own result or exception comes back."""

import os
import time

import pytest

from relu_viz import sandbox
from relu_viz.sandbox import MEMORY, TooCostly

TASKS = "tests.sandbox_tasks"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"  # a zombie has ended


def test_a_task_runs_in_another_process_and_returns_its_result_or_its_exception():
    assert sandbox.run(TASKS, "pid") != os.getpid()
    assert sandbox.run(TASKS, "spin", 0.01) == "finished"
    with pytest.raises(ArithmeticError, match="a task's own exception"):
        sandbox.run(TASKS, "fail")


def test_a_task_past_its_cpu_time_is_stopped_and_named():
    started = time.monotonic()
    with pytest.raises(TooCostly, match=r"^it needs more than 1 s of computing$"):
        sandbox.run(TASKS, "spin", 60, seconds=1)
    assert time.monotonic() - started < 30, "the caller did not wait for the task to finish its minute"
    for _ in range(100):  # the kill is delivered, and the process reaped, within moments
        workers = [p for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == _server_pid()]
        if not [p for p in workers if alive(int(p))]:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the task's process was left running")


def test_a_task_that_swallows_exceptions_is_still_stopped():
    with pytest.raises(TooCostly, match=r"^it needs more than 1 s of computing$"):
        sandbox.run(TASKS, "spin_stubbornly", 60, seconds=1)


def test_a_task_past_the_wall_clock_deadline_is_killed(monkeypatch):
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.5)
    with pytest.raises(TooCostly, match=r"^it took longer than 0\.5 s \(the server is very busy\)$"):
        sandbox.run(TASKS, "sleep", 60)


def test_a_task_past_its_memory_cap_is_stopped_and_named():
    with pytest.raises(TooCostly, match=f"more than {MEMORY >> 20} MiB of memory"):
        sandbox.run(TASKS, "hog", 2 * MEMORY >> 20)
    assert sandbox.run(TASKS, "hog", 64) == 64 * 2**20, "a task within the cap runs"


def test_tasks_beyond_the_workers_wait_for_a_free_one_and_then_run():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(sandbox.WORKERS + 2) as pool:
        results = list(pool.map(lambda _: sandbox.run(TASKS, "spin", 0.2), range(sandbox.WORKERS + 2)))
    assert results == ["finished"] * (sandbox.WORKERS + 2)


def test_results_and_refusals_are_cached_within_a_budget_of_bytes():
    cache = sandbox._Cache(max_bytes=2000)
    for i in range(50):
        cache.put(i, ("ok", "x" * 100))
    assert cache.bytes <= 2000 and 0 < len(cache.entries) < 50
    assert cache.get(49) == ("ok", "x" * 100) and cache.get(0) is None, "the least recently used went first"
    cache.put("huge", ("ok", "x" * 5000))
    assert cache.get("huge") is None, "an entry larger than the whole budget is not kept"


def _server_pid() -> int:
    return sandbox._server["process"].pid


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return -1


def test_a_cheap_task_does_not_wait_behind_costly_ones(monkeypatch):
    """Every place of the slow lane (and its queue) taken by tasks that compute for seconds: a cheap task still runs
    in the fast lane, and finishes before any of them; one more costly task is told at once the server is busy."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(sandbox, "WALL_SECONDS", 600.0)  # (however loaded the machine running the tests)
    costly = sandbox.WORKERS + sandbox.QUEUE
    with ThreadPoolExecutor(costly + 1) as pool:
        slow = [pool.submit(sandbox.run, TASKS, "spin", 3.0) for _ in range(costly)]
        for _ in range(600):  # each has spent its fast-lane budget and waits for, or runs in, the slow lane
            if sandbox._waiting[0] == costly:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"only {sandbox._waiting[0]} of {costly} costly tasks reached the slow lane")
        assert sandbox.run(TASKS, "spin", 0.01) == "finished"
        assert not any(task.done() for task in slow), "the cheap task waited for a costly one"
        with pytest.raises(sandbox.Busy, match="^the server is busy with other costly formulas$"):
            sandbox.run(TASKS, "spin", 3.0)
        assert [task.result() for task in slow] == ["finished"] * costly
    assert sandbox._waiting[0] == 0


def test_too_costly_is_a_verdict_kept_in_the_cache_and_busy_is_not(monkeypatch):
    from tests import sandbox_tasks

    with pytest.raises(TooCostly, match=r"^it needs more than 1 s of computing$") as first:
        sandbox_tasks.costly("a")
    assert sandbox_tasks.costly.cache.get(("a",)) == ("error", first.value)
    with pytest.raises(TooCostly) as again:
        sandbox_tasks.costly("a")
    assert again.value is first.value, "the refusal came from the cache, not a second run"
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.5)
    with pytest.raises(sandbox.Busy, match=r"^it took longer than 0\.5 s \(the server is very busy\)$"):
        sandbox_tasks.sleepy("b")
    assert sandbox_tasks.sleepy.cache.get(("b",)) is None, "busy is no verdict: the next visit tries again"


def test_a_task_whose_visitor_has_left_gives_up_its_wait_and_never_runs(monkeypatch):
    """Pages opened and closed three times a second queued their formulas ahead of those who stayed (a visitor's
    ordinary formula waited 50-100 s): a waiting task whose visitor has gone leaves the queue."""
    monkeypatch.setattr(sandbox, "wanted", lambda: False)
    taken = [sandbox._fast.acquire(timeout=60) for _ in range(sandbox.WORKERS)]  # every place of the fast lane
    try:
        with pytest.raises(sandbox.Busy, match="^the visitor who asked for it has left$"):
            sandbox.run(TASKS, "fail")  # (it would raise ArithmeticError had it run)
    finally:
        for held in taken:
            if held:
                sandbox._fast.release()
    with pytest.raises(ArithmeticError):  # a free place: it runs, whoever asked
        sandbox.run(TASKS, "fail")
