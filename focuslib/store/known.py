"""The chatters a channel has seen, in compact memory: answers "first time here?" without SQLite.

Loaded once by the history writer from the `users` table, then kept up to
date by the main thread as messages arrive.  Numeric user ids (all of
Twitch's) live in a sorted `array('q')` (8 bytes each: 100,000 chatters take
800 kB); ids seen during this run go to a small set.  `seen` holds the ids,
as the strings chat carries, of every chatter found during this run: the
main thread's chat path asks it first, one set look-up for a regular.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import Iterable


def _key(user_id: str) -> int:
    # Only the canonical spelling of a number is kept as one: int() also reads "５０１" (full-width), "0501" and
    # "+501" as 501, which would make them Ann's id (passing the hold queue unheld), and str.isdigit() is also
    # true of "²", which int() refuses.
    if user_id.isascii() and user_id.isdigit() and len(user_id) < 19 and (user_id[0] != "0" or user_id == "0"):
        return int(user_id)
    return hash(user_id)


class KnownUsers:
    def __init__(self, user_ids: Iterable[str] = ()) -> None:
        self._old = array("q", sorted({_key(u) for u in user_ids}))
        self._new: set[int] = set()
        self.seen: set[str] = set()  # found this run (old or new): read it first

    def __contains__(self, user_id: str) -> bool:
        if user_id in self.seen:
            return True
        k = _key(user_id)
        old = self._old
        i = bisect_left(old, k)
        if k in self._new or (i < len(old) and old[i] == k):
            self.seen.add(user_id)
            return True
        return False

    def add(self, user_id: str) -> None:
        if user_id not in self:
            self._new.add(_key(user_id))
            self.seen.add(user_id)

    def __len__(self) -> int:
        return len(self._old) + len(self._new)
