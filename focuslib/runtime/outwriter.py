"""focus's stdout without the input line (a pipe, or a terminal with --no-input): a stream that never blocks.

A pipe nobody reads (`focus.py | tee log` with a stuck reader) or a terminal
paused with Ctrl-S takes nothing, and a blocking write would hold the main
thread: no frame handled, so none reached the history or the devlog, and
after 12 s the keepalive watchdog took the silence for a dead connection and
reconnected, dropping chat that had arrived.  This stream keeps the main
thread out of every wait:

* the main thread writes through a private non-blocking open of the same
  pipe or terminal (`/proc/self/fd/1`: a new open file description, so the
  shell sharing ours never sees O_NONBLOCK).  While nothing waits, a write
  goes out at once, as before (one system call, no hand-over);
* what the pipe or terminal does not take waits in a bounded backlog
  (runtime/backlog.py) that a thread of its own writes as soon as poll(2)
  says it can, oldest dropped first when the terminal is stuck, with one
  quiet line saying how many; `on_drop` tells the devlog;
* where no private open exists (no /proc), every write goes through the
  thread, which may then block in write(2): only that thread waits.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import threading
import time
from typing import Callable, TextIO

from focuslib import threads
from focuslib.runtime.backlog import STUCK_SECONDS, Backlog, skipped_text
from focuslib.view.terminal import CLEAR_LINE

TAKE = 64 * 1024  # characters the thread takes at a time (a pipe's worth)
POLL_SECONDS = 0.05  # how often the thread looks at the clock while the terminal takes nothing


def private_fd(fd: int) -> tuple[int, bool] | None:
    """A descriptor of its own for `fd`'s pipe or terminal, and whether it is non-blocking; None for a file
    (which never blocks for long) or no stdout at all."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return None
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        return None
    try:
        return os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC), True
    except OSError:  # no /proc (macOS), or the pipe's reader is gone
        try:
            return os.dup(fd), False
        except OSError:
            return None


