"""`make auth`: the authorization code flow behind a local http.server (protocol notes §4.1, §4.6).

Theory of operation.  Every authorization URL focus hands out -- the one
printed and opened at start, and a fresh one each time the landing page's
"Connect with Twitch" is clicked -- carries its own random `state`, kept in a
`StateBook`.  Twitch sends the browser back to TWITCH_REDIRECT_URI with
`code` + `state` (or `error` + `state`).  The callback checks the state
(constant-time compare, single use), exchanges the code (form body), validates
the new token, stores it, answers with a page, and only then reports the
outcome on a queue.  The main thread owns the terminal and the server's life:
it prints what the handlers report and, once done, shuts the server down
(never from a serving thread: `shutdown()` waits for `serve_forever`, which
would deadlock).  A failed attempt leaves the server running, so the person
can start again from the page.
"""

from __future__ import annotations

import errno
import queue
import secrets
import socketserver
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlencode, urlsplit

from focuslib.auth import pages as pages
from focuslib.net import oauth
from focuslib.config import Settings
from focuslib.errors import AuthError, ConfigError, FocusError
from focuslib.net.httpclient import HttpClient
from focuslib.auth.tokens import StoredToken, TokenStore

LOCAL_HOSTS = ("localhost", "127.0.0.1")
STATE_LIFETIME = 900.0  # an unanswered sign-in is abandoned after 15 minutes
STATE_LIMIT = 8  # outstanding attempts kept (oldest dropped)


@dataclass(frozen=True, slots=True)
class Redirect:
    """TWITCH_REDIRECT_URI taken apart: where to listen and which path is the callback."""

    uri: str
    port: int
    path: str

    @property
    def landing(self) -> str:
        return f"http://localhost:{self.port}/"


def parse_redirect(uri: str) -> Redirect:
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise ConfigError(f"TWITCH_REDIRECT_URI={uri!r} does not point at this computer over plain http",
                          "register http://localhost:3000 as an OAuth Redirect URL of your app and set "
                          "TWITCH_REDIRECT_URI to exactly that")
    return Redirect(uri, parts.port or 80, parts.path or "/")


