"""What waits for a terminal that is slower than chat: bounded, oldest dropped first, every drop counted.

Both of focus's stdout writers keep one (runtime/screenout.py above the input
line, runtime/outwriter.py on a pipe or a terminal without it).  A terminal
that takes output, however slowly, loses nothing short of `hard` characters
waiting (a raid burst is drawn in full, late); one that has taken nothing for a
while (`stuck`: paused, unread, a stuck SSH session) keeps only the newest
`limit` characters.  The newest chat is what the streamer wants when the
terminal comes back, so the oldest whole chunks go, and the writer puts one
quiet line in their place saying how many lines were skipped.
"""

from __future__ import annotations

import threading
from collections import deque

# Characters waiting for a terminal that stopped taking output: ~40,000 chat lines, over a minute of the
# busiest chat.  A terminal that takes output may fall behind by up to HARD_LIMIT (a 20,000-message burst
# drawn with colors is ~4 MB) before anything is dropped.
LIMIT = 4 * 1024 * 1024
HARD_LIMIT = 32 * 1024 * 1024
STUCK_SECONDS = 1.0  # a write the terminal has not taken in this long: the terminal is stuck


class Backlog:
    """Chunks of text (each one write's worth of whole lines) waiting for the terminal.

    `cond` guards everything here; its holders call `add` and `take` with it held."""

    def __init__(self, *, limit: int | None = None, hard: int | None = None) -> None:
        self.cond = threading.Condition()
        self.limit = LIMIT if limit is None else limit  # looked up here: a test's focus sets smaller ones
        self.hard = HARD_LIMIT if hard is None else hard
        self.stuck = False  # the write in flight has waited STUCK_SECONDS: keep only `limit`
        self.size = 0  # characters waiting
        self.drops = 0  # lines dropped since the start (a terminal that rewrites lines forgets where they are)
        self._chunks: deque[str] = deque()
        self._dropped = 0  # lines dropped since the last `take` (its quiet line)
        self._unreported = 0  # lines dropped since the last `unreported` (the devlog's count)

    def __bool__(self) -> bool:
        return bool(self._chunks)

    def add(self, chunk: str) -> None:
        """Queue `chunk`; over the limit, drop the oldest whole chunks (lock held)."""
        self._chunks.append(chunk)
        self.size += len(chunk)
        self._trim()

    def take(self, most: int | None = None) -> tuple[str, int]:
        """What waits, joined (whole chunks, at least one, up to `most` characters if given; else all), and
        how many lines were dropped before it (lock held).  What is left stays droppable."""
        if most is None:
            taken = list(self._chunks)
            self._chunks.clear()
        else:
            taken, size = [], 0
            while self._chunks and (not taken or size + len(self._chunks[0]) <= most):
                taken.append(self._chunks.popleft())
                size += len(taken[-1])
        text = "".join(taken)
        self.size -= len(text)
        dropped, self._dropped = self._dropped, 0
        return text, dropped

    def discard(self) -> None:
        """Drop everything waiting, counted like any drop (lock held): a stop that cannot wait any longer."""
        while self._chunks:
            self._drop_oldest()

    def set_stuck(self, stuck: bool) -> None:
        """The terminal has (not) taken anything for STUCK_SECONDS; stuck, the backlog shrinks to `limit` now."""
        with self.cond:
            self.stuck = stuck
            self._trim()

    def unreported(self) -> int:
        """Lines dropped since the last call (for the devlog, told while the terminal is still stuck too)."""
        with self.cond:
            n, self._unreported = self._unreported, 0
        return n

    def _trim(self) -> None:
        limit = self.limit if self.stuck else self.hard
        while self.size > limit and self._chunks:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        old = self._chunks.popleft()
        self.size -= len(old)
        n = old.count("\n") or 1
        self._dropped += n
        self._unreported += n
        self.drops += n


def skipped_text(n: int) -> str:
    """The quiet line that stands for `n` dropped lines (no newline, no color)."""
    return f"… {n} line{'s' if n != 1 else ''} skipped: the terminal did not take them in time"


__all__ = ["HARD_LIMIT", "LIMIT", "STUCK_SECONDS", "Backlog", "skipped_text"]
