"""The chat pane's lines: bounded, keyed, and every keyed line can be taken back wherever it is.

The main thread adds lines (`add`) and takes them back (`replace`, `remove`); the screen's thread reads the ones
in view (`window`).  One lock guards both sides and is held only for list work, never while the terminal is
written, so chat never waits for the screen.

Memory is bounded twice: at most `limit` lines (10,000) and at most `chars` characters of text in all (4 Mi:
with CPython's at most 4 bytes a character, 16 MiB of text in the worst case, ~1 MiB for 10,000 lines of
~100 characters), each line cut at `LINE_CHARS`; the oldest lines go first.  A line is never deleted from
the middle (`FOCUS_REMOVED=hide` marks it hidden), so a line's place is its sequence number minus the first
one's, and a scrolled view (`top`) stays where it is while chat comes in below it.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Hashable

LIMIT = 10_000  # lines the pane keeps
CHARS = 4 * 1024 * 1024  # characters of text the pane keeps in all
LINE_CHARS = 8 * 1024  # one line at most (a chat message is at most 500 characters, colors and wrapping added)
_SGR = re.compile("\x1b\\[[0-9;]*m")


def plain(text: str) -> str:
    """`text` without its colors (what /find searches)."""
    return _SGR.sub("", text)


@dataclass(slots=True)
class Entry:
    seq: int
    text: str
    key: Hashable | None = None
    hidden: bool = False
    version: int = 0  # changes on every replace (the screen's cache of drawn lines keys on it)
    width: int = 0  # the columns its text is wrapped for (0: never wrapped); drawn at another, it is wrapped again


class Pane:
    def __init__(self, limit: int = LIMIT, chars: int = CHARS) -> None:
        self.limit = limit
        self.chars = chars
        self.lock = threading.Lock()
        self._lines: deque[Entry] = deque()
        self._keys: dict[Hashable, Entry] = {}
        self._size = 0  # characters held
        self._next = 0  # the next line's sequence number
        self.bottom: int | None = None  # the last line in view when scrolled back; None: follow new chat

    # -- the main thread ---------------------------------------------------------------------------

    def add(self, text: str, key: Hashable | None = None, width: int = 0) -> None:
        text = text[:LINE_CHARS]
        with self.lock:
            entry = Entry(self._next, text, key, width=width)
            self._next += 1
            self._lines.append(entry)
            self._size += len(text)
            if key is not None:
                self._keys[key] = entry
            while len(self._lines) > self.limit or self._size > self.chars and len(self._lines) > 1:  # newest stays
                self._drop_oldest()

    def replace(self, key: Hashable, text: str, width: int = 0) -> bool:
        """Rewrite the line written with `key`, wherever it is; False when the pane no longer has it."""
        text = text[:LINE_CHARS]
        with self.lock:
            entry = self._keys.get(key)
            if entry is None or entry.hidden:
                return False
            self._size += len(text) - len(entry.text)
            entry.text = text
            entry.width = width
            entry.version += 1
            return True

    def hide(self, key: Hashable) -> bool:
        """Take the line written with `key` off the pane without a trace."""
        with self.lock:
            entry = self._keys.pop(key, None)
            if entry is None:
                return False
            self._size -= len(entry.text)
            entry.text = ""
            entry.hidden = True
            entry.version += 1
            return True

    def has(self, key: Hashable) -> bool:
        with self.lock:
            return key in self._keys

    # -- scrolling (the screen's thread) -----------------------------------------------------------

    @property
    def last(self) -> int:
        return self._next - 1

    def waiting(self) -> int:
        """Lines that came below a scrolled view."""
        with self.lock:
            return 0 if self.bottom is None else max(0, self.last - self.bottom)

    def scroll(self, lines: int) -> None:
        """Move the view `lines` up (negative: down); reaching the newest line follows chat again."""
        with self.lock:
            if not self._lines:
                return
            first = self._lines[0].seq
            bottom = self.last if self.bottom is None else self.bottom
            bottom = min(self.last, max(first, bottom - lines))
            self.bottom = None if bottom >= self.last else bottom

    def home(self) -> None:
        with self.lock:
            if self._lines:
                self.bottom = self._lines[0].seq

    def end(self) -> None:
        with self.lock:
            self.bottom = None

    def show(self, seq: int) -> None:
        """Scroll so that line `seq` is the last in view."""
        with self.lock:
            self.bottom = None if seq >= self.last else seq

    def window(self, count: int) -> list[Entry]:
        """Up to `count` visible lines ending at the view's bottom, oldest first (copies' worth of references)."""
        with self.lock:
            lines = self._lines
            if not lines:
                return []
            first = lines[0].seq
            if self.bottom is not None and self.bottom < first:  # the view's lines were dropped: show the oldest
                self.bottom = first
            end = (self.last if self.bottom is None else self.bottom) - first
            out: list[Entry] = []
            index = end
            while index >= 0 and len(out) < count:
                entry = lines[index]
                if not entry.hidden:
                    out.append(entry)
                index -= 1
            out.reverse()
            if self.bottom is not None and len(out) < count:  # scrolled to the top: fill the view downwards
                index = end + 1
                while index < len(lines) and len(out) < count:
                    if not lines[index].hidden:
                        out.append(lines[index])
                    index += 1
                self.bottom = None if index >= len(lines) else lines[index - 1].seq
            return out

    def find(self, needle: str, before: int | None, forward: bool = False) -> int | None:
        """The sequence number of the nearest line containing `needle` (any case) before (or after) `before`."""
        needle = needle.casefold()
        with self.lock:
            if not self._lines or not needle:
                return None
            first = self._lines[0].seq
            start = self.last if before is None else before
            order = range(start + 1 - first, len(self._lines)) if forward else range(start - 1 - first, -1, -1)
            if before is None and not forward:
                order = range(len(self._lines) - 1, -1, -1)
            for index in order:
                entry = self._lines[index]
                if not entry.hidden and needle in plain(entry.text).casefold():
                    return entry.seq
            return None

    def __len__(self) -> int:
        with self.lock:
            return len(self._lines)

    def size(self) -> int:
        with self.lock:
            return self._size

    def _drop_oldest(self) -> None:
        entry = self._lines.popleft()
        self._size -= len(entry.text)
        if entry.key is not None and self._keys.get(entry.key) is entry:
            del self._keys[entry.key]
