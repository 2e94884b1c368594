"""Chat memory end to end: focus against the simulated Twitch, real SQLite files, the real shell commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from focuslib.runtime.inbox import Call
from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.store.schema import db_path

from conftest import N_SUBS, ROOT, Sink, t

import inproc

ANN = ("501", "ann", "Ann")
BOB = ("502", "bob", "Bob")
CY = ("503", "cy", "Cy")
DEE = ("504", "dee", "Dee")
MOD = ("509", "mossy", "Mossy")


def shell(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python focus.py ARGS` from a shell with focus's settings, its `main` run in this process (tests/inproc.py)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    return inproc.run("focus.py", args, {**clean, **env})


def real_shell(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python focus.py ARGS` as a process of its own: for what two processes sharing the history prove."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    return subprocess.run([sys.executable, "focus.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=t(30))


def say(sim, who, text, **kw):
    payload = payloads.chat_message(who, text, **kw)
    sim.notify("channel.chat.message", payload)
    return payload["message_id"]


def run_once(sim, start_focus, lines, **options):
    """A whole focus run: the chatters in `lines` speak, focus stops (the history is flushed)."""
    focus = start_focus(timestamps=False, **options)
    sim.wait_subscribed(N_SUBS)
    for who, text in lines:
        say(sim, who, text)
    focus.out.wait_text(lines[-1][1])
    assert focus.stop() == 0
    # The simulator sees the socket close a moment later: until then the next run's wait_subscribed could
    # take this session for the live one, and chat sent to it was lost (seen under load).
    sim.wait_for(lambda: not sim.live_sessions(), timeout=t(10))
    return focus


def on_main(focus, fn):
    """Run `fn` on focus's main thread (where the streamer's commands run) and wait for it."""
    done = threading.Event()
    out: list = []

    def call():
        try:
            out.append(fn())
        finally:
            done.set()

    focus.app.inbox.put(Call(call))
    assert done.wait(t(10))
    return out[0] if out else None


def stored_while_running(focus, texts: list[str]) -> None:
    """Wait (bounded) until the running focus's history holds exactly these message texts, in order."""
    import sqlite3
    import time

    path = db_path(focus.settings.data_dir)
    deadline = time.monotonic() + t(10)
    while True:
        conn = sqlite3.connect(path)
        try:
            stored = [r[0] for r in conn.execute("SELECT text FROM messages ORDER BY ts")]
        finally:
            conn.close()
        if stored == texts:
            return
        assert time.monotonic() < deadline, f"stored while running: {stored}"
        threading.Event().wait(0.05)


def test_history_round_trip_what_was_received_is_what_history_prints(sim, env, start_focus):
    texts = ["hello there", "is that \x1b[31mneovim\x1b[0m?", "ok back to work", "@DeskFox what font is that?",
             "docs: https://example.com/guide."]
    focus = start_focus(timestamps=False)
    session = sim.wait_subscribed(N_SUBS)
    for text in texts:
        say(sim, ANN, text)
    say(sim, BOB, "something else")
    sim.notify("channel.ban", payloads_channel.ban(ANN, MOD, "too many questions", 10))
    focus.out.wait_text("Bob: something else")
    focus.out.wait_text("Ann was timed out")
    assert focus.stop() == 0
    assert session
    recap = focus.out.text[focus.out.text.index("recap "):]  # the recap on stdout when focus stops
    assert "6 from 2 chatters (2 new)" in recap and "top chatters  Ann 5, Bob 1" in recap

    res = shell(env, "history", "ann")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Ann: 5 messages, first seen ")
    assert "timeout by Mossy: too many questions" in lines[-1]  # in time order: after what she said
    said = [line.split("  ", 2)[2] for line in lines[1:-1]]
    assert said == ["hello there", "is that neovim?", "ok back to work", "@DeskFox what font is that?",
                    "docs: https://example.com/guide."]  # in order, and sanitized like text from Twitch
    assert "\x1b" not in res.stdout
    res = shell(env, "history", "ann", "--limit", "2")
    assert [line.split("  ", 2)[2] for line in res.stdout.splitlines()[1:-1]] == texts[3:]
    res = shell(env, "history", "ANN")  # her display name, in any case, finds her too
    assert res.returncode == 0 and res.stdout.splitlines()[0].startswith("Ann: 5 messages")

    res = shell(env, "history", "nobody_here")
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "no history for nobody_here" in res.stderr

    res = shell(env, "questions")
    assert res.returncode == 0 and res.stdout.splitlines()[1].endswith("1. [" + res.stdout.split("[")[1][:5] +
                                                                       "] Ann: @DeskFox what font is that?")
    res = shell(env, "questions", "--done", "1")
    assert res.returncode == 0 and res.stdout == "no open questions\n"
    res = shell(env, "questions", "--done", "1")
    assert res.returncode == 1 and "no open question 1" in res.stderr

    res = shell(env, "links", "--since", "1h")
    assert res.returncode == 0 and res.stdout.rstrip().endswith("Ann  https://example.com/guide")
    res = shell(env, "links", "--since", "soon")
    assert res.returncode == 2 and "not a duration" in res.stderr

    res = shell(env, "recap", "--since", "1h")
    assert res.returncode == 0 and "6 from 2 chatters" in res.stdout and "\x1b" not in res.stdout


