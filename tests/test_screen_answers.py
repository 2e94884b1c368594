"""Screen mode in a real pseudo-terminal (pyte), what issue 19 asks and test_screen_mode.py did not cover: /help
and /history go to a devlog reader (the desk says where) and, with no reader, to the overlay over the chat pane,
which Esc closes; the header row shows the channel, live, viewers, the chat modes, held and AutoMod counts and
changes when they change."""

from __future__ import annotations

from types import SimpleNamespace

from focuslib.config import Settings
from focuslib.sim import payloads, payloads_channel, payloads_moderation
from focuslib.twitch import commands

from conftest import N_SUBS, t
from ptyterm import PtyFocus
from test_history_flow import DevlogReader, stored_while_running
from test_screen_mode import CTRL_C, DESK, HERON, OTTER, ROWS, desk, in_pane, pane, say

ENTER, ESC = "\r", "\x1b"
NEWBIE = ("81230077", "fresh_face", "Fresh_Face")


def start(env: dict[str, str], sim, *args: str, rows: int = ROWS, extra: dict[str, str] | None = None) -> PtyFocus:
    focus = PtyFocus({**env, **(extra or {})}, ["--no-timestamps", *args], rows=rows, screen=True)
    focus.wait_text("connected", t(20))
    sim.wait_subscribed(N_SUBS)
    return focus


def stored(env: dict[str, str], texts: list[str]) -> None:
    """Wait until the running focus's history holds these texts (the history's writer is a thread of its own)."""
    stored_while_running(SimpleNamespace(settings=Settings.from_env(env)), texts)


def test_help_and_history_without_a_devlog_reader_open_over_the_chat_and_esc_closes(env, sim) -> None:
    focus = start(env, sim)  # the devlog is on, but no reader is attached
    try:
        say(sim, OTTER, "remember this line")
        say(sim, HERON, "and the pane under it")
        focus.wait_for(lambda: in_pane(focus, "and the pane under it"), what="chat")
        stored(env, ["remember this line", "and the pane under it"])  # what /history reads
        focus.send("/help" + ENTER)
        focus.wait_for(lambda: "/help · Esc closes" in focus.rows()[1], what="the overlay's title")
        # The overlay opens, then the desk says where the answer went: two redraws apart on a loaded machine.
        focus.wait_for(lambda: "/help: shown over the chat, Esc closes (on stream)" in desk(focus)[1], what="the desk")
        first = commands.help_lines()[0].split()[0]  # the first command's usage opens the overlay's lines
        assert focus.rows()[2].startswith(first)
        assert not in_pane(focus, "and the pane under it")  # the overlay covers the chat
        assert focus.rows()[0].startswith(" DeskFox") or focus.rows()[0].startswith("DeskFox")  # the header stays
        focus.send(ESC)
        focus.wait_for(lambda: in_pane(focus, "and the pane under it"), what="the chat back after Esc")
        assert not any(first in row for row in pane(focus))
        focus.send("/history pixel_otter" + ENTER)
        focus.wait_for(lambda: "/history pixel_otter · Esc closes" in focus.rows()[1], what="/history's overlay")
        focus.wait_for(lambda: any("remember this line" in row for row in focus.rows()[2:-DESK]),
                       what="the chatter's message in the overlay")
        focus.wait_for(lambda: "/history pixel_otter: shown over the chat" in desk(focus)[1], what="the desk")
        focus.send(ESC)
        focus.wait_for(lambda: "Esc closes" not in focus.rows()[1], what="the overlay closed")
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()


