"""Keeping floods readable: small pure state machines with deadlines (no threads, no clock).

Each takes the monotonic time with every call and says when it next needs to
run (`deadline()`); the App's main loop already sleeps until the nearest
deadline, so nothing here polls.

* `FloodGate` (focuslib/floodgate.py, a base module: the chat memory's wave of
  held chatters uses it too): lets items through until more than `limit`
  arrive within `window` seconds, then one batch per window.
* `GiftBombs`: collects the recipients of a gift bomb under its community gift
  id until all of them arrived or the bomb has been quiet for `wait` seconds.
* `Throttle`: the first update of a thing (a hype train, a poll) at once, then
  at most one per `interval`, the latest winning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from focuslib.floodgate import FLOOD_LIMIT, FLOOD_WINDOW, FloodGate  # the presenter's defaults, re-exported

T = TypeVar("T")
__all__ = ["FLOOD_LIMIT", "FLOOD_WINDOW", "GIFT_WAIT", "Bomb", "FloodGate", "GiftBombs", "Throttle"]

# The presenter's defaults (set-up passes them on; tests pass shorter ones through runtime's Options).
GIFT_WAIT = 5.0  # seconds a gift bomb's recipients are gathered before their line


@dataclass
class Bomb:
    gift_id: str
    gifter: Any = None  # User, or None when anonymous / not yet known
    tier: str = ""
    total: int = 0  # 0 until the bomb itself is known
    announced: bool = False  # its "is gifting N subs" line is on screen
    recipients: list[Any] = field(default_factory=list)
    deadline: float = 0.0
    total_said: bool = False  # the gifter's "N gifted in total" is on screen (a notice may lack it)


class GiftBombs:
    def __init__(self, wait: float = GIFT_WAIT) -> None:
        self.wait = wait
        self.open: dict[str, Bomb] = {}

    def bomb(self, gift_id: str, gifter: Any, tier: str, total: int, now: float) -> Bomb:
        """The bomb itself arrived (announce it now); it may already hold recipients."""
        b = self.open.get(gift_id) or Bomb(gift_id)
        b.gifter, b.tier, b.total, b.announced = gifter, tier, total, True
        b.deadline = now + self.wait
        self.open[gift_id] = b
        return b

    def recipient(self, gift_id: str, recipient: Any, gifter: Any, tier: str, now: float) -> Bomb | None:
        """One gift of the bomb; returns the bomb when it is complete (and closes it)."""
        b = self.open.get(gift_id)
        if b is None:  # a recipient before its bomb: keep what it tells about the bomb
            b = self.open[gift_id] = Bomb(gift_id, gifter, tier)
        b.recipients.append(recipient)
        b.deadline = now + self.wait
        if b.total and len(b.recipients) >= b.total:
            return self.open.pop(gift_id)
        return None

    def deadline(self) -> float | None:
        return min((b.deadline for b in self.open.values()), default=None)

    def due(self, now: float) -> list[Bomb]:
        """Bombs that went quiet: show what arrived."""
        done = [b for b in self.open.values() if b.deadline <= now]
        for b in done:
            del self.open[b.gift_id]
        return done


class Throttle(Generic[T]):
    def __init__(self, interval: float = 10.0) -> None:
        self.interval = interval
        self._shown: dict[str, float] = {}
        self._pending: dict[str, T] = {}

    def add(self, key: str, item: T, now: float) -> bool:
        """True: show `item` now.  False: it waits (replacing an older waiting update)."""
        last = self._shown.get(key)
        if last is None or now - last >= self.interval:
            self._shown[key] = now
            self._pending.pop(key, None)
            return True
        self._pending[key] = item
        return False

    def finish(self, key: str) -> None:
        """The thing ended: its waiting update is stale."""
        self._pending.pop(key, None)
        self._shown.pop(key, None)

    def deadline(self) -> float | None:
        return min((self._shown[k] + self.interval for k in self._pending), default=None)

    def due(self, now: float) -> list[T]:
        out = []
        for key in [k for k in self._pending if self._shown[k] + self.interval <= now]:
            out.append(self._pending.pop(key))
            self._shown[key] = now
        return out
