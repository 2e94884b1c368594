"""The history writer: one thread owns the write connection and stores what focus receives, in batches.

The main thread only calls `put`: the message becomes its row and is packed
into the spool (store/spool.py: bounded in rows and bytes; what does not fit
is counted in `dropped`), which wakes the thread once per batch, never per
message, so a raid never waits for the disk.  The thread opens and migrates
the database, loads the chatters the channel has seen (`known`, for
first-time marks and the hold queue), then sleeps until a batch begins (or
the daily retention is due -- no polling), lets it gather for FLUSH_INTERVAL
and commits it.

A flood (rows arriving faster than FLOOD a second: a bot wave, a benchmark;
no human chat comes near it) gets the machine first: the batch waits while
the flood lasts, but never past MAX_DELAY from its first row, so a crash
loses at most about the last second (a `kill -9` loses the batch in hand)
and a clean exit loses nothing: `stop()` writes everything still queued
before the thread ends.  Why wait at all: on a streaming machine the cores
are shared (OBS, the editor, the game), and every microsecond SQLite spends
during a flood is taken from the display.

A database another program keeps locked is tried again with growing pauses
(`_patiently`): the batch in hand and the queue wait, and after LOCKED_SAY
seconds focus says so once.  Any other fault (corrupt, disk full, read-only,
not ours) -- or a lock that outlasts what the queue can keep, or focus
stopping while still locked -- is reported once through `report` and the
writer goes quiet: focus keeps showing chat without history.  Retention
deletes in chunks of RETENTION_CHUNK rows, one short transaction each, so
another process never waits long for it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import traceback
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, TypeVar

from focuslib import threads
from focuslib.store.rows import URL_HINT, channel_of, event_row, message_row, urls
from focuslib.store.known import KnownUsers
from focuslib.store import schema
from focuslib.store.schema import StoreError, is_busy, open_write, rollback
from focuslib.store.spool import Run, Spool, heap_trimmer, rows_in
from focuslib.text import rfc3339
from focuslib.twitch.events import (ChatClear, ChatMessage, ClearUserMessages, Follow, MessageDelete, StreamOffline,
                                    StreamOnline)

CAPACITY = 100_000  # queued rows and events before `put` starts dropping (2 s of the fastest burst focus shows)
CAPACITY_BYTES = 64 << 20  # ... or packed bytes (~190 a row; 100,000 long emoji messages would be 220 MB)
FLUSH_INTERVAL = 0.5  # seconds from a batch's first item to its commit
FLOOD = 1_000  # rows a second above which a batch waits for the flood to pass (human chat stays far below)
FLOOD_LOOK = 0.05  # seconds between looks at a flood, each packing what came (a flood's rows wait as objects that long)
MAX_DELAY = 1.0  # seconds from a batch's first row to its commit at the latest (a crash loses at most this)
FULL = 50_000  # queued rows that are written at once, flood or not (~9.5 MiB packed)
SORT_FROM = 1_024  # rows in a run from which it is written sorted by chatter (fewer have too few rows a chatter)
MAX_BATCH = 5_000  # rows per transaction (about; a run of rows is taken whole), so another process waits little
ROWS = 256  # rows per multi-row INSERT (14 parameters each; SQLite before 3.32 allowed 999 in all)
DAY = 86_400.0
# Rows written between two heap trims at least (spool.heap_trimmer): a trim holds each malloc heap's lock for
# ~0.3 ms, the main thread's too, so busy chat (a flush every half second) is not trimmed every time.
TRIM_ROWS = 10_000
LATER = 16  # chat messages whose rows may wait for `settle` (the main loop's next terminal write), at most
RECENT_COLORS = 1_024  # login -> color pairs loaded for mention colors
LOCKED_SAY = 5.0  # seconds another program may keep the database locked before focus says so (once)
PAUSES = (0.1, 3.0)  # first and longest pause between tries on a locked database (each try also waits busy_ms)
RETENTION_CHUNK = 2_000  # rows retention deletes per transaction: another process waits at most that long
# Retention: (table, the key a chunk is picked by, the time column compared with the cutoff).
FORGET = (("messages", "id", "ts"), ("events", "id", "ts"), ("links", "id", "ts"),
          ("streams", "id", "started_at"), ("users", "(channel, user_id)", "last_ts"),
          ("follows", "(channel, user_id)", "checked_at"))

T = TypeVar("T")
# Chatter order: a run of chat rows is inserted sorted by chatter (the spool keeps each row's user id's first bytes;
# a stable sort keeps each chatter's own order): the messages_user index then takes them at one insertion point
# after another instead of jumping between 500 chatters' leaf pages for every row (writer CPU 10.1 -> 7.3 us a
# row on a 300,000-row database).  Row ids no longer follow arrival across chatters; every query orders by ts.

MESSAGE_COLUMNS = 14
INSERT_MESSAGES = ("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, "
                   "reply_to, kind, bits, question, held) ")
UPSERT_USER = ("INSERT INTO users (channel, user_id, login, name, color, last_ts, known) VALUES (?,?,?,?,?,?,?) "
               "ON CONFLICT (channel, user_id) DO UPDATE SET login = excluded.login, name = excluded.name, "
               "color = excluded.color, last_ts = excluded.last_ts, known = max(known, excluded.known)")
# The chatters of the messages just inserted (id > ?), from those rows, in SQLite: each chatter's
# latest row (SQLite takes bare columns from the row of the query's one max(), here max(id), which is
# never 0, so `max(id) AND ...` is just the condition); known once any of their messages was not held.
# NOT INDEXED: the new rows by rowid range, then a sort; messages_user would give the GROUP BY its order
# for free, but only by walking the whole index on every batch (the writer fell behind as history grew).
UPSERT_USERS_FROM_MESSAGES = (
    "INSERT INTO users (channel, user_id, login, name, color, last_ts, known) "
    "SELECT channel, user_id, login, name, color, ts, max(id) AND total(held) < count(*) FROM messages NOT INDEXED "
    "WHERE id > ? GROUP BY channel, user_id "
    "ON CONFLICT (channel, user_id) DO UPDATE SET login = excluded.login, name = excluded.name, "
    "color = excluded.color, last_ts = excluded.last_ts, known = max(known, excluded.known)")
LINK_CANDIDATES = f"SELECT ts, channel, login, name, text, message_id FROM messages WHERE id > ? AND {URL_HINT}"
INSERT_LINK = "INSERT INTO links (ts, channel, login, name, url, message_id) VALUES (?,?,?,?,?,?)"
# A deleted message by its chatter's index (there is no index by message id, see schema.py 2 -> 3).
DELETE_BY_CHATTER = ("UPDATE messages SET deleted = 1 WHERE id = (SELECT id FROM messages WHERE channel = ? "
                     "AND user_id = ? AND message_id = ? ORDER BY ts DESC LIMIT 1)")
# A follow age learned (Twitch's answer, or a follow seen over EventSub); NULL followed_at: not following.
UPSERT_FOLLOW = ("INSERT INTO follows (channel, user_id, followed_at, checked_at) VALUES (?,?,?,?) "
                 "ON CONFLICT (channel, user_id) DO UPDATE SET followed_at = excluded.followed_at, "
                 "checked_at = excluded.checked_at")
INSERT_EVENT = ("INSERT INTO events (ts, channel, type, user_id, login, name, target_id, target_login, target_name, "
                "amount, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)")


# `INSERT INTO messages` of ROWS rows in one statement, padded: fewer rows are followed by rows of NULLs, which the
# WHERE drops.  One statement, not executemany: executemany steps SQLite once per row and takes the GIL back each
# time, and while the display thread is busy every take waits up to the interpreter's 5 ms switch interval.  One
# shape, not one per size: each prepared shape holds ~0.9 MiB (its program, a value cell per parameter, copies of
# the bound texts), and the sizes a run ends with (128, 64, ... 1) cost over 3 MiB of RSS.
INSERT_ROWS = (INSERT_MESSAGES + "SELECT * FROM (VALUES "
               + ",".join(["(" + ",".join("?" * MESSAGE_COLUMNS) + ")"] * ROWS) + ") WHERE column1 IS NOT NULL")
PADDING = (None,) * MESSAGE_COLUMNS


class Released(NamedTuple):
    """The streamer released a held chatter: the messages /release showed count, and they are known from now on."""

    channel: str
    user_id: str
    login: str
    name: str
    color: str
    message_ids: tuple[str, ...]  # those shown: what expired, was pushed out or was held in an earlier run stays held


class FollowAge(NamedTuple):
    """What Twitch said of how long a chatter has followed the channel (runtime/followage.py)."""

    channel: str
    user_id: str
    followed_at: float | None  # Unix time; None: not following


class QuestionsAnswered(NamedTuple):
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


def _clean(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """`values` with every lone surrogate replaced: SQLite stores UTF-8, which cannot carry one."""
    try:
        for v in values:
            if type(v) is str:  # noqa: E721
                v.encode()
        return values
    except UnicodeEncodeError:
        return tuple(v.encode("utf-8", "replace").decode() if type(v) is str else v for v in values)  # noqa: E721


class HistoryWriter:
    def __init__(self, path: Path, *, days: int = 90, report: Report | None = None,
                 wall: Callable[[], float] = time.time, capacity: int = CAPACITY,
                 capacity_bytes: int = CAPACITY_BYTES, flush_interval: float = FLUSH_INTERVAL,
                 max_delay: float = MAX_DELAY, flood: float = FLOOD, flood_look: float = FLOOD_LOOK,
                 day: float = DAY, busy_ms: int | None = None,
                 locked_say: float | None = None, retention_chunk: int = RETENTION_CHUNK,
                 trace: Callable[[str], None] | None = None, trim: Callable[[], object] | None = None,
                 trim_rows: int = TRIM_ROWS) -> None:
        self.path = path
        self.days = days
        self._day = day  # seconds between retention runs, and a day of FOCUS_HISTORY_DAYS (tests pass less)
        self._report = report or (lambda line, detail: None)
        self._wall = wall
        # Not a queue.Queue: a put wakes nobody; the thread is woken once per batch (`_armed`).
        self._spool = Spool(capacity, capacity_bytes)
        self._later: list[tuple[float, ChatMessage]] = []  # main thread: rows kept until the line is on screen
        self._armed = False  # a wake-up for the current batch was sent
        self._wake = threading.Event()
        self._full = threading.Event()
        self._flush_interval = flush_interval
        self._max_delay = max(max_delay, flush_interval)
        self._flood = flood  # rows a second (tests pass their own pace and look)
        self._flood_look = flood_look
        self._stopping = threading.Event()
        self._busy_ms = schema.BUSY_TIMEOUT_MS if busy_ms is None else busy_ms  # looked up here: tests shorten it
        self._locked_say = LOCKED_SAY if locked_say is None else locked_say
        self._said_locked = False
        self._chunk = retention_chunk
        self._trace = trace  # every statement the writer runs (tests watch the transactions with it)
        self._trim = trim  # gives the heap's free room back after a flush (spool.heap_trimmer once running)
        self._trim_rows = trim_rows
        self._trimmed_at = 0  # `written` at the last trim
        self._holding: list[Any] = []  # the batch being written (kept while the database is locked)
        self.ready = threading.Event()  # set once `known` is loaded, or the database failed
        self.known: dict[str, KnownUsers] = {}  # channel -> chatters seen (read after `ready`)
        self.colors: list[tuple[str, str]] = []  # recent chatters' (login, color), newest first
        self.follows: dict[str, dict[str, float]] = {}  # channel -> user id -> followed_at (read after `ready`)
        self.failed: str | None = None
        # Two counters, one per thread: a `+=` on one attribute from both could lose a count (read, other thread
        # adds, write back).
        self.refused = 0  # main thread: what the full spool turned away
        self.lost = 0  # writer thread: what was queued or in hand when the history failed
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="history-writer", daemon=True)

    @property
    def dropped(self) -> int:
        """Rows and events that never reached the database (the queue was full, or the history failed)."""
        return self.refused + self.lost

    # -- main thread -----------------------------------------------------------

    def start(self) -> HistoryWriter:
        threads.start(self.thread)
        return self

    def put(self, ts: float, event: Any, held: bool = False) -> None:
        """Queue one received event for the database; never blocks.

        A held message (hold queue) is stored marked, and its chatter stays
        unknown until `Released` comes for them."""
        if self._later:  # the rows waiting for `settle` came first
            self.settle()
        if type(event) is ChatMessage:
            self.put_chat(ts, event, held)
        elif self.failed is None:
            self._queued(self._spool.put_event((ts, event, held)))

    def put_chat(self, ts: float, m: ChatMessage, held: bool = False) -> None:
        """`put` of a chat message, the hot path: it becomes its row here (strings and numbers), so nothing of
        the message's nested records stays alive until the batch is written (that made the collector's passes long)."""
        if self._later:
            self.settle()
        self._row(ts, m, held)

    def _row(self, ts: float, m: ChatMessage, held: bool) -> None:
        if self.failed is None:
            spool = self._spool
            if not spool.put_row(message_row(ts, m, held), m.chatter.id):
                self.refused += 1
            elif not self._armed:
                self._armed = True
                self._wake.set()
            elif spool.added - spool.removed >= FULL and not self._full.is_set():  # written now, flood or not
                self._full.set()

    def put_chat_later(self, ts: float, m: ChatMessage) -> None:
        """`put_chat`, once the message is on screen: the main loop calls `settle` right after it writes the
        terminal.  At a steady pace of chat each message is its own turn of that loop, on a CPU that has
        just woken up, and building and packing its row (~5 us there) would delay the line by as much.  At
        most LATER wait (a burst's turn would keep all its messages alive); every other `put`, `settle` and
        `stop` takes them first, so rows and events keep their order."""
        later = self._later
        if len(later) >= LATER:
            self.settle()
        later.append((ts, m))

    def settle(self) -> None:
        """Queue the rows `put_chat_later` kept (main thread).  Their lines are on screen already, so a Ctrl-C
        (or SIGTERM) waits until they are queued: it raised KeyboardInterrupt wherever the main thread was, and
        one that came between taking a row and queueing it lost that row (a clean stop lost a message).  One
        at a time out of `_later`: a row that cannot be built costs that row only, the rest stay for `stop`."""
        later = self._later
        if not later:
            return
        row = self._row
        with threads.signals_held():
            while later:
                ts, m = later.pop(0)
                row(ts, m, False)

    def _queued(self, ok: bool) -> None:
        if not ok:
            self.refused += 1
        elif not self._armed:
            self._armed = True
            self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Write everything queued, close the database, end the thread (bounded by `timeout`).  Main thread."""
        self.settle()
        self._stopping.set()
        self._wake.set()
        self._full.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    # -- the writer thread -----------------------------------------------------

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            conn = self._patiently(lambda: open_write(self.path, self._busy_ms))
            if self._trace is not None:
                conn.set_trace_callback(self._trace)
            self._patiently(lambda: self._load(conn))
        except Exception as exc:
            if conn is not None:
                conn.close()
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
        """Sleep until the first item of a batch (or the daily retention), gather for the flush interval,
        commit, repeat; on stop, write what is left."""
        clock = time.monotonic
        stopping = self._stopping
        self._retention(conn)
        next_retention = clock() + self._day
        while True:
            self._wake.wait(max(0.0, next_retention - clock()))
            self._wake.clear()
            if not stopping.is_set() and self._spool.count > 0:
                self._gather(clock() + self._max_delay)
            self._full.clear()
            self._armed = False  # before draining: an item put after this wakes the next round
            self._flush(conn)
            if self.written - self._trimmed_at >= self._trim_rows:  # after a raid, not twice a second in busy chat
                self._trimmed_at = self.written
                if self._trim is None:
                    self._trim = heap_trimmer()
                self._trim()
            if stopping.is_set():
                return
            if clock() >= next_retention:
                self._retention(conn)
                next_retention = clock() + self._day

    def _gather(self, latest: float) -> None:
        """Let a batch gather for the flush interval, and longer while a flood lasts (never past `latest`);
        FULL rows or a stop cut it short.  While rows pour in, they are packed out of Python's heap every
        FLOOD_LOOK (spool.py says why)."""
        full, clock, spool, flood, look = self._full, time.monotonic, self._spool, self._flood, self._flood_look
        since, seen = clock(), spool.added
        due = since + self._flush_interval
        step = look  # a first short look: a flood is packed as it comes
        while not full.wait(max(0.0, min(step, latest - clock()))):
            spool.pack()
            now = clock()
            flooding = spool.added - seen >= flood * (now - since)
            if now >= latest or (now >= due and not flooding):
                return  # the batch is due, and calm (or a pace human chat reaches), or as late as it may be
            since, seen = now, spool.added
            step = look if flooding else due - now

    def _flush(self, conn: sqlite3.Connection) -> None:
        """Write everything queued, a batch (one transaction) at a time."""
        # `count > 0`, and an empty take ends it too: a put appends before it counts, so a row taken between the
        # two makes the count -1 for a moment -- true, and the loop would spin on empty transactions until the
        # main thread counts it.
        while self._spool.count > 0:
            batch = self._holding = self._spool.take(MAX_BATCH)
            if not batch:
                break
            self._patiently(lambda: self._write(conn, batch))
            self._holding = []

    def _patiently(self, job: Callable[[], T]) -> T:
        """`job()`, tried again while another program holds the database's lock.

        Each try waits busy_ms inside SQLite; between tries the thread pauses (PAUSES, doubling) while the
        batch in hand and the queue wait.  A lock held LOCKED_SAY seconds is said once.  It gives up (the
        caller turns history off) only when chat can no longer be kept: the queue overflowed meanwhile,
        or focus is stopping."""
        since: float | None = None
        refused = self.refused
        pause = PAUSES[0]
        while True:
            try:
                return job()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or self._stopping.is_set() or self.refused > refused:
                    raise
                now = time.monotonic()
                since = now if since is None else since
                if not self._said_locked and now - since >= self._locked_say:
                    self._said_locked = True
                    self._report(f"{fault_line(exc)}: focus keeps chat and tries again; history waits in memory",
                                 "".join(traceback.format_exception(exc)))
            self._spool.pack()  # what arrives meanwhile waits packed, not as objects
            self._stopping.wait(pause)
            pause = min(pause * 2, PAUSES[1])

    def _load(self, conn: sqlite3.Connection) -> None:
        seen: dict[str, list[str]] = {}
        for channel, user_id in conn.execute("SELECT channel, user_id FROM users WHERE known = 1"):
            seen.setdefault(channel, []).append(user_id)
        self.known = {channel: KnownUsers(ids) for channel, ids in seen.items()}
        follows: dict[str, dict[str, float]] = {}
        for channel, user_id, followed_at in conn.execute(
                "SELECT channel, user_id, followed_at FROM follows WHERE followed_at IS NOT NULL"):
            follows.setdefault(channel, {})[user_id] = followed_at
        self.follows = follows
        self.colors = conn.execute("SELECT login, color FROM users WHERE color != '' ORDER BY last_ts DESC LIMIT ?",
                                   (RECENT_COLORS,)).fetchall()

    def _write(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        """One batch, one transaction: runs of chat rows in multi-row statements, events in order between
        them (an event may change the flags of the messages before it)."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                if type(item) is Run:
                    self._messages(conn, item.pieces(ROWS, SORT_FROM))
                else:
                    self._event(conn, item[0], item[1])
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        self.written += rows_in(batch)

    def _messages(self, conn: sqlite3.Connection, pieces: Iterable[list[tuple[Any, ...]]]) -> None:
        """Insert a run of message rows, ROWS at a time in chatter order (see "Chatter order"); their chatters and
        links are derived from the inserted rows by SQLite, with the GIL released, instead of by a Python loop
        over every row."""
        last = -1
        for piece in pieces:
            n = len(piece)
            if n < ROWS:
                piece += [PADDING] * (ROWS - n)
            try:
                cur = conn.execute(INSERT_ROWS, list(chain.from_iterable(piece)))
            except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800" decodes to one): UTF-8 cannot carry it
                cur = conn.execute(INSERT_ROWS, list(chain.from_iterable(_clean(r) for r in piece)))
            if last < 0:  # one statement's rows get consecutive ids: those before the first are older
                last = (cur.lastrowid or n) - n
        if last < 0:
            return
        conn.execute(UPSERT_USERS_FROM_MESSAGES, (last,))
        links = [(ts, channel, login, name, url, mid)
                 for ts, channel, login, name, text, mid in conn.execute(LINK_CANDIDATES, (last,))
                 for url in urls(text)]
        if links:
            conn.executemany(INSERT_LINK, links)

    def _event(self, conn: sqlite3.Connection, ts: float, e: Any) -> None:
        # Every statement's values cleaned: a lone surrogate in a message id or a name must not turn history off.
        run: Callable[[str, tuple[Any, ...]], sqlite3.Cursor] = lambda sql, args: conn.execute(sql, _clean(args))
        row = event_row(e)
        channel = channel_of(e)
        if row is not None:
            run(INSERT_EVENT, (ts, channel, row.type, row.user.id, row.user.login, row.user.name, row.target.id,
                               row.target.login, row.target.name, row.amount, row.detail))
        kind = type(e)
        if kind is Released:
            # Only the messages the streamer saw: one that expired unseen must not reach the stream through
            # /links, /questions or a reply's parent because a later message of its chatter was released.
            n = run("UPDATE messages SET held = 0 WHERE channel = ? AND user_id = ? AND held = 1 AND "
                    f"message_id IN ({','.join('?' * len(e.message_ids))})",
                    (e.channel, e.user_id, *e.message_ids)).rowcount if e.message_ids else 0
            # An events row of its own, the chatter as its target: the recap says how many were let through.
            run(INSERT_EVENT, (ts, e.channel, "release", "", "", "", e.user_id, e.login, e.name, n, ""))
            run(UPSERT_USER, (e.channel, e.user_id, e.login, e.name, e.color, ts, 1))
        elif kind is FollowAge:
            run(UPSERT_FOLLOW, (e.channel, e.user_id, e.followed_at, ts))
        elif kind is Follow and e.user.id:  # a follow seen live: its age is known without asking Twitch
            followed = rfc3339(e.followed_at)
            run(UPSERT_FOLLOW, (channel, e.user.id, followed.timestamp() if followed else ts, ts))
        elif kind is QuestionsAnswered:
            conn.executemany("UPDATE messages SET question = 2 WHERE id = ? AND question = 1",
                             [(i,) for i in e.ids])
        elif kind is MessageDelete:
            if e.target.id:  # the chatter's messages, newest first, up to the one (message ids are unique)
                run(DELETE_BY_CHATTER, (channel, e.target.id, e.message_id))
            else:
                run("UPDATE messages SET deleted = 1 WHERE message_id = ?", (e.message_id,))
        elif kind is ClearUserMessages:
            run("UPDATE messages SET cleared = 1 WHERE channel = ? AND user_id = ? AND ts <= ?",
                (channel, e.target.id, ts))
        elif kind is ChatClear:
            run("UPDATE messages SET cleared = 1 WHERE channel = ? AND ts <= ? AND cleared = 0",
                (channel, ts))
        elif kind is StreamOnline:
            run("INSERT INTO streams (channel, started_at) VALUES (?, ?)", (channel, ts))
        elif kind is StreamOffline:
            run("UPDATE streams SET ended_at = ? WHERE channel = ? AND ended_at IS NULL", (ts, channel))

    def _retention(self, conn: sqlite3.Connection) -> None:
        """Forget what is older than FOCUS_HISTORY_DAYS (0 keeps everything), RETENTION_CHUNK rows per
        transaction; chat queued meanwhile is written between the chunks."""
        if self.days <= 0:
            return
        cutoff = self._wall() - self.days * self._day
        for table, key, column in FORGET:
            while self._patiently(lambda: self._forget(conn, table, key, column, cutoff)) >= self._chunk:
                self._flush(conn)

    def _forget(self, conn: sqlite3.Connection, table: str, key: str, column: str, cutoff: float) -> int:
        conn.execute("BEGIN IMMEDIATE")
        try:
            n = conn.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT {key.strip('()')} FROM {table} "
                             f"WHERE {column} < ? LIMIT ?)", (cutoff, self._chunk)).rowcount
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
        return n

    def _fail(self, exc: BaseException) -> None:
        self.failed = fault_line(exc)
        if not isinstance(exc, StoreError) and self.path.parent.exists() and not (
                os.access(self.path.parent, os.W_OK) and (not self.path.exists() or os.access(self.path, os.W_OK))):
            self.failed = "the history database cannot be written (read-only, or not yours)"
        self._report(f"{self.failed}: focus goes on without history (details in the devlog)",
                     "".join(traceback.format_exception(exc)))
        self.lost += rows_in(self._holding) + self._spool.clear()  # whatever was queued is lost; count it
        self._holding = []