def test_the_shell_commands_say_so_when_there_is_no_history_and_no_history_stores_nothing(sim, env, start_focus):
    res = shell(env, "recap")
    assert res.returncode == 1 and "there is no history yet" in res.stderr and "Traceback" not in res.stderr
    focus = run_once(sim, start_focus, [(ANN, "not remembered")], history=False)
    assert not db_path(focus.settings.data_dir).exists() and "recap " not in focus.out.text


def test_first_time_chatters_are_marked_once_after_the_history_knows_the_channel(sim, start_focus):
    first = run_once(sim, start_focus, [(ANN, "regular from last stream"), (BOB, "also here")])
    assert "FIRST CHAT" not in first.out.text  # an empty history learns; it marks nobody
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "back again")
    say(sim, CY, "hi, new here")
    say(sim, CY, "second message")
    focus.out.wait_text("Cy: second message")
    lines = [line for line in focus.out.lines() if not line.startswith("-- ")]
    assert lines[:3] == ["Ann: back again", "[FIRST CHAT] Cy: hi, new here", "Cy: second message"]
    assert focus.stop() == 0


def test_a_regulars_message_is_stored_while_focus_runs_once_its_line_is_written(sim, start_focus):
    """A regular's row waits for the main loop's terminal write (HistoryWriter.put_chat_later), then is queued
    at once: it is committed within the flush interval while focus runs, not only when something comes after
    it or focus stops."""
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "first: the history learns Ann")
    say(sim, ANN, "second: a regular now")
    focus.out.wait_text("Ann: second: a regular now")
    stored_while_running(focus, ["first: the history learns Ann", "second: a regular now"])
    assert focus.stop() == 0


def test_a_history_row_that_cannot_be_built_after_its_line_costs_that_row_not_the_chat(sim, start_focus):
    """A regular's row is built after the line is written (HistoryWriter.settle, outside the handling of a
    frame): a bug there is reported like a bad frame, and the chat and the other rows go on."""
    import time

    from focuslib.twitch.events import parse_event

    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "known from now on")
    focus.out.wait_text("Ann: known from now on")
    broken = parse_event("channel.chat.message", "1", payloads.chat_message(ANN, "x"))._replace(chatter=None)
    on_main(focus, lambda: focus.app.memory.writer.put_chat_later(time.time(), broken))
    say(sim, ANN, "still flowing")
    focus.out.wait_text("Ann: still flowing")
    focus.out.wait_text("focus skipped a message it could not handle (details in the devlog)")
    stored_while_running(focus, ["known from now on", "still flowing"])
    assert focus.stop() == 0


def test_mentions_take_the_mentioned_chatters_own_color(sim, start_focus):
    run_once(sim, start_focus, [(ANN, "I am red")])
    focus = start_focus(sink=Sink(tty=True), color="always", timestamps=False)
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "still red", color="#FF0000")
    say(sim, BOB, "@ann look, and @stranger too", color="#00FF00")
    focus.out.wait_text("too")
    r = focus.app.renderer
    assert f"\x1b[1;{r.rgb('#FF0000')}m@ann\x1b[0m" in focus.out.text
    assert f"\x1b[{r.mention_style}m@stranger\x1b[0m" in focus.out.text  # unknown: the one mention color
    assert r.rgb("#FF0000") != r.rgb("#00FF00")
    assert focus.stop() == 0


