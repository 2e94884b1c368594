"""The hold queue is a stream-safety feature: it fails safe or says so, and what it holds never reaches the stream.

focus runs against the simulated Twitch on real SQLite files; the bounds are made small, and the
known-chatters load is made slow for real: the test holds the database's write lock from a
connection of its own (another program would), so focus's writer waits for it, patiently, until
the test lets go -- the slow and full cases happen on cue, not on timing.  The bounds are set on
the running focus's own hold queue (its fields), not by swapping module globals.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from focuslib.runtime.app import BATCH
from focuslib.runtime.inbox import WAKE, Call
from focuslib.store.schema import VERSION, db_path

from conftest import N_SUBS, t
from test_history_flow import ANN, BOB, CY, DEE, MOD, DevlogReader, on_main, run_once, say

EVE = ("505", "eve", "Eve")
MODERATOR = [("moderator", "1", "")]


def bound(focus, **fields) -> None:
    """Set the running focus's hold queue bounds (max_users, max_messages) on its main thread."""
    hold = focus.app.memory.hold
    on_main(focus, lambda: [setattr(hold, k, v) for k, v in fields.items()])


def test_the_placeholder_counts_every_message_held_not_only_those_the_bound_keeps(sim, start_focus):
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    bound(focus, max_messages=2)
    for k in range(1, 5):
        say(sim, BOB, f"spam {k}")
    focus.out.wait_text("held: new chatter Bob (4 messages)")  # the bound kept 2; 4 were held
    memory = focus.app.memory
    on_main(focus, lambda: memory.show_lines(memory.release("bob")))
    focus.out.wait_text("released Bob (2 messages); 2 more were dropped unseen")
    text = focus.out.text
    assert "spam 1" not in text and "spam 2" not in text and text.index("Bob: spam 3") < text.index("Bob: spam 4")
    assert focus.stop() == 0


def test_a_full_hold_queue_says_so_once_and_keeps_the_text_off_stream(sim, start_focus):
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, devlog=True, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    bound(focus, max_users=2)
    devlog = DevlogReader(focus.settings.devlog_pipe)
    try:
        for who in (BOB, CY, DEE, EVE):
            say(sim, who, f"secret of {who[1]}")
        say(sim, ANN, "after the wave")
        focus.out.wait_text("Ann: after the wave")
        focus.out.wait_text("held: new chatter Eve")  # each waited for Twitch to say they do not follow
        full = [line for line in focus.out.lines() if "hold queue full" in line]
        assert full == ["· hold queue full (2 new chatters): the longest held are dropped unseen to make room "
                        "(the devlog has their text)"]  # once, though two chatters were pushed out
        assert "secret of" not in focus.out.text
        memory = focus.app.memory
        assert on_main(focus, lambda: memory.release("bob")) == ["nobody named bob is held"]  # pushed out
        devlog.out.wait_text("secret of eve")
        assert "secret of bob" in devlog.out.text
        assert focus.stop() == 0
    finally:
        devlog.close()
    assert "secret of" not in focus.out.text


class Locked:
    """Another program holds the history database's write lock (BEGIN IMMEDIATE): focus's writer cannot open
    it, so the known chatters cannot load, until `release` -- after which the writer's next try gets in."""

    def __init__(self, path: Path) -> None:
        self.conn: sqlite3.Connection | None = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self, newer: bool = False) -> None:
        """Let go (idempotent); `newer`: leave the database at a version from a later focus, which this one
        refuses -- its history fails right after the wait."""
        if self.conn is None:
            return
        if newer:
            self.conn.execute(f"PRAGMA user_version = {VERSION + 1}")
        self.conn.execute("COMMIT")
        self.conn.close()
        self.conn = None


def start_while_loading(sim, start_focus):
    """Ann is a regular; focus starts with --hold-new while another program locks the history: (focus, lock)."""
    first = run_once(sim, start_focus, [(ANN, "a regular")])
    lock = Locked(db_path(first.settings.data_dir))
    try:
        focus = start_focus(timestamps=False, hold_minutes=10)
        sim.wait_subscribed(N_SUBS)
    except BaseException:
        lock.release()
        raise
    return focus, lock


def test_while_the_known_chatters_load_everyone_waits_then_regulars_show_and_newcomers_stay_held(
        sim, start_focus):
    focus, lock = start_while_loading(sim, start_focus)
    try:
        say(sim, ANN, "regular waits")
        say(sim, CY, "newcomer waits")
        say(sim, MOD, "a moderator is never held", badges=MODERATOR)
        focus.out.wait_text("Mossy: a moderator is never held")  # the two before it were handled, in order
        assert "chat waits until the history has loaded the known chatters" in focus.out.text
        assert "regular waits" not in focus.out.text and "newcomer waits" not in focus.out.text
    finally:
        lock.release()
    focus.out.wait_text("Ann: regular waits")
    focus.out.wait_text("held: new chatter Cy (1 message): /release cy or /ban cy")
    say(sim, CY, "still held")
    say(sim, ANN, "flowing again")
    focus.out.wait_text("Ann: flowing again")
    assert "newcomer waits" not in focus.out.text and "still held" not in focus.out.text
    assert focus.stop() == 0


