"""Screen mode (issue 19) in a real pseudo-terminal, its screen read with pyte: focus draws the whole terminal
in the alternate screen; what moderators remove leaves the pane wherever it is; nothing of chat reaches the
terminal's own scrollback; the desk keeps what is typed, its menus and answers; scrolling and /find; stops."""

from __future__ import annotations

import re
import signal
import textwrap
import time
from typing import Callable

import pytest

from conftest import N_SUBS, t
from focuslib.sim import payloads, payloads_channel, payloads_chat
from ptyterm import PtyFocus
from test_inputline import open_pty  # noqa: F401  (a fixture)

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")
HERON = ("81230002", "byte_heron", "byte_heron")
ENTER, CTRL_C, PGUP, PGDN = "\r", "\x03", "\x1b[5~", "\x1b[6~"
ENTER_ALT, LEAVE_ALT = b"\x1b[?1049h", b"\x1b[?1049l"
ROWS, DESK = 24, 2


@pytest.fixture
def screen(open_pty, env: dict[str, str]) -> Callable[..., PtyFocus]:
    """focus in screen mode (test_inputline's pty, closed after the test), with `extra` settings."""
    def start(extra: dict[str, str] | None = None, rows: int = ROWS) -> PtyFocus:
        env.update(extra or {})
        return open_pty(rows=rows, screen=True)

    return start


def pane(focus: PtyFocus) -> list[str]:
    """The chat pane's rows: below the header, above the desk."""
    rows = focus.rows()
    return rows[1:len(rows) - DESK]


def desk(focus: PtyFocus) -> list[str]:
    return focus.rows()[-DESK:]


def say(sim, who: tuple[str, str, str], text: str, mid: str | None = None) -> None:
    sim.notify("channel.chat.message", payloads.chat_message(who, text, message_id=mid))


def in_pane(focus: PtyFocus, text: str) -> bool:
    return any(text in row for row in pane(focus))


def only_in_alternate_screen(focus: PtyFocus, text: str) -> bool:
    """Every time `text` was written, the terminal was in its alternate screen (no scrollback there)."""
    raw = bytes(focus.raw)
    needle = text.encode()
    at = raw.find(needle)
    while at >= 0:
        if raw.rfind(ENTER_ALT, 0, at) <= raw.rfind(LEAVE_ALT, 0, at):
            return False
        at = raw.find(needle, at + 1)
    return True


