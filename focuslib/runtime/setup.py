"""Setting focus up: token, identity, devlog, demo simulator; then the App runs."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Any, Callable, TextIO

from focuslib.net import oauth
from focuslib.runtime.pidfile import PidFile
from focuslib.runtime.app import App, NullDevlog
from focuslib.runtime.inbox import NoticeText
from focuslib.runtime.memory import ChatMemory, memory_ready, start_memory, stop_memory
from focuslib.config import DEFAULT_AUTH_URL, Settings, ensure_private_dir
from focuslib.devlog.pipe import DevlogWriter, ensure_devlog_pipe, record
from focuslib.errors import AuthError, ConfigError, FocusError
from focuslib.twitch.session import Session
from focuslib.net.helix import Helix
from focuslib.net.httpclient import HttpClient, NetworkError
from focuslib.view.colors import ColorMode, detect_color_mode, theme_from_env
from focuslib.auth.refresh import start_keeper
from focuslib.twitch.subscriptions import ALL_SCOPES, GROUPS, SubscriptionSpec, desired
from focuslib.view.terminal import Terminal, terminal_size
from focuslib.auth.tokens import Redactor, TokenHolder, TokenStore

if TYPE_CHECKING:
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer


EARLY_CONNECT_LIMIT = 5.0  # seconds a token check may take before the early connection is replaced


@dataclasses.dataclass(frozen=True)
class Options:
    demo: bool = False
    devlog: bool = True
    color: str = "auto"
    timestamps: bool = True
    groups: frozenset[str] | None = None  # event groups to show (--events); None = all
    bell: bool = False  # ring the terminal bell on alerts (only when stdout is a terminal)
    history: bool = True  # store chat and events in $FOCUS_DATA_DIR/history.sqlite3 (--no-history)
    history_days: int = 90  # FOCUS_HISTORY_DAYS; 0 keeps everything
    hold_minutes: float | None = None  # --hold-new: hold first-time chatters this long (FOCUS_HOLD_MINUTES)


def authenticate(settings: Settings, http: HttpClient, holder: TokenHolder, *,
                 status: Callable[[str], None], stop: threading.Event) -> oauth.TokenInfo:
    """Validate `holder`'s token (refreshing it if expired); who it belongs to and what it may do."""
    client_id = settings.require_client_id()
    if twitch_cli_mock(settings):
        # twitch-cli's mock server has no OAuth endpoints and checks no token
        # (protocol notes §6.2): use the configured user and assume every scope.
        status("twitch-cli mock server: skipping token validation")
        return oauth.TokenInfo(client_id, "", settings.user_id, ALL_SCOPES, 0)
    info = _validate_until_reachable(http, settings.auth_url, holder, status, stop)
    if info.client_id and info.client_id != client_id:
        raise ConfigError(f"the token was issued to client id {info.client_id}, not TWITCH_CLIENT_ID={client_id}",
                          "set TWITCH_CLIENT_ID to the app the token belongs to, or run make auth")
    if not info.user_id:
        raise AuthError("the token is an app token; EventSub over WebSocket needs a user token", "run make auth")
    holder.note_validated(holder.access_token, info.user_id, info.login, info.scopes, info.expires_in)
    return info


def token_holder(settings: Settings, http: HttpClient, redactor: Redactor) -> TokenHolder:
    """The token focus would use (TWITCH_USER_ACCESS_TOKEN, else the token store), not yet validated."""
    client_id = settings.require_client_id()
    store = TokenStore(settings.data_dir, client_id)
    if settings.access_token:
        stored = None
        access, refresh = settings.access_token, settings.refresh_token
    else:
        stored = store.load()
        if stored is None:
            raise ConfigError("there is no Twitch token yet (TWITCH_USER_ACCESS_TOKEN is unset and "
                              f"{store.path} does not exist)", "run make auth")
        access, refresh = stored.access_token, stored.refresh_token

    def refresher(token: str) -> oauth.TokenSet:
        return oauth.refresh(http, settings.auth_url, client_id, settings.secret, token)

    return TokenHolder(access, refresh, refresher=refresher, store=store, redactor=redactor, identity=stored)


def twitch_cli_mock(settings: Settings) -> bool:
    """EventSub API on this machine while OAuth is still Twitch's: twitch-cli's mock server."""
    local = urlsplit(settings.api_url).hostname in ("127.0.0.1", "localhost", "::1")
    if not local or settings.auth_url != DEFAULT_AUTH_URL:
        return False
    if not settings.user_id:
        raise ConfigError("TWITCH_API_URL points at a local mock server, which cannot tell whose token this is",
                          "set TWITCH_USER_ID (any numeric id, e.g. the one you pass to twitch event trigger -t)")
    return True


