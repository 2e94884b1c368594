"""Screen mode when its own thread fails (a planted bug, in a real pseudo-terminal): the traceback reaches the
devlog, or the crash file when the devlog is off or not yet running, and the one line that says so is on the
terminal once it is given back (a line in the pane would leave with the screen)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from focuslib.config import Settings

from conftest import t
from ptyterm import PtyFocus
from test_history_flow import DevlogReader
from test_screen_mode import ENTER_ALT, LEAVE_ALT, OTTER, in_pane, say

# The pane fails on a line with "boom" in it (the screen's thread draws it), or on its first frame.
PLANTED = """
import sys
import threading

sys.path.insert(0, {root!r})
from focuslib.runtime import setup
from focuslib.screen import panecontrol

EARLY = {early!r}
failed = threading.Event()
drawn = panecontrol.PaneArea.visible


def visible(self, width, height):
    if EARLY or any("boom" in entry.text for entry in self.pane.window(height)):
        failed.set()
        raise ValueError("a bug planted in the screen by the test")
    return drawn(self, width, height)


panecontrol.PaneArea.visible = visible
built = setup._build_app


def build_app(*args, **kwargs):  # EARLY: the screen's thread fails before focus's App exists
    if EARLY:
        failed.wait(10)
    return built(*args, **kwargs)


setup._build_app = build_app
from focuslib.cli.exits import finish
from focuslib.cli.focus import main

sys.exit(finish("focus", main))
"""


def planted(tmp_path: Path, early: bool) -> Path:
    from conftest import ROOT

    script = tmp_path / "failing_screen.py"
    script.write_text(PLANTED.format(root=str(ROOT), early=early))
    return script


def after_the_screen(focus: PtyFocus) -> str:
    """What the terminal got after it left the alternate screen (all of it if the screen failed before entering)."""
    raw = bytes(focus.raw)
    left = raw.rfind(LEAVE_ALT)
    assert left >= raw.rfind(ENTER_ALT)  # the terminal is given back
    return raw[max(0, left):].decode("utf-8", "replace")


def test_the_screens_thread_failing_is_one_line_on_the_terminal_given_back_and_its_traceback_in_the_devlog(
        env, sim, tmp_path) -> None:
    pipe = Settings.from_env(env).devlog_pipe
    focus = PtyFocus(env, ["--no-timestamps"], rows=24, screen=True, script=planted(tmp_path, early=False))
    devlog = None
    try:
        focus.wait_text("connected", t(20))
        devlog = DevlogReader(pipe)
        devlog.out.wait_text("focus_started")
        say(sim, OTTER, "a line before")
        focus.wait_for(lambda: in_pane(focus, "a line before"), what="chat")
        say(sim, OTTER, "boom")
        assert focus.exit_code(t(10)) == 1  # focus did not end as asked: a script or a service manager sees it
        devlog.out.wait_text("a bug planted in the screen by the test")
        shown = after_the_screen(focus)
        assert "focus: the screen failed (ValueError) and focus stopped; the traceback is in the devlog" in shown
        assert "Traceback" not in bytes(focus.raw).decode("utf-8", "replace")
    finally:
        focus.close()
        if devlog is not None:
            devlog.close()


def test_a_failure_before_focus_is_built_and_without_the_devlog_goes_to_the_crash_file(env, sim, tmp_path) -> None:
    # Display-only (--no-input): its thread's tracebacks had only the App's inbox to reach the devlog by.
    focus = PtyFocus(env, ["--no-timestamps", "--no-input", "--no-devlog"], rows=24, screen=True,
                     script=planted(tmp_path, early=True))
    try:
        assert focus.exit_code(t(20)) == 1
        crash = Settings.from_env(env).runtime_dir / "last-crash.txt"
        shown = after_the_screen(focus)
        assert f"focus: the screen failed (ValueError) and focus stopped; the traceback is in {crash}" in shown
        assert "a bug planted in the screen by the test" in crash.read_text()
        assert "Traceback" not in bytes(focus.raw).decode("utf-8", "replace")
    finally:
        focus.close()


def test_a_failure_before_the_devlog_runs_reaches_it_once_it_does(env, sim, tmp_path) -> None:
    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    readers: list[DevlogReader] = []  # its open waits for focus's devlog, which starts after the screen failed
    opener = threading.Thread(target=lambda: readers.append(DevlogReader(pipe)), daemon=True)
    opener.start()
    focus = PtyFocus({**env, "FOCUS_DEVLOG_PIPE": str(pipe)}, ["--no-timestamps", "--no-input"], rows=24,
                     screen=True, script=planted(tmp_path, early=True))
    try:
        assert focus.exit_code(t(20)) == 1
        opener.join(t(5))
        readers[0].thread.join(t(5))  # focus closed its end: all it wrote is read
        assert "a bug planted in the screen by the test" in readers[0].out.text
        assert "the traceback is in the devlog" in after_the_screen(focus)
    finally:
        focus.close()
        for reader in readers:
            reader.close()
