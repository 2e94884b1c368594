"""The history store on real SQLite files: schema and migrations, the writer thread, retention, flags, queries."""

from __future__ import annotations

import os
import sqlite3
import stat
import signal
import threading
import time
from pathlib import Path

import pytest

from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_chat
from focuslib.sim import payloads_community
from focuslib.store import queries
from focuslib.store import report
from focuslib.store.known import KnownUsers
from focuslib.store.schema import MIGRATIONS, VERSION, StoreError, db_path, open_read, open_write
from focuslib.store.writer import DAY, LATER, FollowAge, HistoryWriter, QuestionsAnswered, Released
from focuslib.twitch.events import parse_event

from conftest import t

ANN = ("501", "ann", "Ann")
BOB = ("502", "bob", "Bob")
CY = ("503", "cy", "Cy")
MOD = ("509", "mossy", "Mossy")


def chat(who, text, **kw):
    return parse_event("channel.chat.message", "1", payloads.chat_message(who, text, **kw))


def ev(stype, payload, version="1"):
    return parse_event(stype, version, payload)


def write(path: Path, items, **kw) -> HistoryWriter:
    """Run a writer over `items` [(ts, event) or (ts, event, held)] and stop it (everything flushed)."""
    faults: list[str] = []
    w = HistoryWriter(path, report=lambda line, detail: faults.append(line), **kw).start()
    assert w.ready.wait(t(5))
    for item in items:
        w.put(*item)
    w.stop(t(5))
    assert not w.thread.is_alive()
    assert not faults, faults
    return w


