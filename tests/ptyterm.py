"""focus.py in a real pseudo-terminal, its screen read through a VT emulator (pyte).

`PtyFocus` starts focus.py as a child whose stdin, stdout and stderr are the
slave side of a pty; a reader thread feeds everything the child writes into a
`pyte.Screen`, and tests wait on that screen (never on time).  Keys are sent
as bytes the terminal would send (Ctrl-C is "\\x03": the line discipline is
the child's business, as in a real terminal).
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

import pyte

from conftest import ROOT, t


class TextHistoryScreen(pyte.HistoryScreen):
    """pyte's screen with history, which also keeps each row that scrolls off as text, made once as it goes.

    `scrollback()` is asked on every chunk a burst brings; turning 5,000 rows of character cells into text
    each time cost the test more CPU than focus spent drawing them (a timeout on a loaded machine)."""

    def __init__(self, columns: int, lines: int, history: int) -> None:
        self.top_text: deque[str] = deque(maxlen=history)
        super().__init__(columns, lines, history=history)

    def index(self) -> None:
        top, bottom = self.margins or pyte.screens.Margins(0, self.lines - 1)
        # As a terminal does (xterm, VTE, tmux): a row goes to the scrollback only when it leaves the screen's
        # first row; one scrolled out of a region below it (screen mode's pane, under its header) is gone.
        if self.cursor.y == bottom and top == 0:
            line = self.buffer[top]
            self.top_text.append("".join(line[x].data for x in range(self.columns)).rstrip())
        super().index()

    def reset(self) -> None:
        super().reset()
        self.top_text.clear()


class PtyFocus:
    def __init__(self, env: dict[str, str], args: list[str] = (), *, cols: int = 100, rows: int = 30,
                 stdin_devnull: bool = False, script: Path | None = None, argv: list[str] | None = None,
                 cwd: Path | None = None, screen: bool = False) -> None:
        """focus.py (or `script`) with `args`; or any program: `argv` (a shell, a Python REPL).

        Line mode (FOCUS_SCREEN=lines) unless `screen`: the tests of the input line and of lines on a terminal
        test line mode's behaviour; screen mode's tests ask for it (tests/test_screen_*.py)."""
        self.screen = TextHistoryScreen(cols, rows, history=5000)  # rows scrolled off are kept
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._cond = threading.Condition()
        self._changes = 0  # counts what the reader brought, under _cond: a wait_for never misses one
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
        self.proc = subprocess.Popen(
            argv or [sys.executable, str(script or ROOT / "focus.py"), *args],
            stdin=subprocess.DEVNULL if stdin_devnull else slave, stdout=slave, stderr=slave,
            env={**clean, **({} if screen else {"FOCUS_SCREEN": "lines"}), **env, "COLUMNS": str(cols),
                 "LINES": str(rows)}, cwd=cwd or ROOT / "tests",
            start_new_session=True, pass_fds=(), close_fds=True,
            preexec_fn=lambda: fcntl.ioctl(0 if not stdin_devnull else 1, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.closed = False
        self.emulating = True  # feed what is read to the VT emulator (slow_raw_reader turns it off)
        self.rate: float | None = None
        self.reading = threading.Event()  # cleared: nobody reads the terminal (a paused or stuck one)
        self.reading.set()
        self.read_rate: int | None = None  # bytes a second the terminal takes (a slow one: SSH, a big scrollback)
        self.reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            self.reading.wait()
            rate = self.read_rate
            try:
                data = os.read(self.master, 4096 if rate else 65536)
            except OSError:
                data = b""
            if rate and data:
                time.sleep(len(data) / rate)  # the slow terminal itself (not a wait for focus)
            with self._cond:
                self._changes += 1
                if not data:
                    self.closed = True
                    self._cond.notify_all()
                    return
                self.raw += data
                # Answer cursor position requests as a terminal does (prompt_toolkit asks, to
                # know how many rows it has under the cursor), at the point of the request.
                parts = data.split(b"\x1b[6n")
                for k, part in enumerate(parts):
                    if self.emulating:
                        self.stream.feed(part)
                    if k < len(parts) - 1:
                        cursor = self.screen.cursor
                        try:
                            os.write(self.master, f"\x1b[{cursor.y + 1};{cursor.x + 1}R".encode())
                        except OSError:
                            pass
                self._cond.notify_all()
            if self.rate:  # a slow terminal: at most `rate` bytes a second
                time.sleep(len(data) / self.rate)

    def slow_raw_reader(self, rate: float) -> None:
        """From now on read like a slow terminal that draws nothing: `rate` bytes a second, only `raw` grows.

        The VT emulator costs the test ~20 us of CPU a byte; a test about what arrives (not how the screen
        looks) reads a megabyte this way in seconds of wall time and next to no CPU.  The screen stays as it
        was, and cursor position requests are answered with where its cursor was."""
        with self._cond:
            self.emulating = False
            self.rate = rate

    # -- reading the screen ------------------------------------------------------------------

    def rows(self) -> list[str]:
        with self._cond:
            return [row.rstrip() for row in self.screen.display]

    def scrollback(self) -> list[str]:
        """Every row the terminal showed: those scrolled off the top, then the screen."""
        with self._cond:
            top = list(self.screen.top_text)
        return top + self.rows()

    def text(self) -> str:
        return "\n".join(self.rows())

    def cursor_row(self) -> str:
        with self._cond:
            return self.screen.display[self.screen.cursor.y].rstrip()

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
        deadline = time.monotonic() + t(timeout)
        with self._cond:
            while True:
                # The predicate runs without the lock (the reader goes on meanwhile): what the reader brings
                # during it is seen by the count, not lost as a notify nobody waited for (the wait then ran
                # to its timeout, 15 s, and passed on the last look).
                changes = self._changes
                self._cond.release()
                try:
                    value = predicate()
                finally:
                    self._cond.acquire()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0 or self.closed and not value:
                    if self.closed:
                        value = predicate()
                        if value:
                            return value
                    raise AssertionError(f"timed out waiting for {what or 'the screen'}; screen:\n"
                                         + "\n".join(r.rstrip() for r in self.screen.display))
                if self._changes == changes:
                    self._cond.wait(left)

    def wait_text(self, needle: str, timeout: float = 15.0) -> None:
        self.wait_for(lambda: needle in self.text(), timeout, repr(needle))

    def wait_raw(self, needle: bytes, timeout: float = 15.0) -> None:
        self.wait_for(lambda: needle in bytes(self.raw), timeout, repr(needle))

    # -- typing --------------------------------------------------------------------------------

    def send(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def resize(self, rows: int, cols: int) -> None:
        """Resize the terminal as a window manager would: the kernel sends SIGWINCH to the foreground."""
        with self._cond:
            self.screen.resize(rows, cols)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def exit_code(self, timeout: float = 10.0) -> int:
        """The exit status, once what the process wrote before it ended is read too (to the terminal's EOF):
        a test that then looked at `raw` missed focus's last bytes (leaving the alternate screen) on a loaded
        machine.  A reader that is paused or reads slowly on purpose is not waited for."""
        code = self.proc.wait(t(timeout))
        if self.reading.is_set() and not self.read_rate and not self.rate:
            self.reader.join(t(5))
        return code

    def close(self) -> None:
        self.reading.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(t(5))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(t(5))
        try:
            os.close(self.master)
        except OSError:
            pass
