"""The HTTP client for Twitch's Helix and OAuth calls: a thin layer over requests.

requests brings what streamers' machines sometimes need and a hand-written
client lacks: proxies from HTTPS_PROXY/NO_PROXY, .netrc, the CA bundle of
certifi, keep-alive pools, and urllib3's retries.  This module adds only what
focus's callers want: a `Response` they can read after the connection is gone
(status, lower-case headers, body, Twitch's error text), one `NetworkError`
for "could not talk to the server", and an explicit (connect, read) timeout on
every call.

Sessions: requests does not promise that a Session is safe to share between
threads (psf/requests#2766), and focus calls Twitch from the main thread, the
Helix workers and the token-refresh thread.  So each thread gets its own
Session (a `threading.local`), and `close()` closes all of them.

requests is imported on the first call, not with this module: focus connects
its websocket while the token is checked, so the import (~60 ms) overlaps the
handshake instead of delaying it (README, Speed).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from focuslib import __version__
from focuslib.errors import FocusError, describe_exception

if TYPE_CHECKING:
    import requests

USER_AGENT = f"focus/{__version__}"
CONNECT_TIMEOUT = 5.0  # a TCP + TLS handshake that takes longer will not succeed soon either


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


class HttpClient:
    """JSON over HTTP(S): one requests.Session per calling thread, a (connect, read) timeout on every call."""

    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self._local = threading.local()
        self._all: list[requests.Session] = []  # every thread's, for close()
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
        host = urlsplit(url).hostname
        if not url.startswith(("http://", "https://")) or not host:
            raise NetworkError(f"not an http(s) URL: {url}")
        import requests

        session = self._session()
        try:
            # Secrets travel in form bodies (`data=`), never in query strings.
            resp = session.request(method, url, headers=headers, params=params, json=json_body, data=form,
                                   timeout=self.timeout, allow_redirects=False)
            return Response(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, resp.content)
        except requests.RequestException as exc:
            raise _network_error(host, exc) from None

    def close(self) -> None:
        """Close the sessions of every thread (call when no request is running)."""
        with self._lock:
            sessions, self._all = self._all, []
        for session in sessions:
            session.close()
        self._local.__dict__.clear()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = _new_session()
            with self._lock:
                self._all.append(session)
        return session


def _new_session() -> requests.Session:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    # Retry what is safe to retry: a connection that could not be opened (any method), and a read
    # that failed on an idempotent method (GET /validate).  Never a POST that may have reached
    # Twitch (a refresh token can rotate), never on a status: Helix's 401/429 rules live in helix.py.
    retry = Retry(total=2, connect=2, read=1, status=0, other=0, redirect=False, backoff_factor=0.2,
                  respect_retry_after_header=False, raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _network_error(host: str, exc: BaseException) -> NetworkError:
    """One line for the streamer, without urllib3's pool and object reprs ("HTTPConnectionPool(host=...)")."""
    import urllib3.exceptions

    inner = exc
    while True:  # requests wraps urllib3's MaxRetryError, which wraps the cause
        nxt = getattr(inner, "reason", None)
        if not isinstance(nxt, BaseException):
            args = getattr(inner, "args", ())
            nxt = args[0] if args and isinstance(args[0], BaseException) else None
        if nxt is None or nxt is inner:
            break
        inner = nxt
    hint = "check your network; focus retries by itself"
    text = str(inner)
    if isinstance(inner, ConnectionRefusedError) or "Connection refused" in text:
        reason = "connection refused"
    elif isinstance(inner, urllib3.exceptions.NameResolutionError) or "Name or service not known" in text:
        reason = "cannot resolve the host name (offline?)"
    elif isinstance(inner, (TimeoutError, urllib3.exceptions.TimeoutError)):
        # (urllib3's NewConnectionError is a TimeoutError too, for history's sake: checked above)
        return NetworkError(f"{host} did not answer in time", hint)
    else:
        reason = describe_exception(inner)
    return NetworkError(f"cannot reach {host}: {reason}", hint)