def test_a_user_card_without_a_devlog_reader_opens_over_the_chat_and_with_one_goes_to_its_notes(env, sim) -> None:
    pipe = Settings.from_env(env).devlog_pipe
    focus = start(env, sim)  # the devlog is on, but no reader is attached yet
    try:
        focus.send("/user pixel_otter" + ENTER)
        focus.wait_for(lambda: "user card: Pixel_Otter" in focus.rows()[1], what="the card's overlay")
        focus.wait_for(lambda: "shown over the chat, Esc closes (on stream)" in desk(focus)[1], what="the desk")
        focus.send(ESC)
        focus.wait_for(lambda: "user card" not in focus.rows()[1], what="the overlay closed")
        devlog = DevlogReader(pipe)
        devlog.out.wait_text("focus_started")  # the writer has met the reader
        focus.send("/user loud_kettle" + ENTER)
        focus.wait_for(lambda: "in the devlog's notes" in desk(focus)[1], what="the desk's pointer")
        devlog.out.wait_text('"title": "user card: Loud_Kettle')
        assert not any("user card" in row for row in focus.rows()[:-DESK])  # no overlay: the desk names it
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
        devlog.close()  # its reader ends with focus's end of the pipe
    finally:
        focus.close()


def test_help_and_history_with_a_devlog_reader_go_to_its_notes_and_never_on_screen(env, sim) -> None:
    pipe = Settings.from_env(env).devlog_pipe
    focus = start(env, sim)
    devlog = DevlogReader(pipe)  # the pipe is there once focus is connected
    try:
        devlog.out.wait_text("focus_started")  # the writer has met the reader
        say(sim, OTTER, "a line for the history")
        focus.wait_for(lambda: in_pane(focus, "a line for the history"), what="chat")
        stored(env, ["a line for the history"])
        focus.send("/help" + ENTER)
        focus.wait_for(lambda: "/help: in the devlog's notes" in desk(focus)[1], what="the desk's pointer")
        devlog.out.wait_text('"title": "/help"')
        [note] = [r for r in devlog.records() if r["kind"] == "note" and r["title"] == "/help"]
        assert note["lines"] == commands.help_lines()
        focus.send("/history pixel_otter" + ENTER)
        focus.wait_for(lambda: "/history pixel_otter: in the devlog's notes" in desk(focus)[1], what="the pointer")
        devlog.out.wait_text('"title": "/history pixel_otter"')
        [hist] = [r for r in devlog.records() if r["kind"] == "note" and r["title"] == "/history pixel_otter"]
        assert any("a line for the history" in line for line in hist["lines"]), hist
        screen = "\n".join(focus.rows())
        assert "Esc closes" not in screen
        for line in commands.help_lines():
            assert line.split()[0] + " " not in screen.replace("/history pixel_otter", "")
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()
        devlog.close()


def test_the_header_row_shows_the_channel_stream_modes_held_and_automod_and_follows_them(env, sim) -> None:
    sim.helix.viewers = 309
    sim.helix.settings.update(slow_mode=True, slow_mode_wait_time=30)
    focus = start(env, sim, "--no-devlog", extra={"FOCUS_HOLD_NEW": "1"})
    try:
        def header() -> str:
            return focus.rows()[0]

        focus.wait_for(lambda: "309 viewers" in header() and "slow 30s" in header(), what="the start-up header")
        row = header()
        assert row.lstrip().startswith("DeskFox · ● live ") and "m · 309 viewers" in row
        assert "held" not in row and "AutoMod" not in row
        # Modes change: the header follows at once.
        sim.notify("channel.chat_settings.update", payloads_moderation.chat_settings(followers=10, emote_only=True))
        focus.wait_for(lambda: "followers-only 10m" in header() and "emote-only" in header(), what="new modes")
        assert "slow" not in header()
        # A new chatter is held (FOCUS_HOLD_NEW): counted in the header, the text nowhere on screen.
        say(sim, NEWBIE, "a held secret text")
        focus.wait_for(lambda: "1 held" in header(), what="the held count")
        # AutoMod holds two, one is denied: the count follows.
        sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "rude word one", "am-1"))
        sim.notify("automod.message.hold", payloads_moderation.automod_hold(HERON, "rude word two", "am-2"))
        focus.wait_for(lambda: "2 AutoMod" in header(), what="two AutoMod items")
        sim.notify("automod.message.update",
                   payloads_moderation.automod_update(OTTER, "rude word one", "am-1", "Denied"))
        focus.wait_for(lambda: "1 AutoMod" in header(), what="one AutoMod item left")
        # Offline, then live again.
        sim.notify("stream.offline", payloads.broadcaster())
        focus.wait_for(lambda: "○ offline" in header(), what="offline")
        assert "viewers" not in header()
        sim.notify("stream.online", payloads_channel.stream_online())
        focus.wait_for(lambda: "● live 0m" in header(), what="live again")
        raw = bytes(focus.raw)
        for secret in (b"a held secret text", b"rude word one", b"rude word two"):
            assert secret not in raw
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()


