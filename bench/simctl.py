"""The bench's end of the pipe to `python -m bench.simproc`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent


class SimError(RuntimeError):
    pass


class SimProc:
    """The simulated Twitch running in its own process; `call` sends one command and waits for the answer."""

    def __init__(self, log: Path, python: str = sys.executable) -> None:
        self.log = log  # the simulator's stderr (its HTTP server reports clients that vanish mid-request)
        with open(log, "wb") as err:
            self._proc = subprocess.Popen([python, "-m", "bench.simproc"], cwd=ROOT, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=err, text=True, bufsize=1)
        hello = self._read()
        self.ws_url: str = hello["ws_url"]
        self.api_url: str = hello["api_url"]
        self.auth_url: str = hello["auth_url"]
        self.client_id: str = hello["client_id"]
        self.broadcaster_id: str = hello["broadcaster_id"]

    @property
    def pid(self) -> int:
        return self._proc.pid

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        stdin: IO[str] | None = self._proc.stdin
        assert stdin is not None
        stdin.write(json.dumps({"op": op, **args}) + "\n")
        stdin.flush()
        return self._read()

    def env(self, access_token: str, refresh_token: str) -> dict[str, str]:
        """What focus, the floor and the peer read to find the simulator (as `SimTwitch.env`)."""
        return {"TWITCH_EVENTSUB_URL": self.ws_url, "TWITCH_API_URL": self.api_url,
                "TWITCH_AUTH_URL": self.auth_url, "TWITCH_CLIENT_ID": self.client_id,
                "TWITCH_USER_ACCESS_TOKEN": access_token, "TWITCH_REFRESH_TOKEN": refresh_token}

    def _read(self) -> dict[str, Any]:
        stdout = self._proc.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            tail = self.log.read_text(errors="replace")[-1500:].strip()
            raise SimError(f"the simulator process ended (exit code {self._proc.wait()}): {tail}")
        doc: dict[str, Any] = json.loads(line)
        if not doc.pop("ok"):
            raise SimError(doc.get("error", "the simulator failed"))
        return doc

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self.call_quit()
            finally:
                try:
                    self._proc.wait(5)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()

    def call_quit(self) -> None:
        stdin = self._proc.stdin
        if stdin is not None:
            try:
                stdin.write('{"op": "quit"}\n')
                stdin.close()
            except (BrokenPipeError, OSError):
                pass

    def __enter__(self) -> SimProc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