class DevlogReader:
    """Reads focus's devlog FIFO into a Sink."""

    def __init__(self, pipe) -> None:
        self.out = Sink()
        self.fd = os.open(pipe, os.O_RDONLY)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while chunk := os.read(self.fd, 1 << 16):
            self.out.write(chunk.decode("utf-8", "replace"))

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.out.lines()]

    def close(self) -> None:
        self.thread.join(t(5))
        os.close(self.fd)


def test_hold_queue_end_to_end(sim, env, start_focus):
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, devlog=True, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    devlog = DevlogReader(focus.settings.devlog_pipe)
    try:
        say(sim, BOB, "FOLLOW-BOT SPAM one")
        say(sim, BOB, "FOLLOW-BOT SPAM two")
        say(sim, ANN, "never held: has history")
        say(sim, CY, "cy holds this")
        focus.out.wait_text("Ann: never held: has history")
        focus.out.wait_text("held: new chatter Cy (1 message): /release cy or /ban cy")
        lines = focus.out.lines()
        assert "· held: new chatter Bob (1 message): /release bob or /ban bob" in lines
        assert "· held: new chatter Bob (2 messages): /release bob or /ban bob" in lines
        assert "SPAM" not in focus.out.text and "cy holds this" not in focus.out.text
        devlog.out.wait_text("FOLLOW-BOT SPAM two")
        held = [r for r in devlog.records() if r["kind"] == "held"]
        assert [r["text"] for r in held[:2]] == ["FOLLOW-BOT SPAM one", "FOLLOW-BOT SPAM two"]
        # The private terminal reads them as notes, each with the commands that decide (devlog.py --notes); a
        # note follows its held record, so the second one may still be on its way.
        devlog.out.wait_for(lambda text: text.count('"title": "held: Bob (bob)"') >= 2)
        notes = [r for r in devlog.records() if r["kind"] == "note" and r["title"] == "held: Bob (bob)"]
        assert [r["lines"] for r in notes] == [["FOLLOW-BOT SPAM one"], ["FOLLOW-BOT SPAM two"]]
        assert {r["command"] for r in notes} == {"/release bob or /ban bob"}

        memory = focus.app.memory
        on_main(focus, lambda: memory.show_lines(memory.release("Bob")))
        focus.out.wait_text("released Bob (2 messages)")
        text = focus.out.text
        assert text.index("Bob: FOLLOW-BOT SPAM one") < text.index("Bob: FOLLOW-BOT SPAM two") < text.index(
            "released Bob")
        say(sim, BOB, "known from now on")
        focus.out.wait_text("Bob: known from now on")
        assert on_main(focus, lambda: memory.discard("cy")) is not None  # /ban
        assert on_main(focus, lambda: memory.release("cy")) == ["nobody named cy is held"]
        assert "cy holds this" not in focus.out.text
        assert focus.stop() == 0
    finally:
        devlog.close()
    res = shell(env, "history", "bob")
    assert "3 messages" in res.stdout.splitlines()[0] and "[held]" not in res.stdout
    assert "released from the hold queue (2 messages)" in res.stdout.splitlines()[3]  # after the two it let through
    res = shell(env, "history", "cy")
    assert "[held] cy holds this" in res.stdout  # received, stored, never shown


def test_held_messages_expire_with_one_quiet_line(sim, start_focus):
    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=0.005)  # 0.3 s
    sim.wait_subscribed(N_SUBS)
    say(sim, DEE, "too late")
    focus.out.wait_text("held: new chatter Dee (1 message)")
    focus.out.wait_text("dropped 1 held message from Dee (not released within 0.005 min)")
    # Expiry forgets the messages, not that Dee is unknown: writing again holds again, counted from 1
    # (what was dropped was said), and the line comes after the drop's, so it reads in order.
    say(sim, DEE, "second try")
    say(sim, ANN, "after the second try")
    focus.out.wait_text("Ann: after the second try")
    lines = focus.out.lines()
    dropped = lines.index("· dropped 1 held message from Dee (not released within 0.005 min)")
    assert "· held: new chatter Dee (1 message): /release dee or /ban dee" in lines[dropped + 1:]
    assert "too late" not in focus.out.text and "second try" not in focus.out.text.replace("after the second try", "")
    assert focus.stop() == 0


