"""A simulated Twitch on 127.0.0.1: EventSub WebSocket, subscriptions API, OAuth.

It follows the protocol notes (§1, §2, §4, §6) the way production Twitch does,
strictly: a session without a subscription 10 s after its welcome is closed
with 4003, a client that sends a data frame gets 4001, notifications go only
to sessions subscribed to their type, a `session_reconnect` leaves the old
socket delivering until the client's new socket is welcomed and is closed with
4004 if the client never lets go.  Subscription POSTs are validated (type,
version, condition, transport, session, scope, duplicates).

Scenario methods (`notify`, `burst`, `reconnect`, `close`, `drop`, `silence`,
`revoke`, `send_raw`, ...) let the demo, the tests and `make trigger` play a
channel.  The WebSocket side runs on the `websockets` library's threaded
server, the HTTP side on `http.server`; both bind 127.0.0.1 on port 0 unless
told otherwise.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from focuslib import threads


from . import payloads
from .catalog import CATALOG, REMOVED
from .helix_api import HelixState
from .http_api import SimHTTPHandler, eventsub_routes
from .oauth_api import SimOAuth
from .routing import Request
from .state import ALL_SCOPES, Grant, SimState
from .triggers import TRIGGERS, chat_as, fire

__all__ = ["ALL_SCOPES", "Grant", "SimSession", "SimTwitch"]


@dataclass
class SimSession:
    id: str
    conn: ServerConnection
    keepalive: int
    welcomed_at: float
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)  # sub id -> object
    last_sent: float = 0.0
    silenced: bool = False
    superseded: bool = False  # a newer session took over after session_reconnect
    successor: SimSession | None = None  # ... this one (set with `superseded`)
    welcomed: bool = False  # its welcome went out: nothing is sent to it before (Twitch's order)
    reconnect_sent_at: float | None = None
    closed: bool = False
    close_code: int | None = None  # what the client's close frame said, if it closed
    server_close_code: int | None = None  # the code the simulator closed it with
    delivered: list[str] = field(default_factory=list)  # notification message ids sent here
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, text: str) -> bool:
        if self.closed:
            return False
        try:
            self.conn.send(text)
        except (ConnectionClosed, OSError, RuntimeError):
            return False
        self.last_sent = time.monotonic()
        return True


class SimTwitch(SimState):
    """The simulated Twitch.  Use as a context manager or call start()/stop()."""

    def __init__(self, *, keepalive: int = 10, subscribe_window: float | None = 10.0,
                 reconnect_grace: float = 30.0, ping_interval: float | None = 20.0,
                 broadcaster: tuple[str, str, str] = payloads.BROADCASTER, client_id: str = "focus-demo",
                 host: str = "127.0.0.1", ws_port: int = 0, http_port: int = 0,
                 strict_tokens: bool = True, wait_timeout: float = 10.0) -> None:
        super().__init__(broadcaster=broadcaster, client_id=client_id, strict_tokens=strict_tokens)
        self.keepalive = keepalive
        self.wait_timeout = wait_timeout  # what `wait_for` and `wait_subscribed` wait by default (tests scale it)
        self.subscribe_window = subscribe_window
        self.reconnect_grace = reconnect_grace
        self.ping_interval = ping_interval
        self.host = host
        self._ws_port = ws_port
        self._http_port = http_port
        self.sessions: dict[str, SimSession] = {}
        self.subscription_log: list[tuple[int, dict[str, Any]]] = []  # (status, request body)
        self.fail_subscriptions: dict[str, tuple[int, str]] = {}
        # As twitch-cli's mock: a second subscription of a type and version on a session is a 409 whatever
        # its condition (so only one of focus's two channel.raid is made there).
        self.one_per_type = False
        self.oauth = SimOAuth(self)  # every OAuth route
        self.helix = HelixState(self)  # chat and moderation calls
        self._pending_reconnects: dict[str, str] = {}  # reconnect id -> old session id
        self._ws: Server | None = None
        self._http: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._counter = 0

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> SimTwitch:
        self.ws_up()
        self._http = ThreadingHTTPServer((self.host, self._http_port), SimHTTPHandler)
        self._http.daemon_threads = True
        self._http.sim = self  # type: ignore[attr-defined]
        routes = {**eventsub_routes(self), **self.oauth.routes(), **self.helix.routes()}
        self._http.routes = routes  # type: ignore[attr-defined]
        t = threading.Thread(target=self._http.serve_forever, args=(threads.SERVE_POLL,), name="sim-http", daemon=True)
        threads.start(t)
        self._threads.append(t)
        return self

    def ws_up(self) -> None:
        """Listen for WebSocket connections (again, on the same port after `ws_down`)."""
        self._ws = serve(self._handle_ws, self.host, self._ws_port, compression=None,
                         ping_interval=self.ping_interval, ping_timeout=self.ping_interval,
                         process_request=self._process_request, close_timeout=2)
        self._ws_port = self._ws.socket.getsockname()[1]
        t = threading.Thread(target=self._ws.serve_forever, name="sim-ws", daemon=True)
        threads.start(t)
        self._threads.append(t)

    def ws_down(self) -> None:
        """Stop listening and drop every WebSocket, like a network that is down."""
        if self._ws is not None:
            self._ws.shutdown()
            self._ws = None

    def stop(self) -> None:
        self._stop.set()
        self.stopped.set()
        if self._ws is not None:
            self._ws.shutdown()
            self._ws = None
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        for t in self._threads:
            t.join(2)

    def __enter__(self) -> SimTwitch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def ws_port(self) -> int:
        return self._ws_port

    @property
    def http_port(self) -> int:
        assert self._http is not None
        return self._http.server_address[1]

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.ws_port}/ws"

    @property
    def http_base(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def api_url(self) -> str:
        return self.http_base + "/helix"

    @property
    def auth_url(self) -> str:
        return self.http_base + "/oauth2"

    def env(self, access_token: str | None = None) -> dict[str, str]:
        """Environment variables that point focus at this simulator."""
        return {"TWITCH_EVENTSUB_URL": self.ws_url, "TWITCH_API_URL": self.api_url,
                "TWITCH_AUTH_URL": self.auth_url, "TWITCH_CLIENT_ID": self.client_id,
                **({"TWITCH_USER_ACCESS_TOKEN": access_token} if access_token else {})}

    # -- websocket side ----------------------------------------------------

    def _process_request(self, conn: ServerConnection, request: Any) -> Any:
        if urlsplit(request.path).path != "/ws":
            return conn.respond(404, "Not Found\n")
        return None

    def _handle_ws(self, conn: ServerConnection) -> None:
        query = parse_qs(urlsplit(conn.request.path).query)
        keepalive = self.keepalive
        asked = query.get("keepalive_timeout_seconds")
        if asked and asked[0].isdigit():
            keepalive = min(600, max(10, int(asked[0]))) if self.keepalive >= 10 else self.keepalive
        old: SimSession | None = None
        rid = query.get("reconnect_id", [""])[0]
        with self.lock:
            if rid:
                old_id = self._pending_reconnects.pop(rid, "")
                old = self.sessions.get(old_id)
                if old is None:
                    conn.close(4007, "invalid reconnect")
                    return
            self._counter += 1
            sid = f"{secrets.token_hex(4)}_{self._counter:08x}"
            session = SimSession(sid, conn, keepalive, time.monotonic())
            if old is not None:
                for sub_id, sub in old.subscriptions.items():
                    session.subscriptions[sub_id] = dict(sub, transport={"method": "websocket", "session_id": sid})
            self.sessions[sid] = session
        # Until the welcome is out, notifications go to the old socket only (the new one is not welcomed
        # yet, see _targets); then, at once, to the new one only: none reaches a socket before its welcome.
        # The flags flip and the welcome goes out under the new session's send lock, so a notification
        # that already sees the new socket waits for its welcome, and one sent by whoever just read that
        # welcome finds the new socket (flipping after the send let it go to the old one, which a client
        # that has moved no longer reads).  The old session's send lock is held too: a notification that
        # picked the old socket either went out on it before the welcome, or finds it superseded when it
        # gets to send and goes to the new one (`_sending`).  The welcome is built first: what that does
        # goes to the old one.
        welcome = json.dumps(payloads.welcome(sid, keepalive))
        with old.lock if old is not None else contextlib.nullcontext(), session.lock:
            with self.lock:
                session.welcomed = True
                if old is not None:
                    old.superseded = True  # from now on the new socket gets the events
                    old.successor = session
                self.changed.notify_all()
            session.send(welcome)
        self._serve_session(session)

    def _serve_session(self, s: SimSession) -> None:
        conn = s.conn
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                deadlines = [s.last_sent + s.keepalive]
                if self.subscribe_window is not None and not s.subscriptions:
                    deadlines.append(s.welcomed_at + self.subscribe_window)
                if s.reconnect_sent_at is not None:
                    deadlines.append(s.reconnect_sent_at + self.reconnect_grace)
                timeout = max(0.01, min(deadlines) - now)
                try:
                    conn.recv(timeout=timeout)
                except TimeoutError:
                    self._on_timer(s)
                    continue
                # Any data frame from the client is a protocol violation.
                self._close_session(s, 4001, "client sent inbound traffic")
                return
        except ConnectionClosed as exc:
            s.close_code = exc.rcvd.code if exc.rcvd is not None else None
        finally:
            with self.lock:
                s.closed = True
                self.changed.notify_all()

    def _on_timer(self, s: SimSession) -> None:
        now = time.monotonic()
        if s.closed:
            return
        if self.subscribe_window is not None and not s.subscriptions and now >= s.welcomed_at + self.subscribe_window:
            self._close_session(s, 4003, "connection unused")
        elif s.reconnect_sent_at is not None and now >= s.reconnect_sent_at + self.reconnect_grace:
            self._close_session(s, 4004, "client reconnect grace time expired")
        elif now >= s.last_sent + s.keepalive and not s.silenced and s.reconnect_sent_at is None:
            s.send(json.dumps(payloads.keepalive()))
        elif s.silenced or s.reconnect_sent_at is not None:
            s.last_sent = now  # stay quiet, but do not spin

    def _close_session(self, s: SimSession, code: int, reason: str) -> None:
        with self.lock:
            if s.closed:
                return
            s.closed = True
            s.server_close_code = code
            for sub in s.subscriptions.values():
                sub["status"] = "websocket_disconnected"
            self.changed.notify_all()
        try:
            s.conn.close(code, reason)
        except Exception:
            pass

    # -- queries for tests ---------------------------------------------------

    def live_sessions(self) -> list[SimSession]:
        with self.lock:
            return [s for s in self.sessions.values() if s.welcomed and not s.closed and not s.superseded]

    def wait_for(self, predicate: Callable[[], Any], timeout: float | None = None) -> Any:
        """Block until `predicate()` is truthy (re-checked on every change); return its value."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        with self.changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the simulated Twitch did not reach the expected state")
                self.changed.wait(min(left, 0.5))

    def wait_subscribed(self, count: int | None = None, timeout: float | None = None) -> SimSession:
        """The live session once it holds `count` (default: any) enabled subscriptions."""
        def ready() -> SimSession | None:
            for s in self.live_sessions():
                n = sum(1 for sub in s.subscriptions.values() if sub["status"] == "enabled")
                if (count is None and n) or (count is not None and n >= count):
                    return s
            return None
        return self.wait_for(ready, timeout)

    # -- scenarios -----------------------------------------------------------

    def _targets(self, stype: str | None, session: SimSession | None,
                 event: dict[str, Any] | None = None) -> list[SimSession]:
        if session is not None:
            return [session]
        with self.lock:
            out = []
            for s in self.sessions.values():
                if s.closed or s.superseded or s.silenced or not s.welcomed:
                    continue
                if stype is None or any(sub["type"] == stype and sub["status"] == "enabled"
                                        and _routes(sub, event) for sub in s.subscriptions.values()):
                    out.append(s)
            return out

    def notification_frame(self, s: SimSession, stype: str, event: dict[str, Any],
                           message_id: str | None = None) -> str:
        with self.lock:  # the HTTP thread may be adding a subscription to this session right now
            sub = next((x for x in s.subscriptions.values() if x["type"] == stype and _routes(x, event)), None)
        if sub is None:
            version = CATALOG.get(stype, ("1",))[0]
            sub = payloads.subscription_object(stype, version, {"broadcaster_user_id": self.broadcaster[0]}, s.id)
        return json.dumps(payloads.notification(sub, event, message_id))

    def notify(self, stype: str, event: dict[str, Any], *, message_id: str | None = None,
               session: SimSession | None = None, duplicate: bool = False) -> str:
        """Deliver one notification to every session subscribed to `stype`; returns its message id."""
        message_id = message_id or payloads.new_id()
        self.helix.observe(stype, event)
        for picked in self._targets(stype, session, event):
            frame = self.notification_frame(picked, stype, event, message_id)
            with self._sending(picked, follow=session is None) as s:
                if s is not picked:  # the session moved meanwhile: the frame names the new one
                    frame = self.notification_frame(s, stype, event, message_id)
                for _ in range(2 if duplicate else 1):
                    if s.send(frame):
                        s.delivered.append(message_id)
        return message_id

    @contextlib.contextmanager
    def _sending(self, s: SimSession, follow: bool = True) -> Iterator[SimSession]:
        """Hold the send lock of `s`, or (`follow`) of the session that took it over after a session_reconnect.

        A sender picks its sockets, then sends; a new socket welcomed in between has taken over (Twitch sends
        nothing on the old one after the new welcome, and the client may have closed it already): what was
        meant for the old socket goes to the new one.  Checked under the lock the hand-over holds too."""
        while True:
            s.lock.acquire()
            successor = s.successor if follow and s.superseded else None
            if successor is None:
                break
            s.lock.release()
            s = successor
        try:
            yield s
        finally:
            s.lock.release()

    def send_raw(self, data: str | bytes, session: SimSession | None = None) -> None:
        """Send any text or binary frame as-is (malformed JSON, unknown types, ...)."""
        for picked in self._targets(None, session):
            with self._sending(picked, follow=session is None) as s:
                s.send(data)  # type: ignore[arg-type]

    def reconnect(self, session: SimSession | None = None) -> list[str]:
        """Send session_reconnect; the old socket keeps delivering until the new one is welcomed."""
        urls = []
        for s in self._targets(None, session):
            rid = secrets.token_urlsafe(12)
            with self.lock:
                self._pending_reconnects[rid] = s.id
            url = f"{self.ws_url}?reconnect_id={rid}"
            s.reconnect_sent_at = time.monotonic()
            s.send(json.dumps(payloads.reconnect(s.id, url)))
            urls.append(url)
        return urls

    def close(self, code: int, session: SimSession | None = None) -> None:
        for s in self._targets(None, session):
            self._close_session(s, code, P_CLOSE_REASONS.get(code, ""))

    def drop(self, session: SimSession | None = None) -> None:
        """Cut the TCP connection without a close frame."""
        for s in self._targets(None, session):
            with self.lock:
                s.closed = True
            try:
                s.conn.socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def silence(self, on: bool = True, session: SimSession | None = None) -> None:
        """Stop (or resume) keepalives and notifications, like a dead network path."""
        for s in ([session] if session else self.live_sessions()):
            s.silenced = on

    def revoke(self, stype: str, status: str = "authorization_revoked", session: SimSession | None = None) -> None:
        for picked in self._targets(stype, session):
            with self._sending(picked, follow=session is None) as s:  # a socket that took over gets it
                with self.lock:
                    subs = [sub for sub in s.subscriptions.values() if sub["type"] == stype]
                    for sub in subs:
                        sub["status"] = status
                for sub in subs:
                    s.send(json.dumps(payloads.revocation(sub, status)))

    def burst_frames(self, n: int, session: SimSession, text: str = "hello chat, this is a burst message Kappa"
                     ) -> tuple[list[str], list[str]]:
        """Pre-serialize `n` chat notifications for `session`: (frames, message ids)."""
        frames, ids = [], []
        for k in range(n):
            mid = payloads.new_id()
            event = payloads.chat_message(payloads.chatter(k % 500), f"{text} #{k}", color="#1E90FF",
                                   badges=[("subscriber", "12", "12")])
            frames.append(self.notification_frame(session, "channel.chat.message", event, mid))
            ids.append(mid)
        return frames, ids

    def send_frames(self, frames: list[str], session: SimSession) -> None:
        conn_send = session.conn.send
        for frame in frames:
            conn_send(frame)
        session.last_sent = time.monotonic()

    # -- helpers used by the HTTP side ---------------------------------------

    def create_subscription(self, body: dict[str, Any], grant: Grant | None, client_id: str
                            ) -> tuple[int, dict[str, Any]]:
        """Validate and create one subscription like Create EventSub Subscription."""
        def error(status: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
            with self.lock:
                self.subscription_log.append((status, body))
            return status, {"error": reason, "status": status, "message": message}

        stype, version = body.get("type"), body.get("version")
        condition, transport = body.get("condition"), body.get("transport")
        if not isinstance(stype, str) or not isinstance(version, str):
            return error(400, "Bad Request", "type and version are required strings")
        if (stype, version) in REMOVED:
            return error(410, "Gone", "This subscription type is not available.")
        row = CATALOG.get(stype)
        if row is None or row[0] != version:
            return error(400, "Bad Request", "The combination of values in the type and version fields is not valid")
        if not isinstance(condition, dict) or not _condition_ok(condition, row[2]):
            return error(400, "Bad Request", "The condition is missing required fields or has unknown ones")
        if not isinstance(transport, dict) or transport.get("method") != "websocket":
            return error(400, "Bad Request", "transport.method must be websocket")
        with self.lock:
            session = self.sessions.get(str(transport.get("session_id")))
        if session is None or session.closed:
            return error(400, "Bad Request", "non-existent session_id")
        if row[1] and grant is not None and not set(row[1]) & set(grant.scopes):
            return error(403, "Forbidden", "subscription missing proper authorization")
        injected = self.fail_subscriptions.get(stype)
        if injected is not None:
            return error(injected[0], "Injected", injected[1])
        with self.lock:
            for sub in session.subscriptions.values():
                same = sub["condition"] == condition or self.one_per_type and sub["version"] == version
                if sub["type"] == stype and same and sub["status"] == "enabled":
                    return error(409, "Conflict", "subscription already exists")
            sub = payloads.subscription_object(stype, version, dict(condition), session.id)
            sub["transport"]["connected_at"] = payloads.now_rfc3339()
            session.subscriptions[sub["id"]] = sub
            self.subscription_log.append((202, body))
            total = sum(len(s.subscriptions) for s in self.sessions.values())
            self.changed.notify_all()
        return 202, {"data": [sub], "total": total, "total_cost": 0, "max_total_cost": 10}

    def all_subscriptions(self) -> list[dict[str, Any]]:
        with self.lock:
            return [sub for s in self.sessions.values() for sub in s.subscriptions.values()]

    def delete_subscription(self, sub_id: str) -> bool:
        with self.lock:
            return any(s.subscriptions.pop(sub_id, None) is not None for s in self.sessions.values())

    def control(self, name: str, request: Request) -> tuple[int, Any] | None:
        """/sim/<name> (make trigger): (status, JSON answer), or None for an unknown control."""
        if name == "trigger":
            body = request.json()
            body = body if isinstance(body, dict) else {}
            event = str(body.get("event") or request.q("event"))
            if event not in TRIGGERS:
                return 400, {"message": f"unknown event {event!r}", "events": sorted(TRIGGERS)}
            count = int(body.get("count") or request.q("count") or 1)
            return 200, {"sent": fire(self, event, max(1, min(count, 10000)))}
        if name == "chat":  # make chat USER=name MSG=...
            body = request.json()
            body = body if isinstance(body, dict) else {}
            user, text = str(body.get("user") or "")[:200], str(body.get("text") or "")[:500]
            if not user.strip() or not text.strip():
                return 400, {"message": "give a user and a text"}
            return 200, {"sent": chat_as(self, user, text)}
        if name == "viewers":  # make trigger EVENT=viewers-N: what Get Streams says from now on
            count = request.q("count", "")
            if not count.isdigit() or len(count) > 9:
                return 400, {"message": "give count=N, a whole number of viewers"}
            with self.lock:
                self.helix.viewers = int(count)
            return 200, {"viewers": int(count)}
        if name == "reconnect":
            return 200, {"urls": len(self.reconnect())}
        if name == "close":
            self.close(int(request.q("code", "4000")))
        elif name == "drop":
            self.drop()
        elif name == "silence":
            self.silence(request.q("on", "1") == "1")
        elif name == "revoke":
            self.revoke(request.q("type", "channel.follow"), request.q("status", "authorization_revoked"))
        else:
            return None
        return 200, {"ok": True}


def _condition_ok(condition: dict[str, Any], rule: tuple[str, ...]) -> bool:
    # rule: required keys; "a|b" means exactly one of a or b (channel.raid).
    keys = {k for k, v in condition.items() if isinstance(v, str) and v}
    if set(condition) - keys:
        return False
    needed: set[str] = set()
    for item in rule:
        if "|" in item:
            options = set(item.split("|"))
            if len(options & keys) != 1:
                return False
            needed |= options & keys
        elif item.endswith("?"):
            if item[:-1] in keys:
                needed.add(item[:-1])
        else:
            needed.add(item)
    return keys == needed


P_CLOSE_REASONS = {
    4000: "internal server error", 4001: "sent inbound traffic", 4002: "failed ping-pong",
    4003: "connection unused", 4004: "reconnect grace time expired", 4005: "network timeout",
    4006: "network error", 4007: "invalid reconnect",
}


# Condition keys that pick which of several subscriptions of one type an event
# belongs to, as Twitch routes them: a raid goes to the subscription for its
# receiving channel (to_) or for its raiding channel (from_), never to both.
ROUTED = ("to_broadcaster_user_id", "from_broadcaster_user_id")


def _routes(sub: dict[str, Any], event: dict[str, Any] | None) -> bool:
    """Whether `event` is delivered to subscription `sub` (always, unless a routed condition says no)."""
    if event is None:
        return True
    condition = sub.get("condition") or {}
    return all(event.get(key) == condition[key] for key in ROUTED if key in condition)
