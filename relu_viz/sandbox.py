"""Work on a visitor's text, run where a runaway cannot hurt anyone else.

A fork server (a process of its own, started once, which imports sympy and warms it up) forks a fresh process for
each task; the task runs there at a lower priority than the server, under a budget of CPU time (the kernel stops
it when it is spent: a verdict about the formula, not about how busy the machine is), a cap on the memory it may
add, and a wall-clock deadline as a backstop (the caller kills it then). Tasks go through two lanes, each with
WORKERS places: every task first gets a short budget in the fast lane; one that needs more starts again in the slow
lane, at a lower priority, where at most QUEUE tasks may wait (past that the server says it is busy at once). So a
visitor's ordinary formula (tens of milliseconds) never waits behind others' costly ones. Tasks and results travel
through multiprocessing's authenticated connections; results and refusals (a formula's cost is a verdict about
it, so "too costly" is one too) are cached within a budget of bytes; "busy" is not cached.
(multiprocessing's own "forkserver" re-imports the caller's main module in every task: 280 ms under Streamlit.)
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import functools
import importlib
import math
import os
import pathlib
import pickle
import resource
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Client, Listener

SECONDS = 4  # CPU seconds a task may compute (about as long as the slowest built-in's training run)
WALL_SECONDS = 30.0  # however busy the machine, a visitor waits no longer than this for a task
MEMORY = 768 * 2**20  # address space a task may add to the fork server's
WORKERS = 2  # tasks at once in each lane of one server process (the reference machine has 2 cores)
NICENESS = 10  # a slow-lane task's scheduling priority below the server's
FAST_SECONDS = 0.5  # CPU seconds a task gets first, in the fast lane
FAST_MEMORY = 256 * 2**20  # address space a fast-lane task may add
FAST_NICENESS = 5  # between the server's and the slow lane's
QUEUE = 2 * WORKERS  # tasks that may wait for the slow lane; more are told the server is busy
CACHE_BYTES = 16 * 2**20  # of each task's cached results, pickled (a formula analysed: a few KB)
PRELOAD = ("relu_viz.symbolic",)  # imported (and so warmed up) once, in the fork server
SERVE = "import sys; from relu_viz.sandbox import serve; serve(sys.argv[1], int(sys.argv[2]))"
START_SECONDS = 60.0  # for the fork server to import sympy and answer, on a loaded machine

WAIT_POLL = 0.1  # seconds between looks at whether a waiting task's visitor is still there

_fast = threading.BoundedSemaphore(WORKERS)
_slow = threading.BoundedSemaphore(WORKERS)
_waiting = [0]  # tasks waiting for, or in, the slow lane
_waiting_lock = threading.Lock()
_in_worker = False
_server: dict = {}
_server_lock = threading.Lock()


class TooCostly(ValueError):
    """A task passed its deadline or its memory cap and was stopped; the message says which."""


class Busy(TooCostly):
    """The server was too busy to finish the task in time: not a verdict about the task; try again later."""


def start() -> None:
    """Start the fork server now (it imports sympy, a second or two), not when the first visitor types a formula."""
    if _in_worker:
        return
    with _server_lock:
        if _server.get("process") is not None and _server["process"].poll() is None:
            return
        folder = tempfile.mkdtemp(prefix="relu-viz-sandbox-")  # private (0700): only this user can connect
        address, key = os.path.join(folder, "socket"), secrets.token_bytes(32)
        lifeline, keep = os.pipe()  # the server exits when this process does (its end of the pipe closes)
        root = str(pathlib.Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        process = subprocess.Popen([sys.executable, "-c", SERVE, address, str(lifeline)],
                                   stdin=subprocess.PIPE, pass_fds=(lifeline,), env=env)
        process.stdin.write(key)
        process.stdin.close()
        os.close(lifeline)
        _server.update(process=process, address=address, key=key, keep=keep)
        atexit.register(process.kill)


def _connect():
    """A connection to the fork server, starting it if need be (waiting for it to listen)."""
    start()
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            return Client(_server["address"], family="AF_UNIX", authkey=_server["key"])
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline or _server["process"].poll() is not None:
                raise TooCostly("the sandbox for formulas did not start") from None
            time.sleep(0.02)


def run(module: str, name: str, *args, seconds: float = SECONDS):
    """module.name(*args) in a fresh sandboxed process, its result or its exception; TooCostly when it needs more
    than `seconds` of CPU time or more than its memory cap; Busy when it (or its wait for a place) passes the
    wall-clock deadline, or too many tasks already wait for the slow lane. Inside a task, runs inline."""
    if _in_worker:  # already inside a task's budget
        return getattr(importlib.import_module(module), name)(*args)
    fast = min(seconds, FAST_SECONDS)
    try:
        return _attempt(_fast, (module, name, args, fast, FAST_MEMORY, FAST_NICENESS))
    except Busy:
        raise
    except TooCostly:
        if fast == seconds:
            raise
    with _waiting_lock:
        if _waiting[0] >= QUEUE + WORKERS:
            raise Busy("the server is busy with other costly formulas")
        _waiting[0] += 1
    try:
        return _attempt(_slow, (module, name, args, seconds, MEMORY, NICENESS))
    finally:
        with _waiting_lock:
            _waiting[0] -= 1


def _attempt(lane: threading.BoundedSemaphore, job: tuple):
    """Run one job (module, name, args, seconds, memory, niceness) in a place of this lane."""
    seconds, memory = job[3], job[4]
    _place(lane)
    pid = None
    try:
        with _connect() as connection:
            connection.send(job)
            if connection.poll(START_SECONDS):
                pid = connection.recv()
            if pid is None or not connection.poll(WALL_SECONDS):
                raise Busy(f"it took longer than {WALL_SECONDS:g} s (the server is very busy)")
            status, value = connection.recv()
    except (EOFError, ConnectionError):  # the task died without a word: its memory cap or CPU limit stopped it
        raise TooCostly(f"it needs more than {memory >> 20} MiB of memory or {seconds:g} s of computing") from None
    finally:
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):  # it may have ended already
                os.kill(pid, signal.SIGKILL)
        lane.release()
    if status == "error":
        raise value
    return value


def wanted() -> bool:
    """Whether the visitor the calling thread works for is still there: always, unless the app replaces this
    (app.py asks Streamlit whether the session is still connected)."""
    return True


def _place(lane: threading.BoundedSemaphore) -> None:
    """Wait for a place in the lane; Busy past the deadline, or as soon as the visitor who asked has left (a
    closed tab's tasks do not queue ahead of those who stay)."""
    deadline = time.monotonic() + WALL_SECONDS
    while not lane.acquire(timeout=WAIT_POLL):
        if not wanted():
            raise Busy("the visitor who asked for it has left")
        if time.monotonic() > deadline:
            raise Busy(f"other formulas held the server for more than {WALL_SECONDS:g} s")


def serve(address: str, lifeline: int) -> None:
    """The fork server: import PRELOAD, then fork a process per connection until the lifeline closes."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended tasks are reaped by the kernel
    for module in PRELOAD:
        importlib.import_module(module)
    key = sys.stdin.buffer.read()
    with Listener(address, family="AF_UNIX", authkey=key) as listener:
        while True:
            ready, _, _ = select.select([listener._listener._socket, lifeline], [], [])
            if lifeline in ready:  # the app's process has ended
                return
            try:
                connection = listener.accept()
            except (OSError, EOFError):  # a caller that gave up, or failed the handshake
                continue
            if os.fork() == 0:
                listener.close()
                _task(connection)
            connection.close()


def _task(connection) -> None:
    """In the forked process: limits, then the task, its result (or exception) sent back."""
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        module, name, args, seconds, memory, niceness = connection.recv()
        os.nice(niceness)  # the server's own threads (other visitors' pages) come first
        connection.send(os.getpid())
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory,) * 2)
        signal.signal(signal.SIGPROF, _out_of_time)
        signal.signal(signal.SIGXCPU, _out_of_time)
        signal.setitimer(signal.ITIMER_PROF, seconds)  # CPU time of this process (a forked process starts at 0)
        whole = math.ceil(seconds) + 1  # a backstop for a long call in C, where the timer's signal waits: SIGKILL
        resource.setrlimit(resource.RLIMIT_CPU, (whole, whole + 1))
        try:
            result = ("ok", getattr(importlib.import_module(module), name)(*args))
        except OutOfTime:
            result = ("error", TooCostly(f"it needs more than {seconds:g} s of computing"))
        except MemoryError:
            result = ("error", TooCostly(f"it needs more than {memory >> 20} MiB of memory"))
        except Exception as error:  # noqa: BLE001 (sent to the caller, who raises it)
            result = ("error", error)
        try:
            connection.send(result)
        except Exception as error:  # noqa: BLE001 (an exception that does not pickle)
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(0)


class OutOfTime(BaseException):
    """A task's CPU time is spent (a BaseException: no `except Exception` inside the task swallows it)."""


def _out_of_time(signum, frame):
    raise OutOfTime


def _address_space() -> int:
    """This process's virtual memory now, in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


class _Cache:
    """Least recently used results (or exceptions) by key, within a budget of pickled bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.bytes = max_bytes, 0
        self.entries: collections.OrderedDict = collections.OrderedDict()  # key -> (outcome, size)
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key][0]
        return None

    def put(self, key, outcome) -> None:
        size = len(pickle.dumps(outcome)) + len(pickle.dumps(key))
        with self.lock:
            if key in self.entries:
                self.bytes -= self.entries.pop(key)[1]
            if size > self.max_bytes:
                return
            self.entries[key] = (outcome, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                self.bytes -= self.entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bytes = 0


def task(function=None, *, max_bytes: int = CACHE_BYTES, seconds: float = SECONDS):
    """Decorator: the function runs in the sandbox, found there by its module and name; its results and its
    ValueErrors (refusals, with their message, TooCostly among them) are cached by arguments; Busy is not cached
    (the next try may find the server less busy)."""
    if function is None:
        return functools.partial(task, max_bytes=max_bytes, seconds=seconds)
    cache = _Cache(max_bytes)

    @functools.wraps(function)
    def sandboxed(*args):
        outcome = cache.get(args)
        if outcome is None:
            try:
                result = function(*args) if _in_worker else run(function.__module__, function.__name__, *args,
                                                                   seconds=seconds)
                outcome = ("ok", result)
            except Busy:
                raise
            except ValueError as error:
                outcome = ("error", error)
            cache.put(args, outcome)
        if outcome[0] == "error":
            raise outcome[1]
        return outcome[1]

    sandboxed.cache_clear = cache.clear
    sandboxed.remember = lambda value, *args: cache.put(args, ("ok", value))
    sandboxed.cache = cache
    return sandboxed
