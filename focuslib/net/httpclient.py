"""A small JSON-over-HTTP client on the standard library's http.client.

Why not requests: importing it costs about 85 ms here, which is most of
focus's start-up budget (issue 5: start-up within 1.5x of a bare
websocket-client script).  Twitch's OAuth and Helix calls need very little --
a keep-alive connection, JSON or form bodies, explicit timeouts -- so this
module does just that.  Connections are kept per thread and host, because an
http.client connection must not be shared between threads.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode, urlsplit

from focuslib import __version__
from focuslib.errors import FocusError

USER_AGENT = f"focus/{__version__}"


class NetworkError(FocusError):
    """The server could not be reached or the connection broke."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The body as JSON; {} when it is empty or not JSON."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def message(self) -> str:
        """Twitch's error text (`message`, else `error`), sanitized and cut short: it ends up on screens."""
        doc = self.json()
        if isinstance(doc, dict):
            for key in ("message", "error_description", "error"):
                value = doc.get(key)
                if isinstance(value, str) and value:
                    from focuslib.text import sanitize

                    return sanitize(value)[:300]
        return ""


_ssl_context: ssl.SSLContext | None = None


def _ssl() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        try:  # certifi comes with requests; it helps Pythons without system CAs (macOS)
            import certifi

            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        except ImportError:  # pragma: no cover - depends on the machine
            _ssl_context = ssl.create_default_context()
    return _ssl_context


class HttpClient:
    """JSON over HTTP(S) with keep-alive connections and a timeout on every call."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._local = threading.local()
        self._all: set[http.client.HTTPConnection] = set()  # every thread's, for close()
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NetworkError(f"not an http(s) URL: {url}")
        target = parts.path or "/"
        query = parts.query
        if params:
            query = (query + "&" if query else "") + urlencode(params)
        if query:
            target += "?" + query
        head = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            head["Content-Type"] = "application/json"
        elif form is not None:
            # Secrets travel in form bodies, never in query strings.
            body = urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if headers:
            head.update(headers)
        key = (parts.scheme, parts.netloc)
        for attempt in (0, 1):
            conn = self._connection(key, parts.scheme, parts.hostname, parts.port)
            try:
                conn.request(method, target, body=body, headers=head)
                resp = conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self._drop(key)
                if attempt == 0:
                    continue  # a kept-alive connection the server had closed: once more, fresh
                raise NetworkError(f"{parts.hostname} closed the connection ({exc.__class__.__name__})",
                                   "check your network; focus retries by itself") from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop(key)
                raise NetworkError(f"cannot reach {parts.hostname}: {_describe(exc)}",
                                   "check your network; focus retries by itself") from None
            if resp.will_close:
                self._drop(key)
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connections of every thread (call when no request is running)."""
        with self._lock:
            conns, self._all = self._all, set()
        for conn in conns:
            conn.close()
        getattr(self._local, "conns", {}).clear()

    def _connection(self, key: tuple[str, str], scheme: str, host: str, port: int | None
                    ) -> http.client.HTTPConnection:
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        conn = conns.get(key)
        if conn is None:
            if scheme == "https":
                conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=_ssl())
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
            conns[key] = conn
            with self._lock:
                self._all.add(conn)
        return conn

    def _drop(self, key: tuple[str, str]) -> None:
        conn = getattr(self._local, "conns", {}).pop(key, None)
        if conn is not None:
            conn.close()
            with self._lock:
                self._all.discard(conn)


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if len(text) < 160 else text[:157] + "..."