def test_an_overlay_longer_than_the_pane_scrolls_with_pgdn_and_pgup(env, sim) -> None:
    focus = start(env, sim, "--no-devlog")
    try:
        say(sim, OTTER, "chat under the overlay")
        focus.wait_for(lambda: in_pane(focus, "chat under the overlay"), what="chat")
        last = commands.help_lines()[-1]
        assert len(commands.help_lines()) > ROWS  # /help is taller than the pane
        focus.send("/help" + ENTER)
        focus.wait_for(lambda: "/help · Esc closes" in focus.rows()[1], what="the overlay")
        assert not any(last[:30] in row for row in focus.rows())  # its end is below the pane
        focus.send("\x1b[6~" * 3)  # PgDn: the overlay's end, never the chat behind it
        focus.wait_for(lambda: any(last[:30] in row for row in pane(focus)), what="the overlay's last line")
        assert "/help · Esc closes" in focus.rows()[1]  # its title stays on top
        assert not in_pane(focus, "chat under the overlay")
        focus.send("\x1b[5~" * 3)  # PgUp: its start again
        first = commands.help_lines()[0]
        focus.wait_for(lambda: focus.rows()[2].startswith(first[:30]), what="the overlay's first line")
        focus.send(ESC)
        focus.wait_for(lambda: in_pane(focus, "chat under the overlay"), what="the chat after Esc")
        assert "↓" not in focus.rows()[0]  # the chat pane did not scroll behind the overlay
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()


BUGGY = """
import sys
import threading

sys.path.insert(0, {root!r})
from focuslib.runtime import screenmode

reported = screenmode.ScreenMode.report


def report(self, text, ok):  # a command's answer (focus runs in full): a thread of focus fails
    reported(self, text, ok)

    def bug():
        raise ValueError("a bug in a thread of focus")

    threading.Thread(target=bug, name="buggy").start()


screenmode.ScreenMode.report = report
from focuslib.cli.exits import finish
from focuslib.cli.focus import main

sys.exit(finish("focus", main))
"""


def test_a_thread_that_fails_is_one_line_on_screen_and_its_traceback_goes_to_the_devlog(env, sim, tmp_path) -> None:
    from conftest import ROOT

    script = tmp_path / "buggy_focus.py"
    script.write_text(BUGGY.format(root=str(ROOT)))
    pipe = Settings.from_env(env).devlog_pipe
    focus = PtyFocus(env, ["--no-timestamps"], rows=ROWS, screen=True, script=script)
    devlog = None
    try:
        focus.wait_text("connected", t(20))
        devlog = DevlogReader(pipe)
        devlog.out.wait_text("focus_started")
        focus.send("/nosuchthing" + ENTER)
        devlog.out.wait_text("a bug in a thread of focus")
        focus.wait_for(lambda: in_pane(focus, "failed (details in the devlog)"), what="the one line")
        screen = "\n".join(focus.rows())
        assert "Traceback" not in screen and "a bug in a thread" not in screen
        assert "Traceback" not in bytes(focus.raw).decode("utf-8", "replace")
        say(sim, OTTER, "chat goes on")
        focus.wait_for(lambda: in_pane(focus, "chat goes on"), what="chat after the failure")
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()  # first: the reader's thread ends when focus closes the pipe
        if devlog is not None:
            devlog.close()
