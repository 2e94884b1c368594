"""The history writer: one thread owns the write connection and stores what focus receives, in batches.

The main thread only calls `put` (a non-blocking enqueue into a bounded queue;
what does not fit is counted in `dropped`), so a raid never waits for the
disk.  The thread opens and migrates the database, loads the chatters the
channel has seen (`known`, for first-time marks and the hold queue), then
waits on its queue with a deadline: a batch is committed at most
FLUSH_INTERVAL after its first item (a crash loses at most that much), and
retention runs at start and then once a day on the same wait -- no polling.
`stop()` writes everything still queued before the thread ends.

Any database fault (locked past busy_timeout, corrupt, disk full, read-only,
not ours) is reported once through `report` and the writer goes quiet:
focus keeps showing chat without history.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, NamedTuple

from focuslib.store import rows as R
from focuslib.store.known import KnownUsers
from focuslib.store.schema import StoreError, open_write
from focuslib.twitch.events import ChatClear, ChatMessage, ClearUserMessages, MessageDelete, StreamOffline, StreamOnline

CAPACITY = 20_000  # queued items before `put` starts dropping (a few seconds of the biggest raid)
FLUSH_INTERVAL = 0.5  # seconds from a batch's first item to its commit
MAX_BATCH = 5_000
DAY = 86_400.0
RECENT_COLORS = 1_024  # login -> color pairs loaded for mention colors

INSERT_MESSAGE = ("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, reply_to, "
                  "kind, bits, question, held) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
UPSERT_USER = ("INSERT INTO users (channel, user_id, login, name, color, last_ts, known) VALUES (?,?,?,?,?,?,?) "
               "ON CONFLICT (channel, user_id) DO UPDATE SET login = excluded.login, name = excluded.name, "
               "color = excluded.color, last_ts = excluded.last_ts, known = max(known, excluded.known)")
INSERT_LINK = "INSERT INTO links (ts, channel, login, name, url, message_id) VALUES (?,?,?,?,?,?)"
INSERT_EVENT = ("INSERT INTO events (ts, channel, type, user_id, login, name, target_id, target_login, target_name, "
                "amount, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)")

_STOP = object()


class Released(NamedTuple):
    """The streamer released a held chatter: their messages count, and they are known from now on."""

    channel: str
    user_id: str
    login: str
    name: str
    color: str


class Done(NamedTuple):
    """/done N: questions (messages row ids) the streamer answered."""

    channel: str
    ids: tuple[int, ...]


Report = Callable[[str, str], None]  # (one line for the streamer, details for the devlog)


def fault_line(exc: BaseException) -> str:
    """One line saying what is wrong with the database, in the streamer's words."""
    if isinstance(exc, StoreError):
        return exc.message
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "the history database is locked by another program"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return "the history database is damaged"
    if "full" in text or "too large" in text or "file size" in text:
        return "the disk holding the history database is full"
    if "disk i/o error" in text:  # a write the OS refused: EFBIG, ENOSPC on some file systems, a failing disk
        return "the disk holding the history database is full or failing"
    if "readonly" in text or "read-only" in text or "permission" in text or "access permission" in text:
        return "the history database cannot be written (read-only or not yours)"
    return f"the history database cannot be used ({exc})"


