"""focus's own pace for sending chat, under Twitch's limit (pure: takes `now`).

Twitch drops chat beyond 100 messages per 30 s from a broadcaster or moderator
(20 per 30 s for other users; Twitch's chat rate limits, the per-endpoint limit
of protocol notes §5.10).  focus sends as the broadcaster and paces itself with
a token bucket: a burst of 10 goes at once, then one message every 0.375 s
(80 per 30 s), so any 30 s window holds at most 10 + 80 = 90 messages, leaving
room for what the streamer sends from a browser or phone at the same time.

`reserve(now)` books the next free slot and returns when it is, so messages
keep their order and nothing is dropped: a burst of Enter presses is queued and
sent at the pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BURST = 10
INTERVAL = 30.0 / 80  # seconds per message once the burst is spent
WINDOW = 30.0
TWITCH_LIMIT = 100  # messages per WINDOW for a broadcaster (more are dropped)


@dataclass(slots=True)
class Pacer:
    """A token bucket of `burst` messages refilled one per `interval` seconds."""

    burst: int = BURST
    interval: float = INTERVAL
    _next_free: float = field(default=float("-inf"))  # the time the bucket is full again

    def reserve(self, now: float) -> float:
        """Book one message; returns the time it may be sent (>= now)."""
        # The bucket is a "virtual schedule": _next_free - now is how far ahead the
        # booked messages reach; `burst` of them may be booked ahead of time.
        earliest = max(self._next_free, now - (self.burst - 1) * self.interval)
        at = max(now, earliest)
        self._next_free = earliest + self.interval
        return at

    def delay(self, now: float) -> float:
        """How long a message booked now would wait (without booking it)."""
        earliest = max(self._next_free, now - (self.burst - 1) * self.interval)
        return max(0.0, earliest - now)