def test_a_history_that_fails_while_chat_waits_keeps_what_waited_held_and_says_the_queue_is_off(
        sim, start_focus):
    focus, lock = start_while_loading(sim, start_focus)
    try:
        say(sim, CY, "nobody vetted this")
        focus.out.wait_text("chat waits until the history has loaded the known chatters")
    finally:
        lock.release(newer=True)
    focus.out.wait_text("newer than this focus")
    focus.out.wait_text("the hold queue is off without the history: first-time chatters reach the stream")
    focus.out.wait_text("held: new chatter Cy (1 message)")
    say(sim, CY, "still held: Cy was held before the history failed")
    say(sim, DEE, "reaches the stream, as the line said")
    focus.out.wait_text("Dee: reaches the stream, as the line said")
    assert "nobody vetted this" not in focus.out.text and "still held" not in focus.out.text
    off = [line for line in focus.out.lines() if "hold queue is off" in line]
    assert len(off) == 1
    assert focus.stop() == 0


def test_a_reply_never_quotes_a_held_message_which_twitch_repeats_in_it(sim, start_focus):
    from focuslib.sim import payloads

    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    slur = say(sim, BOB, "VILE WORDS here")
    focus.out.wait_text("held: new chatter Bob (1 message)")
    sim.notify("channel.chat.message", payloads.chat_message(
        ANN, "what did he say?", reply=payloads.reply_to(slur, BOB, "VILE WORDS here")))
    focus.out.wait_text("Ann ↪ @Bob (held): what did he say?")
    memory = focus.app.memory
    assert on_main(focus, lambda: memory.discard("bob")) is not None  # /ban: gone, and still never quoted
    sim.notify("channel.chat.message", payloads.chat_message(
        ANN, "gone now", reply=payloads.reply_to(slur, BOB, "VILE WORDS here")))
    focus.out.wait_text("Ann ↪ @Bob (held): gone now")
    shown = say(sim, ANN, "a line of mine")
    sim.notify("channel.chat.message", payloads.chat_message(
        MOD, "agreed", reply=payloads.reply_to(shown, ANN, "a line of mine"), badges=MODERATOR))
    focus.out.wait_text('Mossy ↪ @Ann "a line of mine": agreed')  # a shown parent is still quoted
    assert "VILE" not in focus.out.text
    assert focus.stop() == 0


def test_what_cannot_wait_for_the_known_chatters_is_dropped_unseen_and_counted_in_one_line(
        sim, start_focus):
    focus, lock = start_while_loading(sim, start_focus)
    try:
        memory = focus.app.memory
        on_main(focus, lambda: setattr(memory, "max_waiting", 1))
        for k in range(3):
            say(sim, ANN, f"waiting {k}")
        say(sim, MOD, "handled in order", badges=MODERATOR)
        focus.out.wait_text("Mossy: handled in order")
        assert "Ann: waiting" not in focus.out.text
    finally:
        lock.release()
    focus.out.wait_text("dropped 2 messages unseen while the known chatters loaded (the devlog has them)")
    assert "Ann: waiting 0" in focus.out.text and "waiting 1" not in focus.out.text
    assert focus.stop() == 0


def test_what_still_waits_when_focus_stops_is_stored_held(sim, env, start_focus):
    """A clean exit loses nothing: not even messages that waited for a load that finished only as focus
    stopped, after its main loop's last round (so nothing sorted them)."""
    from test_history_flow import shell

    focus, lock = start_while_loading(sim, start_focus)
    memory = focus.app.memory
    writer = memory.writer
    inside, go = threading.Event(), threading.Event()
    try:
        on_main(focus, lambda: setattr(memory, "max_wait", t(600)))  # the wait never runs out during the test
        say(sim, CY, "said while the list loaded")
        focus.out.wait_text("chat waits until the history has loaded the known chatters")
        # The main loop stops after the round it is in: hold it inside a round, ask it to stop, and queue a
        # round's worth of wake-ups before the lock goes, so the call the finished load posts comes after
        # them and is never handled.
        inbox = focus.app.inbox
        inbox.put(Call(lambda: (inside.set(), go.wait(t(60)))))
        assert inside.wait(t(10))
        focus.control.stop()
        for _ in range(BATCH):
            inbox.put(WAKE)
    finally:
        lock.release()
    try:
        assert writer.ready.wait(t(30)) and writer.failed is None  # loaded, while the main loop is held
    finally:
        go.set()
    assert focus.stop() == 0
    assert "said while the list loaded" not in focus.out.text
    assert "held: new chatter Cy" not in focus.out.text  # the loop never sorted it: the stop stored it
    res = shell(env, "history", "cy")
    assert res.returncode == 0 and "[held] said while the list loaded" in res.stdout, res.stderr