def history_options(args, env):
    """The history's and the hold queue's Options fields as focus makes them from `env` and its flags."""
    from focuslib.cli.focus import run_options

    options = run_options(args, env, tail=False)
    return {name: getattr(options, name) for name in DEFAULTS}


def parse_args(argv):
    from focuslib.cli.focus import parse_args

    return parse_args(argv)


DEFAULTS = {"history": True, "history_days": 90, "hold_minutes": None, "hold_ttl": 10.0, "hold_follow_days": 7.0,
            "shield_minutes": 10}


@pytest.mark.parametrize("extra, expected", [
    ({}, DEFAULTS),
    ({"FOCUS_HISTORY": "off", "FOCUS_HISTORY_DAYS": "0"}, {**DEFAULTS, "history": False, "history_days": 0}),
    ({"FOCUS_HOLD_NEW": "1", "FOCUS_HOLD_MINUTES": "2.5", "FOCUS_HOLD_FOLLOW_DAYS": "30"},
     {**DEFAULTS, "hold_minutes": 2.5, "hold_ttl": 2.5, "hold_follow_days": 30.0}),
    ({"FOCUS_HOLD_FOLLOW_DAYS": "off", "FOCUS_SHIELD_FOLLOW_MINUTES": "30"},
     {**DEFAULTS, "hold_follow_days": None, "shield_minutes": 30}),
])
def test_history_settings(extra, expected):
    assert history_options(parse_args([]), extra) == expected


@pytest.mark.parametrize("argv, extra, expected", [
    (["--no-history"], {}, {"history": False}),
    (["--hold-new"], {}, {"hold_minutes": 10.0}),
])
def test_history_flags(argv, extra, expected):
    got = history_options(parse_args(argv), extra)
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("extra, words", [
    ({"FOCUS_HISTORY_DAYS": "ninety"}, "FOCUS_HISTORY_DAYS"),
    ({"FOCUS_HISTORY_DAYS": "²"}, "FOCUS_HISTORY_DAYS"),  # a digit to str.isdigit(), not to int()
    ({"FOCUS_HOLD_MINUTES": "-1"}, "FOCUS_HOLD_MINUTES"),
    ({"FOCUS_HOLD_FOLLOW_DAYS": "a week"}, "FOCUS_HOLD_FOLLOW_DAYS"),
    ({"FOCUS_HOLD_FOLLOW_DAYS": "-3"}, "FOCUS_HOLD_FOLLOW_DAYS"),
    ({"FOCUS_SHIELD_FOLLOW_MINUTES": "10m"}, "FOCUS_SHIELD_FOLLOW_MINUTES"),
])
def test_bad_history_settings_exit_2_naming_the_variable(env, extra, words):
    res = shell({**env, **extra}, "--no-devlog")
    assert res.returncode == 2 and words in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("days", ["9" * 400, "9" * 5000, "36501"])
def test_history_days_too_many_for_the_writer_are_a_settings_error(days):
    """The writer's cutoff (now - days) is a float: 309 digits overflowed it and turned the history off with a
    line blaming the database; int() refuses 4,301 digits outright."""
    from focuslib.errors import ConfigError
    from focuslib.settings import MAX_HISTORY_DAYS

    with pytest.raises(ConfigError, match="FOCUS_HISTORY_DAYS"):
        history_options(parse_args([]), {"FOCUS_HISTORY_DAYS": days})
    assert history_options(parse_args([]), {"FOCUS_HISTORY_DAYS": str(MAX_HISTORY_DAYS)})["history_days"] == 36_500


def links_committed(focus, n: int) -> None:
    """Wait until the writer has committed `n` links (what /links reads)."""
    import sqlite3
    import time

    path = db_path(focus.settings.data_dir)
    deadline = time.monotonic() + t(10)
    while sqlite3.connect(path).execute("SELECT count(*) FROM links").fetchone()[0] < n:
        assert time.monotonic() < deadline
        threading.Event().wait(0.05)


