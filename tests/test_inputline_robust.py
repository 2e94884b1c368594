"""focus with its input line under trouble, in a real pseudo-terminal (tests/ptyterm.py).

A slow Helix, AutoMod's held text, a terminal nobody reads, a resize, Ctrl-Z and `fg`, a crash inside
the input line: chat keeps being shown, nothing held reaches the screen, memory stays bounded.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import N_SUBS, t
from focuslib.sim import payloads
from ptyterm import PtyFocus
from test_inputline import ENTER, OTTER, prompt_row

KETTLE_LOGIN = "loud_kettle"


class DevlogReader:
    """Reads focus's devlog FIFO as `devlog.py --raw` would, keeping every byte."""

    def __init__(self, pipe: Path) -> None:
        self.pipe = pipe
        self.data = bytearray()
        self._cond = threading.Condition()
        self._fd: int | None = None
        self.thread = threading.Thread(target=self._read, name="test-devlog-reader", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        self._fd = os.open(self.pipe, os.O_RDONLY)  # waits for focus's writer
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._cond.notify_all()
                    return
                self.data += chunk
                self._cond.notify_all()

    def wait_for(self, needle: bytes, timeout: float = 15.0) -> None:
        start = 0  # only what came since the last look is searched: a flood's devlog is tens of MB

        def found() -> bool:
            nonlocal start
            if self.data.find(needle, start) >= 0:
                return True
            start = max(0, len(self.data) - len(needle) + 1)
            return False

        with self._cond:
            if not self._cond.wait_for(found, t(timeout)):
                raise AssertionError(f"{needle!r} never reached the devlog")

    def close(self) -> None:
        self.thread.join(t(5))
        if self._fd is not None:
            os.close(self._fd)


@pytest.fixture
def pty_focus(env: dict[str, str], sim) -> Iterator:
    started: list[PtyFocus] = []

    def start(*args: str, extra: dict[str, str] | None = None, **kw) -> PtyFocus:
        focus = PtyFocus({**env, **(extra or {})}, ["--no-timestamps", *args], **kw)
        started.append(focus)
        focus.wait_text("subscribed", 20)
        sim.wait_subscribed(N_SUBS, t(15))
        return focus

    yield start
    for focus in started:
        focus.close()


def test_an_automod_held_text_reaches_the_devlog_and_never_the_terminal(pty_focus, sim, tmp_path) -> None:
    from focuslib.sim import payloads_moderation

    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    reader = DevlogReader(pipe)
    focus = pty_focus(extra={"FOCUS_DEVLOG_PIPE": str(pipe)})
    sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "you absolute walnut", "held-w"))
    focus.wait_text("held by AutoMod: Pixel_Otter (#1): /allow 1 or /deny 1")
    reader.wait_for(b"you absolute walnut")  # the text, for the streamer's private devlog
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "after the hold"))
    focus.wait_text("Pixel_Otter: after the hold")
    assert b"walnut" not in bytes(focus.raw)  # not on screen, not in any byte focus wrote to the terminal
    focus.close()
    reader.close()


def test_a_slow_helix_never_stalls_chat_or_the_input_line(pty_focus, sim) -> None:
    focus = pty_focus()
    # Helix answers one byte every 0.3 s: a chat POST, then a ban, each take minutes to answer.
    sim.trickle, sim.trickle_prefix = 0.3, "/chat/messages"
    focus.send("hello through a slow Twitch" + ENTER)
    sim.wait_for(lambda: sim.requests_to("POST", "/helix/chat/messages"), t(15))
    for k in range(20):
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, f"still flowing {k}"))
    focus.wait_text("Pixel_Otter: still flowing 19")
    sim.trickle_prefix = "/moderation/bans"
    focus.send(f"/ban {KETTLE_LOGIN} spam" + ENTER)
    sim.wait_for(lambda: sim.requests_to("POST", "/helix/moderation/bans"), t(15))
    for k in range(20):
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, f"during the ban {k}"))
    focus.wait_text("Pixel_Otter: during the ban 19")
    focus.send("typing works")
    focus.wait_for(lambda: prompt_row(focus) == "› typing works", what="the input line answering keys")
    assert "· banned Loud_Kettle" not in focus.text()  # its one-line result waits for Twitch's answer
    sim.trickle = 0.0  # Twitch recovers: both answers arrive
    focus.wait_text("· banned Loud_Kettle")
    assert len(sim.requests_to("POST", "/helix/chat/messages")) == 1


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


SMALL_BACKLOG = """
import sys
sys.path.insert(0, {root!r})
from focuslib.runtime import backlog

backlog.LIMIT = 256 * 1024
from focuslib.cli.focus import main
sys.exit(main())
"""


