"""`python focus.py doctor`: why does something not show up?  One line per check, in order:

  settings  -> token (valid, whose, expiry; refreshed if expired) -> scopes (which event groups stay
  hidden and the scope that unlocks each) -> Helix -> EventSub (connect, wait for the welcome, close)
  -> devlog pipe

Each check says ok or FAIL, and with FAIL what to do.  A check whose
prerequisite failed is skipped.  Exit code 0 only when every check passed.
Nothing here prints a token: only logins, ids, scopes and paths.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, TextIO
from urllib.parse import urlsplit

from focuslib.net import oauth
from focuslib.config import Settings
from focuslib.errors import FocusError, describe_exception
from focuslib.devlog.pipe import ensure_devlog_pipe
from focuslib.net.helix import Helix
from focuslib.net.client import HttpClient
from focuslib.twitch.messages import Welcome, parse_frame
from focuslib.settings import color_hints, read
from focuslib.view.colors import ColorMode, detect_color_mode
from focuslib.view.layout import paint
from focuslib.view.style import CHECK_STATUS, QUIET
from focuslib.auth.identity import identify, mock_settings, token_holder, twitch_cli_mock
from focuslib.twitch.scopes import DEFAULT_SCOPES, describe, hidden_groups
from focuslib.twitch.subscriptions import GROUPS, SubscriptionSpec, desired
from focuslib.text import sanitize
from focuslib.auth.tokens import Redactor, TokenHolder

WELCOME_TIMEOUT = 10.0  # Twitch sends the welcome right after the handshake


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # "ok" | "FAIL" | "skip"
    detail: str
    fix: str = ""
    more: tuple[str, ...] = ()  # a list under the line (the scopes to grant), indented under its text

    def line(self, color: bool) -> str:
        text = sanitize(f"{self.name}: {self.detail}" + (f"  -> {self.fix}" if self.fix else ""))
        mark = f"[{self.status:^4}]"
        return "\n".join([f"{paint([(mark, CHECK_STATUS.get(self.status, QUIET))], color)} {text}",
                          *(" " * (len(mark) + 1) + sanitize(line) for line in self.more)])


def _fail(name: str, exc: FocusError) -> Check:
    return Check(name, "FAIL", exc.message, exc.hint)


def _skip(name: str, why: str) -> Check:
    return Check(name, "skip", f"skipped ({why})")


def run_doctor(env: Mapping[str, str], out: TextIO, *, timeout: float = WELCOME_TIMEOUT,
               demo: Settings | None = None) -> int:
    """Run every check, printing each line as it is known; 0 when all passed, 1 otherwise.  With `demo` (a
    running demo's settings) the checks are of the demo's simulated Twitch, and the first line says so."""
    color = detect_color_mode(color_hints(env), out) is not ColorMode.NONE
    http = HttpClient(timeout=timeout)
    results: list[Check] = []

    def report(check: Check) -> None:
        results.append(check)
        out.write(check.line(color) + "\n")
        out.flush()

    if demo is not None:
        out.write("(demo) checking the running demo's simulated Twitch and data, not your channel\n")
    try:
        settings = check_settings(env, report, demo)
        holder = info = None
        if settings is None:
            report(_skip("token", "fix the settings first"))
        else:
            holder, info = check_token(settings, http, report)
        mock = settings is not None and twitch_cli_mock(settings)
        if info is None:
            report(_skip("scopes", "needs a valid token"))
        elif mock:  # it grants every scope and refuses many types all the same: the EventSub check says which
            report(Check("scopes", "ok", "not checked (twitch-cli's mock server has no OAuth); what it can show: "
                         "see EventSub"))
        else:
            report(check_scopes(info.scopes))
        if settings is None or holder is None:
            report(_skip("Helix", "needs a valid token"))
        else:
            report(check_helix(settings, http, holder))
        if settings is None:
            report(_skip("EventSub", "fix the settings first"))
            report(_skip("devlog pipe", "fix the settings first"))
        else:
            probe = mock_probe(settings, http, holder) if mock and holder is not None else None
            report(check_eventsub(settings.eventsub_url, timeout, probe))
            report(check_devlog_pipe(settings))
    finally:
        http.close()
    return 0 if all(c.status == "ok" for c in results) else 1


def check_settings(env: Mapping[str, str], report: Callable[[Check], None], demo: Settings | None = None
                   ) -> Settings | None:
    try:
        # twitch-cli's mock needs no client id or token, for doctor as for focus (auth/identity.py).
        settings, _ = mock_settings(demo or Settings.from_env(env))
        client_id = settings.require_client_id()
    except FocusError as exc:
        report(_fail("settings", exc))
        return None
    try:
        read(env)  # focus's own settings (FOCUS_*), checked as focus checks them before it starts
    except FocusError as exc:
        report(_fail("settings", exc))
        return settings  # the rest can still be checked: the token, Twitch, the pipe
    secret = "client secret set" if settings.secret else "no TWITCH_SECRET (fine for a public client only)"
    report(Check("settings", "ok", f"client id {client_id}, {secret}, redirect {settings.redirect_uri}, "
                 f"data in {settings.data_dir}"))
    return settings


def check_token(settings: Settings, http: HttpClient, report: Callable[[Check], None]
                ) -> tuple[TokenHolder | None, oauth.TokenInfo | None]:
    """Validate the token focus would use; refresh (and store) it if it has expired, as focus would."""
    source = "TWITCH_USER_ACCESS_TOKEN" if settings.access_token else "the token store"
    warnings: list[str] = []
    try:
        redactor = Redactor()
        redactor.add(settings.secret, settings.access_token, settings.refresh_token)
        http.redact = redactor  # an answer that quotes a token shows it masked (net/client.py), here on
        holder = token_holder(settings, http, redactor, warn=warnings.append)  # focus's own code
        source = holder.source
        identity = identify(settings, http, holder)
    except FocusError as exc:
        report(_fail("token", exc))
        return None, None
    info = identity.info
    if not identity.validated:
        given = (settings.env.get("TWITCH_USER_ACCESS_TOKEN") or "").strip()  # else mock_settings made one up
        report(Check("token", "ok", f"{'from ' + source if given else 'none needed'}; not checked (twitch-cli's "
                     "mock server has no OAuth)"))
        return holder, info
    refreshed = "had expired, refreshed and stored; " if identity.refreshed else ""
    report(Check("token", "ok", f"{refreshed}valid, from {source}, belongs to {info.login} (user id {info.user_id}), "
                 f"{_expiry(info.expires_in)}" + "".join(f"; {w}" for w in warnings)))
    return holder, info


def _expiry(seconds: int) -> str:
    if seconds <= 0:
        return "no expiry given"
    hours, rest = divmod(seconds, 3600)
    return f"expires in {hours} h {rest // 60} min (focus refreshes it by itself)"


def check_scopes(scopes: tuple[str, ...]) -> Check:
    """Which event groups stay hidden, as a list: a line per scope to grant with the groups it shows (a
    sentence naming each was 1,355 characters with a chat-only token); the scopes only commands need after."""
    hidden = hidden_groups(scopes)
    extra = [s for s in DEFAULT_SCOPES if s not in scopes and not _unlocks_group(s, hidden)]
    if not hidden:
        note = f"; also not granted: {'; '.join(describe(s) for s in extra)}" if extra else ""
        return Check("scopes", "ok", f"every event group can show ({', '.join(GROUPS)}){note}")
    unlocks: dict[str, list[str]] = {}  # scope -> the groups it shows
    for group, needs in hidden.items():
        for need in needs:  # "a or b": the one make auth asks for
            either = need.split(" or ")
            scope = next((s for s in either if s in DEFAULT_SCOPES), either[0])
            unlocks.setdefault(scope, []).append(group)
    width = max(len(need) for need in unlocks)
    more = [f"{need:<{width}}  {', '.join(groups)}" for need, groups in unlocks.items()]
    if extra:
        more += _wrapped("for commands only: ", extra)
    n = len(hidden)
    return Check("scopes", "FAIL", f"{n} event group{'s stay' if n != 1 else ' stays'} hidden; grant:",
                 "run make auth (it asks for every scope focus uses)", tuple(more))


def _wrapped(head: str, words: list[str], width: int = 100) -> list[str]:
    """`head` and the words, comma-separated, in lines of at most `width` columns (indented under `head`)."""
    lines, line = [], head
    for k, word in enumerate(words):
        piece = word + ("," if k < len(words) - 1 else "")
        if len(line) + len(piece) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = " " * len(head)
        line += piece + " "
    return lines + [line.rstrip()]


def _unlocks_group(scope: str, hidden: dict[str, tuple[str, ...]]) -> bool:
    return any(scope in need.split(" or ") for needs in hidden.values() for need in needs)


def check_helix(settings: Settings, http: HttpClient, holder: TokenHolder) -> Check:
    """One authorized Helix call (401 -> refresh and retry; 429 -> wait), as focus makes them."""
    helix = Helix(http, settings.api_url, settings.client_id, holder, stop=threading.Event())
    # twitch-cli's mock serves only the EventSub endpoints (§6.8); Twitch and the simulator serve Get Users.
    path = "/eventsub/subscriptions" if twitch_cli_mock(settings) else "/users"
    host = urlsplit(settings.api_url).netloc.rpartition("@")[2]  # never a user:password@ in the URL
    try:
        resp = helix.call("GET", path)
    except FocusError as exc:
        return _fail("Helix", exc)
    if resp.status == 200:
        return Check("Helix", "ok", f"reached {host} (GET {path} answered)")
    if resp.status == 401:
        return Check("Helix", "FAIL", f"{host} rejects the token ({resp.message() or 401})",
                     "check that TWITCH_CLIENT_ID is the app the token was made for, then run make auth")
    return Check("Helix", "FAIL", f"{host} answered {resp.status} {resp.message()}".strip(),
                 "check TWITCH_API_URL, or try again in a minute")


def check_eventsub(url: str, timeout: float, probe: Callable[[str], str] | None = None) -> Check:
    """Connect, wait for session_welcome, close: proves the EventSub endpoint is reachable from here.
    `probe(session_id)` (twitch-cli's mock only) adds what the session could subscribe to."""
    import websocket

    host = urlsplit(url).netloc.rpartition("@")[2]
    try:
        ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
    except Exception as exc:
        return Check("EventSub", "FAIL", f"cannot connect to {host} ({describe_exception(exc, 120)})",
                     "check your network and TWITCH_EVENTSUB_URL")
    try:
        deadline = time.monotonic() + timeout
        while True:
            ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = parse_frame(ws.recv())
            if isinstance(msg, Welcome):
                made = f"; {probe(msg.session_id)}" if probe is not None else ""
                return Check("EventSub", "ok", f"welcome received from {host} "
                             f"(keepalive {msg.keepalive_timeout} s){made}")
    except Exception as exc:
        return Check("EventSub", "FAIL", f"{host} connected but sent no welcome ({describe_exception(exc, 120)})",
                     "check TWITCH_EVENTSUB_URL (it must be an EventSub WebSocket endpoint)")
    finally:
        try:
            ws.close(timeout=1)
        except Exception:
            pass


def mock_probe(settings: Settings, http: HttpClient, holder: TokenHolder) -> Callable[[str], str]:
    """What twitch-cli's mock creates of focus's subscriptions, tried on the doctor's own session (its
    refusals: protocol notes §6.3): which groups show nothing there, and which types of the others."""
    specs = desired(settings.user_id, settings.user_id)

    def probe(session_id: str) -> str:
        helix = Helix(http, settings.api_url, settings.client_id, holder, stop=threading.Event())
        refused = []
        for spec in specs:
            try:
                status, _ = helix.create_subscription(spec, session_id)
            except FocusError:
                status = 0
            if status != 202:  # a 409 is the mock's second channel.raid: it keeps one per type
                refused.append(spec)
        dead = [g for g in GROUPS if all(s in refused for s in specs if s.group == g)]
        partly = sorted(_name(s, specs) for s in refused if s.group not in dead)
        text = f"the mock creates {len(specs) - len(refused)} of {len(specs)} subscriptions"
        if dead:
            text += f"; these groups show nothing there: {', '.join(dead)}"
        if partly:
            text += f"; it refuses {', '.join(partly)}"
        return text

    return probe


def _name(spec: SubscriptionSpec, specs: tuple[SubscriptionSpec, ...]) -> str:
    """The type, and its condition's keys when focus makes two of that type (the raids in and out)."""
    if sum(1 for s in specs if s.type == spec.type) == 1:
        return spec.type
    return f"{spec.type} ({', '.join(k for k, _ in spec.condition)})"


def check_devlog_pipe(settings: Settings) -> Check:
    """The pipe focus writes raw events to, checked (and created if missing) by the very code focus runs."""
    try:
        path = ensure_devlog_pipe(settings)
    except FocusError as exc:
        return _fail("devlog pipe", exc)
    return Check("devlog pipe", "ok", f"{path} is ready (read it with make devlog)")

