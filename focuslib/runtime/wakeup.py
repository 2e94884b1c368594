"""A stop signal always wakes the main loop, however it finds the main thread (issue 12).

CPython's C signal handler only sets a flag; the Python handler (raising KeyboardInterrupt) runs when
the main thread is back in Python code.  A main thread already asleep in its inbox's lock wakes (the
kernel interrupts the wait, EINTR, and CPython runs the handler).  But a signal that comes a moment
before that sleep begins (after the last check of the flag, while the main thread is on its way into
the lock) interrupts nothing: the main thread slept on until the next inbox item, a keepalive 10 s or
more later.  Seen about one stop in ten right after chat, in a pty with the input line.

So the C handler also writes a byte to a pipe (`signal.set_wakeup_fd`, which it does in any thread),
and a thread blocked reading that pipe puts a wake-up on the inbox: the main loop's `get` returns and
the handler runs.  Idle costs nothing (a thread asleep in read()), no polling."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator

from focuslib import threads


@contextlib.contextmanager
def wake_on_signals(wake: Callable[[], None]) -> Iterator[None]:
    """While inside, every signal with a Python handler calls `wake` (from a thread of its own).

    Only in the main thread (the only one that may set the wakeup fd, and the only one whose waits
    signals interrupt); elsewhere (focus run by a test in a thread) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    r, w = os.pipe()
    os.set_blocking(w, False)  # the C handler must never block on it
    try:
        old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    except (ValueError, OSError):
        os.close(r)
        os.close(w)
        yield
        return
    waker = threads.start(threading.Thread(target=_relay, args=(r, wake), name="signal-wake", daemon=True))
    try:
        yield
    finally:
        signal.set_wakeup_fd(old)
        os.close(w)  # the relay reads end-of-file and ends
        waker.join(1.0)
        if not waker.is_alive():
            os.close(r)


def _relay(fd: int, wake: Callable[[], None]) -> None:
    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            return
        if not data:
            return
        wake()
