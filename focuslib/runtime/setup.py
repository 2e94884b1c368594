"""Setting focus up and tearing it down: `run` takes the steps below in order, the App runs in between.

demo simulator (make demo) -> pid file -> terminal -> devlog writer -> token
and App (whose first connection opens at once) -> history writer -> token
check and identity -> token keeper -> the App's loop until the session is
live -> warm-up -> the App's loop until stopped.  Tear-down undoes each step
in reverse (the history last but the pid file: its recap prints below the
closed screen).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TextIO

from focuslib.net import oauth
from focuslib.runtime.app import App, NullDevlog
from focuslib.text import warm_up as text_warm_up
from focuslib.view.layout import fold
from focuslib.view.layout import warm_up as layout_warm_up
from focuslib.runtime.filtering import filter_commands, read_filters
from focuslib.runtime.inbox import WAKE, Failure, NoticeText, StatusText
from focuslib.runtime.pidfile import PidFile
from focuslib.runtime.private import Private, scope_warnings
from focuslib.runtime.stopguard import StopGuard
from focuslib.runtime.wakeup import wake_on_signals
from focuslib.runtime.wiring import Channel, Hooks, Late
from focuslib.config import Settings, ensure_private_dir, on_this_machine
from focuslib.devlog.pipe import DevlogWriter, ensure_devlog_pipe, record
from focuslib import threads
from focuslib.errors import AuthError, ExitStatus, FocusError
from focuslib.twitch.session import KEEPALIVE_RANGE, Phase, Session, Timings
from focuslib.net.helix import Helix
from focuslib.net.client import TOTAL as HTTP_DEADLINE
from focuslib.net.client import HttpClient
from focuslib.view.collapse import FLOOD_LIMIT, FLOOD_WINDOW, GIFT_WAIT
from focuslib.view.twins import WINDOW as TWIN_WINDOW
from focuslib.view.colors import ColorHints, ColorMode, detect_color_mode
from focuslib.auth import refresh as token_refresh
from focuslib.twitch.scopes import usable_subscriptions
from focuslib.twitch.subscriptions import desired
from focuslib.view.terminal import Terminal, terminal_size
from focuslib.auth.identity import MOCK_HAS_NO_CHAT, identify, mock_settings, token_holder
from focuslib.auth.tokens import Redactor, TokenHolder

if TYPE_CHECKING:
    from focuslib.screen.header import HeaderModel
    from focuslib.runtime.console import Console
    from focuslib.runtime.outwriter import OutWriter
    from focuslib.view.filters import Filters
    from focuslib.runtime.screenmode import ScreenMode
    from focuslib.screen.writer import PaneWriter
    from focuslib.runtime.memory import ChatMemory
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer


EARLY_CONNECT_LIMIT = 5.0  # seconds a token check may take before the early connection is replaced
LOCAL_KEEPALIVE_FLOOR = 1  # seconds: the shortest keepalive focus takes from a server on this machine


@dataclasses.dataclass(frozen=True)
class Options:
    """How focus runs: what the streamer set (focuslib/settings.py reads and checks it all, once: `Preferences.options`
    gives these fields) and what callers choose (flags, tests' shorter timings, an embedder's)."""

    demo: bool = False
    devlog: bool = True
    color: str = "auto"
    timestamps: bool = True
    groups: frozenset[str] | None = None  # event groups to show (--events); None = all
    bell: bool = False  # ring the terminal bell on alerts (only when stdout is a terminal)
    history: bool = True  # store chat and events in $FOCUS_DATA_DIR/history.sqlite3 (--no-history)
    history_days: int = 90  # FOCUS_HISTORY_DAYS; 0 keeps everything
    hold_minutes: float | None = None  # --hold-new: hold first-time chatters this long (FOCUS_HOLD_MINUTES)
    hold_ttl: float = 10.0  # FOCUS_HOLD_MINUTES also while /shield holds without --hold-new
    hold_follow_days: float | None = 7.0  # FOCUS_HOLD_FOLLOW_DAYS: a follower this long is known; None: off
    follow_pace: tuple[int, float] = (10, 0.3)  # follow-age calls: a burst, then one per interval (followage.py)
    follow_wait: float = 2.0  # seconds a new chatter's messages wait for their follow age, then they are held
    shield_minutes: int = 10  # FOCUS_SHIELD_FOLLOW_MINUTES: /shield's followers-only chat (runtime/shield.py)
    input_line: bool | None = None  # None: on when stdin and stdout are a terminal (runtime/inputline.py)
    pid_file: bool = True  # claim focus.pid (`focus stop` finds it); an embedded connection (api.py) does not
    tail: bool = False  # --tail (or a background job): plain lines only, the terminal never read nor redrawn
    lines: bool = False  # --lines (FOCUS_SCREEN=lines): one line per event on a terminal too, no screen mode
    desk_rows: int = 2  # FOCUS_DESK_ROWS: screen mode's desk, the input line and the result rows
    hide_removed: bool = False  # FOCUS_REMOVED=hide: a removed message leaves no trace in screen mode
    theme: str = "dark"  # FOCUS_THEME: the background chatters' colors must stay readable on
    highlight_users: tuple[str, ...] = ()  # FOCUS_HIGHLIGHT_USERS, _WORDS, FOCUS_HIDE_USERS, _WORDS, checked
    highlight_words: tuple[str, ...] = ()  # (runtime/filtering.py makes the presenter's rules of them)
    hide_users: tuple[str, ...] = ()
    hide_words: tuple[str, ...] = ()
    demo_speed: int = 1  # FOCUS_DEMO_SPEED: --demo's channel plays this many times faster
    no_color: bool = False  # NO_COLOR: no escape sequence at all, whatever --color says
    term: str = ""  # TERM and COLORTERM: the color depth the terminal says it has
    colorterm: str = ""
    size: tuple[int, int] = (0, 0)  # COLUMNS, LINES when set: they win over the terminal's own size
    # Timings with Twitch's or focus's values by default; tests (and embedders) pass shorter ones.
    refresh: token_refresh.RefreshSchedule = token_refresh.RefreshSchedule()
    session: Timings = Timings()  # keepalive range, welcome and migration windows, reconnect backoff
    early_connect_limit: float = EARLY_CONNECT_LIMIT
    http_deadline: float = HTTP_DEADLINE  # seconds one Helix or OAuth call may take in all (net/client.py)
    flood_limit: int = FLOOD_LIMIT  # the presenter's summaries (view/collapse.py)
    flood_window: float = FLOOD_WINDOW
    gift_wait: float = GIFT_WAIT
    twin_window: float = TWIN_WINDOW  # how long a poorer report waits for its richer twin (view/twins.py)


class FocusHandle:
    """Lets another thread stop a running focus (tests, embedding), see each event it shows (`on_event`, called
    on focus's main loop: it must only hand the event over) and learn whose channel it is once the token is
    checked (`identity`: broadcaster id, the token's user id); `ready` is set once it is subscribed."""

    def __init__(self, on_event: Callable[[Any], None] | None = None) -> None:
        self.stop_event = threading.Event()
        self.app: App | None = None
        self.on_event = on_event
        self.identity: tuple[str, str] | None = None
        self.ready = threading.Event()
        self.header: HeaderModel | None = None  # what screen mode's header row draws (screen/header.py)

    def stop(self) -> None:
        self.stop_event.set()
        if self.app is not None:
            self.app.stop()


def run(settings: Settings, options: Options, out: TextIO = sys.stdout, handle: FocusHandle | None = None,
        guard: StopGuard | None = None) -> int:
    """Set focus up, run until Ctrl-C/SIGTERM (KeyboardInterrupt) or a fatal error, tear it down.

    Each set-up step registers its own tear-down on `teardown`, which undoes
    them in reverse order however `run` ends (so nothing is closed that was
    never opened, and a failed token check still closes the early connection).
    `guard` (focus.py's, on the real stdout) bounds the tear-down's writes and
    the tear-down itself: the caller ends it once the exit code is printed."""
    handle = handle or FocusHandle()
    # Checked by focuslib/settings.py already; None when none is set.
    filters = read_filters((options.highlight_users, options.highlight_words, options.hide_users, options.hide_words))
    with contextlib.ExitStack() as teardown:
        if options.demo:  # from here on its own data: pid file, history, input history (runtime/demo.py)
            settings = _start_demo(settings, options.demo_speed, teardown)
        pidfile = PidFile(settings.data_dir)  # `focus stop` looks there (the demo's while a demo runs)
        data_dir = settings.data_dir  # the input history's too
        settings, mock = mock_settings(settings)
        redactor = Redactor()
        redactor.add(settings.secret, settings.access_token, settings.refresh_token)
        http = HttpClient(total=options.http_deadline, redact=redactor)
        teardown.callback(http.close)
        devlog: DevlogWriter | NullDevlog = NullDevlog()
        chat_began: float | None = None  # the recap covers this run's chat
        screen: Screen | None = None
        try:
            pid_warning = None  # a full disk: one line, and focus runs without the pid in it
            if options.pid_file:
                pid_warning = pidfile.claim()
                teardown.callback(pidfile.release)
            if options.devlog:
                ensure_devlog_pipe(settings)
            # Undone once the screen is closed (and the App stopped): the recap prints below it.
            after_screen = teardown.enter_context(contextlib.ExitStack())
            screen = _open_screen(settings, options, out, teardown, handle, data_dir,
                                  crash=lambda trace: _save_crash(settings, redactor, trace))
            devlog = _start_devlog(settings, options, redactor, teardown)
            if screen.full is not None and not isinstance(devlog, NullDevlog):  # what waited goes there now
                screen.full.traces.attach(lambda trace: devlog.put(record("error", time.time(), where="screen",
                                                                          traceback=trace)))
            private = _private(devlog, screen)  # long and private answers (runtime/private.py)
            # Lines a slow or paused terminal did not take: counted in the devlog.
            def dropped(n: int) -> None:
                devlog.put(record("lifecycle", time.time(), event="terminal_dropped", lines=n))

            if screen.writer is not None:
                screen.writer.on_drop = dropped
            if screen.console is not None:
                screen.console.line.on_drop = dropped
                screen.console.on_error = lambda trace: _input_error(devlog, private, trace)
            early: list[str] = []  # warnings from before the App's inbox exists (a store made private)
            if pid_warning:
                early.append(pid_warning)
            if screen.console is not None and screen.console.line.history_problem:
                early.append(screen.console.line.history_problem)
            holder = token_holder(settings, http, redactor, warn=early.append)
            after_screen.callback(_save_at_exit, holder, out)  # a refreshed pair the disk had no room for
            # Built after the App (they report through its inbox), each set once before its loop starts.
            late_memory: Late[ChatMemory] = Late("the chat memory")
            token_check: Late[Callable[[], None]] = Late("the token check")
            channel: Late[Channel] = Late("the channel")
            app = handle.app = _build_app(settings, options, screen, http, holder, devlog, handle, teardown, private,
                                          filters, memory=late_memory, check_token=token_check, channel=channel,
                                          drain=_drain(guard, screen, out) if guard is not None else None)
            teardown.enter_context(wake_on_signals(lambda: app.inbox.put(WAKE)))  # a stop never waits (wakeup.py)
            if guard is not None:
                _guard_stop(guard, devlog)
            # A token that cannot be saved (disk full) is one warning line, from the hourly check and
            # after a Helix 401 alike; never an exit.
            holder.warn = lambda text: app.inbox.put(NoticeText(text, "warn"))
            for line in early:
                holder.warn(line)
            # Connect while the token is checked: the welcome waits in the inbox
            # (Twitch allows 10 s to subscribe), and start-up costs one round trip less.
            app.start()
            # The history writer opens the database while the token is checked, too.  The store (and sqlite3,
            # ~2 MiB of memory) is imported only with the history on.
            memory: ChatMemory | None = None
            if options.history:
                from focuslib.runtime.memory_setup import memory_ready, start_memory, stop_memory

                memory = late_memory.set(start_memory(settings.data_dir, days=options.history_days,
                                                      hold_minutes=options.hold_minutes, app=app, devlog=devlog,
                                                      hold_ttl=options.hold_ttl, private=private))
                # Flush; the recap if chat ran, folded to the terminal's width as focus's own lines are.
                after_screen.callback(lambda: stop_memory(memory, chat_began, out, lambda line: fold(
                    line, terminal_size(options.size).columns if screen.isatty else None)))
            elif options.hold_minutes is not None:
                app.inbox.put(NoticeText("the hold queue needs history, which is off: nobody is held"))
            info = _identify(settings, http, holder, app, options, screen, devlog, handle.stop_event, private, channel)
            if screen.console is not None:  # commands work from now on
                screen.console.talk_as(app.helix, settings.user_id or info.user_id, info.user_id, handle.stop_event,
                                       lambda text: app.inbox.put(StatusText(text)),
                                       remember=memory.remember if memory is not None else None,
                                       history=memory.writer.path if memory is not None and memory.writer else None,
                                       shield=_shield_plan(settings, options, memory), note=_note_sink(devlog, private),
                                       unavailable=MOCK_HAS_NO_CHAT if mock else "", private=private,
                                       filters=filter_commands(app))
            if memory is not None:
                memory_ready(memory)
                if screen.console is not None:  # /release completes the held chatters first
                    screen.console.held = lambda: memory.held_logins
                _start_vetting(memory, app, settings.user_id or info.user_id, info.scopes, options, devlog, teardown)
            handle.identity = (settings.user_id or info.user_id, info.user_id)
            if not mock:  # twitch-cli's mock server has no Helix calls but EventSub's: it is asked nothing else
                _start_header(app, settings.user_id or info.user_id, info, memory, devlog, teardown)
            if not mock:
                _start_keeper(app, holder, http, settings, info, devlog, teardown, options.refresh, token_check)
            if not handle.stop_event.is_set():
                chat_began = time.time()
                if app.serve(until=lambda: app.session.phase is Phase.LIVE):
                    handle.ready.set()  # subscribed: what happens from now on is seen
                    warm_up(app)
                    app.serve()
        except FocusError as exc:
            devlog.put(record("error", time.time(), error=str(exc)))
            if guard is not None:
                guard.exit_code = int(exc.exit_status)
            raise
        except BrokenPipeError:
            raise  # whoever read our output went away (`focus.py | head`): not a bug
        except Exception as exc:  # a bug: keep the traceback out of the stream, but keep it
            crash = _crashed(exc, settings, redactor, devlog)
            if guard is not None:
                guard.exit_code = int(crash.exit_status)
            raise crash from None
        finally:
            if guard is not None:  # before the tear-down's first write: a blocked stdout cannot hold it up
                if _screen_failed(screen):
                    guard.exit_code = int(ExitStatus.ERROR)
                guard.begin()
    # The screen's thread ended on a bug and stopped focus (its line is on the terminal given back): not a
    # clean end, whatever the stop that followed was.
    return int(ExitStatus.ERROR) if _screen_failed(screen) else 0


def _screen_failed(screen: Screen | None) -> bool:
    return screen is not None and screen.full is not None and bool(screen.full.failed)


# -- set-up steps, in the order `run` takes them --------------------------------------


def _start_demo(settings: Settings, speed: int, teardown: contextlib.ExitStack) -> Settings:
    from focuslib.runtime.demo import start_demo

    settings, stop_demo = start_demo(settings, speed)
    teardown.callback(stop_demo)
    return settings


@dataclasses.dataclass(frozen=True)
class Screen:
    """The terminal and what the renderer needs to know about it."""

    terminal: Terminal  # or screen mode's PaneWriter (focuslib/screen/writer.py): the same interface
    mode: ColorMode
    isatty: bool
    width: int | None  # None: a pipe or file gets whole lines
    theme: str
    console: Console | None = None  # the input line and its commands (stdin and stdout a terminal)
    writer: OutWriter | None = None  # stdout without the input line, when it is a pipe or a terminal
    full: ScreenMode | None = None  # screen mode: the full-screen app (its pane, header and desk)

    def status(self, text: str) -> None:
        """Show `text` in the status line now (set-up runs before the main loop flushes)."""
        self.terminal.status(text)
        self.terminal.flush()


def _open_screen(settings: Settings, options: Options, out: TextIO, teardown: contextlib.ExitStack,
                 handle: FocusHandle, data_dir: Path, crash: Callable[[str], str] = lambda trace: "") -> Screen:
    mode = detect_color_mode(ColorHints(options.no_color, options.term, options.colorterm), out, options.color)
    isatty = bool(getattr(out, "isatty", lambda: False)())
    fancy = mode is not ColorMode.NONE and isatty and not options.tail  # tail: no status line, no cursor moves
    console = None
    full: ScreenMode | None = None
    if wants_input_line(options, out):
        # prompt_toolkit owns the bottom rows: focus writes plain lines through it (runtime/console.py).
        from focuslib.runtime.console import Console

        console = Console(data_dir, report=lambda text, ok: _report(handle, text, ok), quit=handle.stop)
        if not options.lines:  # screen mode: focus draws the whole terminal (runtime/screenmode.py)
            from focuslib.runtime.screenmode import ScreenMode

            full = ScreenMode(console, rows=options.desk_rows, hide=options.hide_removed, quit=handle.stop,
                              crash=crash)
            console.report = full.report  # commands' answers go to the desk, never into chat
            console.line._cancelled = lambda text: full.report(text, True)
            console.line._refused = lambda text: full.report(text, False)
            teardown.callback(full.stop)  # last: the terminal's main screen comes back, then the recap
        else:
            out = console.start()
        old = _watch_continue(console)  # `fg` after the input line's Ctrl-Z
        if old is not None:
            teardown.callback(signal.signal, signal.SIGCONT, old)
        teardown.callback(console.stop)  # after the terminal's last line: it flushes, then gives the terminal back
        fancy = False
    elif isatty and out is sys.stdout and not options.lines and not options.tail:
        # Display-only (--no-input, or stdin is not a terminal): the same screen, nothing to type.
        from focuslib.runtime.screenmode import ScreenMode

        full = ScreenMode(None, rows=options.desk_rows, hide=options.hide_removed, quit=handle.stop, crash=crash)
        teardown.callback(full.stop)  # last: the terminal's main screen comes back, then the recap
    if full is not None:
        terminal: Terminal | PaneWriter = full.start()
        terminal.columns = terminal_size(options.size).columns
        teardown.callback(terminal.close)
        return Screen(terminal, mode, isatty, terminal.columns, options.theme, console, None, full)
    writer = None
    if console is None:
        from focuslib.runtime.outwriter import stdout_writer

        writer = stdout_writer(out, colored=mode is not ColorMode.NONE, fancy=fancy)
    if writer is not None:  # a stuck reader or a paused terminal never holds up the main thread
        teardown.callback(writer.close)  # after the terminal's last line (the stop closes it sooner, see _guard_stop)
        out = writer
    terminal = Terminal(out, fancy=fancy, status_sink=console.status if console is not None else None,
                        size=lambda: terminal_size(options.size))
    # Wrap to the terminal's width (read again on SIGWINCH); a pipe or file gets whole lines.
    width = terminal_size(options.size).columns if isatty else None
    terminal.columns = width or 80
    teardown.callback(terminal.close)
    return Screen(terminal, mode, isatty, width, options.theme, console, writer)


def _start_devlog(settings: Settings, options: Options, redactor: Redactor,
                  teardown: contextlib.ExitStack) -> DevlogWriter | NullDevlog:
    if not options.devlog:
        return NullDevlog()
    devlog = DevlogWriter(settings.devlog_pipe, redactor)
    devlog.start()
    teardown.callback(devlog.stop, 0.5)
    devlog.put(record("lifecycle", time.time(), event="focus_started", pid=os.getpid(),
                      eventsub_url=settings.eventsub_url, demo=options.demo))
    return devlog


def _input_error(devlog: DevlogWriter | NullDevlog, private: Private, trace: str) -> None:
    """A command or the input line failed (one line on screen): the traceback to the devlog, its end a note."""
    devlog.put(record("error", time.time(), where="input line", traceback=trace))
    private.error("the input line", trace)


def _private(devlog: DevlogWriter | NullDevlog, screen: Screen) -> Private:
    """The router of private answers; AutoMod's numbers are the input line's table when there is one."""
    from focuslib.twitch.automod import HeldMessages

    automod = screen.console.recent.holds if screen.console is not None else HeldMessages()
    if screen.full is not None:  # screen mode: an answer no devlog reader takes opens over the chat
        return Private(devlog, overlay=screen.full.app.overlay, desk=screen.full.app.desk, automod=automod)
    return Private(devlog, automod=automod)


def _build_app(settings: Settings, options: Options, screen: Screen, http: HttpClient, holder: TokenHolder,
               devlog: DevlogWriter | NullDevlog, handle: FocusHandle, teardown: contextlib.ExitStack,
               private: Private, filters: Filters | None = None, *, memory: Late[ChatMemory],
               check_token: Late[Callable[[], None]], channel: Late[Channel],
               drain: Callable[[], bool] | None) -> App:
    """The App with every hook it calls, given at construction (runtime/wiring.py); `memory`, `check_token` and
    `channel` are set once they are known, before the App's loop starts."""
    helix = Helix(http, settings.api_url, settings.client_id, holder)
    # What to subscribe to is known once the token is.  A server on this machine (the simulator, twitch-cli)
    # may keep the connection alive more often than Twitch's 10 s at least.
    timings = options.session
    if on_this_machine(settings.eventsub_url) and timings.keepalive_range[0] > LOCAL_KEEPALIVE_FLOOR:
        timings = dataclasses.replace(timings, keepalive_range=(LOCAL_KEEPALIVE_FLOOR, KEEPALIVE_RANGE[1]))
    session = Session(settings.eventsub_url, (), timings=timings)

    # The view (renderer and presenter, with ~50 event types behind them) is
    # built by `warm_up`, or earlier if a line needs it, so importing it stays
    # off the path from start to the first subscription.
    def view() -> tuple[Renderer, Presenter]:
        from focuslib.view.present import Presenter
        from focuslib.view.render import Renderer

        # `#3` on screen is what /allow 3 finds: the renderer numbers holds in the input line's table.
        held = private.automod  # the input line's table, or one of the renderer's own
        renderer = Renderer(screen.mode, timestamps=options.timestamps, width=screen.width, theme=screen.theme,
                            held=held)
        presenter = Presenter(renderer, screen.terminal, groups=options.groups, types=session.active_types(),
                              bell=options.bell and screen.isatty, flood_limit=options.flood_limit,
                              flood_window=options.flood_window, gift_wait=options.gift_wait,
                              twin_window=options.twin_window, filters=filters)
        if screen.isatty:
            old = _watch_resize(renderer, screen.terminal, screen.console or screen.full,
                                lambda: terminal_size(options.size))
            if old is not None:
                teardown.callback(signal.signal, signal.SIGWINCH, old)
        return renderer, presenter

    from focuslib.runtime.headerfeed import HeaderFeed
    from focuslib.screen.header import HeaderModel

    header = HeaderFeed(HeaderModel(color=screen.mode is not ColorMode.NONE))
    handle.header = header.model
    if screen.full is not None:  # screen mode draws the model in its header row, redrawn when it changes
        screen.full.use_header(header.model)
    shows = [show for show in (screen.console.recent.saw if screen.console is not None else None, private.saw,
                             handle.on_event) if show is not None]

    def show_all(event: Any) -> None:
        for show in shows:
            show(event)

    hooks = Hooks(on_show=shows[0] if len(shows) == 1 else show_all, header=header, drain=drain, memory=memory,
                  check_token=check_token, channel=channel)
    app = App(session, helix, view, screen.terminal, devlog, hooks=hooks, stop=handle.stop_event)
    teardown.callback(app.shutdown)  # closes a connection opened before a failed token check
    teardown.callback(handle.stop_event.set)
    return app


def _drain(guard: StopGuard, screen: Screen, out: TextIO) -> Callable[[], bool]:
    """The stop's last writes wait at most the guard's budget; what a blocked stdout did not take is dropped."""
    writer = screen.writer
    if writer is not None:  # what it holds may wait only as long as the stop's budget, then stdout's buffer
        return lambda: all([writer.close(guard.left()), guard.drain(out)])
    if screen.console is None:
        return lambda: guard.drain(out)
    # prompt_toolkit writes stdout, from its own threads: what it holds is lost if stdout stays blocked
    return lambda: not guard.blocked()


def _guard_stop(guard: StopGuard, devlog: DevlogWriter | NullDevlog) -> None:
    """A stop stuck writing: the watchdog's last words go to the devlog."""
    def last_words() -> None:  # the watchdog's, from its own thread: the main thread is stuck writing
        devlog.put(record("lifecycle", time.time(), event="output_dropped", stuck=True,
                          text="stdout was blocked when focus stopped: what it could not take was dropped"))
        devlog.stop(0.1)

    guard.on_expire = last_words


def _identify(settings: Settings, http: HttpClient, holder: TokenHolder, app: App, options: Options,
              screen: Screen, devlog: DevlogWriter | NullDevlog, stop: threading.Event,
              private: Private, channel: Late[Channel]) -> oauth.TokenInfo:
    """Check the token, then tell the session what to subscribe to (what the token's scopes allow)."""
    screen.status("checking the Twitch token...")
    checking = time.monotonic()
    info = identify(settings, http, holder, status=screen.status, wait=stop.wait).info
    if time.monotonic() - checking > options.early_connect_limit:
        app.restart()  # the early welcome may be past Twitch's 10 s window to subscribe
    broadcaster = settings.user_id or info.user_id
    wanted = desired(broadcaster, info.user_id, options.groups)
    specs, hidden = usable_subscriptions(wanted, info.scopes)
    if not specs:
        raise AuthError("the token has none of the scopes focus needs, so there is nothing to show",
                        "run make auth")
    channel.set(Channel(specs, broadcaster))  # the App's session and parser learn it as its loop starts
    devlog.put(record("lifecycle", time.time(), event="identity", login=info.login, user_id=info.user_id,
                      broadcaster_id=broadcaster, scopes=list(info.scopes), expires_in=info.expires_in))
    shown = {spec.group for spec in specs}
    missing = {spec.group for spec in wanted} - shown  # wholly off; partly off: a group both shown and hidden
    partly = {spec.group for spec in wanted if spec not in specs} & shown
    for line in scope_warnings(hidden, len(missing), len(partly), private, brief=screen.isatty):
        app.inbox.put(NoticeText(line, "warn"))
    return info


def _note_sink(devlog: DevlogWriter | NullDevlog, private: Private) -> Callable[[str, list[str]], bool | str]:
    """Where a private card (/user) goes: the devlog, as a readable note; False when the devlog is off.  In screen
    mode the private answers' way (runtime/private.py): a devlog reader's notes, else the overlay; the line that
    says where it went is the command's answer."""
    if private.overlay is not None:
        return lambda title, lines: private.answer(title, lines)

    def note(title: str, lines: list[str]) -> bool:
        if isinstance(devlog, NullDevlog):
            return False
        devlog.put(record("note", time.time(), title=title, lines=lines))
        return True
    return note


def _shield_plan(settings: Settings, options: Options, memory: ChatMemory | None) -> Any:
    """What /shield needs in this focus: the saved settings' place, the minutes, this focus's hold queue."""
    from focuslib.runtime.shield import ShieldPlan

    hold = None
    if memory is not None:
        from focuslib.runtime.memory_setup import shield_hook

        hold = shield_hook(memory)
    return ShieldPlan(settings.data_dir, options.shield_minutes, hold)


def _start_vetting(memory: ChatMemory, app: App, broadcaster: str, scopes: tuple[str, ...], options: Options,
                   devlog: DevlogWriter | NullDevlog, teardown: contextlib.ExitStack) -> None:
    """Follow ages vouch for new chatters (runtime/vetting.py), when the hold queue guards."""
    from focuslib.runtime.memory_setup import start_vetting

    checker = start_vetting(memory, app, broadcaster, scopes, days=options.hold_follow_days,
                            pace=options.follow_pace, wait=options.follow_wait, devlog=devlog)
    if checker is not None:
        teardown.callback(checker.stop, 1.0)


def _start_header(app: App, broadcaster: str, info: oauth.TokenInfo, memory: ChatMemory | None,
                  devlog: DevlogWriter | NullDevlog, teardown: contextlib.ExitStack) -> None:
    """The header's Helix questions, on a thread of their own (runtime/headerfeed.py)."""
    from focuslib.runtime.headerfeed import start_poller

    poller = start_poller(app, broadcaster, info.user_id, info.login, memory, devlog)
    teardown.callback(poller.stop, 1.0)


def _start_keeper(app: App, holder: TokenHolder, http: HttpClient, settings: Settings, info: oauth.TokenInfo,
                  devlog: DevlogWriter | NullDevlog, teardown: contextlib.ExitStack,
                  schedule: token_refresh.RefreshSchedule, check_token: Late[Callable[[], None]]) -> None:
    """The token keeper, reporting through `app`'s inbox (the main thread stays the terminal's owner)."""

    def event(name: str, **detail: Any) -> None:
        devlog.put(record("lifecycle", time.time(), event=name, **detail))

    keeper = token_refresh.TokenKeeper(holder, http, settings.auth_url, app.stop_event, expires_in=info.expires_in,
                                       on_fatal=lambda exc: app.inbox.put(Failure(exc)),
                                       on_notice=lambda text: app.inbox.put(NoticeText(text, "warn")),
                                       on_event=event, schedule=schedule).start()
    check_token.set(keeper.revoked)  # Twitch revoked a subscription with authorization_revoked
    teardown.callback(keeper.join, 1.0)
    teardown.callback(app.stop_event.set)


def _save_at_exit(holder: TokenHolder, out: TextIO) -> None:
    """The last chance to store a refreshed pair a full disk refused; if it still fails, one line says so
    (below the closed screen): the next start would use the stored, older pair."""
    if holder.save_pending():
        return
    try:
        out.write(f"! the refreshed token is still not saved ({holder.unsaved}): the next start uses the older "
                  "one in the store; free disk space, and run make auth if Twitch refuses it\n")
        out.flush()
    except (OSError, ValueError):  # a stdout that went away: the devlog said it at the time
        pass


def warm_up(app: App) -> None:
    """Start-up's last step, once the session is live: load what the first line will need.

    The event parsers, orjson and the view load now rather than on the first
    chat message; then everything set up so far moves out of the garbage
    collector's sight (`gc.freeze`), so its full passes stay short (they would
    otherwise walk every module and class)."""
    with threads.signals_held():  # a stop raised inside an extension module's import crashed focus
        app.parser.load()
        app.presenter  # noqa: B018  (builds the view)
        text_warm_up()  # the sanitizer's tables for non-ASCII text
        layout_warm_up()  # and its display width
    gc.freeze()


def _crashed(exc: Exception, settings: Settings, redactor: Redactor, devlog: DevlogWriter | NullDevlog) -> FocusError:
    """A bug: the traceback goes to the devlog and to last-crash.txt (redacted), the streamer gets two lines."""
    trace = traceback.format_exc()
    devlog.put(record("error", time.time(), error=repr(exc), traceback=trace))
    crash = settings.runtime_dir / "last-crash.txt"
    where = ["the devlog"] if not isinstance(devlog, NullDevlog) else []
    if _save_crash(settings, redactor, trace):
        where.append(str(crash))
    hint = f"the traceback is in {' and in '.join(where)}; please report it" if where else \
        f"its traceback could not be saved ({crash} could not be written); please report it"
    # The type only: an exception's text may quote a header, a file or a token.
    return FocusError(f"focus stopped on an unexpected error ({type(exc).__name__})", hint)


def _save_crash(settings: Settings, redactor: Redactor, trace: str) -> str:
    """`trace` in last-crash.txt (redacted, the owner's only); its path, or "" when it could not be written."""
    crash = settings.runtime_dir / "last-crash.txt"
    try:  # the runtime directory exists only once the devlog made it: not with --no-devlog
        ensure_private_dir(settings.runtime_dir, "XDG_RUNTIME_DIR")
        fd = os.open(crash, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(redactor(trace))
        return str(crash)
    except (OSError, FocusError):  # a full disk, say: point only at what holds it
        return ""


def wants_input_line(options: Options, out: TextIO) -> bool:
    """The input line is on when focus writes to the real stdout and both it and stdin are a terminal."""
    if options.tail:  # a shell where you also work: its terminal is never read
        return False
    if options.input_line is not None:
        return options.input_line
    try:
        return out is sys.stdout and sys.stdin is not None and sys.stdin.isatty() and out.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or replaced stream
        return False


def _report(handle: FocusHandle, text: str, ok: bool) -> None:
    """A command's one-line result, printed by the main thread."""
    if handle.app is not None:
        handle.app.inbox.put(NoticeText(text, "done" if ok else "warn"))


def _watch_continue(console: Console) -> Any:
    """Tell the input line when focus is continued (SIGCONT after its Ctrl-Z; the main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGCONT"):
        return None
    return signal.signal(signal.SIGCONT, lambda signum, frame: console.resumed())


def _watch_resize(renderer: Renderer, terminal: Terminal | PaneWriter, console: Console | ScreenMode | None = None,
                  size: Callable[[], os.terminal_size] = terminal_size) -> Any:
    """Re-read the width when the terminal is resized (SIGWINCH; the main thread only); the input line
    is redrawn for the new size."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGWINCH"):
        return None

    def resized(signum: int, frame: object) -> None:
        columns = size().columns
        renderer.width = columns
        terminal.resized(columns)
        if console is not None:
            console.resized()

    return signal.signal(signal.SIGWINCH, resized)


__all__ = ["FocusHandle", "Options", "run", "warm_up"]
