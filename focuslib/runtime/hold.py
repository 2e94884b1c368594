"""The hold queue for first-time chatters (pure: no clock, no I/O; every call takes `now`).

With --hold-new, a chatter with no earlier message in the channel's history
does not reach the stream until the streamer releases them: follow-bot spam
and "first message" slurs stay off screen.  A held chatter's messages wait
here, oldest first, for `release` (shown in order), `discard` (/ban) or
expiry: a message older than `ttl` seconds is dropped.  `deadline()` tells the
main loop when the next expiry is due, so nothing polls.

Bounded: at most MAX_USERS chatters and MAX_MESSAGES messages each are kept
(the oldest go first, counted as dropped).  A full queue drops its
longest-held chatter (counted in `evicted`, so the caller can say so) -- the
text never goes to the screen instead.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

MAX_USERS = 500
MAX_MESSAGES = 50


@dataclass
class HeldChatter:
    user_id: str
    login: str
    name: str
    messages: list[tuple[float, Any]] = field(default_factory=list)  # (time held, message), oldest first
    dropped: int = 0  # messages lost to the bounds or to expiry, not yet reported
    expired: int = 0  # messages expired since the last line about them
    told: bool = False  # an expiry line was shown while they still had messages held
    total: int = 0  # every message held from them since they were first held (the placeholder's count)
    quiet: bool = False  # named in a wave's summary line: no line of their own (a wave would be a wall of them)

    @property
    def count(self) -> int:
        return len(self.messages)


class HoldQueue:
    def __init__(self, ttl: float, *, max_users: int = MAX_USERS, max_messages: int = MAX_MESSAGES) -> None:
        self.ttl = ttl
        self.max_users = max_users
        self.max_messages = max_messages
        self._held: OrderedDict[str, HeldChatter] = OrderedDict()  # user id -> HeldChatter, least recently held first
        self.evicted = 0  # chatters dropped because the queue was full (their text is gone, never shown)

    def __len__(self) -> int:
        return len(self._held)

    def is_held(self, user_id: str) -> bool:
        return user_id in self._held

    def hold(self, user_id: str, login: str, name: str, message: Any, now: float) -> HeldChatter:
        """Keep `message` off screen; the chatter's entry (with its count) for the placeholder line."""
        entry = self._held.get(user_id)
        if entry is None:
            if len(self._held) >= self.max_users:
                self._held.popitem(last=False)
                self.evicted += 1
            entry = self._held[user_id] = HeldChatter(user_id, login, name)
        else:
            self._held.move_to_end(user_id)
        entry.messages.append((now, message))
        entry.total += 1
        if len(entry.messages) > self.max_messages:
            del entry.messages[0]
            entry.dropped += 1
        return entry

    def by_id(self, user_id: str) -> HeldChatter | None:
        return self._held.get(user_id)

    def logins(self) -> list[str]:
        """The held chatters' logins, the most recently held first (/release completes these first)."""
        return [entry.login for entry in reversed(self._held.values())]

    def find(self, who: str) -> HeldChatter | None:
        """The held chatter named `who` (login or display name, any case, an optional leading @)."""
        who = who.lstrip("@").casefold()
        for entry in self._held.values():
            if who in (entry.login.casefold(), entry.name.casefold()):
                return entry
        return None

    def release(self, who: str) -> HeldChatter | None:
        """Take `who` out of the queue: their messages, in order, are the caller's to show."""
        entry = self.find(who)
        if entry is not None:
            del self._held[entry.user_id]
        return entry

    discard = release  # /ban: the same removal; the caller drops the messages instead of showing them

    def forget_user(self, user_id: str) -> HeldChatter | None:
        """A ban, timeout or clear done anywhere (another moderator, Twitch's site): their held text goes too,
        so a later /release can never show what Twitch already removed."""
        return self._held.pop(user_id, None)

    def forget_message(self, user_id: str, message_id: str) -> bool:
        """A message deleted on Twitch while held: it is never shown by a later /release."""
        entry = self._held.get(user_id)
        if entry is None:
            return False
        keep = [(t, m) for t, m in entry.messages if getattr(m, "message_id", None) != message_id]
        gone = len(entry.messages) != len(keep)
        entry.messages = keep
        if not keep:
            del self._held[user_id]
        return gone

    def forget_all(self) -> None:
        """The whole chat was cleared on Twitch: nothing held may come back."""
        self._held.clear()

    def deadline(self) -> float | None:
        """When the oldest held message expires; None when nothing is held."""
        oldest = [e.messages[0][0] for e in self._held.values() if e.messages]
        return min(oldest) + self.ttl if oldest else None

    def expire(self, now: float) -> list[tuple[HeldChatter, int]]:
        """Drop messages held longer than `ttl`: (chatter, how many dropped) for each line to show.

        One line at a chatter's first expiry, then one tally when their last held message goes: a bot
        that keeps writing would otherwise put a "dropped" line on stream for every message it sends."""
        out = []
        limit = now - self.ttl
        for uid, entry in list(self._held.items()):
            keep = [(t, m) for t, m in entry.messages if t > limit]
            gone = len(entry.messages) - len(keep)
            if not gone:
                continue
            entry.messages = keep
            entry.expired += gone
            if not keep:
                del self._held[uid]
            elif entry.told:
                continue
            entry.told = True
            out.append((entry, entry.expired))
            entry.expired = 0
        return out
