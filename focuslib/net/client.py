"""The HTTP client for Twitch's Helix and OAuth calls: a thin layer over requests.

requests brings what streamers' machines sometimes need and a hand-written
client lacks: proxies from HTTPS_PROXY/NO_PROXY, .netrc, the CA bundle of
certifi, keep-alive pools, and urllib3's retries.  This module adds only what
focus's callers want: a `Response` they can read after the connection is gone
(status, lower-case headers, body, Twitch's error text), one `NetworkError`
for "could not talk to the server", and an explicit (connect, read) timeout on
every call.

Two limits no socket timeout gives (issue 12): an answer is read as a stream
and refused past `MAX_ANSWER` bytes (Twitch's answers are a few KiB; a page of
100 subscriptions ~60 KiB), so a broken or hostile server cannot fill memory;
and every call has a total deadline (`TOTAL`), because a server that sends one
byte every few seconds never trips the per-read timeout.  At the deadline the
thread that keeps every call's deadline (`_Deadlines`) shuts the call's socket
down, which ends the blocked read at once; through
HTTP(S)_PROXY or a SOCKS proxy too (that socket is the proxy's: requests keeps a
pool manager per proxy, and each gets the watched pools).

Sessions: requests does not promise that a Session is safe to share between
threads (psf/requests#2766), and focus calls Twitch from the main thread, the
Helix workers and the token-refresh thread.  So each thread gets its own
Session (a `threading.local`), and `close()` closes all of them.

requests is imported on the first call, not with this module, so focus's
websocket has started connecting by then; the import (35-40 ms once focus's own
modules are loaded) still sits on the path to the first subscription, before the
token check (docs/development.md, Dependencies; docs/speed.md).
"""

from __future__ import annotations

import functools
import heapq
import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlsplit

from focuslib import threads
from focuslib.version import __version__
from focuslib.errors import FocusError, describe_exception

if TYPE_CHECKING:
    import requests

USER_AGENT = f"focus/{__version__}"
CONNECT_TIMEOUT = 5.0  # a TCP + TLS handshake that takes longer will not succeed soon either
MAX_ANSWER = 4 * 1024 * 1024  # bytes of an answer's body, at most
TOTAL = 30.0  # seconds a call may take, all of it (connect, retries, headers, body)
CHUNK = 64 * 1024


class NetworkError(FocusError):
    """The server could not be reached or the connection broke."""


def _same(text: str) -> str:
    return text


# What a call sends that is secret: a server or proxy that quotes the request in its refusal quotes these, and
# the process's redactor may not know them yet (make auth's device or authorization code, the token it was
# just given, the stored one it replaces), so each answer also masks the secrets its own request carried.
SECRET_FIELDS = ("client_secret", "code", "device_code", "token", "refresh_token", "access_token")


def _sent_secrets(headers: Mapping[str, str] | None, form: Mapping[str, str] | None) -> tuple[str, ...]:
    sent = [str(form[key]) for key in SECRET_FIELDS if form and form.get(key)]
    for name, value in (headers or {}).items():
        if name.lower() == "authorization":
            sent.append(value.split(" ", 1)[-1])  # "Bearer x" / "OAuth x": the credential
    return tuple(sent)


def _masking(redact: Callable[[str], str], sent: tuple[str, ...]) -> Callable[[str], str]:
    if not sent:
        return redact
    from focuslib.text import mask

    return lambda text: mask(redact(text), sent)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    redact: Callable[[str], str] = field(default=_same, compare=False, repr=False)  # the client's (secrets masked)

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

                    # A server (or a proxy) that quotes the request's Authorization header or form
                    # quotes a secret: masked before it is cut, so no part of it survives.
                    return sanitize(self.redact(value))[:300]
        return ""


