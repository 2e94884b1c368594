"""focus's files on a machine with other local users: the runtime directory cannot be squatted, the pid file
is a lock (never trusted as a number), the devlog FIFO and lock file are checked on every open.

Another user is simulated by giving files to uid 65534 (nobody), which needs root; without root those
tests skip with the reason.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import N_SUBS, t
from focuslib.config import Settings
from focuslib.devlog.pipe import DevlogWriter, ensure_fifo
from focuslib.runtime.pidfile import PidFile
from test_cli import cli_env, procs, run_once  # noqa: F401  (fixtures)

OTHER_UID = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")


def no_xdg(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in cli_env.items() if k != "XDG_RUNTIME_DIR"}
    env["TMPDIR"] = str(tmp_path / "shared-tmp")  # stands in for /tmp
    return env


@as_root
def test_without_xdg_runtime_dir_a_squatted_tmp_directory_does_not_stop_focus(procs, cli_env, tmp_path):
    env = no_xdg(cli_env, tmp_path)
    shared = Path(env["TMPDIR"])
    shared.mkdir(mode=0o1777)
    squat = shared / f"focus-{os.getuid()}"  # where focus used to put its pipe and pid file
    squat.mkdir()
    os.chown(squat, OTHER_UID, OTHER_UID)
    demo = procs(["focus.py", "--demo"], env)
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    settings = Settings.from_env(env)
    assert settings.runtime_dir == Path(env["FOCUS_DATA_DIR"]) / "run"
    assert settings.devlog_pipe.is_fifo() and not list(squat.iterdir())
    assert (os.stat(settings.runtime_dir).st_mode & 0o777) == 0o700
    demo.signal(signal.SIGINT)
    assert demo.wait(5) == 0 and "Traceback" not in demo.err.text, demo.err.text


@as_root
def test_no_devlog_starts_even_when_the_runtime_directory_is_unusable(start_focus, env):
    runtime = Path(env["XDG_RUNTIME_DIR"])
    runtime.mkdir(parents=True)
    (runtime / "focus").write_text("someone else's")
    os.chown(runtime / "focus", OTHER_UID, OTHER_UID)
    focus = start_focus(devlog=False)
    focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}")
    assert focus.stop() == 0


def test_the_pid_file_is_a_lock_held_while_focus_runs(start_focus, env, cli_env):
    data = Path(env["FOCUS_DATA_DIR"])
    focus = start_focus()
    focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}")
    assert PidFile(data).running_pid() == os.getpid()
    second = run_once(["focus.py", "--no-devlog"], {**cli_env, **env})  # same data directory: the lock says no
    assert second.returncode == 2 and f"focus is already running (pid {os.getpid()})" in second.stderr
    assert focus.stop() == 0
    assert PidFile(data).running_pid() is None


def test_after_kill_9_stop_signals_nothing_and_a_new_focus_starts(procs, cli_env):
    demo = procs(["focus.py", "--demo"], cli_env)
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    pid = demo.p.pid
    demo.p.kill()  # SIGKILL: no clean-up, the pid file stays behind
    demo.wait(5)
    pidfile = Path(cli_env["XDG_RUNTIME_DIR"]) / "focus" / "demo-data" / "focus.pid"  # the demo's own data
    assert pidfile.read_text().strip() == str(pid)
    # Something else (an editor on focus.py) now has "focus.py" in its command line and the stale pid.
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "focus.py"])
    try:
        pidfile.write_text(f"{bystander.pid}\n")
        res = run_once(["focus.py", "stop"], cli_env)
        assert (res.returncode, res.stdout) == (0, "focus is not running; nothing to stop.\n")
        assert bystander.poll() is None  # not signalled
        again = procs(["focus.py", "--demo"], cli_env)  # the stale file does not block a new focus
        again.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
        res = run_once(["focus.py", "stop"], cli_env)
        assert res.returncode == 0 and f"stopped focus (pid {again.p.pid})" in res.stdout
        assert again.wait(5) == 0
    finally:
        bystander.kill()
        bystander.wait()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll a counter another thread owns (the writer has no event for this), up to a scaled deadline."""
    deadline = time.monotonic() + t(timeout)
    while not predicate():
        if time.monotonic() > deadline:
            return False
        select.select([], [], [], 0.01)
    return True


