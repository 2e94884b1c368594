"""The history database: where it lives, how it is opened, and its schema as numbered migrations.

Theory of operation (after datasette's database.py): one thread of one focus
process owns a write connection (store/writer.py); every query opens a read
connection of its own.  The file is in WAL mode, so readers never block the
writer and the writer never blocks readers; two writers (two focus processes,
or focus and a one-shot command) take turns through `busy_timeout`.

The schema version is SQLite's `user_version`.  `MIGRATIONS[n]` takes a
database at version n to n + 1; `migrate` applies the missing steps in one
transaction each, so a crash mid-migration leaves the previous version intact.
A database newer than this code (a later focus wrote it) is refused, never
rewritten.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

from focuslib.errors import FocusError

FILENAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 2000  # how long a write waits for another process's transaction before it gives up

MIGRATIONS: list[str] = [
    # 0 -> 1: messages, channel events, streams and the chatters seen (first-time marks, mention colors).
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL,
        ts REAL NOT NULL,                  -- when focus received it (Unix time)
        channel TEXT NOT NULL,             -- broadcaster user id
        user_id TEXT NOT NULL,
        login TEXT NOT NULL,
        name TEXT NOT NULL,
        color TEXT NOT NULL,
        text TEXT NOT NULL,
        badges TEXT NOT NULL,              -- "set_id/id/info" joined by ","
        reply_to TEXT NOT NULL,            -- parent message id, "" when not a reply
        kind TEXT NOT NULL,                -- Twitch's message_type (text, user_intro, ...)
        bits INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,  -- channel.chat.message_delete
        cleared INTEGER NOT NULL DEFAULT 0   -- channel.chat.clear / clear_user_messages
    );
    CREATE INDEX messages_ts ON messages(ts);
    CREATE INDEX messages_user ON messages(channel, user_id, ts);
    CREATE INDEX messages_mid ON messages(message_id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        channel TEXT NOT NULL,
        type TEXT NOT NULL,                -- follow, sub, gift, cheer, bits_use, raid, ban, timeout, delete, release,
                                           -- notice:<kind>... (store/rows.py event_row)
        user_id TEXT NOT NULL,             -- who did it (follower, gifter, moderator, raider)
        login TEXT NOT NULL,
        name TEXT NOT NULL,
        target_id TEXT NOT NULL,           -- whom it concerns (the banned user, the gift's recipient)
        target_login TEXT NOT NULL,
        target_name TEXT NOT NULL,
        amount INTEGER NOT NULL,           -- bits, viewers, gift total, timeout seconds...
        detail TEXT NOT NULL               -- reason, tier, message id, Twitch's system message
    );
    CREATE INDEX events_ts ON events(ts);
    CREATE INDEX events_target ON events(channel, target_id, ts);
    CREATE TABLE streams (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL
    );
    CREATE TABLE users (
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        login TEXT NOT NULL,
        name TEXT NOT NULL,
        color TEXT NOT NULL,
        last_ts REAL NOT NULL,
        known INTEGER NOT NULL DEFAULT 1,  -- 0: only held messages so far (the hold queue)
        PRIMARY KEY (channel, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX users_login ON users(login);
    """,
    # 1 -> 2: the question and link inboxes, and the hold queue's flag.
    """
    ALTER TABLE messages ADD COLUMN question INTEGER NOT NULL DEFAULT 0;  -- 1 open, 2 done
    ALTER TABLE messages ADD COLUMN held INTEGER NOT NULL DEFAULT 0;  -- 1 held and never released
    CREATE INDEX messages_question ON messages(channel, ts) WHERE question = 1;
    CREATE TABLE links (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        channel TEXT NOT NULL,
        login TEXT NOT NULL,
        name TEXT NOT NULL,
        url TEXT NOT NULL,
        message_id TEXT NOT NULL
    );
    CREATE INDEX links_ts ON links(ts);
    """,
    # 2 -> 3: no index by Twitch's message id.  Its keys are random UUIDs: every row touched a random leaf
    # page, ~15 us a row of the writer's time at 300,000 rows, more than the rest of the row together.  A
    # delete finds its message through the chatter's index instead (Twitch names the chatter), and /links
    # through the time index (a link row has its message's ts).
    """
    DROP INDEX IF EXISTS messages_mid;
    """,
    # 3 -> 4: how long chatters have followed the channel.  The hold queue lets a new chatter through who has
    # followed for FOCUS_HOLD_FOLLOW_DAYS; Twitch answers that with one call per chatter (Get Channel Followers),
    # and a follow seen over EventSub tells it too: kept here, a later run asks Twitch nothing.
    """
    CREATE TABLE follows (
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        followed_at REAL,                  -- Unix time of the follow; NULL: not following when Twitch was asked
        checked_at REAL NOT NULL,          -- when that was learned
        PRIMARY KEY (channel, user_id)
    ) WITHOUT ROWID;
    """,
]
VERSION = len(MIGRATIONS)


