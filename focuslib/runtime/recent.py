"""What the input line needs to know about the chat it shows: recent messages, chatters and AutoMod holds.

The main thread feeds it every chat message it shows (`saw`, one dict update:
cheap enough for the chat path); the command thread asks it who to reply to or
which message to delete (`latest`), which held message is `#3` (`held`), and
the input line's completer asks for recent chatters' logins (`names`).  All of
it is bounded, and guarded by one lock because three threads use it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from focuslib.runtime.execute import Seen
from focuslib.twitch.automod import HeldMessage, HeldMessages
from focuslib.twitch.events import ChatMessage

KEEP_CHATTERS = 500  # recent chatters remembered (completion, /reply, /delete)


class RecentChat:
    """Implements `execute.Recent` from what focus showed; `names` feeds tab completion."""

    def __init__(self, held: HeldMessages | None = None, keep: int = KEEP_CHATTERS) -> None:
        self.holds = held or HeldMessages()
        self._lock = threading.Lock()
        self._by_login: OrderedDict[str, Seen] = OrderedDict()  # most recent last
        self._last: Seen | None = None
        self._keep = keep

    def saw(self, m: object) -> None:
        """An event was shown (main thread): chat messages are remembered."""
        if type(m) is not ChatMessage:
            return
        login = m.chatter.login
        if not login or not m.message_id:
            return
        seen = Seen(m.message_id, m.chatter.id, login, m.chatter.name)
        with self._lock:
            by_login = self._by_login
            by_login[login] = seen
            by_login.move_to_end(login)
            if len(by_login) > self._keep:
                by_login.popitem(last=False)
            self._last = seen

    def latest(self, login: str | None) -> Seen | None:
        with self._lock:
            return self._last if login is None else self._by_login.get(login.lower())

    def held(self, number: int) -> HeldMessage | None:
        entry = self.holds.get(number)
        if entry is None or entry.status:  # unknown, or already allowed, denied or expired
            return None
        return entry

    def names(self) -> list[str]:
        """Recent chatters' logins, the most recent first."""
        with self._lock:
            return list(reversed(self._by_login))
