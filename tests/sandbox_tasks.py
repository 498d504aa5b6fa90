"""Tasks for the sandbox's own tests: run in its forked processes, they misbehave on purpose."""

import os


def spin(seconds: float) -> str:
    """Busy for `seconds` of CPU time (past any deadline given), then report."""
    import time

    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "finished"


def hog(mebibytes: int) -> int:
    """Allocate and touch this much memory."""
    block = bytearray(mebibytes * 2**20)
    return len(block)


def pid() -> int:
    return os.getpid()


def fail() -> None:
    raise ArithmeticError("a task's own exception")