def test_removed_messages_leave_the_pane_on_screen_and_scrolled_back(screen, sim) -> None:
    focus = screen()
    say(sim, OTTER, "BUY CHEAP FOLLOWERS one", "spam-1")
    say(sim, HERON, "a kind word")
    focus.wait_for(lambda: in_pane(focus, "a kind word"), what="chat in the pane")
    sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, "spam-1"))
    focus.wait_for(lambda: not in_pane(focus, "BUY CHEAP"), what="the deleted message gone")
    assert in_pane(focus, "‹removed by a moderator›") and in_pane(focus, "a kind word")
    # A timed-out chatter's message that scrolled out of view goes too.
    say(sim, OTTER, "BUY CHEAP FOLLOWERS two")
    for n in range(40):
        say(sim, HERON, f"filler {n}")
    focus.wait_for(lambda: in_pane(focus, "filler 39"), what="the filler")
    assert not in_pane(focus, "FOLLOWERS two")  # scrolled out of view
    sim.notify("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(OTTER))
    focus.send(PGUP * 3)
    focus.wait_for(lambda: in_pane(focus, "a kind word"), what="the view scrolled back")
    assert not any("BUY CHEAP" in row for row in focus.rows())
    assert re.search(r"↓ \d+ new", focus.rows()[0])  # the header counts what waits below the view
    # A cleared chat takes everything back, scrolled or not.
    sim.notify("channel.chat.clear", payloads_chat.chat_clear())
    focus.wait_for(lambda: not in_pane(focus, "a kind word"), what="the cleared chat")
    focus.send("\x1b[4~")  # End: back to the newest lines
    focus.wait_for(lambda: not in_pane(focus, "filler 39") and in_pane(focus, "chat was cleared"),
                   what="the newest lines, cleared")
    assert focus.screen.top_text == type(focus.screen.top_text)()  # nothing scrolled off the terminal's top
    for text in ("BUY CHEAP FOLLOWERS one", "a kind word", "filler 39"):
        assert only_in_alternate_screen(focus, text), text
    focus.send(CTRL_C)
    assert focus.exit_code(t(5)) == 0
    raw = bytes(focus.raw)
    assert raw.rfind(LEAVE_ALT) > raw.rfind(ENTER_ALT) > 0  # the main screen is back
    assert raw.rfind(b"\x1b[?25h") > raw.rfind(ENTER_ALT)  # and the cursor shown


def test_a_banned_chatters_words_outside_chat_leave_the_pane_too(screen, sim) -> None:
    # A resub's message, a redemption's input and an announcement carry the chatter's own words beside chat: a
    # ban, a timeout or a clear takes them back with the chatter's chat; a deleted notice goes by its id.
    focus = screen()
    sim.notify("channel.chat.notification", payloads_chat.resub(OTTER, 3, text="RESUB SPAM here"))
    sim.notify("channel.channel_points_custom_reward_redemption.add",
               payloads_channel.redemption(OTTER, "Ask a question", 1000, "REDEEMED SPAM there"))
    announcement = payloads_chat.announcement(HERON, "ANNOUNCED words")
    sim.notify("channel.chat.notification", announcement)
    say(sim, HERON, "a kind word")
    focus.wait_for(lambda: in_pane(focus, "a kind word") and in_pane(focus, "REDEEMED SPAM")
                   and in_pane(focus, "RESUB SPAM") and in_pane(focus, "ANNOUNCED"), what="the three lines")
    sim.notify("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(OTTER))
    focus.wait_for(lambda: not in_pane(focus, "RESUB SPAM") and not in_pane(focus, "REDEEMED SPAM"),
                   what="the banned chatter's words gone")
    assert in_pane(focus, "a kind word") and in_pane(focus, "ANNOUNCED")  # another chatter's stay
    sim.notify("channel.chat.message_delete", payloads_chat.message_delete(HERON, announcement["message_id"]))
    focus.wait_for(lambda: not in_pane(focus, "ANNOUNCED"), what="the deleted announcement gone")
    assert in_pane(focus, "a kind word")


def test_a_deleted_redemption_message_leaves_the_pane_whichever_report_came_first(screen, sim) -> None:
    # A redemption with input comes as the redemption (its line shows the text) and as a chat message (not
    # shown), in either order; a moderator deletes the chat message, and the redemption's line goes.
    focus = screen()
    first = payloads_channel.redemption(OTTER, "Ask a question", 1000, "REDEEMED first")
    sim.notify("channel.channel_points_custom_reward_redemption.add", first)

    def say_reward(text: str, mid: str) -> None:
        sim.notify("channel.chat.message",
                   payloads.chat_message(OTTER, text, reward_id=first["reward"]["id"], message_id=mid))

    say_reward("REDEEMED first", "reward-1")
    say_reward("REDEEMED second", "reward-2")  # this time the chat message comes first
    sim.notify("channel.channel_points_custom_reward_redemption.add",
               payloads_channel.redemption(OTTER, "Ask a question", 1000, "REDEEMED second"))
    say(sim, HERON, "a kind word")
    focus.wait_for(lambda: in_pane(focus, "a kind word") and in_pane(focus, "REDEEMED first")
                   and in_pane(focus, "REDEEMED second"), what="both redemptions")
    for mid, text in (("reward-1", "REDEEMED first"), ("reward-2", "REDEEMED second")):
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, mid))
        focus.wait_for(lambda: not in_pane(focus, text), what=f"{text!r} gone")
    assert in_pane(focus, "a kind word")


def test_hide_removes_a_message_without_a_trace(screen, sim) -> None:
    focus = screen({"FOCUS_REMOVED": "hide"})
    say(sim, OTTER, "delete me please", "spam-2")
    say(sim, HERON, "stays here")
    focus.wait_for(lambda: in_pane(focus, "stays here"), what="chat")
    sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, "spam-2"))
    focus.wait_for(lambda: not in_pane(focus, "delete me"), what="the message gone")
    assert not in_pane(focus, "removed by a moderator") and in_pane(focus, "stays here")