class StoreError(FocusError):
    """The history database cannot be used (locked, corrupt, full, read-only, not ours)."""


def db_path(data_dir: Path) -> Path:
    return data_dir / FILENAME


def prepare_dir(data_dir: Path) -> None:
    """Create the data directory 0700, and refuse one that belongs to someone else."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(data_dir)
    except OSError as exc:
        raise StoreError(f"cannot create {data_dir}: {exc.strerror}", "check FOCUS_DATA_DIR") from None
    if st.st_uid != os.getuid():
        raise StoreError(f"{data_dir} belongs to another user", "set FOCUS_DATA_DIR to a directory of yours")
    if st.st_mode & 0o077:
        os.chmod(data_dir, 0o700)


def check_file(path: Path) -> None:
    """Refuse a history file (or its WAL) that another user owns or could read."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(f"cannot read {p}: {exc.strerror}", "check its permissions") from None
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            raise StoreError(f"{p} is not a file of yours", "move it away; focus starts a new history")
        if st.st_mode & 0o077:
            try:
                os.chmod(p, 0o600)
            except OSError as exc:
                # A read-only mount (a backup copied under umask 022): nothing is written there, and reading
                # it exposes nothing more.  Anything else is one line, never a traceback.
                if exc.errno != errno.EROFS:
                    raise StoreError(f"cannot make {p} private: {exc.strerror}", "check its permissions") from None


def open_write(path: Path, busy_ms: int | None = None) -> sqlite3.Connection:
    """The writer's connection: file created 0600, WAL, migrated to VERSION (closed again if any step fails).

    `busy_ms`: how long a statement waits for another program's lock (BUSY_TIMEOUT_MS, looked up at the call:
    tests shorten it)."""
    busy_ms = BUSY_TIMEOUT_MS if busy_ms is None else busy_ms
    prepare_dir(path.parent)
    check_file(path)
    if not path.exists():
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)  # private from the first byte
        os.close(fd)
    old = os.umask(0o077)  # the -wal and -shm files SQLite creates next to it
    try:
        conn = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise sqlite3.OperationalError("the file system does not support WAL mode")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: a crash loses no committed batch, a power cut may
            conn.execute("PRAGMA cache_size = -512")  # KiB: appends touch few pages; SQLite's default 2 MiB was RSS
            migrate(conn)
        except BaseException:
            conn.close()  # a locked file is opened again later (the writer retries): no connection left behind
            raise
    finally:
        os.umask(old)
    return conn


def open_read(path: Path, busy_ms: int | None = None) -> sqlite3.Connection:
    """A read connection for queries; raises StoreError when there is no usable history.

    `busy_ms`: how long to wait for a lock another program holds (focus's own main thread passes a
    short one: chat must not wait for a database; by default BUSY_TIMEOUT_MS, looked up at the call)."""
    busy_ms = BUSY_TIMEOUT_MS if busy_ms is None else busy_ms
    if not path.exists():
        raise StoreError(f"there is no history yet ({path} does not exist)",
                         "run focus (history is on unless --no-history or FOCUS_HISTORY=off)")
    check_file(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=busy_ms / 1000)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc) or os.access(path.parent, os.W_OK):
            raise
        # A read-only directory (a read-only mount, a backup): WAL needs its -shm file, which cannot be
        # made there; nothing can be writing either, so read the file as it is.
        conn.close()
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != VERSION:
        conn.close()
        hint = "update focus" if version > VERSION else "run focus once to update it"
        raise StoreError(f"the history database is at version {version}, this focus reads {VERSION}", hint)
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the missing migrations, each in its own transaction; the version reached."""
    while True:
        conn.execute("BEGIN IMMEDIATE")  # one process migrates; the other waits, then sees the new version
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > VERSION:
                raise StoreError(f"the history database is at version {version}, newer than this focus ({VERSION})",
                                 "update focus, or set FOCUS_DATA_DIR elsewhere")
            if version == VERSION:
                conn.execute("COMMIT")
                return version
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED, any extended code): try again later."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in (
        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def rollback(conn: sqlite3.Connection) -> None:
    """End a failed transaction without hiding why it failed.

    SQLite rolls a transaction back by itself after some errors (an I/O error,
    a full disk); a ROLLBACK then raises "no transaction is active", which would
    replace the real error the caller is about to re-raise."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the connection is unusable; the caller's error says why


def _statements(script: str) -> list[str]:
    """Split a migration into statements (none of ours has a ';' inside a literal)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
