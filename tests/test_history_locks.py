"""The history writer and another program on one database file: real locks, real SQLite files.

A second connection that holds the write lock (BEGIN IMMEDIATE) is what
another focus, a one-shot command or a database browser does; the writer
must wait it out without losing chat, say so once, and give up only when it
cannot keep what arrives.  Retention must leave the lock free between its
chunks, and a transaction SQLite already rolled back must not hide why.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from focuslib.sim import payloads
from focuslib.store import schema
from focuslib.store.schema import db_path, open_read, open_write
from focuslib.store.writer import DAY, HistoryWriter
from focuslib.twitch.events import parse_event

from conftest import ROOT, t

ANN = ("501", "ann", "Ann")


def chat(text: str):
    return parse_event("channel.chat.message", "1", payloads.chat_message(ANN, text))


class Reports:
    """The writer's `report` callback: lines kept, an event per line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.said = threading.Event()

    def __call__(self, line: str, detail: str) -> None:
        self.lines.append(line)
        self.said.set()

    def wait(self, n: int) -> list[str]:
        deadline = time.monotonic() + t(10)
        while len(self.lines) < n:
            assert time.monotonic() < deadline, self.lines
            self.said.wait(0.05)
            self.said.clear()
        return self.lines


def texts(path: Path) -> list[str]:
    conn = open_read(path)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM messages ORDER BY ts, id")]  # arrival order
    finally:
        conn.close()


def hold_lock(path: Path) -> sqlite3.Connection:
    """Another program's connection, in the middle of a write transaction."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def started(path: Path, reports: Reports, **kw) -> HistoryWriter:
    w = HistoryWriter(path, report=reports, busy_ms=20, locked_say=0.0, **kw).start()
    assert w.ready.wait(t(5))
    return w


@contextmanager
def locked(tmp_path: Path, **kw) -> Iterator[tuple[Path, Reports, HistoryWriter]]:
    """A running writer on a database another connection keeps locked until the block ends."""
    path = db_path(tmp_path)
    reports = Reports()
    w = started(path, reports, flush_interval=0.01, **kw)
    other = hold_lock(path)
    try:
        yield path, reports, w
    finally:
        other.execute("ROLLBACK")  # the other program is done
        other.close()


def test_a_lock_held_past_the_busy_timeout_delays_the_batch_and_loses_nothing(tmp_path):
    with locked(tmp_path) as (path, reports, w):
        for k in range(5):
            w.put(time.time(), chat(f"while locked {k}"))
        line = reports.wait(1)[0]
        assert "locked by another program" in line and "tries again" in line
        assert w.failed is None and w.thread.is_alive()
        w.put(time.time(), chat("queued behind the lock"))
    w.stop(t(10))
    assert not w.thread.is_alive() and w.failed is None and w.dropped == 0
    assert texts(path) == [f"while locked {k}" for k in range(5)] + ["queued behind the lock"]
    assert len(reports.lines) == 1  # said once


def test_a_database_locked_when_focus_starts_is_opened_once_free(tmp_path):
    path = db_path(tmp_path)
    w0 = HistoryWriter(path).start()  # the file exists, at the current version
    assert w0.ready.wait(t(5))
    w0.stop(t(5))
    other = hold_lock(path)
    reports = Reports()
    w = HistoryWriter(path, report=reports, busy_ms=20, locked_say=0.0).start()
    try:
        assert "locked by another program" in reports.wait(1)[0]
        assert not w.ready.is_set()  # still waiting to open, not given up
        w.put(time.time(), chat("before the database opened"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert w.ready.wait(t(10)) and w.failed is None
    w.stop(t(10))
    assert texts(path) == ["before the database opened"]


def test_a_lock_that_outlasts_the_queue_turns_history_off_once_and_counts_the_loss(tmp_path):
    with locked(tmp_path, capacity=5) as (path, reports, w):
        w.put(time.time(), chat("the batch in hand"))
        reports.wait(1)  # the writer holds that batch and waits for the lock
        for k in range(8):
            w.put(time.time(), chat(f"more {k}"))  # 5 queued, 3 dropped: chat can no longer be kept
        w.thread.join(t(10))
        assert not w.thread.is_alive()
    assert w.failed is not None and "locked" in w.failed
    assert len(reports.lines) == 2 and "focus goes on without history" in reports.lines[1]
    assert w.dropped == 9  # all of it, counted
    assert texts(path) == []


def test_stopping_while_locked_gives_up_and_counts_what_was_queued(tmp_path):
    with locked(tmp_path) as (_, reports, w):
        for k in range(3):
            w.put(time.time(), chat(f"x{k}"))
        reports.wait(1)
        w.stop(t(10))
        assert not w.thread.is_alive()
    assert w.failed is not None and "locked" in w.failed and w.dropped == 3


def test_retention_deletes_in_chunks_and_leaves_the_lock_free_between_them(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    seed = HistoryWriter(path, days=0).start()
    assert seed.ready.wait(t(5))
    for k in range(450):
        seed.put(now - 100 * DAY, chat(f"old {k}"))
    seed.put(now, chat("recent"))
    seed.stop(t(10))
    assert seed.written == 451

    probe = sqlite3.connect(path, isolation_level=None, timeout=0, check_same_thread=False)
    statements: list[str] = []
    free: list[bool] = []

    def trace(sql: str) -> None:  # runs in the writer's thread as each statement starts
        statements.append(sql)
        if sql.startswith("BEGIN") and any(s.startswith("DELETE FROM messages") for s in statements):
            try:  # another program's write, right between two chunks
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                free.append(True)
            except sqlite3.OperationalError:
                free.append(False)

    w = HistoryWriter(path, days=90, retention_chunk=100, trace=trace).start()
    assert w.ready.wait(t(5))
    w.stop(t(10))
    probe.close()
    assert w.failed is None
    assert texts(path) == ["recent"]
    deletes = [s for s in statements if s.startswith("DELETE FROM messages")]
    assert len(deletes) == 5  # 100, 100, 100, 100, 50: one transaction each
    assert free and all(free)


SHRUNK_DISK = """
import resource, signal, sys
from pathlib import Path
from focuslib.store.writer import HistoryWriter
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, as on a full disk, instead of death
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
lines = []
w = HistoryWriter(Path(sys.argv[1]), report=lambda line, detail: lines.append(line)).start()
w.ready.wait(10)
w.stop(10)
print("\\n".join(lines))
"""


def test_retention_on_a_full_disk_reports_the_disk_not_the_rollback(tmp_path):
    """Deleting writes to the WAL; on a full disk SQLite rolls the transaction back by itself."""
    path = db_path(tmp_path)
    conn = open_write(path)
    conn.executemany("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, "
                     "reply_to, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     [(str(k), 1.0, "1", "2", "a", "A", "", "x" * 100, "", "", "text") for k in range(20000)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL: the deletes must grow it
    conn.close()
    res = subprocess.run([sys.executable, "-c", SHRUNK_DISK, str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=t(60))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines() == [
        "the disk holding the history database is full or failing: focus goes on without history "
        "(details in the devlog)"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 20000  # rolled back whole
    conn.close()


def test_a_migration_sqlite_rolled_back_itself_reports_its_own_error(tmp_path):
    """An interrupted statement makes SQLite roll the whole transaction back; ROLLBACK then has nothing to do."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for statement in schema._statements(schema.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.set_trace_callback(lambda sql: conn.interrupt() if sql.startswith("CREATE TABLE links") else None)
    try:
        schema.migrate(conn)
    except sqlite3.OperationalError as exc:
        assert str(exc) == "interrupted"  # not "cannot rollback - no transaction is active"
    else:
        raise AssertionError("the interrupted migration went through")
    assert not conn.in_transaction
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # the step is all or nothing
    conn.set_trace_callback(None)
    assert schema.migrate(conn) == schema.VERSION
    conn.close()