class HttpClient:
    """JSON over HTTP(S): one requests.Session per calling thread, a (connect, read) timeout on every call."""

    def __init__(self, timeout: float = 10.0, *, total: float | None = None, max_answer: int | None = None,
                 redact: Callable[[str], str] | None = None) -> None:
        # Every text from the network that can reach an output (an answer's message, a connection error)
        # goes through `redact` first (auth.tokens.Redactor: the secrets the process holds).
        self.redact = redact or _same
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self.total = TOTAL if total is None else total
        self.max_answer = MAX_ANSWER if max_answer is None else max_answer
        self._local = threading.local()
        self._all: list[requests.Session] = []  # every thread's, for close()
        self._generation = 0  # bumped by close()
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
        redact = _masking(self.redact, _sent_secrets(headers, form))
        watch = _Watch()
        _current.watch = watch
        try:
            _deadlines.watch(watch, self.total)
            # Secrets travel in form bodies (`data=`), never in query strings.
            resp = session.request(method, url, headers=headers, params=params, json=json_body, data=form,
                                   timeout=self.timeout, allow_redirects=False, stream=True)
            try:
                body = self._body(resp, host)
            finally:
                resp.close()
            return Response(resp.status_code, {k.lower(): v for k, v in resp.headers.items()}, body, redact)
        except requests.RequestException as exc:
            if watch.expired:
                raise NetworkError(f"{host} did not answer within {self.total:g} s",
                                   "check your network; focus retries by itself") from None
            error = _network_error(host, exc)
            raise NetworkError(redact(error.message), error.hint) from None
        finally:
            _deadlines.done(watch)
            _current.watch = None

    def _body(self, resp: requests.Response, host: str) -> bytes:
        """The body, read as a stream and refused past `max_answer` bytes (memory stays bounded)."""
        too_big = NetworkError(f"{host} sent an answer over {self.max_answer // 1024:,} KiB; focus refused it",
                               "this is not what Twitch sends: check TWITCH_API_URL / TWITCH_AUTH_URL")
        try:
            declared = int(resp.headers.get("Content-Length", "0"))
        except ValueError:
            declared = 0
        if declared > self.max_answer:
            raise too_big
        body = bytearray()
        for chunk in resp.iter_content(CHUNK):
            body += chunk
            if len(body) > self.max_answer:
                raise too_big
        return bytes(body)

    def close(self) -> None:
        """Close the sessions of every thread (call when no request is running); a later call starts afresh."""
        with self._lock:
            sessions, self._all = self._all, []
            self._generation += 1  # every thread's kept session is stale now, not just this thread's
        for session in sessions:
            session.close()

    def _session(self) -> requests.Session:
        kept: tuple[int, requests.Session] | None = getattr(self._local, "kept", None)
        if kept is not None and kept[0] == self._generation:
            return kept[1]
        session = _new_session()
        with self._lock:
            self._all.append(session)
            self._local.kept = (self._generation, session)
        return session


class _Watch:
    """One call's deadline: when it expires, the socket the call is using is shut down."""

    __slots__ = ("conn", "expired", "done")

    def __init__(self) -> None:
        self.conn: Any = None
        self.expired = False
        self.done = False  # the call has ended: its deadline no longer matters

    def expire(self) -> None:
        if self.done:
            return
        self.expired = True
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(2)  # SHUT_RDWR: the blocked read returns at once
            except OSError:
                pass


_current = threading.local()  # the calling thread's _Watch, for the pools below


class _Deadlines:
    """The total deadlines of every call in the process, kept by one thread.

    A `threading.Timer` per call started and ended a thread per Helix call (the 52 subscriptions of every start;
    the header's poll once a minute); with the Session's cached lookups below, a call against a local server
    went from 2.11 to 1.50 ms of CPU, client and server.  One thread
    sleeps until the earliest deadline; a call that ends marks its watch done (the thread drops it when it
    comes first, at once if it is first now).  With nothing left to watch the thread ends after `LINGER`
    seconds, so an idle focus has no thread waking for this and a burst of calls starts one thread, not one a
    call."""

    LINGER = 2.0

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Watch]] = []
        self._count = 0
        self._running = False

    def watch(self, watch: _Watch, seconds: float) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._heap, (time.monotonic() + seconds, self._count, watch))
            if self._heap[0][2] is watch:
                self._cond.notify()
            if not self._running:
                # Started first: a start that fails (no thread to be had) leaves the next call to try again.
                threads.start(threading.Thread(target=self._run, name="http-deadlines", daemon=True))
                self._running = True

    def done(self, watch: _Watch) -> None:
        """The call has ended; the thread lets go of it now if it was the next to expire."""
        with self._cond:
            watch.done = True
            watch.conn = None  # the connection is the pool's again
            if self._heap and self._heap[0][2] is watch:
                self._cond.notify()

    def _forget(self) -> None:
        """In a forked child: the parent's thread is not there."""
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._running = False

    def _run(self) -> None:
        try:
            self._keep()
        except BaseException:
            with self._cond:
                self._running = False  # ended on an error: the next call starts a thread again
            raise

    def _keep(self) -> None:
        while True:
            due: list[_Watch] = []
            with self._cond:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
                    _, _, watch = heapq.heappop(self._heap)
                    if not watch.done:
                        due.append(watch)
                if not due:
                    if not self._heap:
                        # Nothing to watch: linger a moment for the next call, then end.
                        self._cond.wait(self.LINGER)
                        if not self._heap:
                            # Decided under the lock that the call adding a watch takes: it sees the
                            # thread gone, and starts another.
                            self._running = False
                            return
                        continue
                    self._cond.wait(self._heap[0][0] - now)
                    continue
            for watch in due:  # outside the lock: a shutdown may take a moment
                watch.expire()


_deadlines = _Deadlines()
os.register_at_fork(after_in_child=_deadlines._forget)