def _validate_until_reachable(http: HttpClient, auth_url: str, holder: TokenHolder,
                              status: Callable[[str], None], stop: threading.Event) -> oauth.TokenInfo:
    delay = 1.0
    refreshed = False
    while True:
        token = holder.access_token
        try:
            return oauth.validate(http, auth_url, token)
        except oauth.InvalidToken:
            if refreshed:
                raise AuthError("Twitch rejects even the refreshed token", "run make auth") from None
            status("the token has expired; refreshing it")
            holder.refresh(token)
            refreshed = True
        except NetworkError as exc:
            status(f"{exc.message}; retrying in {delay:.0f} s")
            if stop.wait(delay):
                raise KeyboardInterrupt from None
            delay = min(delay * 2, 30.0)


def usable_subscriptions(specs: tuple[SubscriptionSpec, ...], scopes: tuple[str, ...]
                         ) -> tuple[tuple[SubscriptionSpec, ...], list[str]]:
    """Split into what the token's scopes allow, and one line per group and scope that stays hidden."""
    granted = set(scopes)
    usable, missing = [], {}
    for spec in specs:
        if not spec.scopes or granted & set(spec.scopes):
            usable.append(spec)
        else:
            missing.setdefault((spec.group, spec.scopes), []).append(spec.type)
    hidden = [f"{group}: {', '.join(types)} need{'s' if len(types) == 1 else ''} the {' or '.join(need)} scope; "
              "run make auth to grant it" for (group, need), types in missing.items()]
    return tuple(usable), hidden


def start_demo(settings: Settings) -> tuple[Settings, Callable[[], None]]:
    """Start the simulated Twitch and its demo channel in this process; point settings at it."""
    from focuslib.sim import SimTwitch
    from focuslib.sim.demo import DemoChannel

    sim = SimTwitch().start()
    grant = sim.issue_token()
    channel = DemoChannel(sim).start()
    ensure_private_dir(settings.runtime_dir)
    marker = settings.runtime_dir / "sim.json"
    marker.write_text(json.dumps({"http": sim.http_base, "pid": os.getpid()}))

    def stop() -> None:
        channel.stop()
        sim.stop()
        try:
            marker.unlink()
        except OSError:
            pass

    demo = dataclasses.replace(
        settings, eventsub_url=sim.ws_url, api_url=sim.api_url, auth_url=sim.auth_url, client_id=sim.client_id,
        access_token=grant.access_token, refresh_token=grant.refresh_token, secret="", user_id="",
        data_dir=settings.runtime_dir / "demo-data")
    return demo, stop


