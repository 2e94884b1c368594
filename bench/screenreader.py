"""What a screen-mode focus shows, read as a terminal would: its pty output through a VT emulator (pyte).

In screen mode prompt_toolkit draws the whole screen and, from the second frame on, writes only the cells
that changed: a chat line that moved up a row is rewritten a character here and there, so its number is
never whole in the output bytes.  `ScreenReader` feeds the output to pyte and reads the numbers (`zq<N>`)
off the rows the emulator marks changed, once a frame is complete: a frame is drawn between prompt_toolkit's
"hide the cursor" and "show the cursor" (renderer.py), and a row read in the middle of one can show half of
an old number and half of a new one.

`count` is the newest number on screen plus one: the pane shows chat in order and a burst scrolls most lines
past between two frames (at most 60 a second, screen/frames.py REDRAW), so "shown" means the line, or a later
one, has been on screen.  `times` (when recording) holds when each number first appeared: the moment the
read that completed its frame returned.  The keystroke watch (`expect`) stays on the raw bytes: a typed
letter is one changed cell, written whole.
"""

from __future__ import annotations

from .clients import LineReader
from .frames import MARK_RE

try:
    import pyte
except ImportError:  # reported by `ScreenReader` when screen mode is measured (make bench installs it)
    pyte = None

HIDE_CURSOR = b"\x1b[?25l"  # prompt_toolkit starts every frame with it
SHOW_CURSOR = b"\x1b[?25h"  # ... and ends it with this while the desk's input line has the cursor


class ScreenReader(LineReader):
    def __init__(self, fd: int, rows: int, columns: int) -> None:
        super().__init__(fd)
        if pyte is None:
            from .clients import BenchError
            raise BenchError("the screen phase reads the terminal with pyte: run `make bench` "
                             "(it installs requirements-dev.txt) or .venv/bin/pip install pyte")
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)

    @property  # type: ignore[override]
    def tail(self) -> bytes:
        """The screen as text, for the bench's error lines (made only when one is)."""
        return "\n".join(row.rstrip() for row in self.screen.display).encode()[-2000:]

    @tail.setter
    def tail(self, value: bytes) -> None:
        pass  # LineReader keeps unnumbered output here; the screen is what this reader has

    def run(self) -> None:
        findall = MARK_RE.findall
        screen, feed = self.screen, self.stream.feed
        drawing = False  # inside a frame: its rows are not read yet
        end = b""  # the previous read's last bytes: a marker may straddle two reads
        for data, t in self.chunks():
            feed(data)
            seen, end = end + data, data[-(len(SHOW_CURSOR) - 1):]
            hide, show = seen.rfind(HIDE_CURSOR), seen.rfind(SHOW_CURSOR)
            if hide >= 0 or show >= 0:
                drawing = hide > show
            if drawing or not screen.dirty:
                continue
            buffer, columns = screen.buffer, screen.columns
            seqs: list[int] = []
            for y in screen.dirty:
                line = buffer[y]
                text = "".join(line[x].data for x in range(columns)).encode()
                seqs += map(int, findall(text))
            screen.dirty.clear()
            with self.cond:
                if seqs:
                    newest = max(seqs) + 1
                    if newest > self.count:
                        self.count, self.last = newest, t
                    if self.times is not None:
                        for s in seqs:
                            self.times.setdefault(s, t)
                self.cond.notify_all()
        self.ended()
