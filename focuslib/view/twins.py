"""One moment, several reports: pair them so each moment gets exactly one line, and none is lost.

Twitch reports some moments through two or three subscriptions: a sub as
`channel.subscribe` and as a chat notice, a cheer as `channel.cheer`, as
`channel.bits.use` and in the chat message, a raid as `channel.raid` and a
notice, a gift as `channel.subscription.gift` and a notice.  The sources are
ranked (0 = richest: the notice carries the resub's message and the gift
bomb's id, the chat message the cheer's cheermotes).  A report is shown at
once when no richer source is subscribed; otherwise it is held for `window`
seconds waiting for the richer twin, and shown when the window ends without
it.  Whichever report is shown, the moment is remembered for `memory`
seconds, and any later report of it (another source) is dropped.

A moment is identified by its key (kind, user, tier or amount), never by the
order of arrival: two users' moments interleave freely, and the same user's
two equal cheers are two moments (each source reports each moment once, so a
report pairs with the first remembered moment its source has not reported yet).
Pure state with deadlines, like view/collapse.py: the main loop sleeps on
`deadline()`; nothing polls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable

WINDOW = 1.5  # seconds a poorer report waits for its richer twin (stated in docs/eventsub.md)
MEMORY = 30.0  # seconds a shown moment is remembered, to drop a late twin
MOST = 4096  # moments remembered at once, at most (a flood of cheers must not grow memory)


@dataclass(slots=True)
class Moment:
    key: Hashable
    born: float
    sources: set[str] = field(default_factory=set)
    shown: bool = False
    held: list[tuple[int, Any]] = field(default_factory=list)  # (rank, item) waiting for a richer twin
    deadline: float | None = None


class Twins:
    def __init__(self, window: float = WINDOW, memory: float = MEMORY) -> None:
        self.window = window
        self.memory = memory
        self._moments: dict[Hashable, list[Moment]] = {}
        self._count = 0
        self._next_expiry = float("inf")

    def report(self, key: Hashable, source: str, rank: int, best: int, item: Any, now: float) -> bool:
        """A report of the moment `key` from `source` (rank `rank`; `best` = richest rank subscribed).

        True: show `item` now.  False: it is held (see `due`) or it is a twin of
        a moment already shown, and dropped."""
        self._expire(now)
        moment = self._find(key, source, now)
        moment.sources.add(source)
        if moment.shown:
            return False
        if rank <= best:
            moment.shown, moment.held, moment.deadline = True, [], None
            return True
        moment.held.append((rank, item))
        if moment.deadline is None:
            moment.deadline = now + self.window
        return False

    def deadline(self) -> float | None:
        return min((m.deadline for ms in self._moments.values() for m in ms if m.deadline is not None),
                   default=None)

    def due(self, now: float) -> list[Any]:
        """The held reports whose richer twin did not come in time, oldest first (one per moment)."""
        out: list[tuple[float, Any]] = []
        for ms in self._moments.values():
            for m in ms:
                if m.deadline is not None and m.deadline <= now:
                    rank, item = min(m.held, key=lambda held: held[0])  # the richest that came
                    out.append((m.deadline, item))
                    m.shown, m.held, m.deadline = True, [], None
        out.sort(key=lambda x: x[0])
        return [item for _, item in out]

    def _find(self, key: Hashable, source: str, now: float) -> Moment:
        ms = self._moments.setdefault(key, [])
        for m in ms:
            if source not in m.sources:
                return m
        m = Moment(key, now)
        ms.append(m)
        self._count += 1
        self._next_expiry = min(self._next_expiry, now + self.memory)
        return m

    def _expire(self, now: float) -> None:
        # Shown moments older than `memory` are forgotten; held ones always wait for their deadline.
        over = self._count > MOST
        if now < self._next_expiry and not over:
            return
        limit = now - self.memory
        self._next_expiry = float("inf")
        for key in list(self._moments):
            ms = self._moments[key]
            keep = [m for m in ms if not m.shown or (m.born > limit and not over)]
            self._count -= len(ms) - len(keep)
            if keep:
                self._moments[key] = keep
                self._next_expiry = min(self._next_expiry, *(m.born + self.memory for m in keep))
            else:
                del self._moments[key]
