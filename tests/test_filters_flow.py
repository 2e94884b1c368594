"""Highlights and filters in a running focus against the simulated Twitch: the settings on a pipe, a bad pattern at
start, and the input line's commands in a real pseudo-terminal."""

from __future__ import annotations

import sqlite3

from focuslib.sim import payloads
from focuslib.store.schema import db_path

from conftest import N_SUBS
from test_history_flow import ANN, BOB, CY, DevlogReader, say, shell
from test_inputline import ENTER, open_pty  # noqa: F401 -- the fixture

NIGHTBOT = ("19264788", "nightbot", "Nightbot")


def test_a_pattern_focus_will_not_run_stops_it_at_start_in_one_line_with_exit_2(sim, env) -> None:
    res = shell({**env, "FOCUS_HIDE_WORDS": "spam, /(a+)+$/"})
    assert res.returncode == 2
    assert res.stderr == ("focus: FOCUS_HIDE_WORDS: focus refuses the pattern /(a+)+$/: a repeat inside a repeat, "
                          "like (a+)+, can take exponential time\n")
    assert res.stdout == "" and sim.requests == []  # before anything started: not even the token was checked
    res = shell({**env, "FOCUS_HIGHLIGHT_WORDS": "/[unclosed/"})
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("focus: FOCUS_HIGHLIGHT_WORDS: /[unclosed/ is not a pattern Python's re takes")


def test_focus_config_lists_the_four_settings_and_where_they_came_from(env) -> None:
    res = shell({**env, "FOCUS_HIDE_USERS": "Nightbot, StreamElements"}, "config")
    assert res.returncode == 0, res.stderr
    for name in ("FOCUS_HIGHLIGHT_USERS", "FOCUS_HIGHLIGHT_WORDS", "FOCUS_HIDE_USERS", "FOCUS_HIDE_WORDS"):
        assert name in res.stdout
    assert "Nightbot, StreamElements" in res.stdout


def test_a_hidden_chatter_is_off_the_pipe_but_in_the_history_and_the_devlog(sim, start_focus) -> None:
    focus = start_focus({"FOCUS_HIDE_USERS": "Nightbot", "FOCUS_HIDE_WORDS": "/buy .* followers/",
                         "FOCUS_HIGHLIGHT_WORDS": "rust", "NO_COLOR": "1"}, devlog=True, timestamps=False)
    sim.wait_subscribed(N_SUBS)
    devlog = DevlogReader(focus.settings.devlog_pipe)  # the private terminal, open before chat comes
    try:
        say(sim, NIGHTBOT, "!discord: join us at example dot com")
        say(sim, BOB, "BUY cheap real followers at spam dot example")
        say(sim, ANN, "I write Rust too")
        say(sim, BOB, "the last word")
        focus.out.wait_text("Bob: the last word")
        devlog.out.wait_text("the last word")
        shown = [line for line in focus.out.lines() if not line.startswith("-- ")]
        assert shown == ["✱ Ann: I write Rust too", "Bob: the last word"]
        assert "!discord: join us at example dot com" in devlog.out.text
        assert "BUY cheap real followers at spam dot example" in devlog.out.text
        assert focus.stop() == 0
    finally:
        devlog.close()
    conn = sqlite3.connect(db_path(focus.settings.data_dir))
    try:
        stored = [row[0] for row in conn.execute("SELECT text FROM messages ORDER BY ts")]
    finally:
        conn.close()
    assert stored == ["!discord: join us at example dot com", "BUY cheap real followers at spam dot example",
                      "I write Rust too", "the last word"]


def test_a_hidden_word_in_a_chat_notice_is_off_the_pipe_and_the_notice_stays(sim, start_focus) -> None:
    from focuslib.sim import payloads_chat

    focus = start_focus({"FOCUS_HIDE_WORDS": "/buy .* followers/, spoiler", "NO_COLOR": "1"}, timestamps=False)
    sim.wait_subscribed(N_SUBS)
    sim.notify("channel.chat.notification", payloads_chat.resub(ANN, 14, text="no spoiler: the boss dies"))
    sim.notify("channel.chat.notification", payloads_chat.announcement(BOB, "BUY cheap real followers"))
    sim.notify("channel.chat.notification", payloads_chat.resub(CY, 3, text="three months!"))
    sim.notify("channel.chat.notification", payloads_chat.announcement(ANN, "giveaway at nine"))
    say(sim, BOB, "the last word")
    focus.out.wait_text("Bob: the last word")
    shown = [line for line in focus.out.lines() if not line.startswith("-- ")]
    assert shown == ["[SUB] ★ Ann resubscribed at T1 · 14 months", "[SUB] ★ Cy resubscribed at T1 · 3 months: "
                     "three months!", "▸ announcement Ann: giveaway at nine", "Bob: the last word"]
    assert focus.stop() == 0


def test_the_commands_change_what_is_drawn_next(open_pty, sim) -> None:
    focus = open_pty(rows=40)
    focus.send("/hide" + ENTER)
    focus.wait_text("nothing is hidden: /hide @USER, WORD or /PATTERN/")
    focus.send("/hide @Nightbot" + ENTER)
    focus.wait_text("hiding Nightbot's messages for this run; they still reach the history and the devlog")
    focus.send("/highlight rust" + ENTER)
    focus.wait_text("highlighting messages with the word rust for this run")
    say(sim, NIGHTBOT, "!commands: see the panels")
    say(sim, ANN, "rust is fun")
    focus.wait_text("Ann: rust is fun")
    assert any(row.strip().startswith("✱") for row in focus.text().splitlines() if "Ann: rust is fun" in row)
    focus.send("/unhide @nightbot" + ENTER)
    focus.wait_text("no longer hiding nightbot's messages")
    say(sim, NIGHTBOT, "!uptime: 2 hours")
    focus.wait_text("Nightbot: !uptime: 2 hours")
    focus.send("/hide /(a|aa)*b/" + ENTER)
    focus.wait_text("/hide: focus refuses the pattern /(a|aa)*b/: alternatives inside a repeat")
    say(sim, ANN, "aab, still shown")
    focus.wait_text("Ann: aab, still shown")
    assert "see the panels" not in focus.text()
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0


def test_a_hidden_chatters_message_is_no_target_of_a_bare_delete(open_pty, sim) -> None:
    """/delete alone deletes the latest message shown: a hidden one, though newer, was never seen on stream."""
    focus = open_pty(rows=40)
    focus.send("/hide @bob" + ENTER)
    focus.wait_text("hiding bob's messages")
    ann_said = say(sim, ANN, "a message on stream")
    focus.wait_text("Ann: a message on stream")
    say(sim, BOB, "hidden from the stream")
    sim.notify("channel.follow", payloads.follow(CY))  # after Bob's message, and no chat line of its own
    focus.wait_text("Cy followed")
    focus.send("/delete" + ENTER)
    focus.wait_text("deleted Ann's message")
    assert [r.query["message_id"] for r in sim.requests_to("DELETE", "/helix/moderation/chat")] == [[ann_said]]
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0
