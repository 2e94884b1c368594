"""What the input line needs to know about the chat it shows: recent messages, chatters and AutoMod holds.

The main thread feeds it every chat message it shows (`saw`, one dict update:
cheap enough for the chat path); the command thread asks it who to reply to or
which message to delete (`latest`), which held message is `#3` (`held`), and
the input line's completer asks for recent chatters' logins (`names`).  All of
it is bounded, and guarded by one lock because three threads use it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from focuslib.runtime.execute import Recent, Seen
from focuslib.store import queries
from focuslib.store.schema import StoreError, open_read
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


class StoredRecent:
    """`execute.Recent` from focus's chat history (store/): the one-shot `reply`'s parent message,
    and the input line's when the chatter spoke before this focus started.

    Each question opens its own read connection (WAL: a running focus keeps writing meanwhile) and
    waits at most `busy_ms` for a lock; the database is never written here."""

    def __init__(self, path: Path, channel: str, busy_ms: int = 500) -> None:
        self.path = path
        self.channel = channel
        self.busy_ms = busy_ms

    def latest(self, login: str | None) -> Seen | None:
        """The latest message of `login` (None: anyone's) still in the chat; StoreError when the history
        cannot be read."""
        from focuslib.store.writer import fault_line

        try:
            conn = open_read(self.path, self.busy_ms)
            try:
                found = queries.latest_message(conn, self.channel, login)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise StoreError(fault_line(exc), f"check {self.path}") from None
        return None if found is None else Seen(found.message_id, found.user_id, found.login, found.name)

    def held(self, number: int) -> HeldMessage | None:
        return None


class Remembered:
    """What focus saw in this run first, then the history (a chatter who spoke before focus started)."""

    def __init__(self, recent: Recent, stored: Recent) -> None:
        self.recent = recent
        self.stored = stored

    def latest(self, login: str | None) -> Seen | None:
        seen = self.recent.latest(login)
        if seen is not None or login is None:
            return seen
        try:
            return self.stored.latest(login)
        except StoreError:  # no usable history: the line says there is no message to reply to
            return None

    def held(self, number: int) -> HeldMessage | None:
        return self.recent.held(number)
