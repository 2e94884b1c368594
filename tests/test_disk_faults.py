"""A full data disk or a read-only data directory at start (issue 22, item 4): one line that says what to do.

A full disk used to stop focus at its first write (the pid file) with "unexpected error (OSError) ...
please report it", so the history that filled the disk, said correctly once, made the next start fail.
A file-size limit (RLIMIT_FSIZE) stands in for the full disk: every write to a file fails with EFBIG.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import N_SUBS, ROOT, t
from secret_guard import seen
from test_cli import Proc
from test_history_faults import read_only  # noqa: F401  (a fixture)
from test_history_flow import ANN, say
from test_oneshot import shell_env  # noqa: F401  (a fixture)


def no_room() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of death, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_a_full_disk_at_start_is_one_line_and_focus_runs(sim, shell_env) -> None:
    focus = Proc(["focus.py", "--no-devlog", "--color", "never", "--no-timestamps"], shell_env, preexec_fn=no_room)
    try:
        focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
        say(sim, ANN, "still here")
        focus.out.wait_text("Ann: still here")
        data_dir = shell_env["FOCUS_DATA_DIR"]
        lines = [line for line in focus.out.lines() if "focus runs" in line]
        assert lines == [f"! the disk holding {data_dir} is full (File too large): focus runs, but `make stop` "
                         "cannot find it (Ctrl-C here stops it); free space there"], focus.out.text
        stop = subprocess.run([sys.executable, "focus.py", "stop"], cwd=ROOT, env=shell_env, capture_output=True,
                              text=True, timeout=t(20))
        assert stop.returncode != 0 and "stop it with Ctrl-C in its terminal" in stop.stderr, stop.stderr
        focus.signal(signal.SIGINT)
        assert focus.wait(10) == 0
    finally:
        focus.kill()
    seen("focus", focus.out.text + focus.err.text)
    assert "unexpected error" not in focus.err.text and "Traceback" not in focus.err.text, focus.err.text


@pytest.mark.parametrize("ran_before", [False, True])
def test_a_read_only_data_directory_says_so_and_what_to_do(sim, shell_env, read_only, ran_before) -> None:  # noqa: F811
    """focus.pid is never removed, so a data directory that has seen a run has one: read-only, the start and
    `focus.py stop` said 'remove it (focus creates it again)' of it, which a read-only directory forbids."""
    data_dir = Path(shell_env["FOCUS_DATA_DIR"])
    data_dir.mkdir(mode=0o700, parents=True)
    if ran_before:
        (data_dir / "focus.pid").touch(mode=0o600)  # what a clean stop leaves: an empty file
    read_only(data_dir)
    runs = [subprocess.run([sys.executable, "focus.py", *args], cwd=ROOT, env=shell_env, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=t(30)) for args in (["--no-devlog"], ["stop"])]
    done, stop = runs
    seen("focus", "".join(run.stdout + run.stderr for run in runs))
    assert done.returncode == 2, done.stderr
    what, hint = done.stderr.strip().splitlines()
    verb = "write" if ran_before else "create"
    assert what.startswith(f"focus: cannot {verb} {data_dir}/focus.pid: ") and "remove it" not in hint, what + hint
    assert f"make {data_dir} writable, or point FOCUS_DATA_DIR at a directory you can write" in hint
    assert (stop.returncode, stop.stdout) == (0, "focus is not running; nothing to stop.\n"), stop.stderr


# A bug, planted in a real focus.py: the last step of its start-up raises.
PLANT = r"""
import runpy, sys
import focuslib.runtime.setup as setup

def warm_up(app):
    raise RuntimeError("a planted bug")

setup.warm_up = warm_up
sys.argv = sys.argv[1:]
runpy.run_path("focus.py", run_name="__main__")
"""


def test_a_crash_with_no_devlog_writes_the_crash_file_it_points_to(sim, shell_env) -> None:
    done = subprocess.run([sys.executable, "-c", PLANT, "focus.py", "--no-devlog"], cwd=ROOT, env=shell_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=t(30))
    seen("focus", done.stdout + done.stderr)
    assert done.returncode == 1, done.stderr
    what, hint = done.stderr.strip().splitlines()
    crash = Path(shell_env["XDG_RUNTIME_DIR"]) / "focus" / "last-crash.txt"
    assert what == "focus: focus stopped on an unexpected error (RuntimeError)"
    assert hint.endswith(f"the traceback is in {crash}; please report it"), hint  # not "the devlog": it is off
    assert "a planted bug" in crash.read_text() and (os.stat(crash).st_mode & 0o777) == 0o600


@pytest.mark.parametrize("devlog", [[], ["--no-devlog"]])
def test_a_crash_that_cannot_save_its_traceback_does_not_point_at_a_file(sim, shell_env, devlog) -> None:
    done = subprocess.run([sys.executable, "-c", PLANT, "focus.py", *devlog], cwd=ROOT, env=shell_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=t(30), preexec_fn=no_room)
    seen("focus", done.stdout + done.stderr)
    assert done.returncode == 1, done.stderr
    hint = done.stderr.strip().splitlines()[-1]
    assert "last-crash.txt" not in hint or "could not be written" in hint, hint
    assert ("the traceback is in the devlog;" in hint) == (not devlog), hint


def test_a_one_shot_whose_refreshed_token_cannot_be_saved_says_so(sim, shell_env) -> None:
    sim.expire_token(shell_env["TWITCH_USER_ACCESS_TOKEN"])  # the one-shot refreshes it on the way
    done = subprocess.run([sys.executable, "focus.py", "say", "brb"], cwd=ROOT, env=shell_env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=t(30), preexec_fn=no_room)
    seen("one-shot", done.stdout + done.stderr)
    assert (done.returncode, done.stdout) == (0, "sent\n"), done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("focus: the refreshed token could not be saved (cannot write the token store ")
    assert line.endswith("the next command uses the older one: free disk space, and run make auth if Twitch "
                         "refuses it")



def test_make_stop_finds_a_focus_whose_data_directory_became_read_only(sim, shell_env, read_only) -> None:  # noqa: F811
    """A remount read-only under a running focus: `stop` opened focus.pid for writing (EROFS) and told the
    streamer to remove it; a lock is read with a read-only open."""
    focus = Proc(["focus.py", "--no-devlog", "--color", "never", "--no-timestamps"], shell_env)
    try:
        focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
        read_only(Path(shell_env["FOCUS_DATA_DIR"]))
        stop = subprocess.run([sys.executable, "focus.py", "stop"], cwd=ROOT, env=shell_env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=t(20))
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert focus.wait(10) == 0
    finally:
        focus.kill()
    seen("focus", focus.out.text + focus.err.text + stop.stdout + stop.stderr)