def test_a_load_that_takes_too_long_never_stalls_chat_it_says_the_hold_queue_is_paused(sim, start_focus):
    """A database another program keeps locked: the writer keeps trying, but chat waits at most max_wait."""
    focus, lock = start_while_loading(sim, start_focus)
    try:
        memory = focus.app.memory
        on_main(focus, lambda: setattr(memory, "max_wait", 0.2))
        say(sim, ANN, "regular waits a little")
        focus.out.wait_text("hold queue paused: the history is still loading (locked or slow database), "
                            "so new chatters reach the stream until it is")
        focus.out.wait_text("Ann: regular waits a little")
        say(sim, CY, "unvetted, as the line said")
        focus.out.wait_text("Cy: unvetted, as the line said")
    finally:
        lock.release()
    focus.out.wait_text("hold queue on again: the known chatters are loaded")
    say(sim, DEE, "held again")
    focus.out.wait_text("held: new chatter Dee (1 message)")
    assert "Dee: held again" not in focus.out.text
    text = focus.out.text
    assert text.index("hold queue paused") < text.index("Ann: regular waits a little")
    assert focus.stop() == 0


def test_a_release_never_lets_through_what_expired_unseen(sim, env, start_focus):
    """Dee's link is held and expires unseen; her next message is held and released: only that message reaches
    the stream, and the expired one stays held in the history -- its link is not in /links (shown on stream),
    nor counted as released in the recap."""
    from test_history_flow import shell

    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    memory = focus.app.memory
    say(sim, DEE, "cheap viewers https://spam.example/buy")
    focus.out.wait_text("held: new chatter Dee (1 message)")
    on_main(focus, lambda: memory.tick(focus.app.clock() + 601))  # ten minutes on: what was held expires
    focus.out.wait_text("dropped 1 held message from Dee (not released within 10 min)")
    say(sim, DEE, "sorry, my setup: https://example.com/dee")
    focus.out.wait_text("held: new chatter Dee (1 message)", count=2)
    on_main(focus, lambda: memory.show_lines(memory.release("dee")))
    focus.out.wait_text("released Dee (1 message)")
    assert focus.stop() == 0
    assert "spam.example" not in focus.out.text
    assert "released      1 from 1 chatter by /release" in focus.out.text  # the recap, at stop
    res = shell(env, "links")
    assert res.returncode == 0 and "https://example.com/dee" in res.stdout and "spam.example" not in res.stdout
    res = shell(env, "history", "dee")
    assert "[held] cheap viewers https://spam.example/buy" in res.stdout


def test_moderation_on_twitch_while_chat_waits_for_the_known_chatters_removes_what_waited(sim, env, start_focus):
    """A ban, a clear or a delete done on Twitch while the known chatters load: what it removed is never shown
    when the wait ends, nor held for a /release -- it is stored, flagged by the moderation."""
    from focuslib.sim import payloads_channel, payloads_chat

    from test_history_flow import shell

    focus, lock = start_while_loading(sim, start_focus)
    try:
        deleted = say(sim, ANN, "VILE words from a regular")
        say(sim, ANN, "a regular, kept")
        say(sim, CY, "SPAM from a newcomer")
        say(sim, DEE, "DEE cleared")
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(ANN, deleted))
        sim.notify("channel.ban", payloads_channel.ban(CY, MOD, "spam"))
        sim.notify("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(DEE))
        say(sim, MOD, "moderation handled", badges=MODERATOR)  # shown at once, after the three, in order
        focus.out.wait_text("Mossy: moderation handled")
    finally:
        lock.release()
    focus.out.wait_text("Ann: a regular, kept")
    say(sim, ANN, "after the load")
    focus.out.wait_text("Ann: after the load")
    text = focus.out.text
    assert "VILE" not in text and "SPAM" not in text and "DEE cleared" not in text
    assert "held: new chatter" not in text
    assert focus.stop() == 0
    res = shell(env, "history", "ann")
    assert "[deleted] [held] VILE words from a regular" in res.stdout, res.stdout
    res = shell(env, "history", "dee")
    assert "[cleared] [held] DEE cleared" in res.stdout, res.stdout


def test_a_user_id_of_other_unicode_digits_is_neither_a_regular_nor_a_crash(sim, start_focus):
    """The known chatters keep numeric ids as integers: an id of full-width digits ("５０１") or with a leading zero
    is not Ann's 501 (it would pass the hold queue unheld), and one of superscript digits ("²") is not an integer
    at all."""
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    say(sim, ("５０１", "imp", "Imp"), "IMPOSTOR of ann")
    say(sim, ("²", "odd", "Odd"), "ODD id")
    say(sim, ("0501", "zed", "Zed"), "ZERO first")
    say(sim, ANN, "after them")
    focus.out.wait_text("Ann: after them")
    focus.out.wait_text("held: new chatter Imp (1 message)")
    focus.out.wait_text("held: new chatter Odd (1 message)")
    focus.out.wait_text("held: new chatter Zed (1 message)")
    assert "IMPOSTOR" not in focus.out.text and "ODD id" not in focus.out.text and "ZERO" not in focus.out.text
    assert focus.stop() == 0
