"""Training runs shared by every visitor of one server: a class that clicks the same scenario trains it once.

Finished runs are kept by configuration (bounded, least recently used dropped first). A run in progress is
followed, not repeated: whoever asks for a configuration that another visitor is training watches that run's
progress and gets its result. If the visitor training it leaves or stops, a follower takes over. At most SLOTS
runs (single runs, seed sweeps, the warm-up) compute at once: one server process has one core's worth of Python
(the GIL), so more would only slow every run and every other visitor's page; the rest wait their turn."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator

from relu_viz.training import Run

SLOTS = 2  # runs computing at once in one server process
QUEUE_POLL = 1.0  # seconds between looks for a free slot


class Training:
    """A run in progress: its latest partial state (for followers' live charts), and its end."""

    def __init__(self):
        self.partial: Run | None = None
        self.run: Run | None = None  # the finished run; None if its trainer gave up
        self.done = threading.Event()


class RunStore:
    """Finished runs by configuration, and the runs in progress, shared by all visitors."""

    def __init__(self, size: int):
        self.size, self.runs, self.training = size, OrderedDict(), {}
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(SLOTS)

    def get(self, key: str) -> Run | None:
        with self.lock:
            if key in self.runs:
                self.runs.move_to_end(key)
            return self.runs.get(key)

    def start(self, key: str) -> tuple[Training, bool]:
        """The run in progress for `key`, and whether the caller is to train it (nobody else is)."""
        with self.lock:
            if key in self.training:
                return self.training[key], False
            self.training[key] = Training()
            return self.training[key], True

    def finish(self, key: str, run: Run | None) -> None:
        """The trainer's end: the finished run (kept and handed to followers), or None when it gave up."""
        with self.lock:
            training = self.training.pop(key)
            if run is not None:
                self.runs[key] = run
                self.runs.move_to_end(key)
                while len(self.runs) > self.size:
                    self.runs.popitem(last=False)
        training.run = run
        training.done.set()

    def compute(self, key: str, make_run: Callable[[], Run], queued: Callable[[], None] = lambda: None) -> Run | None:
        """As the trainer of `key` (see start): make the run once a slot is free (calling `queued` every second
        while waiting), then hand it on; if interrupted (a rerun, a closed tab), hand on None so a follower takes
        over."""
        run = None
        try:
            with self.slot(queued):
                run = make_run()
        finally:
            self.finish(key, run)
        return run

    @contextlib.contextmanager
    def slot(self, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
        """Hold one of the SLOTS while the block computes, calling `waiting` every second until one is free (it may
        raise to give up: a visitor who left)."""
        while not self.slots.acquire(timeout=QUEUE_POLL):
            waiting()
        try:
            yield
        finally:
            self.slots.release()
