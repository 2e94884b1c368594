"""Issue 19's test list, the items test_screen_mode.py and test_screen_answers.py left: the highlight and hide
rules in screen mode, and `make stop` (focus.py stop) giving the terminal back with the input line on; in a real
pseudo-terminal read with pyte."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, t
from test_inputline import open_pty  # noqa: F401  (a fixture)
from test_screen_mode import (CTRL_C, ENTER_ALT, HERON, LEAVE_ALT, OTTER, desk, in_pane, only_in_alternate_screen,
                              pane, say, screen)  # noqa: F401  (screen: a fixture)

NIGHTBOT = ("81230099", "nightbot", "Nightbot")


def test_the_highlight_and_hide_rules_mark_and_keep_off_the_pane(screen, sim) -> None:
    focus = screen({"FOCUS_HIDE_USERS": "Nightbot", "FOCUS_HIDE_WORDS": "/buy .* followers/",
                    "FOCUS_HIGHLIGHT_USERS": "byte_heron", "FOCUS_HIGHLIGHT_WORDS": "rust"})
    say(sim, NIGHTBOT, "!discord: join us at example dot com")
    say(sim, OTTER, "BUY cheap real followers at spam dot example")
    say(sim, OTTER, "I write Rust too")
    say(sim, HERON, "a word from a chosen chatter")
    say(sim, OTTER, "the last word")
    focus.wait_for(lambda: in_pane(focus, "the last word"), what="chat")
    rows = [" ".join(row.split()) for row in pane(focus) if row.strip()]  # the mark is padded: " ✱ " reversed
    chat = [row for row in rows if ": " in row]
    assert chat == ["✱ Pixel_Otter: I write Rust too", "✱ byte_heron: a word from a chosen chatter",
                    "Pixel_Otter: the last word"], rows
    for y, row in enumerate(focus.rows()):  # the mark is reverse video, so it shows on stream at a glance
        if "✱" in row:
            assert focus.screen.buffer[y][row.index("✱")].reverse
    # Hidden: never written to the terminal at all, not only scrolled or drawn over.
    raw = bytes(focus.raw)
    assert b"!discord" not in raw and b"BUY cheap" not in raw


def test_make_stop_gives_the_terminal_back_with_the_input_line_on(screen, sim, env) -> None:
    focus = screen()
    say(sim, OTTER, "chat before the stop")
    focus.wait_for(lambda: in_pane(focus, "chat before the stop"), what="chat")
    focus.send("a draft nobody sent")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    done = subprocess.run([sys.executable, "focus.py", "stop"], cwd=ROOT, env={**base, **env}, capture_output=True,
                          text=True, timeout=t(20))  # what `make stop` runs, from another terminal
    assert done.returncode == 0 and "stopped focus" in done.stdout, done.stdout + done.stderr
    assert focus.exit_code(t(5)) == 0
    raw = bytes(focus.raw)
    left = raw.rfind(LEAVE_ALT)
    assert left > raw.rfind(ENTER_ALT) > 0 and raw.rfind(b"\x1b[?25h") > raw.rfind(ENTER_ALT)
    assert b"\x1b[?1000l" in raw[raw.rfind(ENTER_ALT):] or b"\x1b[?1006l" in raw[raw.rfind(ENTER_ALT):]  # no mouse
    assert only_in_alternate_screen(focus, "chat before the stop")
    assert "a draft nobody sent" not in raw[left:].decode("utf-8", "replace")


def test_a_burst_of_wrapped_lines_never_reaches_the_desk_or_the_header(screen, sim) -> None:
    # The pane's rows scroll in a region between the header and the desk, and lines that wrap are written row by
    # row: prompt_toolkit redraws only what it thinks changed, so a chat row written into the desk would stay.
    focus = screen()
    focus.send("a draft")
    focus.wait_for(lambda: "a draft" in desk(focus)[0], what="the draft")
    session = sim.live_sessions()[0]
    frames, _ = sim.burst_frames(400, session, text="a long line that wraps at eighty or a hundred columns " * 2)
    sim.send_frames(frames, session)
    focus.wait_for(lambda: in_pane(focus, "#399"), what="the burst's last line")
    rows = focus.rows()
    assert desk(focus) == ["› a draft", ""], desk(focus)
    assert rows[0].startswith("DeskFox") and "#" not in rows[0]
    assert focus.screen.top_text == type(focus.screen.top_text)()  # nothing scrolled into the scrollback
    focus.send(CTRL_C + CTRL_C)
    assert focus.exit_code(t(5)) == 0
