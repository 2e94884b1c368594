"""Helix's rate limit as the simulated Twitch keeps it: one token bucket per client id and user (§5.10).

Twitch's guide: every call costs points (1 for the calls focus makes) from a
bucket of 800 that refills continuously at 800 a minute; the answer's
`Ratelimit-Limit`, `Ratelimit-Remaining` and `Ratelimit-Reset` (Unix seconds
when the bucket is full again) say where it stands, and a call that finds it
empty gets 429 with `Ratelimit-Remaining: 0`.  Tests shrink the bucket
(`size`, `per`) to see a wave of calls reach it in milliseconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

SIZE = 800  # points
PER = 60.0  # seconds to refill a whole bucket


@dataclass(slots=True)
class Bucket:
    size: int = SIZE
    per: float = PER
    points: float = float(SIZE)
    at: float = 0.0  # when `points` was last brought up to date (Unix time)


@dataclass
class Buckets:
    """Every caller's bucket; not thread-safe on its own (the simulator calls it under its lock)."""

    size: int = SIZE
    per: float = PER
    clock: Callable[[], float] = time.time
    lowest: float = float("inf")  # the fewest points any bucket had left after a call (tests read it)
    spent: int = 0  # calls charged
    _all: dict[tuple[str, str], Bucket] = field(default_factory=dict)

    def _bucket(self, key: tuple[str, str], now: float) -> Bucket:
        b = self._all.get(key)
        if b is None or (b.size, b.per) != (self.size, self.per):  # a test resized the buckets: start full
            b = self._all[key] = Bucket(self.size, self.per, float(self.size), now)
        b.points = min(float(b.size), b.points + (now - b.at) * b.size / b.per)
        b.at = now
        return b

    def take(self, key: tuple[str, str], cost: int = 1) -> tuple[bool, dict[str, str]]:
        """Charge one call: (allowed, the Ratelimit-* headers of its answer)."""
        now = self.clock()
        b = self._bucket(key, now)
        ok = b.points >= cost
        if ok:
            b.points -= cost
            self.spent += 1
            self.lowest = min(self.lowest, b.points)
        return ok, _headers(b, now)

    def headers(self, key: tuple[str, str]) -> dict[str, str]:
        """Where the bucket stands now, without charging."""
        now = self.clock()
        return _headers(self._bucket(key, now), now)


def _headers(b: Bucket, now: float) -> dict[str, str]:
    missing = b.size - b.points
    reset = math.ceil(now + missing * b.per / b.size)
    return {"Ratelimit-Limit": str(b.size), "Ratelimit-Remaining": str(int(b.points)), "Ratelimit-Reset": str(reset)}