class StateBook:
    """The `state` values of outstanding attempts: random, compared in constant time, each used once."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._issued: dict[str, float] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def issue(self) -> str:
        state = secrets.token_urlsafe(24)
        with self._lock:
            self._issued[state] = self._clock()
            while len(self._issued) > STATE_LIMIT:
                del self._issued[next(iter(self._issued))]
        return state

    def consume(self, received: str) -> bool:
        """True once for a state we issued and that is still fresh; False for anything else, ever after."""
        now = self._clock()
        data = received.encode()
        with self._lock:
            match = None
            for state in list(self._issued):
                # Compare with every outstanding state, so timing says nothing about which one is close.
                if secrets.compare_digest(state.encode(), data):
                    match = state
            if match is None:
                return False
            issued = self._issued.pop(match)
        return now - issued <= STATE_LIFETIME


def authorize_url(auth_url: str, client_id: str, redirect_uri: str, scopes: tuple[str, ...], state: str,
                  force_verify: bool = False) -> str:
    """Where the browser goes to sign in (§4.1 step 1); scopes space-separated."""
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
              "scope": " ".join(scopes), "state": state}
    if force_verify:
        params["force_verify"] = "true"
    return f"{auth_url}/authorize?{urlencode(params)}"


@dataclass(frozen=True, slots=True)
class Authorized:
    """What `make auth` tells the person at the end (no secrets)."""

    login: str
    user_id: str
    scopes: tuple[str, ...]
    expires_in: int
    store_path: Path


def finish(http: HttpClient, settings: Settings, tokens: oauth.TokenSet) -> Authorized:
    """Validate freshly issued tokens, then store them with whose they are and when they expire."""
    client_id = settings.require_client_id()
    info = oauth.validate(http, settings.auth_url, tokens.access_token)
    if info.client_id and info.client_id != client_id:
        raise ConfigError(f"Twitch issued the token to client id {info.client_id}, not TWITCH_CLIENT_ID={client_id}",
                          "set TWITCH_CLIENT_ID to your app's client id and run make auth again")
    if not info.user_id:
        raise AuthError("Twitch issued an app token, but focus needs a user token", "run make auth again")
    scopes = info.scopes or tokens.scopes
    expires_in = info.expires_in or tokens.expires_in
    store = TokenStore(settings.data_dir, client_id)
    store.save(StoredToken(tokens.access_token, tokens.refresh_token, scopes, info.user_id, info.login,
                           time.time() + expires_in if expires_in else 0.0))
    return Authorized(info.login, info.user_id, scopes, expires_in, store.path)


# -- what the handlers tell the main thread ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class Done:
    result: Authorized


@dataclass(frozen=True, slots=True)
class Crashed:
    error: str


class Stop:
    """Asked to stop (tests, embedding)."""


Report = Notice | Done | Crashed | Stop


class CodeFlow:
    """One `make auth` session: the state book, the callback logic and the report queue."""

    def __init__(self, settings: Settings, http: HttpClient, scopes: tuple[str, ...], *,
                 force_verify: bool = False) -> None:
        self.settings = settings
        self.http = http
        self.scopes = scopes
        self.force_verify = force_verify
        self.redirect = parse_redirect(settings.redirect_uri)
        self.states = StateBook()
        self.reports: queue.SimpleQueue[Report] = queue.SimpleQueue()
        self.done = False
        self._lock = threading.Lock()

    def new_authorize_url(self) -> str:
        return authorize_url(self.settings.auth_url, self.settings.require_client_id(), self.redirect.uri,
                             self.scopes, self.states.issue(), self.force_verify)

    def stop(self) -> None:
        self.reports.put(Stop())

    def callback(self, query: dict[str, str]) -> tuple[int, bytes, Report | None]:
        """Handle Twitch's answer: (HTTP status, page, what to report once the page is sent)."""
        with self._lock:  # one answer at a time: a state is used once, a code exchanged once
            if self.done:
                return 200, pages.page("focus is already connected", "<p>You can close this tab.</p>", "ok"), None
            again = f"open {self.redirect.landing} and click Connect with Twitch to start again, or press Ctrl-C"
            if not self.states.consume(query.get("state", "")):
                self.reports.put(Notice("ignored a sign-in answer that did not match the sign-in focus started "
                                        "(an old or reused link, or a page that was not ours)", again))
                return 400, pages.problem(
                    "This sign-in link is not valid", "The answer did not match a sign-in focus started: the "
                    "link was old, already used, or not ours. Nothing was stored.", "Start again below."), None
            error = query.get("error")
            if error:
                return self._twitch_error(error, query.get("error_description", ""), again)
            code = query.get("code", "")
            if not code:
                self.reports.put(Notice("Twitch's answer had no authorization code", again))
                return 400, pages.problem("No sign-in code", "Twitch sent the browser back without a code. "
                                          "Nothing was stored.", "Start again below."), None
            try:
                tokens = oauth.exchange_code(self.http, self.settings.auth_url, self.settings.require_client_id(),
                                             self.settings.secret, code, self.redirect.uri)
                result = finish(self.http, self.settings, tokens)
            except FocusError as exc:
                self.reports.put(Notice(exc.message, exc.hint or again))
                return 400, pages.problem("Signing in did not work", exc.message + ". Nothing was stored.",
                                          (exc.hint or "") + " Then start again below."), None
            except Exception as exc:  # a bug: say so on both sides, stop
                return 500, pages.problem("focus failed", "An unexpected error stopped the sign-in.",
                                          "See the terminal.", retry=False), Crashed(repr(exc))
            self.done = True
            return 200, pages.success(result.login, result.user_id), Done(result)

    def _twitch_error(self, error: str, description: str, again: str) -> tuple[int, bytes, Report | None]:
        if error == "access_denied":
            self.reports.put(Notice("Twitch says access was denied (Cancel was clicked on Twitch's page); "
                                    "nothing was stored", again))
            return 403, pages.problem("Access was not granted", "You declined the request on Twitch, so focus "
                                      "stored nothing.", "To connect after all, start again below."), None
        detail = f"{error}: {description}" if description else error
        self.reports.put(Notice(f"Twitch refused the sign-in ({detail})",
                                f"check that TWITCH_REDIRECT_URI={self.redirect.uri} is exactly one of your app's "
                                "OAuth Redirect URLs (dev.twitch.tv/console), then " + again))
        return 400, pages.problem("Twitch refused the sign-in", detail, "Check the terminal, then start again "
                                  "below."), None


class CallbackHandler(BaseHTTPRequestHandler):
    server_version = "focus-auth"
    timeout = 30  # an idle browser pre-connection must not hold a handler forever

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line holds the authorization code (STYLE habit 9)."""

    def do_GET(self) -> None:
        flow: CodeFlow = self.server.flow  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == flow.redirect.path and query.keys() & {"code", "error", "state"}:
            status, body, report = flow.callback(query)
            self._send(status, body)
            if report is not None:
                flow.reports.put(report)  # after the page went out: the main thread may now stop the server
        elif parts.path == "/":
            self._send(200, pages.landing(flow.scopes))
        elif parts.path == "/connect":
            self._send(302, b"", {"Location": flow.new_authorize_url()})
        else:
            self._send(404, pages.not_found())

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")  # the callback URL holds the code
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class CallbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, flow: CodeFlow) -> None:
        self.flow = flow
        port = flow.redirect.port
        try:
            super().__init__(("127.0.0.1", port), CallbackHandler)
        except OSError as exc:
            raise _bind_error(exc, port, flow.redirect.uri) from None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """socketserver would print a traceback to the terminal; a browser hanging up is routine."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.flow.reports.put(Crashed(repr(exc)))

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on a broken resolver.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]


def _bind_error(exc: OSError, port: int, uri: str) -> FocusError:
    if exc.errno == errno.EADDRINUSE:
        return FocusError(f"port {port} is already in use, so make auth cannot receive Twitch's answer at {uri}",
                          "close the program using it (another make auth? twitch token?) and run make auth again "
                          f"(check with: lsof -i :{port}); the port is part of your app's registered redirect URL")
    if exc.errno == errno.EACCES:
        return FocusError(f"port {port} needs administrator rights",
                          "register http://localhost:3000 as your app's OAuth Redirect URL and set "
                          "TWITCH_REDIRECT_URI to it")
    return FocusError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", "run make auth again")
