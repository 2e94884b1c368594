"""Stop wins over a blocked stdout: a pipe nobody reads, a terminal paused with Ctrl-S, a terminal whose
reader stopped reading (issue 12).  focus.py runs as a real process against the simulator; its devlog is
read from the real FIFO, and must say that output was dropped."""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios
import threading

import pytest

from focuslib.config import Settings
from focuslib.devlog.pipe import ensure_devlog_pipe

from conftest import N_SUBS, ROOT, Sink, t

# stdout nobody reads and stops bounded in time: never beside another timing test (conftest.py)
pytestmark = pytest.mark.xdist_group("stops")


def _env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    return {**base, **env}


class Devlog:
    """The devlog FIFO, read whole by a thread of the test (a reader that keeps up)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.path = ensure_devlog_pipe(Settings.from_env(env))
        self.lines = Sink()
        self.thread = threading.Thread(target=self._read, name="test-devlog-reader", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)  # waits for focus to open it for writing
        try:
            while chunk := os.read(fd, 1 << 16):
                self.lines.write(chunk.decode("utf-8", "replace"))
        finally:
            os.close(fd)

    def events(self) -> list[str]:
        out = []
        for line in self.lines.lines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            out.append(doc.get("event", ""))
        return out


def _burst(sim, session, n: int) -> None:
    """Send in a thread: once focus stops reading its socket, the simulator's sends block too."""
    frames, _ = sim.burst_frames(n, session, text="blocked burst")
    threading.Thread(target=lambda: _send(sim, frames, session), daemon=True).start()


def _send(sim, frames, session) -> None:
    try:
        sim.send_frames(frames, session)
    except Exception:  # noqa: BLE001 -- focus stopped mid-burst and closed the socket: that is the point
        pass


def _finish(p: subprocess.Popen, devlog: Devlog, dropped: bool = True) -> None:
    try:
        code = p.wait(t(15))  # a hang guard: without the fix focus never ends
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert code == 0
    devlog.thread.join(t(5))
    events = devlog.events()
    assert events[-1] == "focus_stopped", events[-5:]
    if dropped:
        assert "output_dropped" in events, events[-5:]


def piped_focus(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """focus.py writing into a pipe: (the process, the pipe's read end, which the test reads or not)."""
    r, w = os.pipe()
    p = subprocess.Popen([sys.executable, "focus.py", "--color", "never"], cwd=ROOT, env=_env(env),
                         stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.DEVNULL)
    os.close(w)
    return p, r


def queued(fd: int) -> int:
    """Bytes waiting in a pipe for its reader."""
    buf = bytearray(4)
    fcntl.ioctl(fd, termios.FIONREAD, buf)
    return int.from_bytes(buf, sys.byteorder)


def _stop(p: subprocess.Popen, how: str, env: dict[str, str]) -> None:
    if how == "stop":  # `focus.py stop`: SIGTERM, and it waits for the pid file's lock to go
        done = subprocess.run([sys.executable, "focus.py", "stop"], cwd=ROOT, env=_env(env), capture_output=True,
                              text=True, timeout=t(20))
        assert done.returncode == 0 and "stopped focus" in done.stdout, done.stdout + done.stderr
    else:
        p.send_signal(signal.SIGINT if how == "sigint" else signal.SIGTERM)


@pytest.mark.parametrize("how", ["sigint", "sigterm", "stop"])
def test_stop_wins_over_a_pipe_nobody_reads(sim, env, how):
    devlog = Devlog(env)
    p, r = piped_focus(env)
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        _burst(sim, session, 4000)  # far more than the pipe's 64 KiB: focus blocks writing
        # Chat goes on past the full pipe (runtime/outwriter.py): what it did not take waits in focus.
        devlog.lines.wait_text("blocked burst #3999", timeout=30)

        sim.wait_for(lambda: queued(r) > 16384, timeout=t(10))
        _stop(p, how, env)
        # Whether anything was left to drop depends on where the signal found focus (a pipe's last page
        # may still take the status line): that it ends is what fails without the fix.
        _finish(p, devlog, dropped=False)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(r)


def _pty_focus(env: dict[str, str], args: list[str]) -> tuple[subprocess.Popen, int, int]:
    """focus.py on a new pty: (process, master, slave).  The test keeps the slave to see when it is full."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, b"\x1e\x00\x64\x00\x00\x00\x00\x00")  # 30 rows, 100 columns
    p = subprocess.Popen([sys.executable, str(ROOT / "focus.py"), "--lines", "--color", "never", *args], cwd=ROOT,
                         env={**_env(env), "COLUMNS": "100", "LINES": "30"}, stdin=slave, stdout=slave, stderr=slave,
                         start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    return p, master, slave


def _full(slave: int) -> bool:
    """The terminal takes no more output (what focus's writes wait on)."""
    poller = select.poll()
    poller.register(slave, select.POLLOUT)
    return not poller.poll(0)


class Reader:
    """Reads the pty's master until told to stop reading (answering prompt_toolkit's cursor requests)."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.out = Sink()
        self.reading = threading.Event()
        self.reading.set()
        self.thread = threading.Thread(target=self._read, name="test-pty-reader", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while self.reading.wait():
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            if b"\x1b[6n" in data:
                os.write(self.master, b"\x1b[1;1R")
            self.out.write(data.decode("utf-8", "replace"))


def test_stop_wins_over_a_terminal_paused_with_ctrl_s(sim, env):
    devlog = Devlog(env)
    p, master, slave = _pty_focus(env, ["--no-input"])
    reader = Reader(master)
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        reader.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
        os.write(master, b"\x13")  # Ctrl-S: the terminal stops output (IXON), writes block
        sim.wait_for(lambda: _full(slave), timeout=t(10))  # the line discipline took it (it works asynchronously)
        _burst(sim, session, 2000)
        devlog.lines.wait_text("blocked burst #1999", timeout=30)  # focus got all the chat, and cannot show it
        p.send_signal(signal.SIGINT)
        _finish(p, devlog)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)


def test_stop_wins_over_a_terminal_nobody_reads_with_the_input_line(sim, env):
    devlog = Devlog(env)
    p, master, slave = _pty_focus(env, [])
    reader = Reader(master)
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        devlog.lines.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
        reader.out.wait_text("\u203a", timeout=20)  # the input line's prompt
        reader.reading.clear()  # the terminal's reader stops reading (a hung terminal, tmux detached badly)
        _burst(sim, session, 4000)  # far more than the pty's buffers
        devlog.lines.wait_text("blocked burst #500", timeout=60)
        sim.wait_for(lambda: _full(slave), timeout=t(20))  # the input line's writer waits for the terminal
        p.send_signal(signal.SIGTERM)
        _finish(p, devlog)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
        os.close(slave)
