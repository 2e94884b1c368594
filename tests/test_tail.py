"""focus in a shell where you also work: `focus --tail &` and plain `focus &` in a real interactive bash in a
pty.  The job keeps running (no "Stopped (tty output)", even with `stty tostop`), the prompt and what you
type stay intact, focus writes no status line and moves no cursor, and `focus stop` ends it."""

from __future__ import annotations

import os
import sys

import pytest

from conftest import ROOT
from ptyterm import PtyFocus


CLEAR_LINE, SAVE_CURSOR, CURSOR_UP = b"\x1b[2K", b"\x1b7", b"A\r"  # what focus's status line and rewrites use


def bash(tmp_path, cli_env) -> PtyFocus:
    env = {**cli_env, "PS1": "$ ", "HOME": str(tmp_path), "TERM": "xterm-256color", "FOCUS": str(ROOT / "focus.py"),
           "PY": sys.executable}
    term = PtyFocus(env, argv=["bash", "--norc", "--noprofile", "-i"], cwd=tmp_path)
    term.wait_raw(b"$ ")
    return term


def typed(term: PtyFocus, line: str) -> None:
    term.send(line + "\r")


@pytest.mark.parametrize("how", ["--tail", "", "--tail tostop"])
def test_focus_in_a_background_job_is_never_stopped_and_leaves_the_prompt_alone(tmp_path, cli_env, how):
    term = bash(tmp_path, cli_env)
    try:
        if "tostop" in how:
            typed(term, "stty tostop")
        flag = "--tail" if "--tail" in how else ""
        typed(term, f'"$PY" "$FOCUS" --demo --no-devlog {flag} &')
        term.wait_for(lambda: "Pixel_Otter: " in "\n".join(term.scrollback()), timeout=30, what="chat in the shell")
        typed(term, "echo typed-$((6*7))")
        term.wait_text("typed-42")
        typed(term, "jobs")
        term.wait_for(lambda: "Running" in "\n".join(term.scrollback()) or "Stopped" in "\n".join(term.scrollback()),
                      what="the job's state")
        assert "Stopped" not in "\n".join(term.scrollback())
        typed(term, '"$PY" "$FOCUS" stop')
        term.wait_for(lambda: "stopped focus (pid" in "\n".join(term.scrollback()), what="focus stop")
        typed(term, "wait; echo exited-$?")
        term.wait_for(lambda: "exited-0" in "\n".join(term.scrollback()), what="the job's end")
        typed(term, "exit")  # an interactive bash ignores the SIGTERM of close(): it waited 5 s, then was killed
        assert term.exit_code() == 0
    finally:
        term.close()
    raw = bytes(term.raw)
    start = raw.index(b"--demo")
    assert CLEAR_LINE not in raw[start:] and SAVE_CURSOR not in raw[start:]  # no status line, nothing rewritten
    assert b"\x1b[?1049h" not in raw and b"\x1b[6n" not in raw  # no full screen, no cursor position asked


@pytest.fixture
def cli_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    env.update({"XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"),
                "PYTHONUNBUFFERED": "1", "FOCUS_DEMO_SPEED": "4"})  # the demo's lines within a second
    return env
