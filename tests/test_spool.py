"""The history writer's queue (store/spool.py) and its timing: rows packed out of Python's heap, in order,
bounded; a flood's batch waits for the flood to pass, but never past the longest delay."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys
import threading
import time
import weakref

from focuslib.sim import payloads
from focuslib.store.schema import db_path
from focuslib.store.spool import KEYS, Run, Spool, rows_in
from focuslib.store.writer import HistoryWriter
from focuslib.twitch.events import parse_event

from conftest import ROOT, t


def row(user: str, n: int, text: str = "hello") -> tuple:
    return (f"m{user}-{n}", 1000.0 + n, "70", user, f"u{user}", f"U{user}", "#fff", f"{text} {n}", "", "", "text",
            0, 0, 0)


def unpacked(items: list, sort_from: int = 1) -> list:
    """What take() returned, runs unpacked (in their insert order), events as they are."""
    out: list = []
    for item in items:
        if type(item) is Run:
            for piece in item.pieces(3, sort_from):
                assert len(piece) <= 3
                out.extend(piece)
        else:
            out.append(item)
    return out


def test_rows_come_back_whole_in_chatter_order_with_each_chatters_order_kept_and_events_in_place():
    s = Spool(1_000, 1 << 20)
    first = [row(u, n) for n in range(4) for u in ("1", "2", "3")]  # interleaved chatters
    for r in first:
        assert s.put_row(r, r[3])
    s.pack()  # a look of the writer in the middle of the run: the run goes on
    more = [row("2", 9), row("1", 9)]
    for r in more:
        s.put_row(r, r[3])
    event = (1.5, "an event", False)
    assert s.put_event(event)
    after = row("1", 10, "after the event")
    s.put_row(after, after[3])
    assert s.count == 16
    items = s.take(1_000)
    assert [type(i) for i in items] == [Run, tuple, Run]  # one run before the event (two packs), one after
    assert rows_in(items) == 16 and s.count == 0
    got = unpacked(items)
    assert got[14] == event and got[15] == after
    before = got[:14]
    assert sorted(before) == sorted(first + more)  # every row, every field, exactly
    # Sorted as the index by chatter orders them, each chatter's rows in their own order:
    assert before == sorted(first + more, key=lambda r: r[3])
    # A run too small to gain from sorting keeps its arrival order:
    assert unpacked(items, sort_from=100)[:14] == first + more


def test_the_chatter_keys_the_main_thread_keeps_are_bounded_and_stay_right_after_a_start_again():
    s = Spool(100_000, 1 << 30)
    users = [f"{90_000_000 + k}" for k in range(KEYS + 10)]  # one more chatter than kept, and then some
    rows = [row(u, n) for n in range(2) for u in users]
    for r in rows:
        assert s.put_row(r, r[3])
        assert len(s._keys) <= KEYS
    assert unpacked(s.take(len(rows))) == sorted(rows, key=lambda r: r[3])  # the keys still order every row


def test_the_spool_is_bounded_in_rows_and_in_bytes_and_counts_what_it_refused():
    s = Spool(5, 1 << 20)
    assert [s.put_row(row("1", n), "1") for n in range(7)] == [True] * 5 + [False] * 2
    assert not s.put_event((1.0, "event", False))
    s.take(2)
    assert s.put_row(row("1", 99), "1")  # taken rows free their places
    big = Spool(1_000, 10_000)
    fits = [big.put_row(row("1", n, "x" * 2_000), "1") for n in range(10)]
    assert fits[:4] == [True] * 4 and not any(fits[5:])  # ~2 KB a row: the byte bound stops it first


def test_a_written_block_goes_back_to_the_system():
    s = Spool(100_000, 1 << 30, block=64 << 10)
    for n in range(2_000):  # ~190 bytes a row, packed by 300 (the writer's looks): several blocks
        s.put_row(row(str(n % 7), n), str(n % 7))
        if n % 300 == 299:
            s.pack()
    items = s.take(100_000)
    blocks = {id(i.block): weakref.ref(i.block) for i in items if type(i) is Run}
    assert len(blocks) > 2 and rows_in(items) == 2_000
    assert len(unpacked(items)) == 2_000
    del items
    gc.collect()
    assert s.take(1) == [] and all(ref() is None for ref in blocks.values())  # every map unmapped


def test_a_long_wait_is_split_into_runs_of_a_block_each_so_a_transaction_stays_small():
    s = Spool(100_000, 1 << 30, block=64 << 10)
    for n in range(2_000):  # what came while the writer waited for a lock: one pack of ~390 KB
        s.put_row(row(str(n % 7), n), str(n % 7))
    items = s.take(500)
    assert items and all(type(i) is Run and i.end - i.start <= 64 << 10 for i in items)
    assert 500 <= rows_in(items) < 500 + 64 * 1024 // 150  # whole runs, but no more than one past the limit
    rest = s.take(100_000)
    assert rows_in(items) + rows_in(rest) == 2_000 and len(unpacked(items + rest)) == 2_000


def test_clearing_a_failed_history_counts_everything_and_packs_nothing():
    s = Spool(100_000, 1 << 30)
    for n in range(10):
        s.put_row(row("1", n), "1")
    s.pack()
    s.put_event((1.0, "event", False))
    s.put_row(row("1", 10), "1")  # arrived, never packed
    block = s._block
    assert s.clear() == 12 and s.count == 0 and s.take(10) == []
    assert s._block is None and block is not None  # the packed block let go, no new one mapped
    assert s.put_row(row("1", 11), "1")  # its bytes freed: the bound counts from zero again


def chat(n: int):
    return parse_event("channel.chat.message", "1", payloads.chat_message(("501", "ann", "Ann"), f"flood {n}"))


def flood(w: HistoryWriter, seconds: float, rate: int = 10_000) -> float:
    """`rate` rows a second (well below FULL a batch) for `seconds`; when the flood ended."""
    m = chat(0)
    began = time.monotonic()
    n = 0
    while (now := time.monotonic()) < began + seconds:
        if n < (now - began) * rate:
            w.put(time.time(), m._replace(message_id=f"f{n}"))
            n += 1
    return time.monotonic()


def test_a_flood_waits_to_be_written_until_it_passes_and_then_is_written_at_once(tmp_path):
    path = db_path(tmp_path)
    queued_at_first_insert: list[int] = []
    w = HistoryWriter(path, flush_interval=0.05, max_delay=t(60), flood=1, flood_look=1.0,
                      trace=lambda sql: queued_at_first_insert.append(w._spool.added)
                      if sql.startswith("INSERT INTO messages") else None)
    w.start()
    try:
        assert w.ready.wait(t(5))
        flood(w, 1.5)  # 30 flush intervals of rows, none a second apart
        total = w._spool.added
        w.stop(t(20))  # writes what is left, had the flood not been written yet
        # Nothing was written while the rows poured in: the first insert came when all of them were queued.
        assert queued_at_first_insert and queued_at_first_insert[0] == total
    finally:
        w.stop(t(10))
    assert w.dropped == 0 and sqlite3.connect(path).execute("SELECT count(*) FROM messages").fetchone()[0] == total


def test_a_flood_longer_than_the_longest_delay_is_written_while_it_lasts(tmp_path):
    path = db_path(tmp_path)
    queued_at_insert: list[int] = []
    w = HistoryWriter(path, flush_interval=0.05, max_delay=0.3, flood=1, flood_look=0.05,
                      trace=lambda sql: queued_at_insert.append(w._spool.added)
                      if sql.startswith("INSERT INTO messages") else None)
    w.start()
    try:
        assert w.ready.wait(t(5))
        flood(w, 3.0)
        total = w._spool.added
        # A crash loses at most about the longest delay, flood or not: rows were written while more came.
        assert queued_at_insert and queued_at_insert[0] < total
    finally:
        w.stop(t(10))


def test_full_rows_are_written_at_once_flood_or_not(tmp_path):
    from focuslib.store.writer import FULL

    path = db_path(tmp_path)
    queued_at_insert: list[int] = []
    w = HistoryWriter(path, capacity=4 * FULL, flush_interval=0.05, max_delay=t(60), flood=1, flood_look=t(30),
                      trace=lambda sql: queued_at_insert.append(w._spool.added)
                      if sql.startswith("INSERT INTO messages") else None)
    w.start()
    try:
        assert w.ready.wait(t(5))
        m = chat(0)
        n = 0
        while not queued_at_insert and n < 4 * FULL:  # a flood the writer would otherwise wait out for a minute
            w.put(time.time(), m._replace(message_id=f"f{n}"))
            n += 1
        deadline = time.monotonic() + t(20)
        while not queued_at_insert:
            assert time.monotonic() < deadline, "FULL rows were not written while the flood lasted"
            time.sleep(0.01)
        assert queued_at_insert[0] >= FULL
    finally:
        w.stop(t(20))


def test_the_writer_gives_the_heap_back_once_enough_rows_were_written_since_the_last_time(tmp_path):
    """A flush that brings the rows written since the last trim to `trim_rows` trims the heap (glibc's
    malloc_trim: what the writer freed goes back to the system, not only from the top of its heap); flushes
    below that, and a stop that writes nothing, do not (a trim holds the allocator's locks for a moment)."""
    trims: list[int] = []
    w = HistoryWriter(db_path(tmp_path), flush_interval=0.01, trim=lambda: trims.append(w.written), trim_rows=2)
    w.start()
    try:
        assert w.ready.wait(t(5))
        for n in range(3):
            w.put(time.time(), chat(0)._replace(message_id=f"trim-{n}"))
            deadline = time.monotonic() + t(10)
            while w.written <= n:  # one flush per row
                assert time.monotonic() < deadline, "the row was not written"
                time.sleep(0.01)
        # The writer trims right after a flush, in the same round: once the third row is written, the second
        # row's trim is done, and the third brought the count since it to 1, one short of the next.
        assert trims == [2]
    finally:
        w.stop(t(10))
    assert trims == [2]


def test_the_heap_trimmer_is_glibcs_malloc_trim_where_there_is_one_and_a_no_op_elsewhere():
    import platform
    import sys

    from focuslib.store.spool import heap_trimmer

    trim = heap_trimmer()
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":  # CI and this machine
        assert trim() in (0, 1)  # malloc_trim(0): 1 when it gave memory back, 0 when there was none to give
    else:
        assert trim() is None


def test_a_python_without_ctypes_trims_nothing_and_keeps_its_history(tmp_path):
    """A Python built without libffi has no _ctypes: `import ctypes` raised ImportError in the writer thread at its
    first flush, which turned the history off ("the history database cannot be used ...").  A fresh interpreter
    where `import ctypes` fails as it does there."""
    script = """if True:
        import sys, time
        from pathlib import Path
        sys.modules["ctypes"] = None  # what `import ctypes` meets where _ctypes was not built: ImportError
        from focuslib.sim import payloads
        from focuslib.store.writer import HistoryWriter
        from focuslib.twitch.events import parse_event
        w = HistoryWriter(Path(sys.argv[1]), flush_interval=0.01).start()
        assert w.ready.wait(60)
        w.put(time.time(), parse_event("channel.chat.message", "1", payloads.chat_message(("501", "ann", "Ann"), "hi")))
        w.stop(60)
        assert w.failed is None and w.written == 1, (w.failed, w.written)
    """
    done = subprocess.run([sys.executable, "-c", script, str(db_path(tmp_path))], cwd=ROOT, capture_output=True,
                          text=True, timeout=t(60))
    assert done.returncode == 0, done.stderr[-2000:]
