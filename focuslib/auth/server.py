"""make auth's local web server: who may talk to it, what every answer carries, how many threads it uses.

Any local user (and, through DNS rebinding, any web page the person visits)
can reach 127.0.0.1, so every request is checked before it is served: the
`Host` header must name this computer and the configured port, and the
landing page and Connect only serve a browser that brought make auth's key
(`CodeFlow.browsers`).  Every answer -- also http.server's own error pages --
forbids framing, caching, referrers and anything active (`end_headers`).

Threads are bounded: a fixed pool of workers takes accepted connections from
a bounded queue; when the queue is full a new connection is closed at once.
So 300 half-open connections cost `WORKERS` threads, not 300.
"""

from __future__ import annotations

import errno
import queue
import socket
import socketserver
import sys
import threading
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from focuslib import threads
from focuslib.auth import pages
from focuslib.auth.codeflow import COOKIE, STATE_LIFETIME, CodeFlow, Crashed
from focuslib.errors import FocusError

WORKERS = 8  # requests served at once (a browser opens a few connections)
QUEUED = 32  # accepted connections waiting for a worker; beyond that, closed at once
REQUEST_TIMEOUT = 10  # seconds a connection may take to send its request

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the callback URL holds the code, the start URL the key
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": pages.CSP,
}


class CallbackHandler(BaseHTTPRequestHandler):
    server_version = "focus-auth"
    disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK stall between them
    timeout = REQUEST_TIMEOUT  # an idle browser pre-connection must not hold a worker for long

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line holds the authorization code (STYLE habit 9)."""

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def do_GET(self) -> None:
        flow: CodeFlow = self.server.flow  # type: ignore[attr-defined]
        if (self.headers.get("Host") or "").lower() not in flow.redirect.allowed_hosts():
            self._send(421, pages.wrong_host())
            return
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        browser = self._browser()
        if parts.path == flow.redirect.path and query.keys() & {"code", "error", "state"}:
            status, body, report = flow.callback(query, browser)
            self._send(status, body)
            if report is not None:
                flow.reports.put(report)  # after the page went out: the main thread may now stop the server
        elif parts.path == "/" and "k" in query:
            admitted = flow.browsers.admit(query["k"])
            if admitted is None:
                self._send(403, pages.forbidden())
            else:
                cookie = f"{COOKIE}={admitted}; Path=/; HttpOnly; SameSite=Lax; Max-Age={int(STATE_LIFETIME)}"
                self._send(200, pages.landing(flow.scopes), {"Set-Cookie": cookie})
        elif parts.path in ("/", "/connect"):
            if not flow.browsers.known(browser):
                self._send(403, pages.forbidden())
            elif parts.path == "/":
                self._send(200, pages.landing(flow.scopes))
            else:
                self._send(302, b"", {"Location": flow.new_authorize_url(browser)})
        else:
            self._send(404, pages.not_found())

    def _browser(self) -> str:
        try:
            morsel = SimpleCookie(self.headers.get("Cookie") or "").get(COOKIE)
        except CookieError:
            return ""
        return morsel.value if morsel is not None else ""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()


class CallbackServer(HTTPServer):
    """127.0.0.1 only; `WORKERS` threads at most, started with the server and ended by `server_close`."""

    request_queue_size = 64  # the kernel's backlog; we accept fast and queue or close ourselves

    def __init__(self, flow: CodeFlow, workers: int = WORKERS, queued: int = QUEUED) -> None:
        self.flow = flow
        self.seen = 0  # connections accepted (served, queued or closed at once)
        self.refused = 0
        self._seen_cond = threading.Condition()
        self._waiting: queue.Queue[tuple[socket.socket, Any] | None] = queue.Queue(maxsize=queued)
        self._active: set[socket.socket] = set()
        self._active_lock = threading.Lock()
        self._workers: list[threading.Thread] = []  # server_close runs even when binding fails
        port = flow.redirect.port
        try:
            super().__init__(("127.0.0.1", port), CallbackHandler)
        except OSError as exc:
            raise _bind_error(exc, port, flow.redirect.uri) from None
        self._workers = [threading.Thread(target=self._work, name=f"auth-http-{n}", daemon=True)
                         for n in range(workers)]
        for worker in self._workers:
            threads.start(worker)

    def process_request(self, request: Any, client_address: Any) -> None:
        try:
            self._waiting.put_nowait((request, client_address))
        except queue.Full:
            self.refused += 1
            self.shutdown_request(request)  # a real browser retries; a flood costs nothing
        with self._seen_cond:
            self.seen += 1
            self._seen_cond.notify_all()

    def wait_seen(self, count: int, timeout: float) -> bool:
        """For tests: wait until `count` connections were accepted."""
        with self._seen_cond:
            return self._seen_cond.wait_for(lambda: self.seen >= count, timeout)

    def _work(self) -> None:
        while True:
            item = self._waiting.get()
            if item is None:
                return
            request, address = item
            with self._active_lock:
                self._active.add(request)
            try:
                self.finish_request(request, address)
            except Exception:
                self.handle_error(request, address)
            finally:
                with self._active_lock:
                    self._active.discard(request)
                self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._active_lock:
            for request in self._active:  # wake workers blocked on a silent connection
                try:
                    request.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        while True:  # connections nobody will serve now
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self.shutdown_request(item[0])
        for _ in self._workers:
            self._waiting.put(None)
        for worker in self._workers:
            worker.join(2)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """socketserver would print a traceback to the terminal; a browser hanging up is routine."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            # The type only: an exception's text may carry what a request sent.
            self.flow.reports.put(Crashed(type(exc).__name__))

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
    return FocusError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or 'error'}", "run make auth again")
