"""A clean stop while the WebSocket handshake is never answered."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading


from conftest import ROOT, t


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
