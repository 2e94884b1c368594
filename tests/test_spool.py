"""The history writer's queue (store/spool.py) and its timing: rows packed out of Python's heap, in order,
bounded; a flood's batch waits for the flood to pass, but never past the longest delay."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
import weakref

from focuslib.sim import payloads
from focuslib.store.schema import db_path
from focuslib.store.spool import Run, Spool, chatter_key, rows_in
from focuslib.store.writer import HistoryWriter
from focuslib.twitch.events import parse_event

from conftest import t


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
        assert s.put_row(r, chatter_key(r[3]))
    s.pack()  # a look of the writer in the middle of the run: the run goes on
    more = [row("2", 9), row("1", 9)]
    for r in more:
        s.put_row(r, chatter_key(r[3]))
    event = (1.5, "an event", False)
    assert s.put_event(event)
    after = row("1", 10, "after the event")
    s.put_row(after, chatter_key(after[3]))
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


def test_the_spool_is_bounded_in_rows_and_in_bytes_and_counts_what_it_refused():
    s = Spool(5, 1 << 20)
    assert [s.put_row(row("1", n), b"1") for n in range(7)] == [True] * 5 + [False] * 2
    assert not s.put_event((1.0, "event", False))
    s.take(2)
    assert s.put_row(row("1", 99), b"1")  # taken rows free their places
    big = Spool(1_000, 10_000)
    fits = [big.put_row(row("1", n, "x" * 2_000), b"1") for n in range(10)]
    assert fits[:4] == [True] * 4 and not any(fits[5:])  # ~2 KB a row: the byte bound stops it first


def test_a_written_block_goes_back_to_the_system():
    s = Spool(100_000, 1 << 30, block=64 << 10)
    for n in range(2_000):  # ~190 bytes a row, packed by 300 (the writer's looks): several blocks
        s.put_row(row(str(n % 7), n), chatter_key(str(n % 7)))
        if n % 300 == 299:
            s.pack()
    items = s.take(100_000)
    blocks = {id(i.block): weakref.ref(i.block) for i in items if type(i) is Run}
    assert len(blocks) > 2 and rows_in(items) == 2_000
    assert len(unpacked(items)) == 2_000
    del items
    gc.collect()
    assert s.take(1) == [] and all(ref() is None for ref in blocks.values())  # every map unmapped


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
    seen: list[float] = []
    w = HistoryWriter(path, flush_interval=0.05, max_delay=t(30), flood=1, flood_look=0.3,
                      trace=lambda sql: seen.append(time.monotonic()) if sql.startswith("INSERT INTO messages") else None)
    w.start()
    try:
        assert w.ready.wait(t(5))
        ended = flood(w, 1.0)  # 20 flush intervals of rows
        deadline = time.monotonic() + t(10)
        while not seen:
            assert time.monotonic() < deadline, "the flood was never written"
            time.sleep(0.01)
        assert seen[0] >= ended  # nothing written while the rows poured in...
    finally:
        w.stop(t(10))
    assert w.dropped == 0 and sqlite3.connect(path).execute("SELECT count(*) FROM messages").fetchone()[0] == w.written


def test_a_flood_longer_than_the_longest_delay_is_written_while_it_lasts(tmp_path):
    path = db_path(tmp_path)
    seen: list[float] = []
    w = HistoryWriter(path, flush_interval=0.05, max_delay=0.3, flood=1, flood_look=0.05,
                      trace=lambda sql: seen.append(time.monotonic()) if sql.startswith("INSERT INTO messages") else None)
    w.start()
    try:
        assert w.ready.wait(t(5))
        began = time.monotonic()
        ended = flood(w, 2.0)
        assert seen and seen[0] < ended  # a crash loses at most about the longest delay, flood or not
        assert seen[0] >= began + 0.3
    finally:
        w.stop(t(10))


def test_a_row_taken_before_the_main_thread_counted_it_is_written_once_and_the_writer_does_not_spin(tmp_path):
    """put_row appends a row, then counts it: the writer may take it in between (the count is -1 for that
    moment).  The main thread is stopped right there, for real (the interpreter's trace hook), with a row queued
    before, while the writer is told to stop: it writes both rows once and ends -- it does not spin on empty
    transactions until the main thread goes on."""
    import inspect
    import sys

    path = db_path(tmp_path)
    sql: list[str] = []
    w = HistoryWriter(path, trace=sql.append, flush_interval=3600).start()  # the batch gathers until the stop
    assert w.ready.wait(t(5))
    lines, first = inspect.getsourcelines(Spool.put_row)
    between = first + next(k for k, text in enumerate(lines) if "self.added_bytes += n" in text)
    ended: list[bool] = []

    def local(frame, event, arg):
        if event == "line" and frame.f_lineno == between and not ended:
            w.stop(t(10))  # appended, not yet counted
            ended.append(not w.thread.is_alive())
        return local

    w.put(time.time(), chat(1))
    sys.settrace(lambda frame, event, arg: local if frame.f_code is Spool.put_row.__code__ else None)
    try:
        w.put(time.time(), chat(2))
    finally:
        sys.settrace(None)
    w.stop(t(10))
    assert ended == [True], "the writer kept spinning while the row was not yet counted"
    assert "BEGIN IMMEDIATE\nCOMMIT" not in "\n".join(sql)  # no empty transaction
    assert w.written == 2 and w._spool.count == 0 and w.dropped == 0
    assert sqlite3.connect(path).execute("SELECT text FROM messages ORDER BY ts").fetchall() == [
        ("flood 1",), ("flood 2",)]