def test_the_desk_keeps_what_is_typed_its_completions_and_answers(screen, sim) -> None:
    focus = screen()
    say(sim, OTTER, "hello there")
    focus.wait_for(lambda: in_pane(focus, "hello there"), what="chat")
    focus.send("/un\t")  # several commands start so: one row of choices in the result row
    focus.wait_for(lambda: "/unban" in desk(focus)[1] and "/untimeout" in desk(focus)[1], what="the choices")
    assert not any("/unban" in row or "/untimeout" in row for row in focus.rows()[:-DESK])
    focus.send(CTRL_C)  # clears the line (into the history), focus goes on
    focus.wait_for(lambda: desk(focus)[0].strip() in ("›", ""), what="the cleared line")
    focus.send("a private draft")
    focus.wait_for(lambda: "a private draft" in desk(focus)[0], what="the draft in the desk")
    assert not any("a private draft" in row for row in focus.rows()[:-DESK])
    focus.send(CTRL_C)
    focus.send("/nosuchthing" + ENTER)  # a command's answer is one line in the desk, never in chat
    focus.wait_for(lambda: "unknown command" in desk(focus)[1], what="the answer in the desk")
    assert not any("unknown command" in row for row in focus.rows()[:-DESK])
    focus.send("/clear" + ENTER)  # the confirmation is asked in the desk; anything but y is no
    focus.wait_for(lambda: "(y/N)" in desk(focus)[0], what="the question")
    assert not any("(y/N)" in row for row in focus.rows()[:-DESK])
    focus.send("n")
    focus.wait_for(lambda: "nothing was deleted" in desk(focus)[1], what="the answer")
    assert not sim.requests_to("DELETE", "/helix/moderation/chat")


def test_find_highlights_matches_and_jumps_between_them(screen, sim) -> None:
    focus = screen()
    say(sim, OTTER, "the first needle is here")
    for n in range(40):
        say(sim, HERON, f"hay {n}")
    say(sim, OTTER, "a second NEEDLE")
    focus.wait_for(lambda: in_pane(focus, "second NEEDLE"), what="chat")
    focus.send("/find needle" + ENTER)
    focus.wait_for(lambda: "find 'needle'" in desk(focus)[1], what="find's help in the desk")

    def marked(word: str) -> bool:
        for y, row in enumerate(focus.rows()[:-DESK]):
            x = row.find(word)
            if x >= 0:
                return all(focus.screen.buffer[y][x + k].reverse for k in range(len(word)))
        return False

    focus.wait_for(lambda: marked("NEEDLE"), what="the newest match highlighted")
    assert not marked("hay 39")
    focus.send("n")  # the older match: the view jumps to it
    focus.wait_for(lambda: in_pane(focus, "first needle") and marked("needle"), what="the older match")
    focus.send("\x1b")  # Esc ends the search: back to the newest chat, nothing marked
    focus.wait_for(lambda: in_pane(focus, "second NEEDLE") and not marked("NEEDLE"), what="the search ended")
    focus.send("typed after")  # the keys go to the input line again
    focus.wait_for(lambda: "typed after" in desk(focus)[0], what="the input line")


def test_a_scrolled_view_stays_during_a_burst_and_the_header_counts_below(screen, sim) -> None:
    focus = screen()
    for n in range(60):
        say(sim, HERON, f"before {n}")
    focus.wait_for(lambda: in_pane(focus, "before 59"), what="chat")
    focus.send(PGUP)
    focus.wait_for(lambda: not in_pane(focus, "before 59"), what="the view scrolled back")
    view = pane(focus)
    below = int(re.search(r"↓ ([\d,]+) new", focus.rows()[0]).group(1).replace(",", ""))
    session = sim.live_sessions()[0]
    frames, _ = sim.burst_frames(500, session)
    sim.send_frames(frames, session)
    focus.wait_for(lambda: f"↓ {below + 500:,} new" in focus.rows()[0], what="the header's count")
    assert pane(focus) == view
    focus.send(PGDN * 40)
    focus.wait_for(lambda: in_pane(focus, "#499"), what="the newest line after scrolling down")