class HistoryWriter:
    def __init__(self, path: Path, *, days: int = 90, report: Report | None = None,
                 wall: Callable[[], float] = time.time, capacity: int = CAPACITY,
                 flush_interval: float = FLUSH_INTERVAL) -> None:
        self.path = path
        self.days = days
        self._report = report or (lambda line, detail: None)
        self._wall = wall
        self._queue: queue.Queue[Any] = queue.Queue(capacity)
        self._flush_interval = flush_interval
        self._stopping = threading.Event()
        self.ready = threading.Event()  # set once `known` is loaded, or the database failed
        self.known: dict[str, KnownUsers] = {}  # channel -> chatters seen (read after `ready`)
        self.colors: list[tuple[str, str]] = []  # recent chatters' (login, color), newest first
        self.failed: str | None = None
        self.dropped = 0
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="history-writer", daemon=True)

    # -- main thread -----------------------------------------------------------

    def start(self) -> HistoryWriter:
        self.thread.start()
        return self

    def put(self, ts: float, event: Any, held: bool = False) -> None:
        """Queue one received event for the database; never blocks.

        A held message (hold queue) is stored marked, and its chatter stays
        unknown until `Released` comes for them."""
        if self.failed is not None:
            return
        try:
            self._queue.put_nowait((ts, event, held))
        except queue.Full:
            self.dropped += 1

    def stop(self, timeout: float = 5.0) -> None:
        """Write everything queued, close the database, end the thread (bounded by `timeout`)."""
        self._stopping.set()
        try:
            self._queue.put_nowait(_STOP)
        except queue.Full:
            pass  # the thread sees _stopping once the queue drains
        if self.thread.is_alive():
            self.thread.join(timeout)

    # -- the writer thread -----------------------------------------------------

    def _run(self) -> None:
        try:
            conn = open_write(self.path)
            self._load(conn)
        except Exception as exc:
            self._fail(exc)
            self.ready.set()
            return
        self.ready.set()
        try:
            self._serve(conn)
        except Exception as exc:
            self._fail(exc)
        finally:
            conn.close()

    def _serve(self, conn: sqlite3.Connection) -> None:
        clock = time.monotonic
        get = self._queue.get
        self._retention(conn)
        next_retention = clock() + DAY
        batch: list[tuple[float, Any, bool]] = []
        due: float | None = None  # when the current batch must be committed
        while True:
            wake = next_retention if due is None else min(due, next_retention)
            try:
                item = get(timeout=max(0.0, wake - clock()))
            except queue.Empty:
                item = None
            stop = item is _STOP or (item is None and self._stopping.is_set() and self._queue.empty())
            if item is not None and item is not _STOP:
                batch.append(item)
                if due is None:
                    due = clock() + self._flush_interval
            if batch and (stop or len(batch) >= MAX_BATCH or (due is not None and clock() >= due)
                          or (self._stopping.is_set() and self._queue.empty())):
                self._write(conn, batch)
                batch, due = [], None
            if stop:
                return
            if clock() >= next_retention:
                self._retention(conn)
                next_retention = clock() + DAY

    def _load(self, conn: sqlite3.Connection) -> None:
        seen: dict[str, list[str]] = {}
        for channel, user_id in conn.execute("SELECT channel, user_id FROM users WHERE known = 1"):
            seen.setdefault(channel, []).append(user_id)
        self.known = {channel: KnownUsers(ids) for channel, ids in seen.items()}
        self.colors = conn.execute("SELECT login, color FROM users WHERE color != '' ORDER BY last_ts DESC LIMIT ?",
                                   (RECENT_COLORS,)).fetchall()

    def _write(self, conn: sqlite3.Connection, batch: list[tuple[float, Any, bool]]) -> None:
        messages: list[tuple[Any, ...]] = []
        users: dict[tuple[str, str], tuple[Any, ...]] = {}
        links: list[tuple[Any, ...]] = []

        def flush_chat() -> None:
            if messages:
                conn.executemany(INSERT_MESSAGE, messages)
                conn.executemany(UPSERT_USER, users.values())
                conn.executemany(INSERT_LINK, links)
                messages.clear()
                users.clear()
                links.clear()

        conn.execute("BEGIN IMMEDIATE")
        try:
            for ts, e, held in batch:
                if type(e) is ChatMessage:
                    messages.append(R.message_row(ts, e, held))
                    c = e.chatter
                    key = (e.broadcaster.id, c.id)
                    known = 0 if held else 1
                    if held and key in users:
                        known = users[key][6]
                    users[key] = (e.broadcaster.id, c.id, c.login, c.name, e.color, ts, known)
                    for url in R.urls(e.text):
                        links.append((ts, e.broadcaster.id, c.login, c.name, url, e.message_id))
                    continue
                flush_chat()  # an event may change the flags of the messages before it
                self._event(conn, ts, e)
            flush_chat()
            conn.execute("COMMIT")
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        self.written += len(batch)

    def _event(self, conn: sqlite3.Connection, ts: float, e: Any) -> None:
        row = R.event_row(e)
        channel = R.channel_of(e)
        if row is not None:
            conn.execute(INSERT_EVENT, (ts, channel, row.type, row.user.id, row.user.login, row.user.name,
                                        row.target.id, row.target.login, row.target.name, row.amount, row.detail))
        kind = type(e)
        if kind is Released:
            conn.execute("UPDATE messages SET held = 0 WHERE channel = ? AND user_id = ? AND held = 1",
                         (e.channel, e.user_id))
            conn.execute(UPSERT_USER, (e.channel, e.user_id, e.login, e.name, e.color, ts, 1))
        elif kind is Done:
            conn.executemany("UPDATE messages SET question = 2 WHERE id = ? AND question = 1",
                             [(i,) for i in e.ids])
        elif kind is MessageDelete:
            conn.execute("UPDATE messages SET deleted = 1 WHERE message_id = ?", (e.message_id,))
        elif kind is ClearUserMessages:
            conn.execute("UPDATE messages SET cleared = 1 WHERE channel = ? AND user_id = ? AND ts <= ?",
                         (channel, e.target.id, ts))
        elif kind is ChatClear:
            conn.execute("UPDATE messages SET cleared = 1 WHERE channel = ? AND ts <= ? AND cleared = 0",
                         (channel, ts))
        elif kind is StreamOnline:
            conn.execute("INSERT INTO streams (channel, started_at) VALUES (?, ?)", (channel, ts))
        elif kind is StreamOffline:
            conn.execute("UPDATE streams SET ended_at = ? WHERE channel = ? AND ended_at IS NULL", (ts, channel))

    def _retention(self, conn: sqlite3.Connection) -> None:
        """Forget what is older than FOCUS_HISTORY_DAYS (0 keeps everything)."""
        if self.days <= 0:
            return
        cutoff = self._wall() - self.days * DAY
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table, column in (("messages", "ts"), ("events", "ts"), ("links", "ts"), ("users", "last_ts"),
                                  ("streams", "started_at")):
                conn.execute(f"DELETE FROM {table} WHERE {column} < ?", (cutoff,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _fail(self, exc: BaseException) -> None:
        self.failed = fault_line(exc)
        if not isinstance(exc, StoreError) and self.path.parent.exists() and not (
                os.access(self.path.parent, os.W_OK) and (not self.path.exists() or os.access(self.path, os.W_OK))):
            self.failed = "the history database cannot be written (read-only, or not yours)"
        self._report(f"{self.failed}: focus goes on without history (details in the devlog)",
                     "".join(traceback.format_exception(exc)))
        while True:  # whatever was queued is lost; count it
            try:
                if self._queue.get_nowait() is not _STOP:
                    self.dropped += 1
            except queue.Empty:
                return
