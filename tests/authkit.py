"""Helpers for the authorization tests: auth_server's real code in a thread, scripts as subprocesses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from conftest import ROOT, Sink, t
from secret_guard import seen

from focuslib.cli import auth as authcli
from focuslib.config import Settings
from focuslib.sim import SimTwitch

SECRET = "sim-client-secret-value"  # what the `env` fixture sets as TWITCH_SECRET
START_URL = re.compile(r"(http://(?:localhost|127\.0\.0\.1):\d+/\?k=\S+)")


_RESERVED: list[socket.socket] = []  # bound until the test process ends


def free_port() -> int:
    """A port for the auth server (which must use the redirect URI's port), reserved for it.

    Picking a free port and closing it let another process (a parallel suite's auth server, any bind to
    port 0) take it before the auth server bound it, and the test then talked to that one (a 200 where
    it wanted a 403).  The port stays bound here, never listening, with SO_REUSEADDR: the kernel hands it
    to no one else, and the auth server, which binds with SO_REUSEADDR too, may still listen on it (Linux
    allows that beside a socket that is bound and not listening)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    _RESERVED.append(s)
    return int(s.getsockname()[1])


def auth_env(env: dict[str, str], port: int, path: str = "") -> dict[str, str]:
    """The `env` fixture without a token (make auth is what gets one), redirected to `port`.

    On 127.0.0.1, not localhost: `localhost` may resolve to ::1 first, where another program on this shared
    machine may listen on the same port number (the auth server listens on 127.0.0.1 only).  The tests about
    the Host header itself send `localhost` in the header explicitly."""
    clean = {k: v for k, v in env.items() if k not in ("TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN")}
    return {**clean, "TWITCH_REDIRECT_URI": f"http://127.0.0.1:{port}{path}"}


def strict(sim: SimTwitch, redirect_uri: str) -> None:
    """Make the simulator check the client secret and the registered redirect URI, as Twitch does."""
    sim.oauth.client_secret = SECRET
    sim.oauth.redirect_uris = (redirect_uri,)


class AuthRun:
    """auth_server's `run()` on a thread, with its terminal output in Sinks."""

    def __init__(self, env: dict[str, str], *argv: str) -> None:
        self.settings = Settings.from_env(env)
        self.args = authcli.parse_args(["--no-browser", *argv])
        self.out = Sink()
        self.err = Sink()
        self.control = authcli.Control()
        self.result: Any = None
        self.thread = threading.Thread(target=self._run, name="auth-under-test", daemon=True)

    def _run(self) -> None:
        try:
            self.result = authcli.run(self.settings, self.args, self.out, self.err, self.control)
        except BaseException as exc:  # the test inspects it
            self.result = exc

    def start(self) -> AuthRun:
        self.thread.start()
        return self

    def start_url(self) -> str:
        """The start address it printed, once the server listens (or the error, if it could not start)."""
        self.out.wait_for(lambda text: "Waiting for Twitch" in text or not self.thread.is_alive())
        match = START_URL.search(self.out.text)
        assert match, f"no start address; out={self.out.text!r} err={self.err.text!r}"
        return match.group(1)

    def authorize_url(self, http: Any) -> str:
        """What clicking Connect in `http` (a requests.Session: the browser) leads to: Twitch's sign-in."""
        start = self.start_url()
        landing = http.get(start)
        assert landing.status_code == 200, landing.text
        base = start.split("?")[0]
        connect = http.get(base + "connect", allow_redirects=False)
        assert connect.status_code == 302, connect.text
        return connect.headers["Location"]

    def wait(self) -> Any:
        self.thread.join(t(10))
        assert not self.thread.is_alive(), "auth did not finish"
        return self.result

    def stop(self) -> Any:
        self.control.stop()
        return self.wait()


@pytest.fixture
def start_auth() -> Iterator[Callable[..., AuthRun]]:
    """Start auth_server's flow in a thread; whatever a failing test leaves running is stopped."""
    runs: list[AuthRun] = []

    def start(env: dict[str, str], *argv: str) -> AuthRun:
        run = AuthRun(env, *argv).start()
        runs.append(run)
        return run

    yield start
    for run in runs:
        if run.thread.is_alive():
            run.stop()


def run_script(script: str, env: dict[str, str], *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """Run one of the project's scripts like a user would; its output is checked for secrets."""
    proc = subprocess.run([sys.executable, str(ROOT / script), *args], env=script_env(env), cwd=str(ROOT),
                          capture_output=True, text=True, timeout=t(timeout))
    seen(f"{script} stdout", proc.stdout)
    seen(f"{script} stderr", proc.stderr)
    return proc


def start_script(script: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(ROOT / script), *args], env=script_env(env), cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until(proc: subprocess.Popen[str], needle: str) -> str:
    """stdout lines up to the one containing `needle` (the process keeps running)."""
    assert proc.stdout is not None
    lines = []
    timer = threading.Timer(t(15), proc.kill)  # a hung script must not hang the suite
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            if needle in line:
                break
    finally:
        timer.cancel()
    text = "".join(lines)
    seen("script stdout", text)
    assert needle in text, f"script ended before {needle!r}:\n{text}"
    return text


def finish(proc: subprocess.Popen[str], interrupt: bool = False) -> tuple[int, str, str]:
    if interrupt:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=t(15))
    seen("script stdout", out)
    seen("script stderr", err)
    return proc.returncode, out, err


def script_env(env: dict[str, str]) -> dict[str, str]:
    # Only what the test chose, plus what Python needs; never the developer's own Twitch settings or .env
    # (the scripts run in ROOT, where a .env may exist, so every TWITCH_* the test leaves out is set empty).
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "SYSTEMROOT")}
    blanks = {name: "" for name in ("TWITCH_CLIENT_ID", "TWITCH_SECRET", "TWITCH_REDIRECT_URI",
                                    "TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN", "TWITCH_USER_ID",
                                    "TWITCH_EVENTSUB_URL", "TWITCH_API_URL", "TWITCH_AUTH_URL", "FOCUS_DATA_DIR",
                                    "FOCUS_DEVLOG_PIPE")}
    return {**base, **blanks, **env, "PYTHONWARNINGS": "default", "NO_COLOR": "1"}


def store_path(env: dict[str, str]) -> Path:
    return Path(env["FOCUS_DATA_DIR"]) / f"tokens-{env['TWITCH_CLIENT_ID']}.json"
