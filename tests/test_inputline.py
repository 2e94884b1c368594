"""focus's input line in a real pseudo-terminal (tests/ptyterm.py), against the simulated Twitch.

Each test starts focus.py with a pty as its terminal, types keys as a
terminal sends them and reads the emulated screen.  Nothing waits on time:
every step waits for what the screen (or the simulator) must show next.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ESC, N_SUBS, ROOT, t
from focuslib.sim import payloads
from focuslib.twitch import commands
from ptyterm import PtyFocus

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")
UP, TAB, ENTER, CTRL_C, CTRL_D = "\x1b[A", "\t", "\r", "\x03", "\x04"


@pytest.fixture
def open_pty(env: dict[str, str], sim) -> Iterator:
    started: list[PtyFocus] = []

    def start(args: tuple[str, ...] = (), rows: int = 30, **kw) -> PtyFocus:
        focus = PtyFocus(env, ["--no-devlog", "--no-timestamps", *args], rows=rows, **kw)
        started.append(focus)
        # The status line says "subscribed 52/52"; screen mode's header says "connected" once all are made.
        focus.wait_text("connected" if kw.get("screen") else "subscribed", 20)
        sim.wait_subscribed(N_SUBS)
        return focus

    yield start
    for focus in started:
        focus.close()


def prompt_row(focus: PtyFocus) -> str:
    return next((row for row in focus.rows() if row.startswith("› ") or row == "›"), "")


def test_help_lists_every_command_one_line_each(open_pty) -> None:
    focus = open_pty(rows=3 * len(commands.COMMANDS))  # a long help wraps at 80 columns
    focus.send("/help" + ENTER)
    focus.wait_text("plain text is sent as chat")
    screen = focus.text()
    for spec in commands.COMMANDS:
        assert f"· {spec.usage}" in screen, spec.usage


def test_ctrl_c_clears_a_line_without_losing_it_and_quits_on_an_empty_line(open_pty) -> None:
    focus = open_pty()
    focus.send("a half-written thought")
    focus.wait_for(lambda: prompt_row(focus) == "› a half-written thought")
    focus.send(CTRL_C)
    focus.wait_for(lambda: prompt_row(focus) == "›", what="the cleared line")
    assert focus.proc.poll() is None  # still running
    focus.send(UP)  # nothing typed is lost
    focus.wait_for(lambda: prompt_row(focus) == "› a half-written thought", what="the line back from history")
    focus.send(CTRL_C)
    focus.wait_for(lambda: prompt_row(focus) == "›")
    focus.send(CTRL_C)  # on an empty line: quit, as Ctrl-C always did
    assert focus.exit_code() == 0


def test_ctrl_d_on_an_empty_line_and_quit_both_stop_focus(open_pty) -> None:
    focus = open_pty()
    focus.send(CTRL_D)
    assert focus.exit_code() == 0
    focus = open_pty()
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0


def test_history_is_private_and_kept_across_runs(open_pty, env) -> None:
    focus = open_pty()
    focus.send("/timeout pixel_otter 15d" + ENTER)  # refused before sending: still in the history
    focus.wait_text("! a timeout lasts 1 s to 14 days, not 1296000 s")
    focus.send("/slow 1000" + ENTER)
    focus.wait_text("! slow mode waits 3 to 120 s")
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0
    path = Path(env["FOCUS_DATA_DIR"]) / "input-history"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = open_pty()
    again.send(UP + UP)
    again.wait_for(lambda: prompt_row(again) == "› /slow 1000", what="the previous run's history")
    again.send(UP)
    again.wait_for(lambda: prompt_row(again) == "› /timeout pixel_otter 15d")


def test_tab_completes_commands_and_recent_chatters(open_pty, sim) -> None:
    focus = open_pty()
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "hi there"))
    focus.wait_text("Pixel_Otter: hi there")
    focus.send("/time" + TAB)
    focus.wait_for(lambda: prompt_row(focus) == "› /timeout", what="the command completed")
    focus.send(" pix" + TAB)
    focus.wait_for(lambda: prompt_row(focus) == "› /timeout pixel_otter", what="the chatter completed")
    focus.send(CTRL_C + "thanks @pixe" + TAB)
    focus.wait_for(lambda: prompt_row(focus) == "› thanks @pixel_otter", what="the mention completed")
    focus.send(CTRL_C + "/ban nobody_here" + TAB)  # nothing to complete: the line stays as typed
    focus.send(" x")
    focus.wait_for(lambda: prompt_row(focus) == "› /ban nobody_here x")


def test_a_history_file_focus_cannot_open_is_one_line_and_focus_starts_all_the_same(open_pty, env) -> None:
    """An input-history focus cannot open (here a directory; a file a run as root left behind does the same)
    must not stop focus with an unexpected error: one line says so, and the lines typed this run are kept."""
    data = Path(env["FOCUS_DATA_DIR"])
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    (data / "input-history").mkdir()
    focus = open_pty(cols=250)  # the line on one row: its path is long
    focus.wait_text(f"! the input line's history cannot be kept in {data / 'input-history'} (Is a directory); "
                    "this run's lines are kept until focus stops")
    focus.send("a line to keep")
    focus.wait_for(lambda: prompt_row(focus) == "› a line to keep")
    focus.send(CTRL_C)
    focus.wait_for(lambda: prompt_row(focus) == "›", what="the cleared line")
    focus.send(UP)
    focus.wait_for(lambda: prompt_row(focus) == "› a line to keep", what="the line back from this run's history")
    focus.send(CTRL_C + CTRL_C)
    assert focus.exit_code() == 0


def focus_with_pipes(env: dict[str, str], sim, *, stdin_tty: bool, args: tuple[str, ...] = ()) -> tuple[str, str]:
    """focus.py with stdout to a pipe (stdin a terminal or /dev/null): stopped by SIGTERM once it showed a line.
    Returns what it printed and the names of the modules it had loaded at exit."""
    master, slave = os.openpty()
    marker = Path(env["HOME"]) / "modules.txt"
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write(' '.join(sorted(sys.modules))))\n"
            f"sys.path.insert(0, {str(ROOT)!r})\n"
            f"sys.argv = [{str(ROOT / 'focus.py')!r}, '--no-devlog', '--no-timestamps', *{list(args)!r}]\n"
            "runpy.run_path(sys.argv[0], run_name='__main__')\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=slave if stdin_tty else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**clean, **env}, cwd=ROOT / "tests")
    os.close(slave)
    try:
        sim.wait_subscribed(N_SUBS, t(20))
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, "still reading after the end of input"))
        lines: list[str] = []
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw.decode())
            if "still reading" in lines[-1]:
                break
        proc.terminate()
        out, err = proc.communicate(timeout=t(10))
        assert proc.returncode == 0, err
        return "".join(lines) + out.decode(), marker.read_text()
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_display_only_with_stdin_from_dev_null_keeps_reading_and_never_loads_prompt_toolkit(env, sim) -> None:
    out, modules = focus_with_pipes(env, sim, stdin_tty=False)
    assert "Pixel_Otter: still reading after the end of input" in out
    assert not ESC.search(out)
    assert "prompt_toolkit" not in modules.split()
    assert "focuslib.twitch.commands" not in modules.split()  # the one-shots' grammar: not a display's start-up


def test_output_to_a_pipe_has_no_input_line_and_no_cursor_control_even_from_a_terminal(env, sim) -> None:
    out, modules = focus_with_pipes(env, sim, stdin_tty=True)
    assert "Pixel_Otter: still reading after the end of input" in out
    assert not ESC.search(out) and "›" not in out
    assert "prompt_toolkit" not in modules.split()


def test_display_only_on_a_terminal_with_stdin_from_dev_null_draws_as_before(env, sim) -> None:
    focus = PtyFocus(env, ["--no-devlog", "--no-timestamps"], stdin_devnull=True)
    try:
        sim.wait_subscribed(N_SUBS, t(20))
        sim.notify("channel.chat.message", payloads.chat_message(OTTER, "no input line here"))
        focus.wait_text("Pixel_Otter: no input line here")
        focus.wait_for(lambda: focus.rows()[1].startswith("-- subscribed"), what="the status under the chat")
        assert prompt_row(focus) == ""
        assert b"\x1b[?1049h" not in focus.raw and b"\x1b[6n" not in focus.raw  # nothing of prompt_toolkit's
    finally:
        focus.close()
    assert focus.proc.returncode == 0