class Control:
    """Lets another thread stop a running focus (tests, embedding)."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.app: App | None = None

    def stop(self) -> None:
        self.stop_event.set()
        if self.app is not None:
            self.app.stop()


def run(settings: Settings, options: Options, out: TextIO = sys.stdout, control: Control | None = None) -> int:
    """Set everything up and run until Ctrl-C/SIGTERM (KeyboardInterrupt) or a fatal error."""
    theme = theme_from_env(settings.env)
    stop_demo: Callable[[], None] | None = None
    pidfile = PidFile(settings.data_dir)  # the user's data dir, also for --demo: `focus.py stop` looks there
    if options.demo:
        settings, stop_demo = start_demo(settings)
    mock = twitch_cli_mock(settings)
    if mock:
        # The mock checks no token and wants any Client-Id (protocol notes §6.2).
        settings = dataclasses.replace(settings, client_id=settings.client_id or "twitch-cli-mock",
                                       access_token=settings.access_token or "twitch-cli-mock")
    mode = detect_color_mode(settings.env, out, options.color)
    isatty = bool(getattr(out, "isatty", lambda: False)())
    fancy = mode is not ColorMode.NONE and isatty
    terminal = Terminal(out, fancy=fancy)
    # Wrap to the terminal's width (read again on SIGWINCH); a pipe or file gets whole lines.
    width = terminal_size().columns if isatty else None
    terminal.columns = width or 80
    old_winch = None
    redactor = Redactor()
    redactor.add(settings.secret, settings.access_token, settings.refresh_token)
    control = control or Control()
    stop = control.stop_event
    http = HttpClient()
    devlog: DevlogWriter | NullDevlog = NullDevlog()
    memory: ChatMemory | None = None
    started: float | None = None  # when chat began: the recap covers this run

    def status(text: str) -> None:
        terminal.status(text)
        terminal.flush()

    try:
        pidfile.claim()
        if options.devlog:
            ensure_devlog_pipe(settings)
        if options.devlog:
            devlog = DevlogWriter(settings.devlog_pipe, redactor)
            devlog.start()
            devlog.put(record("lifecycle", time.time(), event="focus_started", pid=os.getpid(),
                              eventsub_url=settings.eventsub_url, demo=options.demo))
        holder = token_holder(settings, http, redactor)
        helix = Helix(http, settings.api_url, settings.client_id, holder)
        session = Session(settings.eventsub_url, ())  # what to subscribe to is known once the token is

        def view() -> tuple[Renderer, Presenter]:
            nonlocal old_winch
            from focuslib.view.present import Presenter
            from focuslib.view.render import Renderer

            renderer = Renderer(mode, timestamps=options.timestamps, width=width, theme=theme)
            presenter = Presenter(renderer, terminal, groups=options.groups, types=session.active_types(),
                                  bell=options.bell and isatty)
            if isatty:
                old_winch = _watch_resize(renderer, terminal)
            return renderer, presenter

        app = control.app = App(session, helix, view, terminal, devlog, stop=stop)
        # Connect while the token is checked: the welcome waits in the inbox
        # (Twitch allows 10 s to subscribe), and start-up costs one round trip less.
        app.start()
        memory = start_memory(settings.data_dir, history=options.history, days=options.history_days,
                              hold_minutes=options.hold_minutes, app=app, devlog=devlog)
        status("checking the Twitch token...")
        checking = time.monotonic()
        info = authenticate(settings, http, holder, status=status, stop=stop)
        if time.monotonic() - checking > EARLY_CONNECT_LIMIT:
            app.restart()  # the early welcome may be past Twitch's 10 s window to subscribe
        broadcaster = settings.user_id or info.user_id
        specs, hidden = usable_subscriptions(desired(broadcaster, info.user_id, options.groups), info.scopes)
        if not specs:
            raise AuthError("the token has none of the scopes focus needs, so there is nothing to show",
                            "run make auth")
        session.desired = specs
        devlog.put(record("lifecycle", time.time(), event="identity", login=info.login, user_id=info.user_id,
                          broadcaster_id=broadcaster, scopes=list(info.scopes), expires_in=info.expires_in))
        for line in hidden:
            app.inbox.put(NoticeText(line, "warn"))
        memory_ready(memory)
        keeper = None if mock else start_keeper(
            app, holder, http, settings.auth_url, info.expires_in, devlog)
        try:
            if not stop.is_set():
                started = time.time()
                app.run()
        finally:
            if keeper is not None:
                stop.set()
                keeper.join(1.0)
        return 0
    except FocusError as exc:
        devlog.put(record("error", time.time(), error=str(exc)))
        raise
    except BrokenPipeError:
        raise  # whoever read our output went away (`focus.py | head`): not a bug
    except Exception as exc:  # a bug: keep the traceback out of the stream, but keep it
        trace = traceback.format_exc()
        devlog.put(record("error", time.time(), error=repr(exc), traceback=trace))
        crash = settings.runtime_dir / "last-crash.txt"
        try:
            crash.write_text(redactor(trace))
        except OSError:
            pass
        raise FocusError(f"focus stopped on an unexpected error: {exc!r}",
                         f"the traceback is in the devlog and in {crash}; please report it") from None
    finally:
        if old_winch is not None:
            signal.signal(signal.SIGWINCH, old_winch)
        stop.set()
        if control.app is not None:
            control.app.shutdown()  # closes a connection opened before a failed token check
        devlog.stop(0.5)
        terminal.close()
        stop_memory(memory, started, out)  # flushes the history; the recap when chat ran
        pidfile.release()
        http.close()
        if stop_demo is not None:
            stop_demo()


def _watch_resize(renderer: Renderer, terminal: Terminal) -> Any:
    """Re-read the width when the terminal is resized (SIGWINCH; the main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGWINCH"):
        return None

    def resized(signum: int, frame: object) -> None:
        columns = terminal_size().columns
        renderer.width = columns
        terminal.resized(columns)

    return signal.signal(signal.SIGWINCH, resized)


__all__ = ["GROUPS", "Options", "run", "authenticate", "usable_subscriptions", "PidFile"]
