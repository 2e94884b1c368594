"""Stop wins over a blocked terminal (issue 12): focus ends within `STOP_LIMIT` seconds of Ctrl-C,
SIGTERM or `focus.py stop`, whatever its stdout does.

A pipe nobody reads, or a terminal paused with Ctrl-S (or whose reader
stopped reading), blocks every write to stdout, and stopping writes: the last
lines, the status line's erase, the recap.  So once the stop has begun:

- stdout (fd 1) is swapped for a private, non-blocking open of the same pipe
  or terminal (`/proc/self/fd/1`: a new open file description, so the shell
  that shares ours never sees O_NONBLOCK).  A write that would block raises
  BlockingIOError instead; what the stream could not hand over stays in its
  buffer.
- `drain` flushes that buffer, waiting for the pipe or terminal to take it
  (poll) until `OUTPUT_BUDGET` seconds after the stop began.  What is still
  unwritten then is dropped: fd 1 becomes /dev/null for the rest of the run
  (the recap included), and the caller says so in the devlog.
- a watchdog ends the process with the run's exit code (`os._exit`) if the
  stop is not over `WATCHDOG` seconds after it began *and* stdout is still
  blocked then (a stop slowed by a loaded machine is left to finish: it may
  be flushing the history).  That happens only when another thread is stuck
  in a write it began before the stop (the input line's prompt_toolkit, which
  makes the terminal blocking for its writes): it holds the stream's lock, and
  the interpreter's exit would wait for it, then abort.

Only the main thread calls `begin`, `drain` and `end`; the watchdog only exits.
"""

from __future__ import annotations

import os
import select
import stat
import threading
import time
from typing import Callable, TextIO

from focuslib import threads

STOP_LIMIT = 2.0  # seconds from the stop signal to the process's end, at most (docs/eventsub.md)
OUTPUT_BUDGET = 1.0  # seconds the stop's last writes may wait for a blocked stdout
WATCHDOG = 1.8  # seconds after `begin` the watchdog ends a stop still running (under STOP_LIMIT)


class StopGuard:
    """Bounds the writes of focus's stop, and the stop itself."""

    def __init__(self, fd: int = 1, *, budget: float = OUTPUT_BUDGET, limit: float = WATCHDOG) -> None:
        self.fd = fd
        self.budget = budget
        self.limit = limit
        self.dropped = False  # stdout was still blocked at the deadline: the rest went to /dev/null
        self.exit_code = 0  # what the watchdog exits with (the run's code, set by the caller)
        self.on_expire: Callable[[], None] | None = None  # last words before the watchdog exits
        self._deadline: float | None = None
        self._saved: int | None = None  # the blocking description, restored when all was written
        self._over = threading.Event()
        self._watchdog: threading.Thread | None = None

    @property
    def begun(self) -> bool:
        return self._deadline is not None

    def begin(self) -> None:
        """The stop has begun: writes to stdout stop blocking, the watchdog starts.  Idempotent."""
        if self._deadline is not None:
            return
        self._deadline = time.monotonic() + self.budget
        self._swap_nonblocking()
        self._watchdog = threading.Thread(target=self._watch, name="stop-watchdog", daemon=True)
        threads.start(self._watchdog)

    def left(self) -> float:
        """Seconds the stop's last writes may still wait (the whole budget before the stop began)."""
        if self._deadline is None:
            return self.budget
        return max(0.0, self._deadline - time.monotonic())

    def drain(self, stream: TextIO | None) -> bool:
        """Flush `stream` by the deadline; False (and stdout is /dev/null from now on) if it could not."""
        if self.dropped:
            return False
        if stream is None or self._deadline is None:
            return True
        while True:
            try:
                stream.flush()
                return True
            except BlockingIOError:
                pass
            except (OSError, ValueError):  # the reader left (EPIPE), the stream is closed: nothing to wait for
                return True
            left = self._deadline - time.monotonic()
            if left <= 0 or not self._writable(left):
                self._give_up(stream)
                return False

    def blocked(self) -> bool:
        """stdout takes nothing right now (for the input line's writer, whose output the guard cannot flush)."""
        saved = self._saved  # the description the writers of before the stop use
        try:
            return not self._writable(0, self.fd if saved is None else saved)
        except (OSError, ValueError):
            return False

    def end(self) -> None:
        """The stop is over: stdout blocks again if everything was written, and the watchdog stands down;
        if not, it keeps watching the exit too (stderr may be the same paused terminal)."""
        if not self.dropped:
            self._over.set()
        if self._saved is not None:
            if not self.dropped:
                os.dup2(self._saved, self.fd)
                os.close(self._saved)
                self._saved = None

    # -- inside -----------------------------------------------------------------------------

    def _swap_nonblocking(self) -> None:
        try:
            mode = os.fstat(self.fd).st_mode
        except OSError:  # no stdout at all (`>&-`)
            return
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            return  # a file or /dev/null never blocks for long; a socket is not focus's case
        try:
            private = os.open(f"/proc/self/fd/{self.fd}", os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError:  # no /proc, or the pipe's reader is gone (ENXIO): writes fail, they never block
            return
        try:
            self._saved = os.dup(self.fd)
            os.dup2(private, self.fd)
        finally:
            os.close(private)

    def _writable(self, timeout: float, fd: int | None = None) -> bool:
        poller = select.poll()
        poller.register(self.fd if fd is None else fd, select.POLLOUT)
        try:
            return bool(poller.poll(max(0, int(timeout * 1000))))
        except InterruptedError:  # another signal: look again
            return True

    def _give_up(self, stream: TextIO) -> None:
        self.dropped = True
        null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.dup2(null, self.fd)
        finally:
            os.close(null)
        try:
            stream.flush()  # what was buffered goes to /dev/null: the stream is empty and usable again
        except (OSError, ValueError):
            pass

    def _watch(self) -> None:
        wait = self.limit
        while not self._over.wait(wait):
            if self.blocked() and not self._over.is_set():
                try:
                    if self.on_expire is not None:
                        self.on_expire()
                finally:
                    os._exit(self.exit_code)
            wait = 0.1
