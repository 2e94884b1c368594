"""`python -m bench.simproc`: the simulated Twitch in a process of its own, driven over a pipe.

The simulator runs apart from the measured client so the two never share a
GIL.  The bench writes one JSON command per line on stdin and reads one JSON
answer per line on stdout (`SimProc` in bench/simctl.py is the other end).
Times in answers are `time.monotonic()`, which on Linux is CLOCK_MONOTONIC and
so comparable between processes on this machine.

Commands (op, arguments -> answer):
  token                                  -> access_token, refresh_token (a fresh grant per client)
  wait_client token timeout              -> session, subscribed_at: when this client's
                                            channel.chat.message subscription was created;
                                            first_api_call_at, welcomed_at: the steps before
  burst session n raw                    -> first, last: send n numbered chat frames as fast
                                            as the socket takes them (serialized beforehand)
  steady session rate n start            -> sent: send time of each frame, paced at `rate`/s
  batch session start count              -> sent: frames start..start+count-1 in one write
  quit
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from focuslib.sim.server import SimSession, SimTwitch

from .frames import ChatFrames, ws_frames


class BenchSim(SimTwitch):
    """The project's simulator, noting when each client (by its token) became subscribed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ready: dict[str, tuple[str, float]] = {}  # access token -> (session id, monotonic time)
        self.first_use: dict[str, float] = {}  # access token -> its first API call (validate, Get Users, POST)

    def grant_for(self, token: str) -> Any:
        self.first_use.setdefault(token, time.monotonic())
        return super().grant_for(token)

    def create_subscription(self, body: dict[str, Any], grant: Any, client_id: str) -> tuple[int, dict[str, Any]]:
        status, doc = super().create_subscription(body, grant, client_id)
        if status == 202 and grant is not None and body.get("type") == "channel.chat.message":
            now = time.monotonic()
            with self.changed:
                self.ready.setdefault(grant.access_token, (doc["data"][0]["transport"]["session_id"], now))
                self.changed.notify_all()
        return status, doc


class Controller:
    def __init__(self, sim: BenchSim) -> None:
        self.sim = sim
        self._frames: dict[str, ChatFrames] = {}

    def _session(self, sid: str) -> SimSession:
        with self.sim.lock:
            s = self.sim.sessions.get(sid)
        if s is None or s.closed:
            raise LookupError(f"no open session {sid}")
        return s

    def _chat(self, s: SimSession) -> ChatFrames:
        frames = self._frames.get(s.id)
        if frames is None:
            frames = self._frames[s.id] = ChatFrames(self.sim, s)
        return frames

    def token(self) -> dict[str, Any]:
        grant = self.sim.issue_token()
        return {"access_token": grant.access_token, "refresh_token": grant.refresh_token}

    def wait_client(self, token: str, timeout: float = 30.0) -> dict[str, Any]:
        sid, at = self.sim.wait_for(lambda: self.sim.ready.get(token), timeout)
        return {"session": sid, "subscribed_at": at, "first_api_call_at": self.sim.first_use.get(token, at),
                "welcomed_at": self._session(sid).welcomed_at}

    def burst(self, session: str, n: int, raw: bool = True) -> dict[str, Any]:
        s = self._session(session)
        texts = self._chat(s).texts(range(n))
        if raw:
            blob = ws_frames(texts)
            first = time.monotonic()
            _send_raw(s, blob)
        else:
            send = s.conn.send
            first = time.monotonic()
            for text in texts:
                send(text)
            s.last_sent = time.monotonic()
        return {"first": first, "last": time.monotonic()}

    def steady(self, session: str, rate: float, n: int, start: int = 0) -> dict[str, Any]:
        s = self._session(session)
        texts = self._chat(s).texts(range(start, start + n))
        sent: list[float] = []
        t0 = time.monotonic() + 0.05
        for k, text in enumerate(texts):
            delay = t0 + k / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the load generator, not a wait for a condition
            sent.append(time.monotonic())
            if not s.send(text):
                raise ConnectionError("the client's connection closed during the steady run")
        return {"sent": sent}

    def batch(self, session: str, start: int, count: int) -> dict[str, Any]:
        s = self._session(session)
        blob = ws_frames(self._chat(s).texts(range(start, start + count)))
        _send_raw(s, blob)
        return {"sent": time.monotonic()}


def _send_raw(s: SimSession, blob: bytes) -> None:
    """Write pre-framed bytes under the connection's own send lock (keepalives and pings wait)."""
    conn = s.conn
    s.last_sent = time.monotonic()
    with conn.protocol_mutex:
        conn.socket.sendall(blob)
    s.last_sent = time.monotonic()


def main() -> int:
    sim = BenchSim().start()
    ctl = Controller(sim)
    out = sys.stdout

    def answer(doc: dict[str, Any]) -> None:
        out.write(json.dumps(doc) + "\n")
        out.flush()

    answer({"ok": True, "ws_url": sim.ws_url, "api_url": sim.api_url, "auth_url": sim.auth_url,
            "client_id": sim.client_id, "broadcaster_id": sim.broadcaster[0]})
    try:
        for line in sys.stdin:
            cmd = json.loads(line)
            op = cmd.pop("op")
            if op == "quit":
                break
            try:
                answer({"ok": True, **getattr(ctl, op)(**cmd)})
            except Exception as exc:  # reported to the bench, which stops with the message
                answer({"ok": False, "error": f"{op}: {exc!r}"})
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
