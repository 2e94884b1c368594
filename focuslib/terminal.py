"""The one writer of focus's stdout.

On an interactive terminal with color on, the status sits on the last line and
is redrawn under each batch of chat lines (carriage return + erase line: the
only non-SGR sequences focus ever writes, and only there).  Anywhere else --
a pipe, a file, tmux pipe-pane, NO_COLOR -- a status change is printed as an
ordinary line.  Lines are written in batches and flushed when the batch ends,
so a burst costs one write and a quiet moment never leaves a line waiting.
"""

from __future__ import annotations

import shutil
from typing import TextIO

from wcwidth import wcswidth

from .text import sanitize

CLEAR_LINE = "\r\x1b[2K"


class Terminal:
    def __init__(self, out: TextIO, *, fancy: bool, status_prefix: str = "-- ") -> None:
        self.out = out
        self.fancy = fancy
        self._status = ""
        self._status_shown = False
        self._prefix = status_prefix
        self._buf: list[str] = []

    def line(self, text: str) -> None:
        """Queue one output line (no newline) for the next `flush`."""
        self._buf.append(text)

    def status(self, text: str) -> None:
        """Change the status; shown at the next flush."""
        text = sanitize(text)
        if text == self._status:
            return
        self._status = text
        if self.fancy:
            self._status_shown = False
        else:
            self._buf.append(self._prefix + text)

    def flush(self) -> None:
        if not self._buf and (self._status_shown or not self.fancy):
            return
        if self.fancy:
            parts = [CLEAR_LINE]
            if self._buf:
                parts.append("\n".join(self._buf))
                parts.append("\n")
            parts.append(self._status_line())
            self._status_shown = True
            data = "".join(parts)
        else:
            data = "\n".join(self._buf) + "\n"
        self._buf.clear()
        self.out.write(data)
        self.out.flush()

    def close(self) -> None:
        """Flush, and leave the cursor on a fresh line."""
        self.flush()
        if self.fancy and self._status_shown:
            self._status_shown = False
            self.out.write(CLEAR_LINE)
            self.out.flush()

    def _status_line(self) -> str:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        text = self._prefix + self._status
        if wcswidth(text) > width:
            while text and wcswidth(text) > max(1, width - 1):
                text = text[:-1]
            text += "…"
        return f"\x1b[2m{text}\x1b[0m"
