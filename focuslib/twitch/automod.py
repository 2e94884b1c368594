"""AutoMod's queue as focus numbers it: `held by AutoMod: Name (#3)`, then `/allow 3` or `/deny 3`.

The number is short to type on stream; Twitch needs the message id and the
chatter's user id (`POST /helix/moderation/automod/message`, protocol notes
§2.6).  The main thread numbers holds as it shows them; the command thread
looks numbers up, so the table takes a lock.  It is bounded: a hold older
than the last `KEEP` is long expired at Twitch anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

KEEP = 256
# Twitch's automod.message.update status -> the word focus shows for it.
OUTCOMES = {"approved": "allowed", "denied": "denied", "expired": "expired", "invalid": "no longer valid"}


class HeldMessage(NamedTuple):
    number: int
    message_id: str
    user_id: str
    login: str
    name: str
    status: str  # "" while held; approved | denied | expired once Twitch says so


class HeldMessages:
    """message id <-> focus's number for each message AutoMod held (thread-safe, bounded)."""

    def __init__(self, keep: int = KEEP) -> None:
        self._lock = threading.Lock()
        self._by_id: OrderedDict[str, HeldMessage] = OrderedDict()
        self._by_number: dict[int, str] = {}
        self._next = 1
        self._keep = keep

    def hold(self, message_id: str, user_id: str, login: str, name: str) -> int:
        """The number for this held message (the same number if it was seen before)."""
        with self._lock:
            known = self._by_id.get(message_id)
            if known is not None:
                return known.number
            number = self._next
            self._next += 1
            self._by_id[message_id] = HeldMessage(number, message_id, user_id, login, name, "")
            self._by_number[number] = message_id
            if len(self._by_id) > self._keep:
                _, old = self._by_id.popitem(last=False)
                self._by_number.pop(old.number, None)
            return number

    def resolve(self, message_id: str, status: str) -> HeldMessage | None:
        """Record Twitch's outcome; the entry as it was held (None if focus never saw the hold)."""
        with self._lock:
            known = self._by_id.get(message_id)
            if known is not None:
                self._by_id[message_id] = known._replace(status=status)
            return known

    def get(self, number: int) -> HeldMessage | None:
        """The held message with focus's number `number` (any thread)."""
        with self._lock:
            message_id = self._by_number.get(number)
            return None if message_id is None else self._by_id.get(message_id)

    def pending(self) -> list[HeldMessage]:
        """Messages still waiting for a decision, oldest first."""
        with self._lock:
            return [h for h in self._by_id.values() if not h.status]