def test_a_resize_during_a_burst_redraws_at_the_new_size(screen, sim) -> None:
    focus = screen()
    session = sim.live_sessions()[0]
    frames, _ = sim.burst_frames(2_000, session)
    sim.send_frames(frames, session)
    focus.resize(30, 80)
    focus.wait_for(lambda: in_pane(focus, "#1999") and len(focus.rows()) == 30, what="the burst at the new size")
    focus.wait_for(lambda: desk(focus)[0].startswith("›"), what="the desk at the new bottom")
    began = time.monotonic()
    focus.send(CTRL_C)
    assert focus.exit_code(t(5)) == 0
    assert time.monotonic() - began < t(2)
    assert bytes(focus.raw).rfind(LEAVE_ALT) > bytes(focus.raw).rfind(ENTER_ALT)


def test_a_resize_wraps_the_lines_already_in_the_pane_again(screen, sim) -> None:
    # Lines come wrapped for the width they were written at; after a resize they hang at the new width, as a
    # line written at that width would.
    focus = screen()
    text = " ".join(f"word{n}" for n in range(40))
    say(sim, OTTER, text)
    focus.wait_for(lambda: in_pane(focus, "word39"), what="the long line")

    def rows_of_the_line() -> list[str]:
        rows = [row.rstrip() for row in pane(focus)]
        first = next((k for k, row in enumerate(rows) if row.startswith("Pixel_Otter: ")), None)
        last = next((k for k, row in enumerate(rows) if row.endswith("word39")), None)
        return rows[first:last + 1] if first is not None and last is not None else []

    for columns in (50, 160, 72):
        focus.resize(ROWS, columns)
        hang = " " * len("Pixel_Otter: ")
        expected = textwrap.wrap(text, columns, initial_indent="Pixel_Otter: ", subsequent_indent=hang)
        focus.wait_for(lambda: rows_of_the_line() == expected, what=f"the line wrapped again at {columns} columns")


def test_sigterm_gives_the_terminal_back_and_the_recap_prints_below(screen, sim) -> None:
    focus = screen()
    say(sim, OTTER, "one message for the recap")
    focus.wait_for(lambda: in_pane(focus, "one message for the recap"), what="chat")
    began = time.monotonic()
    focus.proc.send_signal(signal.SIGTERM)  # what make stop sends
    assert focus.exit_code(t(5)) == 0
    assert time.monotonic() - began < t(2)
    raw = bytes(focus.raw)
    left = raw.rfind(LEAVE_ALT)
    assert left > raw.rfind(ENTER_ALT) > 0
    assert b"recap" in raw[left:]  # the recap is on the main screen, after the screen closed
    assert only_in_alternate_screen(focus, "one message for the recap")


def test_lines_and_focus_screen_lines_keep_line_mode_on_a_terminal(env, sim) -> None:
    for args, extra in ((["--lines"], {}), ([], {"FOCUS_SCREEN": "lines"})):
        focus = PtyFocus({**env, **extra}, ["--no-devlog", "--no-timestamps", *args], screen=True)
        try:
            focus.wait_text("subscribed", 20)
            say(sim, OTTER, f"a line {args}")
            focus.wait_text(f"Pixel_Otter: a line {args}")
            assert ENTER_ALT not in bytes(focus.raw)
        finally:
            focus.close()


def test_a_wrong_screen_setting_is_one_line_and_exit_2(env) -> None:
    for name, value in (("FOCUS_SCREEN", "fancy"), ("FOCUS_DESK_ROWS", "1"), ("FOCUS_REMOVED", "blur")):
        focus = PtyFocus({**env, name: value}, ["--no-devlog"], screen=True)
        try:
            assert focus.exit_code(t(10)) == 2
            assert name in focus.text() and ENTER_ALT not in bytes(focus.raw)
        finally:
            focus.close()


