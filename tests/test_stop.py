"""A clean stop while the WebSocket handshake is never answered, or while a flood waits for the main loop."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import termios
import threading

import pytest

from focuslib.runtime.app import BATCH, CREDITS
from focuslib.runtime.inbox import WAKE, Call

from conftest import N_SUBS, ROOT, t

# a stop bounded in time, a flood held by credits: never beside another timing test (conftest.py)
pytestmark = pytest.mark.xdist_group("stops")


def _env(env: dict[str, str], **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    return {**base, **env, "PYTHONUNBUFFERED": "1", **extra}


def test_sigint_while_the_websocket_upgrade_never_answers_ends_at_once(sim, env):
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, then never answers the upgrade
    accepted: list[socket.socket] = []
    got = threading.Event()

    def accept() -> None:
        try:
            conn, _ = silent.accept()
        except OSError:
            return
        accepted.append(conn)
        got.set()

    threading.Thread(target=accept, daemon=True).start()
    url = f"ws://127.0.0.1:{silent.getsockname()[1]}/ws"
    p = subprocess.Popen([sys.executable, "focus.py", "--no-devlog", "--color", "never"], cwd=ROOT,
                         env=_env(env, TWITCH_EVENTSUB_URL=url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        assert got.wait(t(20)), "focus never connected"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=t(5))  # well before the handshake's own 10 s timeout
        assert p.returncode in (0, 130) and "Traceback" not in err, err
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
        for conn in accepted:
            conn.close()
        silent.close()


class Recorder:
    """A devlog that keeps what it is given."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def put(self, line: str) -> None:
        self.lines.append(line)

    def put_frame(self, ts: float, conn: int, raw: str) -> None:
        self.lines.append(raw)

    def stop(self, timeout: float = 1.0) -> None:
        pass


def test_shutdown_runs_once_however_many_paths_reach_it(sim, start_focus):
    silent = socket.create_server(("127.0.0.1", 0))  # the upgrade is never answered
    try:
        url = f"ws://127.0.0.1:{silent.getsockname()[1]}/ws"
        focus = start_focus({"TWITCH_EVENTSUB_URL": url})
        conn, _ = silent.accept()
        try:
            assert focus.stop() == 0  # its tear-down shut the App down
            app = focus.app
            app.devlog = recorder = Recorder()
            app.shutdown()  # a second path: nothing happens again (no second wait, no second record)
            assert recorder.lines == []
        finally:
            conn.close()
    finally:
        silent.close()


def test_a_socket_thread_waiting_for_a_credit_when_focus_stops_ends(sim, start_focus):
    """A flood while the main loop is busy: the socket thread has used every credit and waits for one.  The stop
    ends the loop with those batches unread, so no credit ever comes back: the thread must end all the same
    (it waited forever, and the stop waited a second for it)."""
    focus = start_focus()
    session = sim.wait_subscribed(N_SUBS, timeout=t(20))
    app = focus.app
    inbox = app.inbox
    conns: list = []
    inside, go = threading.Event(), threading.Event()
    inbox.put(Call(lambda: (conns.extend(app.conns.values()), inside.set(), go.wait(t(60)))))
    assert inside.wait(t(10))
    for _ in range(BATCH):  # the rest of the held round takes these, never the frames (they would give credits back)
        inbox.put(WAKE)
    waiting = inbox.qsize()
    # One-byte messages: a batch is MAX_BATCH of them, so a few KiB waiting in the socket are hundreds of batches,
    # far more than any few spare credits (however much the kernel buffers, or the simulator sends after the close).
    sender = threading.Thread(target=_send_all, args=(sim, ["x"] * 50_000, session), name="test-flood", daemon=True)
    sender.start()
    try:
        (conn,) = conns
        sock = conn._ws.sock
        sim.wait_for(lambda: inbox.qsize() >= waiting + CREDITS and _unread(sock) > 16384, timeout=t(30))
        focus.control.stop()
    finally:
        go.set()
    assert focus.stop() == 0
    conn.thread.join(t(10))
    assert not conn.thread.is_alive(), "the socket thread still waits for a credit"
    sender.join(t(10))


def _send_all(sim, frames, session) -> None:
    try:
        sim.send_frames(frames, session)
    except Exception:  # noqa: BLE001 -- focus stopped mid-flood and closed the socket: that is the point
        pass


def _unread(sock) -> int:
    """Bytes waiting in a socket's receive queue."""
    buf = bytearray(4)
    try:
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, buf)
    except (OSError, ValueError):  # closed meanwhile
        return 0
    return int.from_bytes(buf, sys.byteorder)
