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
from focuslib.twitch.events import (ChannelRaid, ChatClear, ChatMessage, ChatNotification, ClearUserMessages,
                                    MessageDelete, OutgoingRaid, RaidNotice, ShoutoutReceived)
from focuslib.twitch.events_moderation import ShoutoutGiven

KEEP_CHATTERS = 500  # recent chatters remembered (completion, /reply, /delete)
KEEP_CHANNELS = 100  # raiders and shoutout targets remembered (completion: /shoutout, /raid, ...)
# The channel a moment names: raids in and out, shoutouts given and received (completed like chatters).
CHANNEL_OF = {ChannelRaid: lambda e: e.from_broadcaster, OutgoingRaid: lambda e: e.to_broadcaster,
              ShoutoutReceived: lambda e: e.from_broadcaster, ShoutoutGiven: lambda e: e.to_broadcaster,
              ChatNotification: lambda e: e.detail.raider if isinstance(e.detail, RaidNotice) else None}
PROTECTED_BADGES = ("broadcaster", "moderator")


class RecentChat:
    """Implements `execute.Recent` from what focus showed; `names` feeds tab completion."""

    def __init__(self, held: HeldMessages | None = None, keep: int = KEEP_CHATTERS) -> None:
        self.holds = held or HeldMessages()
        self._lock = threading.Lock()
        self._by_login: OrderedDict[str, Seen] = OrderedDict()  # most recent last
        # Logins (all in _by_login) whose latest message is no bare /delete's target: the broadcaster's or a
        # moderator's (Twitch answers 400), a shared chat guest's sent in another channel (not this channel's
        # to delete), or gone: deleted or cleared (404).  Gone ones stay in `names`.
        self._protected: set[str] = set()
        self._gone: set[str] = set()
        self._keep = keep
        self._channels: OrderedDict[str, None] = OrderedDict()  # raiders and shoutout targets, most recent last

    def saw(self, m: object) -> None:
        """An event was shown (main thread): chat messages are remembered, deleted ones marked gone."""
        kind = type(m)
        if kind is not ChatMessage:
            if kind in (MessageDelete, ClearUserMessages, ChatClear):
                self._forget(m)
            elif kind in CHANNEL_OF:
                self._channel(CHANNEL_OF[kind](m))
            return
        login = m.chatter.login
        if not login or not m.message_id:
            return
        seen = Seen(m.message_id, m.chatter.id, login, m.chatter.name)
        source = m.source_broadcaster
        protected = (m.chatter.id == m.broadcaster.id or any(b.set_id in PROTECTED_BADGES for b in m.badges)
                     or source is not None and bool(source.id) and source.id != m.broadcaster.id)
        with self._lock:
            by_login = self._by_login
            by_login[login] = seen
            by_login.move_to_end(login)
            if len(by_login) > self._keep:
                evicted, _ = by_login.popitem(last=False)
                self._protected.discard(evicted)
                self._gone.discard(evicted)
            self._gone.discard(login)
            if protected:
                self._protected.add(login)
            else:
                self._protected.discard(login)

    def _channel(self, who: object) -> None:
        login = getattr(who, "login", "")
        if not login:
            return
        with self._lock:
            self._channels.pop(login, None)
            self._channels[login] = None
            if len(self._channels) > KEEP_CHANNELS:
                self._channels.popitem(last=False)

    def _forget(self, m: object) -> None:
        """A message deleted, a chatter's messages cleared (a ban or timeout), the whole chat cleared: what
        is gone is no /delete or /reply target (Twitch would answer 404 or refuse the reply)."""
        with self._lock:
            if isinstance(m, ChatClear):
                self._gone = set(self._by_login)
                return
            login = m.target.login  # type: ignore[attr-defined]
            seen = self._by_login.get(login)
            if seen is None or (isinstance(m, MessageDelete) and seen.message_id != m.message_id):
                return  # an older message of theirs: their latest is still there
            self._gone.add(login)

    def latest(self, login: str | None) -> Seen | None:
        with self._lock:
            if login is not None:
                login = login.lower()
                return None if login in self._gone else self._by_login.get(login)
            # The latest message shown that Twitch lets the streamer delete (a few steps back at most).
            return next((seen for name, seen in reversed(self._by_login.items())
                         if name not in self._protected and name not in self._gone), None)

    def held(self, number: int) -> HeldMessage | None:
        return self.holds.get(number)  # its status says whether Twitch still holds it

    def knows(self, login: str) -> bool:
        """`login` spoke in this run (their messages since are this object's to answer for, gone ones too)."""
        with self._lock:
            return login.lower() in self._by_login

    def names(self) -> list[str]:
        """Recent chatters' logins, the most recent first, then the channels raids and shoutouts named."""
        with self._lock:
            chatters = list(reversed(self._by_login))
            return chatters + [login for login in reversed(self._channels) if login not in self._by_login]


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
        knows = getattr(self.recent, "knows", None)
        if knows is not None and knows(login):
            # Seen in this run and gone since (deleted, cleared by a ban or a timeout): the history may not have
            # written the removal yet (it flushes every half second) and would offer the removed message.
            return None
        try:
            return self.stored.latest(login)
        except StoreError:  # no usable history: the line says there is no message to reply to
            return None

    def held(self, number: int) -> HeldMessage | None:
        return self.recent.held(number)
