"""The main thread's way onto the screen: view/terminal.py's `Terminal` interface, backed by the pane.

The presenter, the chat memory and the App write lines, statuses and bells here as they do to a terminal.
Lines gather until `flush` (the end of a batch of frames), which adds them to the pane and asks the screen
for a redraw (`invalidate`: prompt_toolkit coalesces those, at most one redraw per `min_redraw_interval`),
so a raid costs a few redraws, not one per message.  Nothing here ever writes the terminal: chat never waits
for the screen.
"""

from __future__ import annotations

from typing import Callable, Hashable

from focuslib.screen.pane import Pane
from focuslib.text import sanitize

REMOVED = "\x1b[2m‹removed by a moderator›\x1b[0m"


class PaneWriter:
    fancy = True  # keyed lines can be rewritten (the presenter keys chat and AutoMod holds)
    live_status = True  # the status lives in the header, never printed as a line

    def __init__(self, pane: Pane, invalidate: Callable[[], None] = lambda: None, *, hide_removed: bool = False,
                 bell: Callable[[], None] = lambda: None) -> None:
        self.pane = pane
        self.invalidate = invalidate
        self.hide_removed = hide_removed  # FOCUS_REMOVED=hide: a removed line leaves no trace
        self.ring = bell  # the terminal's bell, rung by the screen's thread
        self._bell_due = False
        self._buf: list[tuple[str, Hashable | None, int]] = []  # and the columns the line is wrapped for
        self.status_text = ""
        self.columns = 80
        self.cut_short = False  # never: nothing here writes the terminal
        self.remembers = pane.limit  # the presenter remembers this many chat lines to take back (the pane's)
        self.on_status: Callable[[str], None] = lambda text: None

    def line(self, text: str, key: Hashable | None = None, rows: int | None = None) -> None:
        self._buf.append((text, key, self.columns))

    def replace(self, key: Hashable, text: str, rows: int = 1) -> bool:
        """Rewrite a keyed line, on screen or scrolled back, written or still waiting for `flush`."""
        for index, (_, waiting, _) in enumerate(self._buf):
            if waiting == key:
                self._buf[index] = (text, key, self.columns)
                return True
        if self.pane.replace(key, text, self.columns):
            self.invalidate()
            return True
        return False

    def remove(self, key: Hashable) -> bool:
        """A moderator removed this line's message: a dim placeholder, or nothing (FOCUS_REMOVED=hide)."""
        for index, (_, waiting, _) in enumerate(self._buf):
            if waiting == key:
                if self.hide_removed:
                    del self._buf[index]
                else:
                    self._buf[index] = (REMOVED, key, 0)
                return True
        done = self.pane.hide(key) if self.hide_removed else self.pane.replace(key, REMOVED)
        if done:
            self.invalidate()
        return done

    def bell(self) -> None:
        self._bell_due = True

    def status(self, text: str) -> None:
        text = sanitize(text)
        if text != self.status_text:
            self.status_text = text
            self.on_status(text)
            self.invalidate()

    def resized(self, columns: int) -> None:
        self.columns = max(1, columns)

    def flush(self) -> None:
        if self._buf:
            for text, key, columns in self._buf:  # columns: what the renderer wrapped it for (the screen re-wraps)
                self.pane.add(text, key, columns)
            self._buf.clear()
            self.invalidate()
        if self._bell_due:
            self._bell_due = False
            self.ring()

    def close(self) -> None:
        self.flush()
