"""Tasks for the sandbox's own tests: run in its forked processes, they misbehave on purpose."""

import os

from relu_viz import sandbox


def spin(seconds: float) -> str:
    """Busy for `seconds` of CPU time (past any deadline given), then report."""
    import time

    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "finished"


def spin_stubbornly(seconds: float) -> str:
    """As spin, catching every Exception on the way (as some library code does)."""
    import time

    end = time.process_time() + seconds
    while time.process_time() < end:
        try:
            while time.process_time() < end:
                pass
        except Exception:  # noqa: BLE001, S112 (the point of this task)
            continue
    return "finished"


def sleep(seconds: float) -> str:
    """Wait without computing."""
    import time

    time.sleep(seconds)
    return "woke"


def hog(mebibytes: int) -> int:
    """Allocate and touch this much memory."""
    block = bytearray(mebibytes * 2**20)
    return len(block)


def pid() -> int:
    return os.getpid()


def fail() -> None:
    raise ArithmeticError("a task's own exception")


@sandbox.task(seconds=1)
def costly(tag: str) -> str:
    """A cached task that always needs more than its second of CPU time."""
    return spin(60) + tag


@sandbox.task
def sleepy(tag: str) -> str:
    """A cached task that computes nothing but takes its time."""
    return sleep(60) + tag
