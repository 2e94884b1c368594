"""One rule for every script's stdout (issue 22, item 10): a reader that went away ends quietly with 0,
a stdout that cannot take the output is one line and exit 1; never a traceback, never Python's
"Exception ignored ... BrokenPipeError" and exit 120 at exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, t
from focuslib.sim import payloads
from secret_guard import seen
from test_oneshot import seed_history, shell_env  # noqa: F401  (a fixture)

B_LOGIN = payloads.BROADCASTER[1]


@pytest.fixture
def big_history(shell_env) -> dict[str, str]:
    """3,000 messages, each a link and a question to the broadcaster: far more than a pipe holds."""
    otter = ("81230001", "pixel_otter", "Pixel_Otter")
    seed_history(Path(shell_env["FOCUS_DATA_DIR"]), [
        ("channel.chat.message", payloads.chat_message(
            otter, f"@{B_LOGIN} is https://example.com/docs/page-{k} the right one? asking for the {k}th time"))
        for k in range(3000)])
    return shell_env


@pytest.mark.parametrize("command", [["links"], ["questions"], ["history", "pixel_otter", "--limit", "3000"],
                                     ["recap"], ["doctor"], ["--help"]])
def test_a_reader_that_went_away_ends_it_quietly(big_history, command) -> None:
    """`focus.py links | head -1` once head has gone: the pipe has no reader left when focus writes."""
    r, w = os.pipe()
    os.close(r)
    try:
        done = subprocess.run([sys.executable, "focus.py", *command], cwd=ROOT, env=big_history, stdout=w,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=t(60))
    finally:
        os.close(w)
    seen("focus", done.stderr)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr


# --help: argparse swallows an error of its own print, so it ended 0 with nothing shown.
@pytest.mark.parametrize("command", [["doctor"], ["links"], ["recap"], ["--help"], ["say", "--help"],
                                     ["history", "--help"]])
def test_a_stdout_that_cannot_take_the_output_is_one_line_and_exit_1(big_history, command) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "focus.py", *command], cwd=ROOT, env=big_history, stdout=full,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=t(60))
    seen("focus", done.stderr)
    assert (done.returncode, done.stderr) == (1, "focus: stdout could not take the output (No space left on "
                                                 "device)\n")


def test_devlog_follows_the_same_rule(shell_env) -> None:
    with open("/dev/full", "w") as full:  # its first line says it waits for focus: it cannot
        done = subprocess.run([sys.executable, "devlog.py"], cwd=ROOT, env=shell_env, stdout=full,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=t(30))
    assert (done.returncode, done.stderr) == (1, "devlog: stdout could not take the output (No space left on "
                                                 "device)\n")


@pytest.mark.parametrize("script", [["auth_server.py", "--help"], ["devlog.py", "--help"]])
def test_the_other_scripts_help_follows_the_same_rule(shell_env, script) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, *script], cwd=ROOT, env=shell_env, stdout=full,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=t(30))
    prog = script[0].split("_")[0].removesuffix(".py")
    assert (done.returncode, done.stderr) == (1, f"{prog}: stdout could not take the output (No space left on "
                                                 "device)\n")


def test_make_trigger_s_list_follows_the_same_rule(shell_env) -> None:
    """`make trigger` alone lists the moments: `> /dev/full` was a traceback (Python's, from print)."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "focuslib.sim", "trigger"], cwd=ROOT, env=shell_env,
                              stdout=full, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=t(30))
    assert (done.returncode, done.stderr) == (1, "trigger: stdout could not take the output (No space left on "
                                                 "device)\n")
