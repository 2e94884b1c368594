"""Every thread of focus starts with the stop signals blocked, so the kernel gives them to the main thread.

CPython runs a Python signal handler only in the main thread, and only once that thread gets back to
Python code.  Its C handler, in whichever thread the kernel picked, just sets a flag.  When the kernel
picked another thread (it may: any thread not blocking the signal can take a process's signal), the main
thread slept on in its wait (the inbox, a join) until something else woke it: Ctrl-C or SIGTERM waited for
the next event, a keepalive 10 s later (issue 12, a clean stop in every state).  A blocked signal is never
given to that thread, and a thread inherits the mask of the thread that starts it, so threads that
libraries start from ours (prompt_toolkit's, a Timer's) block them too.  `start` is the one way focuslib
starts a thread; the main thread keeps the signals unblocked (they stay blocked only inside `start`,
and a signal that comes then waits, pending, until they are unblocked again)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})

# How often an `http.server` loop (`serve_forever(poll_interval=...)`) looks whether `shutdown()` was called:
# the standard 0.5 s made every stop of make auth's server and of the simulated Twitch wait up to that long.
SERVE_POLL = 0.05


def start(thread: threading.Thread) -> threading.Thread:
    """`thread.start()` with the stop signals blocked in the new thread; returns the thread."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    return thread


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """The stop signals wait (pending) while the calling thread is inside; they are acted on after.

    For the main thread around imports of extension modules: a KeyboardInterrupt raised inside orjson's
    module initialisation crashed the interpreter (SIGSEGV), one stop in three that came during start-up's
    warm-up."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