def test_the_statements_of_every_batch_read_only_the_new_rows(tmp_path):
    """Per batch, the writer derives chatters and links from the rows it just inserted: by rowid range,
    never by walking a whole table or index (that cost grows with the history, and the writer fell behind)."""
    from focuslib.store import writer

    conn = open_write(db_path(tmp_path))
    try:
        for sql in (writer.UPSERT_USERS_FROM_MESSAGES, writer.LINK_CANDIDATES):
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, (0,))]
            assert plan[0] == "SEARCH messages USING INTEGER PRIMARY KEY (rowid>?)", plan
            assert not any(step.startswith("SCAN") for step in plan), plan
        # A delete (there is no index by message id) goes through the chatter's index.
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + writer.DELETE_BY_CHATTER, ("1", "2", "m"))]
        assert "SEARCH messages USING INDEX messages_user (channel=? AND user_id=?)" in plan, plan
        assert not any(step.startswith(("SCAN", "USE TEMP")) for step in plan), plan
    finally:
        conn.close()


def test_a_message_turned_away_while_the_history_fails_is_counted_too(tmp_path):
    """The main thread counts what the full queue turns away while the writer, failing, counts what it loses:
    neither count may overwrite the other.  Both threads are stopped for real (the interpreter's trace hooks)
    at the worst moment: the main thread about to count a refused message, the writer inside `clear`."""
    import inspect
    import sys

    from focuslib.store.spool import Spool

    path = db_path(tmp_path)
    reports = Reports()
    gate, at_gate, at_count, in_clear, counted = (threading.Event() for _ in range(5))

    def writer_hook(frame, event, arg):
        if event == "call" and frame.f_code is Spool.pack.__code__ and gate.is_set() and not at_gate.is_set():
            at_gate.set()  # between two tries on the locked database
            assert at_count.wait(t(10))
        elif event == "call" and frame.f_code is Spool.clear.__code__:
            in_clear.set()  # failing: its own count under way
            assert counted.wait(t(10))
        return None

    w = HistoryWriter(path, report=reports, busy_ms=20, locked_say=0.0, flush_interval=0.01, capacity=1)
    threading.settrace(writer_hook)  # for the writer thread, started now
    try:
        w.start()
    finally:
        threading.settrace(None)
    assert w.ready.wait(t(5))
    other = hold_lock(path)
    try:
        w.put(time.time(), chat("the batch in hand"))
        reports.wait(1)  # the writer holds it and tries again and again
        gate.set()
        assert at_gate.wait(t(10))
        w.put(time.time(), chat("queued"))  # the queue is full now
        w.put(time.time(), chat("turned away first"))  # the writer gives up at its next try
        lines, first = inspect.getsourcelines(HistoryWriter._row)  # where put_chat counts a refused row
        count_line = first + next(k for k, text in enumerate(lines) if "+= 1" in text)

        def local(frame, event, arg):
            if event == "line" and frame.f_lineno == count_line:
                at_count.set()
                assert in_clear.wait(t(10))
            elif event in ("line", "return") and in_clear.is_set():
                counted.set()
            return local

        sys.settrace(lambda frame, event, arg: local if frame.f_code is HistoryWriter._row.__code__ else None)
        try:
            w.put(time.time(), chat("turned away while it fails"))
        finally:
            sys.settrace(None)
        assert counted.is_set()
        w.thread.join(t(10))
        assert not w.thread.is_alive() and w.failed is not None
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert w.dropped == 4  # in hand, queued, and both turned away