class OutWriter:
    """A text stream (`write`, `flush`) over a pipe or terminal for the main thread; never blocks it."""

    def __init__(self, fd: int, *, encoding: str = "utf-8", skipped: Callable[[int], str],
                 on_drop: Callable[[int], None] = lambda n: None, backlog: Backlog | None = None,
                 stuck_after: float = STUCK_SECONDS) -> None:
        found = private_fd(fd)
        if found is None:
            raise ValueError("not a pipe or a terminal")
        self._fd, self._nonblocking = found
        self._orig = fd
        self.encoding = encoding
        self.skipped = skipped  # the quiet line for n dropped lines, as the terminal shows it
        self.on_drop = on_drop
        self.backlog = backlog if backlog is not None else Backlog()
        self.stuck_after = stuck_after  # seconds without taking anything: the terminal is stuck
        self._cond = self.backlog.cond
        self._head = b""  # bytes of a write already begun: they go out before anything else, never dropped
        self._busy = False  # the thread holds text it took from the backlog
        self._broken: OSError | None = None  # the reader went away (EPIPE): the main thread hears it
        self._closing = False
        self._give_up_at: float | None = None
        self.closed = False
        self._left = False  # the last close() found something unwritten
        self.errors = "replace"
        self._thread = threading.Thread(target=self._run, name="stdout-writer", daemon=True)
        threads.start(self._thread)

    # -- the stream (main thread) ------------------------------------------------------------

    def write(self, data: str) -> int:
        if not data:
            return 0
        with self._cond:
            if self._broken is not None:
                raise BrokenPipeError(errno.EPIPE, "the reader of focus's output went away")
            if self._closing:
                return len(data)  # after the stop's last wait: nothing more is waited for
            if self._nonblocking and not self._head and not self._busy and not self.backlog:
                raw = data.encode(self.encoding, self.errors)
                try:
                    n = os.write(self._fd, raw)
                except BlockingIOError:
                    n = 0
                except BrokenPipeError:
                    raise
                if n == len(raw):
                    return len(data)
                self._head = raw[n:]  # the rest of a line begun: it goes first, whole
            else:
                self.backlog.add(data)
            self._cond.notify()
        return len(data)

    def flush(self) -> None:
        pass  # nothing is held back: what the terminal did not take is the thread's

    def fileno(self) -> int:
        return self._orig

    def isatty(self) -> bool:
        return os.isatty(self._orig)

    @property
    def drops(self) -> int:
        """Lines dropped so far (a terminal that rewrites lines in place forgets where they are)."""
        return self.backlog.drops

    def pending(self) -> int:
        """Bytes and characters still waiting for the terminal."""
        with self._cond:
            return len(self._head) + self.backlog.size

    def close(self, timeout: float = 1.0) -> bool:
        """Wait up to `timeout` for what waits to be written, then stop; True if all of it was.

        Called twice in a run (the stop's last wait, then the tear-down): the descriptor is closed once, by the
        call that finds the thread ended (a second os.close would close whatever file took its number in
        between), and each call answers with what was written by then."""
        with self._cond:
            if not self._closing:
                self._give_up_at = time.monotonic() + max(0.0, timeout)
                self._closing = True
                self._cond.notify_all()
        self._thread.join(max(0.0, timeout) + POLL_SECONDS)
        ended = not self._thread.is_alive()
        fd = -1
        with self._cond:
            self.closed = True
            self._left = not ended or bool(self._head or self._busy or self.backlog)
            if ended:
                fd, self._fd = self._fd, -1
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
        return not self._left

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._head and not self.backlog and not self._closing:
                    self._cond.wait()
                if not self._head and not self.backlog:
                    return  # closing, and all was written
                head, self._head = self._head, b""
                text, dropped = self.backlog.take(TAKE)  # the rest stays droppable while this waits
                self._busy = True
            if dropped:
                text = self.skipped(dropped) + text
            self._report()
            ok = self._send(head + text.encode(self.encoding, self.errors))
            with self._cond:
                self._busy = False
                if not ok:
                    return

    def _send(self, data: bytes) -> bool:
        """Write all of `data`, waiting for the terminal; False if the reader left or the stop gave up."""
        view = memoryview(data)
        waited = 0.0
        while view:
            try:
                n = os.write(self._fd, view)
            except BlockingIOError:
                n = 0
            except OSError as exc:  # EPIPE and the like: nobody will ever read the rest
                with self._cond:
                    self._broken = exc
                    self.backlog.take()
                return False
            if n:
                view = view[n:]
                waited = 0.0
                if self.backlog.stuck:
                    self.backlog.set_stuck(False)  # it takes output again
                continue
            if self._give_up_at is not None and time.monotonic() >= self._give_up_at:
                with self._cond:
                    self._head = bytes(view)  # counted as left by close()
                return False
            poller = select.poll()
            poller.register(self._fd, select.POLLOUT)
            if not poller.poll(int(POLL_SECONDS * 1000)):
                waited += POLL_SECONDS
                if waited >= self.stuck_after and not self.backlog.stuck:
                    self.backlog.set_stuck(True)
                self._report()
        return True

    def _report(self) -> None:
        n = self.backlog.unreported()
        if n:
            try:
                self.on_drop(n)
            except Exception:  # the devlog's trouble is not the terminal's
                pass


def stdout_writer(out: TextIO, *, colored: bool, fancy: bool) -> OutWriter | None:
    """A writer for `out` when it is a pipe or a terminal; None for a file, a test's stream, or no stdout."""

    def skipped(n: int) -> str:
        text = f"\x1b[2m{skipped_text(n)}\x1b[0m" if colored else skipped_text(n)
        return (CLEAR_LINE if fancy else "") + text + "\n"  # fancy: over the status line the last write left

    try:
        fd = out.fileno()
        out.flush()
        return OutWriter(fd, encoding=getattr(out, "encoding", None) or "utf-8", skipped=skipped)
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both of the last two
        return None


__all__ = ["OutWriter", "private_fd", "stdout_writer"]