def rows(path: Path, sql: str, args=()):
    conn = open_read(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_new_database_is_private_in_wal_mode_and_at_the_current_version(tmp_path):
    path = db_path(tmp_path / "data")
    write(path, [(time.time(), chat(ANN, "hi"))])
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION == len(MIGRATIONS)
    conn.close()


def test_migration_from_version_1_keeps_the_messages_and_adds_the_inboxes(tmp_path):
    path = db_path(tmp_path)
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    old.execute("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, reply_to, "
                "kind) VALUES ('m1', 100.0, '70000001', '501', 'ann', 'Ann', '', 'from the old schema', '', '', "
                "'text')")
    old.execute("INSERT INTO users VALUES ('70000001', '501', 'ann', 'Ann', '', 100.0, 1)")
    old.close()
    w = write(path, [], days=0)
    assert w.known["70000001"] and "501" in w.known["70000001"]
    assert rows(path, "PRAGMA user_version") == [(VERSION,)]
    assert rows(path, "SELECT text, question, held FROM messages") == [("from the old schema", 0, 0)]
    assert rows(path, "SELECT count(*) FROM links") == [(0,)]


def test_migration_from_version_2_drops_the_message_id_index_and_deletes_still_find_their_message(tmp_path):
    path = db_path(tmp_path)
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(MIGRATIONS[0] + ";" + MIGRATIONS[1] + "; PRAGMA user_version = 2;")
    old.execute("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, reply_to, "
                "kind) VALUES ('m-old', 100.0, '70000001', '501', 'ann', 'Ann', '', 'see https://old.example/', "
                "'', '', 'text')")
    old.execute("INSERT INTO links (ts, channel, login, name, url, message_id) VALUES "
                "(100.0, '70000001', 'ann', 'Ann', 'https://old.example/', 'm-old')")
    old.close()
    now = time.time()
    kept = chat(ANN, "kept")
    write(path, [(now, kept),
                 (now + 1, ev("channel.chat.message_delete", payloads_chat.message_delete(ANN, "m-old")))],
          days=0)
    assert rows(path, "PRAGMA user_version") == [(VERSION,)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'messages_mid'") == []
    assert rows(path, "SELECT text, deleted FROM messages ORDER BY ts") == [
        ("see https://old.example/", 1), ("kept", 0)]
    conn = open_read(path)
    assert queries.links(conn, 0) == []  # the deleted message's link is off /links
    conn.close()


def test_migration_from_version_3_adds_the_follow_ages_which_answers_and_live_follows_fill(tmp_path):
    path = db_path(tmp_path)
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(";".join(MIGRATIONS[:3]) + "; PRAGMA user_version = 3;")
    old.execute("INSERT INTO users VALUES ('70000001', '501', 'ann', 'Ann', '', 100.0, 1)")
    old.close()
    now = time.time()
    follow = ev("channel.follow", {**payloads.follow(BOB), "followed_at": "2026-01-02T03:04:05.123456789Z"}, "2")
    w = write(path, [(now, FollowAge("70000001", CY[0], now - 30 * DAY)), (now, FollowAge("70000001", MOD[0], None)),
                     (now, follow)], days=0)
    assert "501" in w.known["70000001"]  # what version 3 knew stays known
    assert rows(path, "PRAGMA user_version") == [(VERSION,)]
    got = dict(rows(path, "SELECT user_id, followed_at FROM follows"))
    assert got[CY[0]] == pytest.approx(now - 30 * DAY) and got[MOD[0]] is None
    assert got[BOB[0]] == pytest.approx(1767323045.123457)  # the follow's own time, read from the event
    again = write(path, [], days=0)  # the next run loads the ages it can use (not "not following": asked again)
    assert again.follows == {"70000001": {CY[0]: pytest.approx(now - 30 * DAY),
                                          BOB[0]: pytest.approx(1767323045.123457)}}


def test_a_delete_without_its_chatter_still_finds_the_message(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    gone = chat(BOB, "gone")
    nobody = ("", "", "")
    write(path, [(now, chat(ANN, "stays")), (now + 1, gone),
                 (now + 2, ev("channel.chat.message_delete", payloads_chat.message_delete(nobody, gone.message_id)))])
    assert rows(path, "SELECT text, deleted FROM messages ORDER BY ts") == [("stays", 0), ("gone", 1)]


def test_a_batch_of_many_chatters_is_stored_with_each_chatters_order_and_latest_name(tmp_path):
    """Rows go in sorted by chatter (the index's insertion points one after another): by time every
    message is where it came, and each chatter's row in `users` is from their latest message."""
    path = db_path(tmp_path)
    now = time.time()
    people = [(str(600 + k), f"p{k}", f"P{k}") for k in range(7)]
    items = [(now + i / 1000, chat(people[(i * 5) % 7], f"line {i}")) for i in range(700)]
    items.append((now + 1, chat((people[3][0], "p3_renamed", "P3r"), "renamed")))
    write(path, items)
    assert [r[0] for r in rows(path, "SELECT text FROM messages ORDER BY ts")] == [
        f"line {i}" for i in range(700)] + ["renamed"]
    assert rows(path, "SELECT login FROM users WHERE user_id = ?", (people[3][0],)) == [("p3_renamed",)]
    assert rows(path, "SELECT count(*) FROM users") == [(7,)]


def test_a_database_from_a_newer_focus_is_refused_not_rewritten(tmp_path):
    path = db_path(tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this focus"):
        open_write(path)
    with pytest.raises(StoreError, match="update focus"):
        open_read(path)


def test_everything_queued_is_written_on_stop_in_order_and_in_batches(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    w = write(path, [(now + k / 1000, chat(ANN, f"line {k}")) for k in range(3000)])
    assert w.written == 3000 and w.dropped == 0
    texts = [r[0] for r in rows(path, "SELECT text FROM messages ORDER BY ts, id")]
    assert texts == [f"line {k}" for k in range(3000)]


def test_a_full_queue_drops_and_counts_instead_of_blocking(tmp_path):
    w = HistoryWriter(db_path(tmp_path), capacity=10)  # not started: nothing drains the queue
    for k in range(25):
        w.put(time.time(), chat(ANN, f"x{k}"))
    assert w.dropped == 15


def test_rows_kept_until_the_line_is_written_keep_their_place_and_a_stop_writes_them(tmp_path):
    """put_chat_later (a regular's message: its row once the line is on screen) before an event about it: the
    event finds the row; one still kept when focus stops is written."""
    path = db_path(tmp_path)
    now = time.time()
    first, second = chat(ANN, "gone soon"), chat(ANN, "the last word")
    w = HistoryWriter(path).start()
    assert w.ready.wait(t(5))
    w.put_chat_later(now, first)
    w.put(now + 1, ev("channel.chat.message_delete", payloads_chat.message_delete(ANN, first.message_id)))
    w.put_chat_later(now + 2, second)
    w.stop(t(5))
    assert rows(path, "SELECT text, deleted FROM messages ORDER BY ts") == [("gone soon", 1), ("the last word", 0)]


def test_at_most_LATER_rows_wait_for_the_line(tmp_path):
    """Past LATER kept rows they are queued at once (a burst's turn would keep all its messages alive): with a
    queue of LATER (not started, so nothing drains it) the second LATER are refused and counted."""
    w = HistoryWriter(db_path(tmp_path), capacity=LATER)
    for k in range(2 * LATER + 1):
        w.put_chat_later(time.time(), chat(ANN, f"x{k}"))
    assert w.dropped == LATER
    w.settle()
    assert w.dropped == LATER + 1


def test_a_ctrl_c_while_kept_rows_are_queued_leaves_the_rest_for_the_stop(tmp_path):
    """Ctrl-C raises KeyboardInterrupt wherever the main thread is, so also in `settle`: the kept rows after the
    one it cut short (their lines are on screen) stay kept, and the tear-down's stop writes them."""

    class CtrlC(str):  # Ctrl-C comes while this row is built (message_row's `"?" in text`)
        def __contains__(self, item: object) -> bool:
            raise KeyboardInterrupt

    path = db_path(tmp_path)
    now = time.time()
    w = HistoryWriter(path).start()
    assert w.ready.wait(t(5))
    w.put_chat_later(now, chat(ANN, "shown first"))
    w.put_chat_later(now + 1, chat(ANN, "cut short")._replace(text=CtrlC("cut short")))
    w.put_chat_later(now + 2, chat(BOB, "shown last"))
    with pytest.raises(KeyboardInterrupt):
        w.settle()
    w.stop(t(5))
    assert rows(path, "SELECT text FROM messages ORDER BY ts") == [("shown first",), ("shown last",)]


def test_a_real_ctrl_c_while_kept_rows_are_queued_loses_none_of_them(tmp_path):
    """A signal that comes while `settle` queues the kept rows waits until they are all queued: one that came
    between taking a row and queueing it lost that row, whose line was on screen (a clean stop lost it)."""
    path = db_path(tmp_path)
    now = time.time()
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        w = HistoryWriter(path).start()
        assert w.ready.wait(t(5))
        queue = w._spool.put_row

        def put_row(row: tuple, key: str) -> bool:  # a real SIGINT as this row is about to be queued
            if "the signal came here" in row:
                signal.raise_signal(signal.SIGINT)
            return queue(row, key)

        w._spool.put_row = put_row  # type: ignore[method-assign]
        w.put_chat_later(now, chat(ANN, "shown first"))
        w.put_chat_later(now + 1, chat(ANN, "the signal came here"))
        w.put_chat_later(now + 2, chat(BOB, "shown last"))
        with pytest.raises(KeyboardInterrupt):
            w.settle()  # the Ctrl-C is acted on once every kept row is queued
        w.stop(t(5))
    finally:
        signal.signal(signal.SIGINT, old)
    assert rows(path, "SELECT text FROM messages ORDER BY ts") == [
        ("shown first",), ("the signal came here",), ("shown last",)]


def test_a_batch_is_committed_within_the_flush_interval_while_running(tmp_path):
    path = db_path(tmp_path)
    w = HistoryWriter(path, flush_interval=0.05).start()
    try:
        assert w.ready.wait(t(5))
        w.put(time.time(), chat(ANN, "committed without a stop"))
        deadline = time.monotonic() + t(5)
        while not (path.exists() and rows(path, "SELECT count(*) FROM messages") == [(1,)]):
            assert time.monotonic() < deadline, "the batch was never committed"
            threading.Event().wait(0.02)
    finally:
        w.stop(t(5))


def test_retention_forgets_what_is_older_than_the_setting_and_zero_keeps_everything(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    old, recent = now - 91 * DAY, now - 1 * DAY
    items = [(old, chat(ANN, "ancient")), (old, ev("channel.follow", payloads.follow(BOB), "2")),
             (recent, chat(BOB, "recent https://example.com/x"))]
    write(path, items, days=0)
    write(path, [], days=0)  # a restart with 0: nothing goes
    assert rows(path, "SELECT count(*) FROM messages") == [(2,)]
    write(path, [], days=90)  # a restart with the default: retention runs at start
    assert rows(path, "SELECT text FROM messages") == [("recent https://example.com/x",)]
    assert rows(path, "SELECT count(*) FROM events") == [(0,)]
    assert rows(path, "SELECT login FROM users") == [("bob",)]
    assert rows(path, "SELECT url FROM links") == [("https://example.com/x",)]


def test_retention_runs_again_a_day_later_on_the_writers_own_wait(tmp_path):
    path = db_path(tmp_path)
    w = HistoryWriter(path, days=1, flush_interval=0.01, day=0.2).start()  # a "day" of 0.2 s: cutoff days * day
    try:
        assert w.ready.wait(t(5))
        w.put(time.time(), chat(ANN, "soon too old"))
        deadline = time.monotonic() + t(10)
        seen = False
        while True:
            n = rows(path, "SELECT count(*) FROM messages")[0][0]
            seen = seen or n == 1
            if seen and n == 0:
                break
            assert time.monotonic() < deadline, "retention did not run again"
            threading.Event().wait(0.02)
    finally:
        w.stop(t(5))


def test_deleted_and_cleared_flags_follow_twitch(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    a1, a2, b1 = chat(ANN, "one"), chat(ANN, "two"), chat(BOB, "three")
    items = [(now, a1), (now + 1, a2), (now + 2, b1),
             (now + 3, ev("channel.chat.message_delete", payloads_chat.message_delete(ANN, a1.message_id))),
             (now + 4, ev("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(BOB))),
             (now + 5, chat(ANN, "after the clear of bob"))]
    write(path, items)
    assert rows(path, "SELECT text, deleted, cleared FROM messages ORDER BY ts, id") == [
        ("one", 1, 0), ("two", 0, 0), ("three", 0, 1), ("after the clear of bob", 0, 0)]
    write(path, [(now + 6, ev("channel.chat.clear", payloads_chat.chat_clear()))])
    assert rows(path, "SELECT count(*) FROM messages WHERE cleared = 1") == [(4,)]


def test_streams_open_and_close_with_online_and_offline(tmp_path):
    path = db_path(tmp_path)
    write(path, [(1000.0, ev("stream.online", payloads_channel.stream_online())),
                 (5000.0, ev("stream.offline", payloads_channel.stream_offline()))], days=0)
    assert rows(path, "SELECT started_at, ended_at FROM streams") == [(1000.0, 5000.0)]


def test_history_of_a_user_has_dates_count_first_seen_and_moderation(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    spam = chat(ANN, "buy followers \x1b[2Jcheap")
    items = [(now - 7200, chat(ANN, "hello")), (now - 60, spam),
             (now - 50, ev("channel.chat.message_delete", payloads_chat.message_delete(ANN, spam.message_id))),
             (now - 40, ev("channel.ban", payloads_channel.ban(ANN, MOD, "spam links", 10))),
             (now - 30, chat(BOB, "unrelated"))]
    write(path, items)
    conn = open_read(path)
    h = queries.history(conn, "@ANN", limit=1)
    assert h is not None and h.count == 2 and h.first_seen == pytest.approx(now - 7200)
    assert [m.text for m in h.messages] == ["buy followers \x1b[2Jcheap"] and h.messages[0].deleted
    assert [m.type for m in h.moderation] == ["delete", "timeout"]
    lines = report.history_lines(h)
    assert lines[0].startswith("Ann: 2 messages, first seen ")
    # In time order: the message, its deletion, the timeout.  On stream (/history in focus) a deleted
    # message's text stays off (a moderator removed it from chat): its mark, and one line saying why.
    assert lines[1].endswith("  [deleted]") and "message deleted" in lines[2]
    assert "timeout by Mossy: spam links (until " in lines[3] and lines[3].endswith(" UTC)")
    assert lines[4:] == [report.OFF_STREAM]
    assert "buy followers" not in "".join(lines)
    off = report.history_lines(h, on_stream=False)  # the shell command, in a private terminal
    assert "[deleted] buy followers" in off[1] and "\x1b" not in "".join(off)  # sanitized
    assert len(off) == 4  # and no line about what stays off stream
    assert queries.history(conn, "nobody") is None
    conn.close()


def test_questions_need_a_question_mark_and_the_streamer_or_bang_q(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    texts = ["@DeskFox is that neovim?", "!q what font is that?", "is that neovim?", "@DeskFox nice",
             "!quit? no", "!queue?", "!q? what", "  !Q\twhich shell?", "hey @deskfox, rust or go?"]
    write(path, [(now + k, chat(ANN, text)) for k, text in enumerate(texts)])
    conn = open_read(path)
    qs = queries.questions(conn, now - 1)
    # `!q` must be followed by a space or the end: `!quit?`, `!queue?` and `!q?` are not the question command
    assert [q.text for q in qs] == ["@DeskFox is that neovim?", "!q what font is that?", "  !Q\twhich shell?",
                                    "hey @deskfox, rust or go?"]
    write(path, [(now + 10, QuestionsAnswered("", (qs[1].id,)))])
    assert [q.text for q in queries.questions(conn, now - 1)] == ["@DeskFox is that neovim?", "  !Q\twhich shell?",
                                                                  "hey @deskfox, rust or go?"]
    conn.close()


def test_a_question_to_a_chatter_whose_login_starts_like_the_streamers_is_not_the_streamers(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    texts = ["@deskfox_fan did you see that?", "@DeskFoxes is it live?", "@deskfox, is it live?", "@deskfox?"]
    write(path, [(now + k, chat(ANN, text)) for k, text in enumerate(texts)])
    conn = open_read(path)
    assert [q.text for q in queries.questions(conn, now - 1)] == ["@deskfox, is it live?", "@deskfox?"]
    conn.close()


def test_links_are_every_url_with_who_and_when(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    write(path, [(now - 7200, chat(ANN, "old https://old.example/")),
                 (now, chat(BOB, "see https://example.com/a?b=1, and www.example.org/docs.")),
                 (now + 1, chat(ANN, "no link here, just example dot com"))])
    conn = open_read(path)
    assert [(k.name, k.url) for k in queries.links(conn, now - 3600)] == [
        ("Bob", "https://example.com/a?b=1"), ("Bob", "www.example.org/docs")]
    assert len(queries.links(conn, 0)) == 3
    conn.close()


def test_a_link_ends_at_a_control_escape_bidi_or_invisible_character(tmp_path):
    from focuslib.store.rows import urls

    assert urls("see https://a.example/x\x1b[31mred") == ["https://a.example/x"]
    assert urls("https://a.example/\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07") == [
        "https://a.example/", "https://evil.example/"]
    assert urls("www.a.example/p\x07q \x9b31mhttps://b.example/\u202eexe.txt") == [
        "www.a.example/p", "https://b.example/"]
    assert urls("https://c.example/a\u200bb\x00c\x7f") == ["https://c.example/a"]
    path = db_path(tmp_path)
    now = time.time()
    write(path, [(now, chat(ANN, "look https://a.example/x\x1b[2J\x1b[Hgone"))])
    conn = open_read(path)
    assert [k.url for k in queries.links(conn, now - 1)] == ["https://a.example/x"]
    conn.close()


def test_links_read_from_the_database_are_sanitized_before_any_terminal(tmp_path):
    """A row written by an older focus (or by hand) still reaches the terminal clean."""
    from focuslib.store.queries import Link

    dirty = Link(time.time(), "Ann\x1b[2J", "https://a.example/\x1b]0;owned\x07x\u202e\x9b31m")
    for on_stream in (True, False):
        line = report.link_lines([dirty], on_stream=on_stream)[-1]
        assert line.endswith("Ann  https://a.example/x") and not any(ch in line for ch in "\x1b\x07\u202e\x9b")


def test_links_of_held_deleted_or_cleared_messages_are_not_listed_until_released(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    gone = chat(CY, "see https://deleted.example/")
    write(path, [(now, chat(ANN, "ok https://fine.example/")),
                 (now + 1, held := chat(BOB, "buy https://held.example/ now"), True), (now + 2, gone),
                 (now + 3, ev("channel.chat.message_delete", payloads_chat.message_delete(CY, gone.message_id))),
                 (now + 4, chat(MOD, "https://cleared.example/")),
                 (now + 5, ev("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(MOD)))])
    conn = open_read(path)
    assert [k.url for k in queries.links(conn, now - 1)] == ["https://fine.example/"]
    write(path, [(now + 6, Released("70000001", "502", "bob", "Bob", "", (held.message_id,)))])
    assert [k.url for k in queries.links(conn, now - 1)] == ["https://fine.example/", "https://held.example/"]
    conn.close()


def test_history_in_focus_keeps_a_held_text_off_stream_and_the_shell_command_shows_it(tmp_path):
    from focuslib.runtime.memory import ChatMemory

    path = db_path(tmp_path)
    now = time.time()
    w = write(path, [(now, chat(BOB, "FIRST-MESSAGE SLUR"), True)])
    memory = ChatMemory(w, devlog=None)
    lines = memory.history("bob")  # /history bob, typed in focus: on stream
    assert lines[0].startswith("Bob: 1 message") and lines[1].endswith("  [held]") and lines[2] == report.OFF_STREAM
    assert "SLUR" not in "\n".join(lines)
    conn = open_read(path)
    assert report.history_lines(queries.history(conn, "bob"), on_stream=False)[-1].endswith("[held] FIRST-MESSAGE SLUR")
    conn.close()


def test_questions_and_links_in_focus_are_bounded_the_shell_lists_them_all(tmp_path):
    from focuslib.runtime.memory import ChatMemory

    path = db_path(tmp_path)
    now = time.time()
    flood = " ".join(f"https://spam{k}.example/" for k in range(40))
    w = write(path, [(now + k, chat(ANN, f"!q question {k}? {flood}")) for k in range(30)])
    memory = ChatMemory(w, devlog=None)
    links = memory.links(now - 1)  # /links, typed in focus: on stream
    assert len(links) == 21 and links[0] == "  ... 1,180 older: python focus.py links (in a shell)"
    assert links[-1].endswith("Ann  https://spam39.example/")
    qs = memory.questions(now - 1)
    assert len(qs) == 22 and qs[0].startswith("30 open questions") and qs[1].endswith("Ann: !q question 0? " + flood)
    assert qs[-1] == "  ... and 10 more: python focus.py questions (in a shell)"
    assert memory.done(30) == ["question 30 answered"]  # the numbers stay those of the whole list
    conn = open_read(path)
    assert len(report.link_lines(queries.links(conn, now - 1), on_stream=False)) == 1200
    assert len(report.question_lines(queries.questions(conn, now - 1), on_stream=False)) == 31
    conn.close()


def test_held_messages_are_stored_marked_and_their_chatter_known_only_once_released(tmp_path):
    path = db_path(tmp_path)
    now = time.time()
    held = chat(BOB, "new and held")
    write(path, [(now, chat(ANN, "regular")), (now + 1, held, True)])
    w = write(path, [])
    assert "502" not in w.known["70000001"] and "501" in w.known["70000001"]
    w = write(path, [(now + 2, Released("70000001", "502", "bob", "Bob", "", (held.message_id,)))])
    w = write(path, [])
    assert "502" in w.known["70000001"]
    assert rows(path, "SELECT held FROM messages WHERE login = 'bob'") == [(0,)]


def test_a_release_lets_through_only_the_messages_it_showed(tmp_path):
    """/release shows what the hold queue still keeps: a message of the same chatter that expired unseen, or
    was held in an earlier run, stays held -- its link never reaches /links on stream, the recap does not
    count it as released."""
    path = db_path(tmp_path)
    start = 4_000_000.0
    earlier, expired, shown = (chat(BOB, "old https://earlier.example/"), chat(BOB, "buy https://expired.example/"),
                               chat(BOB, "sorry, hi https://shown.example/"))
    write(path, [(start - 3600, earlier, True)], days=0)
    write(path, [(start + 1, expired, True), (start + 700, shown, True),
                 (start + 701, Released("70000001", "502", "bob", "Bob", "", (shown.message_id,)))], days=0)
    assert rows(path, "SELECT text, held FROM messages ORDER BY ts") == [
        (earlier.text, 1), (expired.text, 1), (shown.text, 0)]
    conn = open_read(path)
    assert [k.url for k in queries.links(conn, 0)] == ["https://shown.example/"]
    r = queries.recap(conn, start, start + 800)
    conn.close()
    assert (r.released, r.released_chatters, r.held, r.held_chatters) == (1, 1, 1, 1)


def test_known_users_are_compact_and_answer_for_new_and_odd_ids():
    known = KnownUsers(["3", "1", "2", "not-a-number"])
    assert "1" in known and "2" in known and "not-a-number" in known and "4" not in known
    known.add("4")
    known.add("4")
    assert "4" in known and len(known) == 5


def test_recap_counts_a_scripted_stream_once_per_fact(tmp_path):
    """Twitch reports subs, gifts, cheers and raids twice (channel.* and the chat notice): counted once."""
    path = db_path(tmp_path)
    start = 1_000_000.0
    write(path, [(start - 3600, chat(CY, "seen in an earlier stream"))], days=0)
    cheer = parse_event("channel.chat.message", "1", payloads.chat_message(ANN, "Cheer100 go"))
    items = [
        (start + 1, chat(ANN, "hi")), (start + 2, chat(BOB, "hello")), (start + 3, chat(CY, "back again")),
        (start + 61, chat(ANN, "minute two")), (start + 62, chat(ANN, "still here")),
        (start + 150, cheer), (start + 150, ev("channel.cheer", payloads_channel.cheer(ANN, 100, "Cheer100 go"))),
        (start + 10, ev("channel.follow", payloads.follow(("601", "f1", "F1")), "2")),
        (start + 11, ev("channel.follow", payloads.follow(("602", "f2", "F2")), "2")),
        (start + 20, ev("channel.subscribe", payloads.subscribe(BOB))),
        (start + 20, ev("channel.chat.notification", payloads_chat.sub(BOB))),
        (start + 30, ev("channel.subscription.gift", payloads_channel.subscription_gift(CY, 3))),
        *[(start + 30, ev("channel.subscribe", payloads.subscribe(("7%02d" % k, f"r{k}", f"R{k}"), is_gift=True)))
          for k in range(3)],
        (start + 30, ev("channel.chat.notification", payloads_chat.community_sub_gift(CY, 3, "bomb-1"))),
        *[(start + 30, ev("channel.chat.notification", payloads_chat.sub_gift(CY, ("7%02d" % k, f"r{k}", f"R{k}"),
                                                                   community_gift_id="bomb-1"))) for k in range(3)],
        (start + 40, ev("channel.raid", payloads_channel.raid(("800", "raider", "Raider"), 42))),
        (start + 40, ev("channel.chat.notification", payloads_chat.raid(("800", "raider", "Raider"), 42))),
    ]
    write(path, items, days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 179)
    conn.close()
    assert (r.messages, r.chatters, r.new_chatters) == (6, 3, 2)
    assert (r.follows, r.subs, r.gifts, r.bits, r.raids, r.raid_viewers) == (2, 1, 3, 100, 1, 42)
    assert r.top[0] == ("Ann", 4) and r.per_minute == [3, 2, 1]
    lines = report.recap_lines(r)
    assert lines[0].endswith("(2 min)") and "6 from 3 chatters (2 new)" in lines[1]
    assert lines[-1].split()[2] == "█▆▄" and "busiest 3/min" in lines[-1]


def test_recap_counts_the_new_chatters_the_hold_queue_kept_off_stream(tmp_path):
    """Held messages were written: they count among the messages, chatters and new chatters (a recap
    saying "(0 new)" while two new accounts wrote would be false), a line says how many were held and
    never released, and the top chatters name only those whose messages reached the stream."""
    path = db_path(tmp_path)
    start = 3_000_000.0
    write(path, [(start - 3600, chat(ANN, "last week"))], days=0)
    bot, spammer = ("601", "f0llow_b0t", "f0llow_b0t"), ("602", "spam_4u", "spam_4u")
    write(path, [(start + 1, chat(ANN, "hi")), (start + 2, chat(bot, "buy followers"), True),
                 (start + 3, chat(bot, "now!!"), True), (start + 4, chat(bot, "cheap"), True),
                 (start + 5, chat(spammer, "spam"), True), (start + 6, first := chat(BOB, "first!"), True),
                 (start + 7, Released("70000001", "502", "bob", "Bob", "", (first.message_id,)))], days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 59)
    conn.close()
    assert (r.messages, r.chatters, r.new_chatters, r.held, r.held_chatters) == (6, 4, 3, 4, 2)
    assert (r.released, r.released_chatters) == (1, 1)  # Bob's, by /release: no longer among the held
    assert r.top == [("Ann", 1), ("Bob", 1)] and r.per_minute == [6]
    lines = report.recap_lines(r)
    assert lines[1] == "  messages      6 from 4 chatters (3 new)"
    assert lines[2] == "  held          4 from 2 chatters, kept off stream and never released"
    assert lines[3] == "  released      1 from 1 chatter by /release"
    assert not any(line.startswith("  held") for line in report.recap_lines(queries.Recap(
        start, start, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)))


def test_recap_counts_a_cheer_once_even_when_one_of_its_reports_is_missing(tmp_path):
    """Two cheers, both in chat, only the first also as channel.cheer (the second's was missed): 150 bits,
    neither 100 (the channel events alone) nor 250 (both sources added)."""
    path = db_path(tmp_path)
    start = 4_000_000.0
    write(path, [(start + 1, chat(ANN, "Cheer100 one")),
                 (start + 1, ev("channel.cheer", payloads_channel.cheer(ANN, 100, "Cheer100 one"))),
                 (start + 2, chat(BOB, "Cheer50 two"))], days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 60)
    conn.close()
    assert r.bits == 150


CHEER_SOURCES = ("chat", "channel.cheer", "channel.bits.use")


@pytest.mark.parametrize("sources", [tuple(s for k, s in enumerate(CHEER_SOURCES) if mask >> k & 1)
                                     for mask in range(8)], ids=lambda s: "+".join(s) or "no-cheer-report")
def test_recap_bits_count_a_cheer_once_whatever_reports_it_and_add_power_ups_and_combos(tmp_path, sources):
    """A cheer of 100 reported by any mix of its three sources (subscriptions or scopes missing, a report lost),
    a power-up of 50 with its decorated chat message and a combo of 5 (channel.bits.use only, no twin)."""
    path = db_path(tmp_path)
    start = 5_000_000.0
    cheer = {"chat": chat(ANN, "Cheer100 for the coffee"),
             "channel.cheer": ev("channel.cheer", payloads_channel.cheer(ANN, 100, "Cheer100 for the coffee")),
             "channel.bits.use": ev("channel.bits.use", payloads_community.bits_use(ANN, 100, "cheer",
                                                                                    "Cheer100 for the coffee"))}
    write(path, [(start + 1, cheer[s]) for s in sources] + [
        (start + 2, ev("channel.bits.use", payloads_community.bits_use(BOB, 50, "power_up", "sparkles",
                                                                       "message_effect"))),
        (start + 2, chat(BOB, "sparkles", message_type="power_ups_message_effect")),
        (start + 3, ev("channel.bits.use", payloads_community.bits_use(CY, 5, "combo")))], days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 60)
    conn.close()
    cheered = 100 if sources else 0
    assert (r.bits, r.power_up_bits) == (cheered + 55, 55)
    assert (f"  bits          {cheered + 55} ({cheered} cheered, 55 on power-ups and combos)" if cheered else
            "  bits          55 on power-ups and combos") in report.recap_lines(r)
    assert rows(path, "SELECT type, login, amount, detail FROM events WHERE type = 'bits_use' ORDER BY ts, id") == [
        *([("bits_use", "ann", 100, "cheer")] if "channel.bits.use" in sources else []),
        ("bits_use", "bob", 50, "power_up:message_effect"), ("bits_use", "cy", 5, "combo")]


def test_recap_falls_back_to_the_notices_without_the_channel_events(tmp_path):
    path = db_path(tmp_path)
    start = 2_000_000.0
    write(path, [(start + 1, ev("channel.chat.notification", payloads_chat.sub(BOB))),
                 (start + 2, ev("channel.chat.notification", payloads_chat.resub(CY, 5))),
                 (start + 3, ev("channel.chat.notification", payloads_chat.sub_gift(ANN, BOB))),
                 (start + 4, ev("channel.chat.notification", payloads_chat.raid(("800", "raider", "Raider"), 7))),
                 (start + 5, chat(ANN, "Cheer50 nice"))], days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 60)
    conn.close()
    assert (r.subs, r.gifts, r.raids, r.raid_viewers, r.bits) == (2, 1, 1, 7, 50)


def test_a_lone_surrogate_is_stored_replaced_and_history_goes_on(tmp_path):
    """JSON's "\\ud800" escape decodes to a lone surrogate, which UTF-8 (and so SQLite) cannot carry."""
    path = db_path(tmp_path)
    write(path, [(time.time(), chat(ANN, "odd \ud800 text https://x.example/\ud800")),
                 (time.time(), chat(BOB, "plain")),
                 (time.time(), ev("channel.ban", payloads_channel.ban(CY, MOD, "bad \ud800 reason")))])
    assert rows(path, "SELECT text FROM messages ORDER BY ts, id") == [("odd ? text https://x.example/?",), ("plain",)]
    assert rows(path, "SELECT detail FROM events") == [("bad ? reason",)]


def test_a_lone_surrogate_in_what_an_event_changes_never_turns_the_history_off(tmp_path):
    """The events' own statements (a delete's message id, a released chatter's name) carry one too."""
    path = db_path(tmp_path)
    odd = ("50\ud8002", "b\ud800b", "B\ud800b")
    held = chat(odd, "held \ud800")
    w = write(path, [(time.time(), held, True),
                     (time.time(), ev("channel.chat.message_delete", payloads_chat.message_delete(CY, "id-\ud800"))),
                     (time.time(), ev("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(odd))),
                     (time.time(), Released("70000001", odd[0], odd[1], odd[2], "#f\ud800",
                                            (held.message_id,)))])
    assert w.failed is None and w.written == 4
    assert rows(path, "SELECT login, name, known FROM users") == [("b?b", "B?b", 1)]


def test_history_on_stream_keeps_held_deleted_and_cleared_text_off_and_the_shell_shows_it():
    h = queries.UserHistory("ann", "Ann", 1.0, 4, [
        queries.Said(1.0, "fine words", False, False, False),
        queries.Said(2.0, "a SPOILER a moderator cleared", False, True, False),
        queries.Said(3.0, "a SLUR a moderator deleted", True, True, False),
        queries.Said(4.0, "FOLLOW-BOT held", False, False, True)], [])
    on = report.history_lines(h)
    assert on[1].endswith("  fine words")
    assert [line.split("  ")[-1] for line in on[2:5]] == ["[cleared]", "[deleted]", "[held]"]
    assert on[5:] == ["  (the text of a message marked [deleted], [cleared] or [held] stays off stream; `python "
                      "focus.py history` in a private shell shows it)"]  # said once, not once a message
    assert not any(w in "".join(on) for w in ("SPOILER", "SLUR", "FOLLOW-BOT"))
    off = report.history_lines(h, on_stream=False)
    assert [line.split("  ")[-1] for line in off[1:]] == [
        "fine words", "[cleared] a SPOILER a moderator cleared", "[deleted] a SLUR a moderator deleted",
        "[held] FOLLOW-BOT held"]


@pytest.mark.parametrize("asked", ["ちいさなコンパイラ", "@Élodie_Ü", "élodie_ü", "ÉLODIE_Ü", "elodie_u"])
def test_history_finds_a_chatter_by_display_name_in_any_script_and_case(tmp_path, asked):
    """`focus.py history` takes a login or a display name (its --help says so); a name was never looked up."""
    path = db_path(tmp_path)
    now = time.time()
    write(path, [(now, chat(("601", "elodie_u", "Élodie_Ü"), "bonjour")),
                 (now + 1, chat(("602", "chiisana", "ちいさなコンパイラ"), "こんにちは"))])
    conn = open_read(path)
    h = queries.history(conn, asked)
    conn.close()
    assert h is not None and [m.text for m in h.messages] == (["こんにちは"] if asked == "ちいさなコンパイラ" else ["bonjour"])


def test_the_recap_leaves_the_broadcaster_out_of_the_top_chatters_and_a_quiet_run_is_one_line(tmp_path):
    path = db_path(tmp_path)
    start = 1_000_000.0
    write(path, [(start + k, chat(payloads.BROADCASTER, f"talking to chat {k}")) for k in range(5)]
          + [(start + 10, chat(ANN, "hi")), (start + 11, chat(BOB, "hello")), (start + 12, chat(ANN, "again"))],
          days=0)
    conn = open_read(path)
    r = queries.recap(conn, start, start + 60)
    quiet = queries.recap(conn, start + 3600, start + 3605)
    conn.close()
    assert r.top == [("Ann", 2), ("Bob", 1)] and r.messages == 8  # the streamer's messages count, not as a chatter
    lines = report.recap_lines(quiet)
    assert len(lines) == 1 and lines[0].startswith("recap ") and lines[0].endswith(
        "(5 s): no chat and no channel events")