@pytest.mark.xdist_group("memory")  # measures RSS: never beside another memory test (conftest.py)
def test_a_terminal_nobody_reads_costs_bounded_memory_and_never_stalls_chat(pty_focus, sim, tmp_path) -> None:
    import json

    from conftest import ROOT

    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    reader = DevlogReader(pipe)
    # The history off: its queue maps ~19 MB for a flood like this and unmaps it once written, and its writer gives
    # freed heap back (spool.heap_trimmer), so whether an RSS sample falls before or after that is timing; its
    # own bounds are tests/test_spool.py's.  What is measured here is the terminal's queue.
    # What a stuck terminal keeps is 256 KiB here, not 4 MiB: the same rule, and the test's own terminal
    # (a VT emulator in Python, ~200 KB/s) reads the kept lines back in a second instead of twenty.
    script = tmp_path / "small_backlog_focus.py"
    script.write_text(SMALL_BACKLOG.format(root=str(ROOT)))
    focus = pty_focus(extra={"FOCUS_DEVLOG_PIPE": str(pipe), "FOCUS_HISTORY": "off"}, script=script)
    focus.send("a draft")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft", what="the draft")
    session = sim.live_sessions()[0]
    focus.reading.clear()  # from now on nobody reads the terminal: focus's writes to it block

    def flood(tag: str) -> int:
        """~3.9 MB of chat lines (fifteen times the pty's buffer and the bounded queue); focus's RSS after.

        The bound does not depend on the flood's size, so the flood is only as big as the check needs: an
        unbounded queue grows by ~6.4 MB in 6,000 lines (measured with backlog.LIMIT at 1 GiB), so ~9.6 MB in
        these 9,000, well over the 4 MiB allowed; a bounded one grew by 0.2-0.5 MB, once 3.3 MiB on a loaded
        machine (the allocator's arenas): 6,000 lines against 3 MiB failed on that.  15,000 lines cost ~10 s of
        CPU for the same answer."""
        frames, _ = sim.burst_frames(9_000, session, text=f"{tag} " + "p" * 400)
        sim.send_frames(frames, session)
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, f"sentinel after the {tag}"))
        reader.wait_for(f"sentinel after the {tag}".encode(), 120)  # the main thread handled it: no stall
        return rss_kib(focus.proc.pid)

    first = flood("first flood")  # the burst's own high-water marks (inbox, devlog) are set here
    second = flood("second flood")  # the same again: an unbounded queue to the terminal would grow by ~9.6 MB
    assert second - first < 4 * 1024, f"RSS grew {second - first} KiB in a flood the terminal did not read"
    reader.wait_for(b'"terminal_dropped"', 30)
    focus.reading.set()  # the terminal takes output again
    focus.wait_text("sentinel after the second flood", 60)
    # The quiet line comes before the newest 4 MiB it kept: far up in the scrollback, so read the bytes.
    focus.wait_raw(b"lines skipped: the terminal did not take them in time")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft", what="the input line back, draft intact")
    records = [json.loads(line) for line in bytes(reader.data).split(b"\n") if b"terminal_dropped" in line]
    assert sum(r["lines"] for r in records) > 1000
    assert focus.proc.poll() is None
    focus.close()
    reader.close()


CRASHING = """
import sys
sys.path.insert(0, {root!r})
from focuslib.runtime import inputline

plain = inputline.TalkCompleter.get_completions


def planted(self, document, event):  # a bug in focus's own completer, planted by the test
    if document.text_before_cursor.startswith("/boom"):
        raise RuntimeError("a bug planted in the completer by the test")
    yield from plain(self, document, event)


inputline.TalkCompleter.get_completions = planted
from focuslib.cli.focus import main
sys.exit(main())
"""


