"""A flood gate: a small pure state machine with a deadline (no threads, no clock), used by the view (follows and
first-time chatters in a follow-bot attack, view/collapse.py) and by the chat memory (a wave of newly held chatters,
runtime/memory.py), so it sits in the base that both may use.

It lets items through until more than `limit` arrive within `window` seconds, then holds them and releases one
batch per window, until a window passes with nothing in it.  It takes the monotonic time with every call and says
when it next needs to run (`deadline()`); the App's main loop already sleeps until the nearest deadline.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")

FLOOD_LIMIT = 5  # items in FLOOD_WINDOW before they are collapsed into one summary line
FLOOD_WINDOW = 10.0  # seconds


class FloodGate(Generic[T]):
    def __init__(self, limit: int = FLOOD_LIMIT, window: float = FLOOD_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._recent: deque[float] = deque()
        self._held: list[T] = []
        self._until: float | None = None  # end of the current collapsed interval

    @property
    def collapsing(self) -> bool:
        return self._until is not None

    def add(self, item: T, now: float) -> bool:
        """True: show `item` now.  False: it is held for the next batch."""
        recent = self._recent
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        recent.append(now)
        if self._until is not None:
            self._held.append(item)
            return False
        if len(recent) > self.limit:
            self._until = now + self.window
            self._held.append(item)
            return False
        return True

    def deadline(self) -> float | None:
        return self._until

    def due(self, now: float) -> list[T]:
        """The batch of an interval that has ended (often empty); collapsing ends after an empty one."""
        if self._until is None or now < self._until:
            return []
        batch, self._held = self._held, []
        self._until = max(self._until + self.window, now) if batch else None
        return batch
