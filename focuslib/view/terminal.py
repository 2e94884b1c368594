"""The one writer of focus's stdout.

On an interactive terminal with color on ("fancy"), the status sits on the
last line and is redrawn under each batch of chat lines (carriage return +
erase line), and a line written with a `key` can be rewritten in place later
(`replace`: a deleted chat message) while it is still on screen: save cursor,
cursor up, erase, restore cursor.  Those are the only non-SGR sequences focus
ever writes, and only there.  Anywhere else -- a pipe, a file, tmux
pipe-pane, NO_COLOR -- a status change is printed as an ordinary line and
nothing is ever rewritten.  With focus's input line on, lines go through
prompt_toolkit (runtime/inputline.py) in the plain mode and the status goes to
its toolbar (`status_sink`).  Lines are written in batches and flushed when the
batch ends, so a burst costs one write and a quiet moment never leaves a line
waiting.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from typing import Callable, Hashable, TextIO


from focuslib.view.layout import cut, text_width
from focuslib.text import sanitize

CLEAR_LINE = "\r\x1b[2K"
_SGR = re.compile("\x1b\\[[0-9;]*m")
KEEP_PLACES = 1024  # keyed lines remembered for `replace` (more than any screen shows)


def terminal_size(override: tuple[int, int] = (0, 0)) -> os.terminal_size:
    """Like shutil.get_terminal_size (COLUMNS/LINES, then stdout, else 80x24), without importing shutil and its
    compression modules on the way to the first subscription.  `override` is (COLUMNS, LINES) as
    focuslib/settings.py read them at start (0: not set): the view never reads the environment itself."""
    try:
        size = os.get_terminal_size(1)
    except OSError:
        size = os.terminal_size((80, 24))
    columns, lines = override[0] or size.columns, override[1] or size.lines
    # A fresh pty can report 0x0: like shutil, fall back rather than wrap to nothing.
    return os.terminal_size((columns if columns > 0 else 80, lines if lines > 0 else 24))


class Terminal:
    def __init__(self, out: TextIO, *, fancy: bool, status_prefix: str = "-- ",
                 status_sink: Callable[[str], None] | None = None,
                 size: Callable[[], os.terminal_size] = terminal_size) -> None:
        self.out = out
        self.size = size  # the terminal's size now (runtime/setup.py passes COLUMNS/LINES as settings read them)
        self.fancy = fancy
        self._sink = status_sink  # shows the status somewhere else (the input line's toolbar)
        self._status = ""
        self._status_shown = False
        self._prefix = status_prefix
        self._buf: list[str] = []
        self._bell = False
        self.cut_short = False  # the stop interrupted a write (the devlog says output was dropped)
        self.columns = 80  # the width lines were wrapped to (fancy mode counts rows with it)
        self._row = 0  # rows written above the status line so far
        self._rows: list[int | None] = []  # per buffered line: its rows, None = count at flush
        self._keys: dict[Hashable, int] = {}  # key -> index in _buf, until flushed
        self._places: OrderedDict[Hashable, tuple[int, int]] = OrderedDict()  # key -> (first row, rows)
        self._drops = 0  # lines the stream dropped (runtime/backlog.py) when rows were last counted

    @property
    def live_status(self) -> bool:
        """The status is redrawn in place (a terminal's last line, or the input line's toolbar), not printed."""
        return self.fancy or self._sink is not None

    def line(self, text: str, key: Hashable | None = None, rows: int | None = None) -> None:
        """Queue one output line (no newline) for the next `flush`.

        `key` names the line for a later `replace`; `rows` is how many terminal
        rows it takes (counted here when not given)."""
        self._buf.append(text)
        if self.fancy:
            self._rows.append(rows)
            if key is not None:
                self._keys[key] = len(self._buf) - 1

    def bell(self) -> None:
        """Ring the terminal bell with the next flush (the caller checks stdout is a terminal)."""
        self._bell = True

    def replace(self, key: Hashable, text: str, rows: int = 1) -> bool:
        """Rewrite the line written with `key`, if the terminal allows and it is still on screen."""
        if not self.fancy:
            return False
        index = self._keys.get(key)
        if index is not None:  # not written yet
            self._buf[index] = text
            self._rows[index] = rows
            return True
        drops = getattr(self.out, "drops", 0)
        if drops != self._drops:  # lines a stuck terminal never got: the rows above are not what was counted
            self._drops = drops
            self._places.clear()
        place = self._places.get(key)
        if place is None:
            return False
        first, old_rows = place
        up = self._row - first
        if rows > old_rows or up >= self.size().lines:
            return False
        parts = ["\x1b7", f"\x1b[{up}A\r"]
        new = text.split("\n")
        for k in range(old_rows):
            if k:
                parts.append("\x1b[1B\r")
            parts.append("\x1b[2K")
            if k < len(new):
                parts.append(new[k])
        parts.append("\x1b8")
        self.out.write("".join(parts))
        self.out.flush()
        return True

    def resized(self, columns: int) -> None:
        """The terminal changed width: rows on screen reflowed, so forget where lines are."""
        self.columns = max(1, columns)
        self._places.clear()

    def status(self, text: str) -> None:
        """Change the status; shown at the next flush."""
        text = sanitize(text)
        if text == self._status:
            return
        self._status = text
        if self._sink is not None:
            self._sink(text)
        elif self.fancy:
            self._status_shown = False
        else:
            self._buf.append(self._prefix + text)

    def flush(self) -> None:
        if not self._buf and (self._status_shown or not self.fancy):
            return
        if self.fancy:
            parts = [CLEAR_LINE]
            if self._buf:
                self._place_rows()
                parts.append("\n".join(self._buf))
                parts.append("\n")
            parts.append(self._status_line())
            self._status_shown = True
            data = "".join(parts)
        else:
            data = "\n".join(self._buf) + "\n"
        if self._bell:
            data += "\a"
            self._bell = False
        self._buf.clear()
        try:
            self.out.write(data)
            self.out.flush()
        except KeyboardInterrupt:  # Ctrl-C/SIGTERM cut a write to a blocked stdout short: its rest is lost
            self.cut_short = True
            raise

    def close(self) -> None:
        """Flush, and leave the cursor on a fresh line.

        While focus stops, stdout does not block (runtime/stopguard.py): what it
        cannot take now stays in the stream's buffer for the stop's last flush."""
        try:
            self.flush()
            if self.fancy and self._status_shown:
                self._status_shown = False
                self.out.write(CLEAR_LINE)
                self.out.flush()
        except BlockingIOError:
            pass

    def _place_rows(self) -> None:
        keyed = {index: key for key, index in self._keys.items()}
        places = self._places
        for index, text in enumerate(self._buf):
            rows = self._rows[index]
            if rows is None:
                rows = self._count_rows(text)
            key = keyed.get(index)
            if key is not None:
                places[key] = (self._row, rows)
                if len(places) > KEEP_PLACES:
                    places.popitem(last=False)
            self._row += rows
        self._rows.clear()
        self._keys.clear()

    def _count_rows(self, text: str) -> int:
        columns = self.columns
        rows = 0
        for part in text.split("\n"):
            w = text_width(_SGR.sub("", part))
            rows += max(1, -(-w // columns))
        return rows

    def _status_line(self) -> str:
        width = self.size().columns - 1
        return f"\x1b[2m{cut(self._prefix + self._status, max(1, width))}\x1b[0m"