def test_a_crash_inside_the_input_line_restarts_it_and_one_that_repeats_leaves_focus_showing_chat(
        pty_focus, sim, tmp_path) -> None:
    from conftest import ROOT

    script = tmp_path / "crashing_focus.py"
    script.write_text(CRASHING.format(root=str(ROOT)))
    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    reader = DevlogReader(pipe)
    focus = pty_focus(extra={"FOCUS_DEVLOG_PIPE": str(pipe)}, script=script)
    focus.send("/boom\t")
    focus.wait_text("! the input line failed (details in the devlog) and started again; chat goes on")
    reader.wait_for(b"a bug planted in the completer by the test")  # the traceback, in the devlog
    assert b"Traceback" in bytes(reader.data)
    focus.wait_for(lambda: prompt_row(focus) == "› /boom", what="the input line back, with the draft")
    focus.send("\x03hello after the restart" + ENTER)  # it works: the line is sent
    focus.wait_text("DeskFox: hello after the restart")
    focus.send("/boom\t")
    focus.wait_for(lambda: "\n".join(focus.scrollback()).count("and started again") == 2, what="a second restart")
    focus.wait_for(lambda: prompt_row(focus) == "› /boom", what="the input line back again")
    focus.send("\t")  # a third failure within a minute: a bug that repeats, the input line stays off
    focus.wait_text("! the input line failed again (details in the devlog); chat goes on; restart focus to type "
                    "again")
    for k in range(5):
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, f"chat after the crash {k}"))
    focus.wait_text("Pixel_Otter: chat after the crash 4")  # display-only, as with stdin from /dev/null
    screen = "\n".join(focus.scrollback())
    assert "Traceback" not in screen and "planted" not in screen and "Press ENTER" not in screen
    assert focus.proc.poll() is None
    focus.close()
    reader.close()


def test_a_resize_redraws_the_input_line_and_chat_goes_on(pty_focus, sim) -> None:
    focus = pty_focus(rows=30, cols=100)
    focus.send("a draft to keep")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft to keep", what="the draft")
    for rows, cols in ((20, 60), (40, 120), (24, 80)):
        focus.resize(rows, cols)
        tag = f"{rows}x{cols}"
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, f"after the resize to {tag}"))
        focus.wait_text(f"Pixel_Otter: after the resize to {tag}")

        def settled() -> bool:  # the input line under the chat, the status under it, nothing in between
            rows_ = [row for row in focus.rows() if row]
            return (len(rows_) >= 3 and rows_[-2] == "› a draft to keep" and rows_[-1].startswith("-- ")
                    and rows_[-3].endswith(f"after the resize to {tag}"))

        focus.wait_for(settled, what=f"the input line at the bottom after the resize to {tag}")
    assert focus.proc.poll() is None


SHELL = """
import os
os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
"""


def test_ctrl_z_suspends_to_the_shell_and_fg_brings_the_input_line_and_chat_back(env, sim, tmp_path) -> None:
    import shutil
    import sys

    from conftest import ROOT

    if shutil.which("bash") is None:
        pytest.skip("needs bash for job control")
    script = tmp_path / "shell.py"
    script.write_text(SHELL)
    shell = PtyFocus({**env, "PS1": "shell$ "}, [], script=script)
    try:
        shell.wait_text("shell$")
        shell.send(f"{sys.executable} {ROOT / 'focus.py'} --no-timestamps --no-devlog\r")
        shell.wait_text("subscribed", 20)
        sim.wait_subscribed(N_SUBS, t(15))
        shell.send("half a thought")
        shell.wait_for(lambda: prompt_row(shell) == "› half a thought", what="the draft")
        shell.send("\x1a")  # Ctrl-Z
        shell.wait_for(lambda: "Stopped" in shell.text(), what="the shell's job stopped line")
        shell.wait_for(lambda: shell.cursor_row().startswith("shell$"), what="the shell's prompt")
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, "said while focus was stopped"))
        shell.send("fg\r")
        shell.wait_text("Pixel_Otter: said while focus was stopped")
        shell.wait_for(lambda: prompt_row(shell) == "› half a thought", what="the input line back, draft intact")
        shell.send(" done\r")  # the terminal is raw again: the keys reach the input line
        shell.wait_for(lambda: any(row.endswith("DeskFox: half a thought done") for row in shell.rows()),
                       what="the message sent and echoed once")
        shell.send("\x03")  # Ctrl-C on an empty line quits, back to the shell
        shell.wait_for(lambda: shell.cursor_row().startswith("shell$"), what="the shell after focus quit")
        shell.send("exit\r")
        assert shell.exit_code() == 0
    finally:
        shell.close()


def test_a_terminal_that_keeps_reading_gets_every_line_of_a_big_burst(pty_focus, sim) -> None:
    focus = pty_focus()
    session = sim.live_sessions()[0]
    focus.slow_raw_reader(256 * 1024)  # a terminal slower than focus draws: 256 KB/s, ~4 s for this burst
    frames, _ = sim.burst_frames(8_000, session)  # ~1 MB drawn, faster than the test reads it
    sim.send_frames(frames, session)
    focus.wait_raw(b" #7999\r\n", 50)
    raw = re.sub(rb"\x1b\[[0-9;]*m", b"", bytes(focus.raw))  # the colors out
    assert b"lines skipped" not in raw
    assert raw.count(b"burst message Kappa #") == 8_000  # each line once, none dropped