def test_ctrl_z_gives_the_shell_its_screen_and_fg_brings_the_screen_back(env, sim, tmp_path) -> None:
    import shutil
    import sys

    from conftest import ROOT
    from test_inputline_robust import SHELL

    if shutil.which("bash") is None:
        pytest.skip("needs bash for job control")
    script = tmp_path / "shell.py"
    script.write_text(SHELL)
    shell = PtyFocus({**env, "PS1": "shell$ "}, [], script=script, rows=ROWS, screen=True)
    try:
        shell.wait_text("shell$")
        shell.send(f"{sys.executable} {ROOT / 'focus.py'} --no-timestamps --no-devlog\r")
        shell.wait_text("connected", 20)
        sim.wait_subscribed(N_SUBS, t(15))
        shell.send("half a thought")
        shell.wait_for(lambda: "half a thought" in desk(shell)[0], what="the draft")
        shell.send("\x1a")  # Ctrl-Z
        shell.wait_for(lambda: shell.cursor_row().startswith("shell$"), what="the shell's prompt")
        raw = bytes(shell.raw)
        assert raw.rfind(LEAVE_ALT) > raw.rfind(ENTER_ALT) > 0  # the shell has the main screen
        say(sim, OTTER, "said while focus was stopped")
        shell.send("fg\r")
        shell.wait_for(lambda: in_pane(shell, "said while focus was stopped"), what="the screen back, with chat")
        shell.wait_for(lambda: "half a thought" in desk(shell)[0], what="the draft intact")
        assert bytes(shell.raw).rfind(ENTER_ALT) > bytes(shell.raw).rfind(LEAVE_ALT)
        shell.send(CTRL_C + CTRL_C)  # clears the draft, then quits
        shell.wait_for(lambda: shell.cursor_row().startswith("shell$"), what="the shell after focus quit")
        shell.send("exit\r")
        assert shell.exit_code() == 0
    finally:
        shell.close()



def test_without_the_input_line_the_screen_is_the_same_with_nothing_to_type(env, sim) -> None:
    # --no-input on a terminal (or stdin not a terminal): the header, the pane and its taking back, the desk's
    # rows kept (what OBS crops stays the same) but empty; keys still scroll; Ctrl-C gives the terminal back.
    focus = PtyFocus(env, ["--no-devlog", "--no-timestamps", "--no-input"], rows=ROWS, screen=True)
    try:
        focus.wait_text("connected", 20)
        sim.wait_subscribed(N_SUBS)
        say(sim, OTTER, "BUY CHEAP FOLLOWERS", "spam-9")
        for n in range(40):
            say(sim, HERON, f"filler {n}")
        focus.wait_for(lambda: in_pane(focus, "filler 39"), what="chat in the pane")
        assert desk(focus) == ["", ""]  # no prompt pretends something can be typed
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, "spam-9"))
        focus.send(PGUP * 3)
        focus.wait_for(lambda: in_pane(focus, "‹removed by a moderator›"), what="the view scrolled back")
        assert not any("BUY CHEAP" in row for row in focus.rows())
        assert re.search(r"↓ \d+ new", focus.rows()[0])
        assert only_in_alternate_screen(focus, "BUY CHEAP FOLLOWERS")
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
        raw = bytes(focus.raw)
        assert raw.rfind(LEAVE_ALT) > raw.rfind(ENTER_ALT) > 0 and raw.rfind(b"\x1b[?25h") > raw.rfind(ENTER_ALT)
    finally:
        focus.close()



@pytest.mark.parametrize("stop", ["ctrl-c", "sigterm"])
def test_with_stdin_not_a_terminal_the_screen_runs_and_ctrl_c_or_make_stop_end_it(env, sim, stop: str) -> None:
    # A service on a streaming machine: stdin is /dev/null, stdout the terminal.  The screen reads no key (an
    # empty pipe stands for the keyboard), so Ctrl-C is the terminal's SIGINT and `make stop` a SIGTERM; both
    # give the terminal back.  The pipe was prompt_toolkit's context manager, not the pipe: focus exited at once.
    focus = PtyFocus(env, ["--no-devlog", "--no-timestamps"], rows=ROWS, screen=True, stdin_devnull=True)
    try:
        focus.wait_text("connected", 20)
        sim.wait_subscribed(N_SUBS)
        say(sim, OTTER, "hello from a service")
        focus.wait_for(lambda: in_pane(focus, "hello from a service"), what="chat in the pane")
        assert desk(focus) == ["", ""]
        if stop == "ctrl-c":
            focus.send(CTRL_C)  # the line discipline's SIGINT: nobody reads the keyboard
        else:
            focus.proc.send_signal(signal.SIGTERM)
        assert focus.exit_code(t(5)) == 0
        raw = bytes(focus.raw)
        assert raw.rfind(LEAVE_ALT) > raw.rfind(ENTER_ALT) > 0 and raw.rfind(b"\x1b[?25h") > raw.rfind(ENTER_ALT)
    finally:
        focus.close()