@as_root
def test_the_writer_checks_the_fifo_owner_on_every_open(tmp_path):
    """The FIFO disappears and someone else re-creates it: not one line goes to them."""
    path = ensure_fifo(tmp_path / "devlog.fifo", private_parent=False)
    writer = DevlogWriter(path, lambda text: text, retry=0.01)
    writer.start()
    theirs = None
    try:
        with open(path, "rb", buffering=0) as ours:  # the first open: our FIFO, served
            writer.put('{"n":1}')
            assert ours.read(8) == b'{"n":1}\n'
            path.unlink()
            os.mkfifo(path, 0o666)
            os.chown(path, OTHER_UID, OTHER_UID)
            theirs = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # the other user listens there
        writer.put('{"n":2}')  # our reader is gone: EPIPE, then the writer opens the path again
        assert wait_until(lambda: writer.pipe_dropped >= 1)
        writer.put('{"n":3}')
        got = b""
        assert wait_until(lambda: writer.refused >= 3)  # opened their FIFO, saw whose it was, closed it
        try:
            got = os.read(theirs, 4096)
        except BlockingIOError:
            pass
        assert got == b""  # not one byte for them
    finally:
        writer.stop(t(2))
        if theirs is not None:
            os.close(theirs)


@as_root
@pytest.mark.parametrize("kind", ["directory", "other user's file", "symlink"])
def test_a_devlog_lock_file_that_is_not_ours_is_one_line(cli_env, tmp_path, kind):
    pipe = Path(cli_env["XDG_RUNTIME_DIR"]) / "focus" / "devlog.fifo"
    pipe.parent.mkdir(parents=True, mode=0o700)
    lock = Path(f"{pipe}.lock")
    if kind == "directory":
        lock.mkdir()
    elif kind == "symlink":
        lock.symlink_to(tmp_path / "elsewhere")
    else:
        lock.write_text("")
        os.chown(lock, OTHER_UID, OTHER_UID)
    res = run_once(["devlog.py"], cli_env)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") <= 2 and res.stderr.startswith("devlog: ") and "devlog lock file" in res.stderr


@as_root
def test_the_devlog_reader_refuses_a_pipe_re_created_by_someone_else(tmp_path):
    from focuslib.devlog.pipe import read_lines
    from focuslib.errors import ConfigError

    path = tmp_path / "devlog.fifo"
    os.mkfifo(path, 0o666)
    os.chown(path, OTHER_UID, OTHER_UID)
    writer = threading.Thread(target=lambda: os.close(os.open(path, os.O_WRONLY)), daemon=True)
    writer.start()  # their writer: the reader's open returns, then it looks whose pipe it is
    with pytest.raises(ConfigError, match="no longer a named pipe of yours"):
        next(read_lines(path))
    writer.join(t(5))


@pytest.mark.parametrize("kind", ["removed", "symlink"])
def test_the_devlog_reader_re_opening_a_pipe_that_is_gone_or_a_symlink_is_one_line(cli_env, tmp_path, kind):
    """devlog.py reopens the FIFO after each writer leaves; if meanwhile the path was removed or replaced by
    a symlink (to a FIFO of ours, even), it stops with one line, not a traceback."""
    pipe = Path(cli_env["XDG_RUNTIME_DIR"]) / "focus" / "devlog.fifo"
    pipe.parent.mkdir(parents=True, mode=0o700)
    os.mkfifo(pipe, 0o600)
    reader = subprocess.Popen([sys.executable, "devlog.py"], cwd=str(Path(__file__).parent.parent),
                              env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writer = os.open(pipe, os.O_WRONLY)  # blocks until devlog.py opened its end
        os.write(writer, b'{"kind": "hello"}\n')
        pipe.unlink()
        if kind == "symlink":
            os.mkfifo(tmp_path / "other.fifo", 0o600)
            pipe.symlink_to(tmp_path / "other.fifo")
        os.close(writer)  # the writer leaves: devlog.py opens the path again
        out, err = reader.communicate(timeout=t(15))
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.communicate()
    assert reader.returncode != 0 and "Traceback" not in err, err
    assert err.count("\n") <= 2 and err.startswith("devlog: ") and str(pipe) in err, err


@as_root
def test_a_data_directory_of_another_user_names_the_setting_to_change(cli_env):
    """The hint names FOCUS_DATA_DIR (what would help), not FOCUS_DEVLOG_PIPE (which does not)."""
    data = Path(cli_env["FOCUS_DATA_DIR"])
    data.mkdir(mode=0o700)
    os.chown(data, OTHER_UID, OTHER_UID)
    # Not the demo: it keeps its data in a directory of its own (runtime/demo.py) and never touches this one.
    res = run_once(["focus.py", "--no-devlog"], {**cli_env, "TWITCH_CLIENT_ID": "abc"})
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    assert f"{data} belongs to another user" in res.stderr and "FOCUS_DATA_DIR" in res.stderr, res.stderr
    assert "FOCUS_DEVLOG_PIPE" not in res.stderr, res.stderr