def _watched(pool_cls: Any) -> Any:
    """A urllib3 pool class that tells the calling thread's watch which connection the call uses."""

    class Watched(pool_cls):  # type: ignore[misc, valid-type]
        def _get_conn(self, timeout: float | None = None) -> Any:
            conn = super()._get_conn(timeout)
            watch = getattr(_current, "watch", None)
            if watch is not None:
                if watch.expired:  # a retry after the deadline: fail now instead of waiting again
                    if conn is not None:
                        conn.close()
                    self._put_conn(None)  # keep the pool's slot
                    import urllib3.exceptions

                    raise urllib3.exceptions.TimeoutError("the call's total deadline passed")
                watch.conn = conn
            return conn

    return Watched


def _watch_pools(manager: Any) -> Any:
    """Give a urllib3 pool manager (direct, or the one for an HTTP(S)_PROXY or a SOCKS proxy) watched pools."""
    if not getattr(manager, "_focus_watched", False):
        manager.pool_classes_by_scheme = {scheme: _watched(cls) for scheme, cls in manager.pool_classes_by_scheme.items()}
        manager._focus_watched = True
    return manager


@functools.cache
def _adapter_class() -> Any:
    from requests.adapters import HTTPAdapter

    class WatchedAdapter(HTTPAdapter):  # type: ignore[misc]
        """Every pool the adapter makes tells the call's watch its connection, through a proxy too: requests
        keeps one pool manager per proxy URL (`proxy_manager_for`), apart from the direct one."""

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            _watch_pools(self.poolmanager)

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            return _watch_pools(super().proxy_manager_for(proxy, **kwargs))

    return WatchedAdapter


@functools.cache
def _session_class() -> Any:
    import requests

    class Session(requests.Session):  # type: ignore[misc]
        """A requests Session that reads the environment's proxy and CA bundle settings once per server.

        requests looks them up again for every call (`merge_environment_settings`: HTTP(S)_PROXY, NO_PROXY,
        REQUESTS_CA_BUNDLE; a walk over the whole environment, twice), and .netrc (three file lookups).  A
        process's environment does not change under it, so the answer for a scheme, host and port is kept, per
        Session (`close()` starts afresh; on macOS a change of the system's proxy settings is seen at focus's
        next start).  A call that passes its own proxies, verify, cert or auth is not cached."""

        def __init__(self) -> None:
            super().__init__()
            self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}
            self._netrc: dict[tuple[Any, ...], Any] = {}

        def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
            if proxies or verify is not None or cert is not None or not self.trust_env:
                return super().merge_environment_settings(url, proxies, stream, verify, cert)
            parts = urlsplit(url)
            key = (parts.scheme, parts.hostname, parts.port, stream)
            kept = self._environment.get(key)
            if kept is None:
                kept = self._environment[key] = super().merge_environment_settings(url, proxies, stream, verify, cert)
            return {**kept, "proxies": dict(kept["proxies"])}

        def prepare_request(self, request: Any) -> Any:
            if not self.trust_env or request.auth or self.auth:
                return super().prepare_request(request)
            try:
                parts = urlsplit(request.url)
                key = (parts.scheme, parts.hostname, parts.port)
            except (TypeError, ValueError):  # not a URL requests takes: let it say so, its own way
                return super().prepare_request(request)
            if key not in self._netrc:
                from requests.utils import get_netrc_auth

                self._netrc[key] = get_netrc_auth(request.url)
            request.auth = self._netrc[key]  # None: .netrc has nothing for this server
            self.trust_env = False  # (this thread's own Session) so requests does not look .netrc up again
            try:
                return super().prepare_request(request)
            finally:
                self.trust_env = True

    return Session


def _new_session() -> requests.Session:
    from urllib3.util.retry import Retry

    session = _session_class()()
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    # Retry what is safe to retry: a connection that could not be opened (any method), and a read
    # that failed on an idempotent method (GET /validate).  Never a POST that may have reached
    # Twitch (a refresh token can rotate), never on a status: Helix's 401/429 rules live in helix.py.
    retry = Retry(total=2, connect=2, read=1, status=0, other=0, redirect=False, backoff_factor=0.2,
                  respect_retry_after_header=False, raise_on_status=False)
    adapter = _adapter_class()(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _is_bad_url(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidProxyURL))


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
    if isinstance(inner, urllib3.exceptions.LocationParseError) or _is_bad_url(exc):
        # Twitch's URLs were checked with the settings: what fails to parse is a proxy setting, and urllib3
        # quotes it whole, password and all (or the piece of it before a '/'): none of its text is shown.
        return NetworkError(f"cannot reach {host}: a proxy setting is not a valid URL",
                            "fix or unset HTTPS_PROXY, HTTP_PROXY and ALL_PROXY (a '/' or '@' in a password is "
                            "written %2F, %40)")
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