def test_the_memory_commands_inside_focus(sim, start_focus):
    import sqlite3

    from focuslib.twitch import commands

    run_once(sim, start_focus, [(ANN, "an old message from ann")])
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "@DeskFox how do you like the new desk?")
    say(sim, BOB, "!q what theme is that?")
    say(sim, BOB, "my repo: https://example.com/bob/repo")
    focus.out.wait_text("Bob: my repo")
    links_committed(focus, 1)
    path = db_path(focus.settings.data_dir)
    memory = focus.app.memory

    def typed(line: str) -> None:
        on_main(focus, lambda: memory.show_lines(memory.command(commands.parse(line))))

    typed("/questions")
    focus.out.wait_text("· 2 open questions (done N marks one answered):")
    assert "·   1. [" in focus.out.text and "] Ann: @DeskFox how do you like the new desk?" in focus.out.text
    typed("/done 1")
    focus.out.wait_text("· question 1 answered")
    typed("/done 7")
    focus.out.wait_text("· no question 7 (list them with /questions)")
    typed("/links")
    focus.out.wait_text("Bob  https://example.com/bob/repo")
    typed("/history ann 1")
    focus.out.wait_text("· Ann: 2 messages, first seen ")
    assert "an old message from ann" not in focus.out.text  # N = 1: only the latest
    typed("/history nobody_here")
    focus.out.wait_text("· no history for nobody_here")
    typed("/release nobody_here")
    focus.out.wait_text("· nobody named nobody_here is held")
    assert focus.stop() == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT text FROM messages WHERE question = 1").fetchall() == [("!q what theme is that?",)]
    conn.close()


def test_moderation_done_on_twitch_also_removes_held_messages(sim, start_focus):
    from focuslib.sim import payloads_chat

    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, hold_minutes=10)
    sim.wait_subscribed(N_SUBS)
    say(sim, BOB, "BOT SPAM one")
    say(sim, BOB, "BOT SPAM two")
    keep = say(sim, CY, "cy keeps this")
    gone = say(sim, CY, "cy deleted this")
    focus.out.wait_text("held: new chatter Cy (2 messages)")
    sim.notify("channel.ban", payloads_channel.ban(BOB, MOD, "spam"))  # another moderator, on Twitch's site
    focus.out.wait_text("discarded 2 held messages from Bob (removed on Twitch)")
    sim.notify("channel.chat.message_delete", payloads_chat.message_delete(CY, gone))
    say(sim, ANN, "after the delete")
    focus.out.wait_text("Ann: after the delete")
    memory = focus.app.memory
    assert on_main(focus, lambda: memory.release("bob")) == ["nobody named bob is held"]
    on_main(focus, lambda: memory.show_lines(memory.release("cy")))
    focus.out.wait_text("released Cy (1 message)")
    assert "Cy: cy keeps this" in focus.out.text and keep
    assert "SPAM" not in focus.out.text and "cy deleted this" not in focus.out.text
    assert focus.stop() == 0


def test_memory_commands_in_focus_wait_only_briefly_for_a_lock(sim, start_focus):
    """/history, /questions and /links run on the display thread: a lock held elsewhere may not stall chat
    for the shell commands' 2 s (the bound is the read connection's own busy timeout)."""
    from focuslib.runtime.recall import MAIN_THREAD_BUSY_MS
    from focuslib.store.schema import BUSY_TIMEOUT_MS

    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    memory = focus.app.memory
    busy = on_main(focus, lambda: memory._read(lambda conn: conn.execute("PRAGMA busy_timeout").fetchone()[0]))
    assert busy == MAIN_THREAD_BUSY_MS < BUSY_TIMEOUT_MS
    assert focus.stop() == 0


def test_a_link_is_never_made_clickable_on_stream(sim, start_focus):
    """focus never writes a hyperlink (OSC 8) -- not in chat, not in /links -- even with colors on: a URL
    is plain text the viewer can read, never something to click on stream."""
    from focuslib.twitch import commands

    run_once(sim, start_focus, [(ANN, "a regular")])
    focus = start_focus(timestamps=False, color="always")
    sim.wait_subscribed(N_SUBS)
    say(sim, ANN, "see https://example.com/ann/notes and www.example.org/x")
    focus.out.wait_text("https://example.com/ann/notes and www.example.org/x")
    links_committed(focus, 2)
    memory = focus.app.memory
    on_main(focus, lambda: memory.show_lines(memory.command(commands.parse("/links"))))
    focus.out.wait_text("Ann  www.example.org/x")
    assert focus.stop() == 0
    text = focus.out.text
    assert "\x1b[" in text  # colors were on
    assert "\x1b]" not in text and "\x9d" not in text  # no OSC at all, so no OSC 8 hyperlink
