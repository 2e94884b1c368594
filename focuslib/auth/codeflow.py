"""`make auth`: the authorization code flow behind a local http.server (protocol notes §4.1, §4.6).

Theory of operation.  Any local user can reach a server on 127.0.0.1, so a
sign-in may only be started by the person who sees make auth's own output:
it prints (and opens) the start address `http://localhost:<port>/?k=<key>`,
and `key` is known to nobody else.  A browser that brings the key gets a
random cookie (its "browser id"); the landing page and its Connect action
serve only browsers with such a cookie.  Each click on Connect issues a
random `state` bound to that browser id (`StateBook`).  Twitch sends the
browser back to TWITCH_REDIRECT_URI with `code` + `state` (or `error` +
`state`); the callback accepts the state once, only while fresh, and only from
the browser it was issued to (constant-time compares throughout), exchanges
the code (form body), validates the new token, stores it, answers with a page,
and only then reports the outcome on a queue.  The main thread owns the
terminal and the server's life: it prints what the handlers report and, once
done, shuts the server down (never from a serving thread: `shutdown()` waits
for `serve_forever`, which would deadlock).  A failed attempt leaves the
server running, so the person can start again from the page.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode, urlsplit

from focuslib.auth import pages as pages
from focuslib.net import oauth
from focuslib.config import Settings
from focuslib.errors import ConfigError, FocusError
from focuslib.net.client import HttpClient
from focuslib.auth.identity import check_token_info
from focuslib.auth.tokens import StoredToken, TokenStore
from focuslib.text import sanitize

LOCAL_HOSTS = ("localhost", "127.0.0.1")
STATE_LIFETIME = 900.0  # an unanswered sign-in is abandoned after 15 minutes
STATE_LIMIT = 8  # outstanding attempts kept (oldest dropped)
BROWSER_LIMIT = 8  # browsers admitted with the key (oldest forgotten)
COOKIE = "focus_auth"


@dataclass(frozen=True, slots=True)
class Redirect:
    """TWITCH_REDIRECT_URI taken apart: where to listen and which path is the callback."""

    uri: str
    port: int
    path: str
    host: str = "localhost"

    @property
    def landing(self) -> str:
        # The same host name as the callback: the browser's cookie is per host name.
        return f"http://{self.host}:{self.port}/"

    def allowed_hosts(self) -> frozenset[str]:
        """Host headers this server answers (anything else is DNS rebinding or a stray request)."""
        names = {f"{host}:{self.port}" for host in LOCAL_HOSTS}
        if self.port == 80:
            names |= set(LOCAL_HOSTS)
        return frozenset(names)


def parse_redirect(uri: str) -> Redirect:
    parts = urlsplit(uri)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise ConfigError(f"TWITCH_REDIRECT_URI={uri!r} does not point at this computer over plain http",
                          "register http://localhost:3000 as an OAuth Redirect URL of your app and set "
                          "TWITCH_REDIRECT_URI to exactly that")
    return Redirect(uri, parts.port or 80, parts.path or "/", parts.hostname or "localhost")


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


class StateBook:
    """The `state` values of outstanding attempts: random, bound to one browser, compared in constant
    time, each used once (whoever presents it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._issued: dict[str, tuple[float, str]] = {}
        self._clock = clock
        self._lock = threading.Lock()

    def issue(self, browser: str = "") -> str:
        state = secrets.token_urlsafe(24)
        with self._lock:
            self._issued[state] = (self._clock(), browser)
            while len(self._issued) > STATE_LIMIT:
                del self._issued[next(iter(self._issued))]
        return state

    def consume(self, received: str, browser: str = "") -> bool:
        """True once for a fresh state we issued to `browser`; False for anything else, ever after."""
        now = self._clock()
        with self._lock:
            match = None
            for state in list(self._issued):
                # Compare with every outstanding state, so timing says nothing about which one is close.
                if _same(state, received):
                    match = state
            if match is None:
                return False
            issued, owner = self._issued.pop(match)
        return _same(owner, browser) and now - issued <= STATE_LIFETIME


class Browsers:
    """The key only make auth's output shows, and the browsers (cookie values) that brought it."""

    def __init__(self) -> None:
        self.key = secrets.token_urlsafe(24)
        self._ids: list[str] = []
        self._lock = threading.Lock()

    def admit(self, key: str) -> str | None:
        """A new browser id for a browser that brought the key; None without it."""
        if not _same(self.key, key):
            return None
        browser = secrets.token_urlsafe(24)
        with self._lock:
            self._ids = [*self._ids, browser][-BROWSER_LIMIT:]
        return browser

    def known(self, browser: str) -> bool:
        with self._lock:
            ids = list(self._ids)
        found = False
        for candidate in ids:  # every one compared: timing says nothing
            found |= _same(candidate, browser)
        return bool(browser) and found


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
    replaced: str = ""  # what happened to the token this one replaced (revoked at Twitch, or why not)


def finish(http: HttpClient, settings: Settings, tokens: oauth.TokenSet) -> Authorized:
    """Validate freshly issued tokens, then store them with whose they are and when they expire."""
    client_id = settings.require_client_id()
    # The same check focus and doctor make (auth/identity.py), on the token just issued.
    info = check_token_info(oauth.validate(http, settings.auth_url, tokens.access_token), client_id)
    scopes = info.scopes or tokens.scopes
    expires_in = info.expires_in or tokens.expires_in
    store = TokenStore(settings.data_dir, client_id)
    with store.locked():  # never in the middle of another process's refresh
        try:
            old = store.load()
        except FocusError:
            old = None  # damaged or unreadable: replaced below, nothing to revoke
        store.save(StoredToken(tokens.access_token, tokens.refresh_token, scopes, info.user_id, info.login,
                               time.time() + expires_in if expires_in else 0.0))
    replaced = ""
    if old is not None and old.access_token != tokens.access_token:
        # The old token is never used again: revoke it, so no copy of it (or its refresh token) works.
        replaced = revoke_pair(http, settings.auth_url, client_id, old)
    return Authorized(info.login, info.user_id, scopes, expires_in, store.path, replaced)


def revoke_pair(http: HttpClient, auth_url: str, client_id: str, token: StoredToken) -> str:
    """Revoke a stored pair at Twitch; one line saying how it went (never the token)."""
    try:
        for secret in (token.access_token, token.refresh_token):
            if secret:
                oauth.revoke(http, auth_url, client_id, secret)
    except FocusError as exc:
        return f"the previous token could not be revoked ({exc.message})"
    return "the previous token was revoked at Twitch"


# -- what the handlers tell the main thread ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    result: Authorized


@dataclass(frozen=True, slots=True)
class Crashed:
    error: str


class Stop:
    """Asked to stop (tests, embedding)."""


Report = Notice | SignedIn | Crashed | Stop


class CodeFlow:
    """One `make auth` session: the key and browsers, the state book, the callback logic, the report queue."""

    def __init__(self, settings: Settings, http: HttpClient, scopes: tuple[str, ...], *,
                 force_verify: bool = False) -> None:
        self.settings = settings
        self.http = http
        self.scopes = scopes
        self.force_verify = force_verify
        self.redirect = parse_redirect(settings.redirect_uri)
        self.browsers = Browsers()
        self.states = StateBook()
        self.reports: queue.SimpleQueue[Report] = queue.SimpleQueue()
        self.done = False
        self._lock = threading.Lock()

    @property
    def start_url(self) -> str:
        """The address make auth prints and opens: the only way in (its key is shown nowhere else)."""
        return f"{self.redirect.landing}?{urlencode({'k': self.browsers.key})}"

    def new_authorize_url(self, browser: str) -> str:
        return authorize_url(self.settings.auth_url, self.settings.require_client_id(), self.redirect.uri,
                             self.scopes, self.states.issue(browser), self.force_verify)

    def stop(self) -> None:
        self.reports.put(Stop())

    def callback(self, query: dict[str, str], browser: str = "") -> tuple[int, bytes, Report | None]:
        """Handle Twitch's answer: (HTTP status, page, what to report once the page is sent)."""
        with self._lock:  # one answer at a time: a state is used once, a code exchanged once
            if self.done:
                return 200, pages.page("focus is already connected", "<p>You can close this tab.</p>", "ok"), None
            again = "click Start again on the page, or open the address make auth printed again, or press Ctrl-C"
            if not self.states.consume(query.get("state", ""), browser):
                self.reports.put(Notice("ignored a sign-in answer that did not match a sign-in started from the "
                                        "address make auth printed (an old or reused link, another browser, or "
                                        "a page that was not ours)", again))
                return 400, pages.problem(
                    "This sign-in link is not valid", "The answer did not match a sign-in started in this browser "
                    "from the address make auth printed: the link was old, already used, or not ours. Nothing "
                    "was stored.", "Start again below." if self.browsers.known(browser) else "Open the address "
                    "make auth printed in its terminal.", retry=self.browsers.known(browser)), None
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
                                          "See the terminal.", retry=False), Crashed(type(exc).__name__)
            self.done = True
            return 200, pages.success(result.login, result.user_id), SignedIn(result)

    def _twitch_error(self, error: str, description: str, again: str) -> tuple[int, bytes, Report | None]:
        if error == "access_denied":
            self.reports.put(Notice("Twitch says access was denied (Cancel was clicked on Twitch's page); "
                                    "nothing was stored", again))
            return 403, pages.problem("Access was not granted", "You declined the request on Twitch, so focus "
                                      "stored nothing.", "To connect after all, start again below."), None
        # Whoever calls the callback chooses this text: one line, nothing but text (no forged lines).
        detail = sanitize(f"{error}: {description}" if description else error)
        self.reports.put(Notice(f"Twitch refused the sign-in ({detail})",
                                f"check that TWITCH_REDIRECT_URI={self.redirect.uri} is exactly one of your app's "
                                "OAuth Redirect URLs (dev.twitch.tv/console), then " + again))
        return 400, pages.problem("Twitch refused the sign-in", detail, "Check the terminal, then start again "
                                  "below."), None
