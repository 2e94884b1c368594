"""focus's runtime: threads, the inbox, and the main loop that executes the session's actions.

Data path: a websocket thread reads the frames each read brought and, while the
main loop waits with nothing to do, handles them itself (`_deliver`): decodes and
parses each, hands it to the devlog writer, feeds it to the session, renders the
`Show`s and writes them, the way a bare client does on the thread the socket woke.
Only what needs the main loop is handed over: a timer the batch brought forward
wakes it, and while it is busy (a command, a subscription's answer, a timer) the
socket's reports wait on the inbox behind it, as `Frames` records (a bounded
number of batches at a time; every kind of inbox item is a record in
runtime/inbox.py), and keep going there until it has taken them all, so a
connection's reports keep their order.  Whoever handles anything holds `App.lock`:
one thread at a time touches the session, the view and the terminal.
Subscription POSTs run on a small worker pool so a slow Helix never holds up chat.
"""

from __future__ import annotations

import math
import queue
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable

from focuslib.net.websocket import Credits, SocketReport, WsConnection
from focuslib.devlog.pipe import DevlogWriter, record
from focuslib.errors import AuthError, ConfigError, FocusError, ParseError
from focuslib.twitch.actions import CheckToken
from focuslib.twitch.session import Close, Connect, CreateSubscriptions, Fatal, Gap, Log, Session, Show, Status, Tell
from focuslib.net.helix import Helix, Stopped
from focuslib.runtime.inbox import (WAKE, Binary, Call, Closed, Failure, Frames, Item, NoticeText, Opened,
                                    StatusText, SubscribeResult, Wake)
from focuslib.runtime.guard import Guard
from focuslib.runtime.memory_draw import draw
from focuslib.runtime.wiring import Hooks
from focuslib.runtime.workers import Workers
from focuslib.twitch.messages import FrameParser
from focuslib.twitch.subscriptions import SubscriptionSpec
from focuslib.view.terminal import Terminal

if TYPE_CHECKING:
    from focuslib.runtime.headerfeed import HeaderFeed
    from focuslib.runtime.memory import ChatMemory
    from focuslib.runtime.memory_records import Record
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer

BATCH = 8  # inbox items (each up to websocket.MAX_BATCH frames) handled between two terminal flushes
CREDITS = 4  # frame batches that may wait in the inbox (bounds memory in a burst)


class NullDevlog:
    """Stands in when the devlog is turned off."""

    def put(self, line: str) -> None:
        pass

    def put_frame(self, ts: float, conn: int, raw: str) -> None:
        pass

    def stop(self, timeout: float = 1.0) -> None:
        pass


class App:
    """Runs one EventSub session until stopped, rendering to `terminal`; `hooks` (runtime/wiring.py) is all it is
    wired to beyond its own parts, given here: nothing is assigned on a built App."""

    def __init__(self, session: Session, helix: Helix, view: Callable[[], tuple[Renderer, Presenter]],
                 terminal: Terminal, devlog: DevlogWriter | NullDevlog, *, hooks: Hooks | None = None, stop: threading.Event | None = None,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
                 connect: Callable[..., WsConnection] = WsConnection) -> None:
        hooks = hooks or Hooks()
        self.session = session
        self.helix = helix
        self._view = view
        self._renderer: Renderer | None = None
        self._presenter: Presenter | None = None
        self.terminal = terminal
        self.devlog = devlog
        self.stop_event = stop or threading.Event()
        self.clock = clock
        self.wall = wall
        self._connect = connect
        self.inbox: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self.parser = FrameParser()
        self.conns: dict[int, WsConnection] = {}
        self.credits = Credits(CREDITS)
        self.workers = Workers(4, "helix")
        self.fatal: FocusError | None = None
        self._hooks = hooks
        # Built after the App (they report through its inbox): read once, when the loop starts (`_wire_late`).
        self.check_token: Callable[[], None] | None = None  # the token keeper's check, once it runs
        self.memory: ChatMemory | None = None  # history, first-time marks, hold queue (runtime/memory.py)
        self.session_status = ""  # the session's latest status (a wait's note replaces it for a while)
        self.on_show: Callable[[Any], None] | None = hooks.on_show  # the input line's recent chat (recent.py)
        self.header: HeaderFeed | None = hooks.header  # the screen's header: events, statuses, gaps, guard
        self.drain: Callable[[], bool] | None = hooks.drain  # the stop's last flush of stdout; False: it was dropped
        if self.header is not None:  # the AutoMod count the status line shows
            self.header.on_automod = self.automod_changed
        self._started = False
        self._wired = False
        self._shut_down = False
        # The hand-over (see the module's docstring).  `lock` is held by whichever thread acts as the main
        # loop: the main thread for a round, a socket thread for the batch it read.  `_inline` says a socket
        # thread may handle its reports itself: set by the main loop (holding `lock` and `_route`) only when
        # the inbox is empty, cleared by a socket thread (holding `_route`) whenever it puts a report on the
        # inbox instead, so no report of a connection ever overtakes one still waiting there.
        self.lock = threading.Lock()
        self._route = threading.Lock()
        self._inline = False
        self._wait_until = math.inf  # when the main loop wakes by itself (its next timer), while it waits
        self._until: Callable[[], bool] | None = None  # `serve`'s condition, for the socket threads to look at
        self._thrown: BaseException | None = None  # what a socket thread's round raised, for the main loop to raise
        helix.stop = self.stop_event
        helix.on_wait = lambda text: self.inbox.put(StatusText(text))

    # The view (renderer and presenter, with ~50 event types behind them) is
    # built by set-up's warm-up once the session is live, or when a line needs
    # it earlier, so importing it stays off the path to the first subscription.

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._build_view()
        assert self._renderer is not None
        return self._renderer

    @property
    def presenter(self) -> Presenter:
        if self._presenter is None:
            self._build_view()
        assert self._presenter is not None
        return self._presenter

    def _build_view(self) -> None:
        self._renderer, self._presenter = self._view()
        if self.memory is not None:  # @mentions in the chatters' colors, which the memory keeps
            self._renderer.mention_colors = self.memory.colors

    def _wire_late(self) -> None:
        """The parts set-up built after the App (runtime/wiring.py), read once as the loop starts."""
        if self._wired:
            return
        self._wired = True
        hooks = self._hooks
        channel = hooks.channel.get()
        if channel is not None:  # the session and the parser are the App's: told before the first frame is read
            self.session.desired = channel.subscriptions
            self.parser.channel = channel.broadcaster
        self.check_token = hooks.check_token.get()
        self.memory = hooks.memory.get()
        if self.memory is not None and self._renderer is not None:
            self._renderer.mention_colors = self.memory.colors

    def _draw_memory(self) -> None:
        """Draw what the chat memory's last step returned (runtime/memory_records.py; main thread)."""
        memory = self.memory
        if memory is not None and memory.out:
            records: list[Record] = memory.take()
            draw(records, self.renderer, self.presenter, self.terminal, self.clock(), self.on_show)

    @property
    def guard(self) -> Guard:
        """The stream's guard as the header shows it: chatters held, SHIELD (one snapshot, runtime/vetting.py)."""
        return self.memory.guard() if self.memory is not None else Guard()

    def status_text(self, text: str = "") -> str:
        """The status line: `text` (a wait's note) or the session's status, then the guard (`3 held · SHIELD`)
        and, where the status is redrawn in place, the AutoMod items waiting (`2 AutoMod`)."""
        suffix = self.guard.suffix()
        waiting = self.header.automod_waiting if self.header is not None and self.terminal.live_status else 0
        if waiting:
            suffix = f"{suffix} · {waiting} AutoMod" if suffix else f"{waiting} AutoMod"
        base = text or self.session_status
        return f"{base} · {suffix}" if suffix and base else base or suffix

    def guard_changed(self, held_only: bool = False) -> None:
        """The held count or SHIELD changed (main thread).  A count alone is not worth a line of its own where
        the status is printed as lines (a pipe: a wave would print one per chatter; its held lines say it)."""
        if self.header is not None:
            self.header.guard(self.guard)
        if not held_only or self.terminal.live_status:
            self.terminal.status(self.status_text())

    def automod_changed(self) -> None:
        """The AutoMod items waiting changed (main thread): a count only, shown where the status is redrawn in
        place; on a pipe every hold has its own line already."""
        if self.terminal.live_status:
            self.terminal.status(self.status_text())

    def _view_deadline(self) -> float | None:
        later = None if self._presenter is None else self._presenter.deadline()
        held = None if self.memory is None else self.memory.deadline()  # held messages expire
        if held is not None and (later is None or held < later):
            return held
        return later

    # -- main loop -----------------------------------------------------------

    def start(self) -> None:
        """Open the first connection (its frames wait in the inbox until `run`).  Idempotent."""
        if self._started:
            return
        self._started = True
        self._execute(self.session.start(self.clock()))
        self.workers.start()  # while the socket connects, not after the welcome
        self.terminal.flush()

    def restart(self) -> None:
        """Replace a connection opened by `start` and not yet used (see Session.restart)."""
        self._execute(self.session.restart(self.clock()))

    def serve(self, until: Callable[[], bool] | None = None) -> bool:
        """Run the main loop until `stop()`, a fatal error (raised), KeyboardInterrupt (propagates), or
        `until()` turns true (checked after each round; then True is returned).  Starts first if needed;
        `shutdown` is the caller's (set-up's tear-down)."""
        self._wire_late()
        self.start()
        done = self._loop(until)
        if self.fatal is not None:
            raise self.fatal
        return done

    def stop(self) -> None:
        """Ask the main loop to end (any thread)."""
        self.stop_event.set()
        self.inbox.put(WAKE)

    def _loop(self, until: Callable[[], bool] | None) -> bool:
        get = self.inbox.get
        clock = self.clock
        lock = self.lock
        self._until = until
        try:
            with lock:
                timeout = self._prepare()
            while timeout is not None:
                try:
                    item = get() if timeout == math.inf else get(timeout=timeout)
                except queue.Empty:
                    item = None
                with lock:
                    self._round(item)
                    deadline = self.session.deadline()
                    # Frames already waiting are handled before a timer judges the socket: they are news from it
                    # (this thread may have been slow, e.g. on a terminal, while the socket was fine).
                    if deadline is not None and clock() >= deadline and self.inbox.empty():
                        self._execute(self.session.tick(clock()))
                    later = self._view_deadline()
                    if later is not None and clock() >= later:
                        self._view_tick()
                    self.terminal.flush()
                    if until is not None and until():
                        return True
                    timeout = self._prepare()
            return False
        finally:
            with lock:  # from here on the socket threads' reports wait on the inbox again
                self._inline = False
                self._until = None
                self._wait_until = math.inf

    def _prepare(self) -> float | None:
        """Before the main loop waits (holding `lock`): None to end it, else how long it may wait (inf: until
        an item comes).  Lets the socket threads handle their own reports once the inbox is empty."""
        thrown, self._thrown = self._thrown, None
        if thrown is not None:
            raise thrown
        if self.stop_event.is_set() or self.fatal is not None:
            return None
        if not self._inline:
            with self._route:
                self._inline = self.inbox.empty()
        deadline = self._next_deadline()
        self._wait_until = math.inf if deadline is None else deadline
        return math.inf if deadline is None else max(0.0, deadline - self.clock())

    def _next_deadline(self) -> float | None:
        deadline = self.session.deadline()
        later = self._view_deadline()  # flood summaries and gift bombs wait for theirs
        if later is not None and (deadline is None or later < deadline):
            return later
        return deadline

    def _round(self, item: Item | None) -> None:
        """Handle `item` and what else waits (main thread, holding `lock`), then write what they showed."""
        if item is None:
            return
        handle = self._handle
        get = self.inbox.get
        empty = self.inbox.empty
        handle(item)
        for _ in range(BATCH):  # what else waits (only the main thread takes from the inbox)
            if empty():
                break
            handle(get())
        self._written()

    def _written(self) -> None:
        """After a round: write the chat, then its history rows."""
        self.terminal.flush()  # the chat first: a message's way to the screen ends here
        if self.memory is not None:
            try:
                self.memory.settle()  # then its history rows
            except Exception as exc:  # a row that cannot be built costs that row, never the chat
                self._bug(exc)

    def _deliver(self, report: SocketReport) -> None:
        """A socket thread's report (`WsConnection`'s `put`): handled on that thread when the main loop waits
        with an empty inbox, else put on the inbox behind what waits there."""
        lock = self.lock
        if self._inline and lock.acquire(False):
            try:
                if self._inline and not self.stop_event.is_set() and self.fatal is None:
                    self._inline_round(report)
                    return
            finally:
                lock.release()
        with self._route:
            self._inline = False
            self.inbox.put(report)

    def _inline_round(self, report: SocketReport) -> None:
        """The main loop's round for one socket report, on the socket's thread (holding `lock`).  What needs
        the main thread is handed to it: a timer brought forward, `serve`'s condition met, an error to raise
        (a fatal one, a reader of stdout gone): never into websocket-client's hands."""
        try:
            self._handle(report)  # never what waits on the inbox: a wake-up taken here would never reach the loop
            self._written()
            deadline = self._next_deadline()
            if deadline is not None and deadline < self._wait_until:
                self._wait_until = deadline
                self.inbox.put(WAKE)
            elif self.fatal is not None or self._until is not None and self._until():
                self.inbox.put(WAKE)
        except BaseException as exc:  # noqa: BLE001 -- raised on the main thread, as if it had handled this
            self._inline = False  # what comes next waits for the main loop, which ends on this
            if isinstance(exc, FocusError) and self.fatal is None:
                self.fatal = exc
            elif self._thrown is None:
                self._thrown = exc
            self.inbox.put(WAKE)

    def _handle(self, item: Item) -> None:
        try:
            match item:
                case Frames(conn, frames):  # first: by far the most common
                    self._frames(conn, frames)
                case Opened(conn):
                    self._execute(self.session.opened(conn, self.clock()))
                case Closed(conn, code, reason):
                    self.conns.pop(conn, None)
                    self._execute(self.session.closed(conn, code, reason, self.clock()))
                case Binary(conn, data):
                    self.devlog.put(record("bad_frame", self.wall(), conn=conn, error="binary frame ignored",
                                           raw=data[:512].hex()))
                case SubscribeResult(epoch, spec, status, message):
                    self._execute(self.session.subscription_result(epoch, spec, status, message, self.clock()))
                case StatusText(text):  # "": a wait's note is over, the session's status is back
                    self.terminal.status(self.status_text(text))
                case NoticeText(text, level):
                    self.terminal.line(self.renderer.notice(text, level))
                case Failure(error):
                    self.fatal = error
                case Call(fn):
                    fn()
                case Wake():
                    pass  # the loop looks at the stop event next
            self._draw_memory()  # what a Call into the memory returned (a follow age, /release, a command)
        except FocusError:
            raise
        except Exception as exc:  # a bug must never stop chat: skip the item, keep the evidence
            self._bug(exc)

    def _view_tick(self) -> None:
        """A flood summary, gift bomb or held message whose deadline came."""
        try:
            self.presenter.tick(self.clock())
            if self.memory is not None:
                self.memory.tick(self.clock())
                self._draw_memory()
        except FocusError:
            raise
        except Exception as exc:
            self._bug(exc)

    def _flush_view(self) -> None:
        """Show what the view still holds (a moment waiting for its twin, a flood summary) before the end."""
        if self._presenter is None:
            return
        try:
            self._presenter.flush(self.clock())
        except Exception as exc:  # stopping must go on whatever the view does
            self._bug(exc)

    def _bug(self, exc: Exception) -> None:
        self.devlog.put(record("error", self.wall(), where="main loop", error=repr(exc),
                               traceback=traceback.format_exc()))
        text = "focus skipped a message it could not handle (details in the devlog)"
        try:
            line = self.renderer.notice(text, "error")
        except Exception:  # the renderer itself is what failed: say it plainly
            line = "! " + text
        self.terminal.line(line)

    def _frames(self, conn: int, batch: list[bytes]) -> None:
        try:
            for data in batch:
                try:
                    self._frame(conn, data)
                except FocusError:
                    raise
                except Exception as exc:  # one bad frame never costs the rest of the batch
                    self._bug(exc)
        finally:
            self.credits.release()

    def _frame(self, conn: int, data: bytes) -> None:
        ts = self.wall()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.devlog.put(record("bad_frame", ts, conn=conn, error=f"not UTF-8: {exc}",
                                   raw=data.decode("utf-8", "replace")))
            return
        try:
            msg = self.parser(text)
        except ParseError as exc:
            self.devlog.put(record("bad_frame", ts, conn=conn, error=exc.message, raw=text))
            return
        self.devlog.put_frame(ts, conn, text)
        self._execute(self.session.receive(conn, msg, self.clock()))

    # -- actions -------------------------------------------------------------

    def _execute(self, actions: list[Any]) -> None:
        for action in actions:
            kind = type(action)
            if kind is Show:
                presenter = self._presenter or self.presenter
                event = action.event
                if self.header is not None:  # before the hold queue: AutoMod and the modes count whoever sent them
                    self.header.event(event)
                memory = self.memory
                if memory is not None:
                    event = memory.admit(event, self.clock())  # a held text is taken out
                    if memory.out:  # its lines and marks first: a mark must reach the renderer before its line
                        self._draw_memory()
                    if event is None:
                        continue  # held: a first-time chatter waits for /release
                # False: the streamer's filters hide it (view/filters.py), after the devlog and the history had it.
                if presenter.show(event, self.clock()) and self.on_show is not None:
                    self.on_show(event)
            elif kind is Log:
                self.devlog.put(record("lifecycle", self.wall(), event=action.event, **action.detail))
            elif kind is Status:
                # Statuses follow every change in the subscriptions (created, revoked): the
                # presenter picks each fact's source from what Twitch actually gave us.
                if self._presenter is not None:
                    self._presenter.use(self.session.active_types())
                self.session_status = action.text
                if self.header is not None:
                    self.header.link(self.session)
                self.terminal.status(self.status_text())
                self.devlog.put(record("lifecycle", self.wall(), event="status", text=action.text))
            elif kind is Tell:
                self.terminal.line(self.renderer.notice(action.text, action.level))
                self.devlog.put(record("lifecycle", self.wall(), event="notice", text=action.text,
                                       level=action.level))
            elif kind is Connect:
                c = self._connect(action.conn, action.url, self._deliver, self.credits)
                self.conns[action.conn] = c
                c.start()
            elif kind is Close:
                c = self.conns.get(action.conn)
                if c is not None:
                    c.close(action.code)
            elif kind is CreateSubscriptions:
                for spec in action.specs:
                    self.workers.submit(self._subscribe_job(action.epoch, action.session_id, spec))
            elif kind is Gap:
                offset = self.wall() - self.clock()
                self.terminal.line(self.renderer.gap(action.since + offset, action.until + offset))
                if self.header is not None:
                    self.header.gap(action.since + offset, action.until + offset)
                self.devlog.put(record("lifecycle", self.wall(), event="gap", since=action.since + offset,
                                       until=action.until + offset))
            elif kind is CheckToken:
                if self.check_token is not None:  # none against twitch-cli's mock, which has no OAuth
                    self.workers.submit(self.check_token)
            elif kind is Fatal:
                self.fatal = FocusError(action.message, action.hint)

    def _subscribe_job(self, epoch: int, session_id: str, spec: SubscriptionSpec) -> Callable[[], None]:
        def job() -> None:
            if epoch != self.session.epoch:  # the session was given up while this waited: nobody needs it
                return
            try:
                status, message = self.helix.create_subscription(spec, session_id)
            except Stopped:
                return
            except (AuthError, ConfigError) as exc:  # nothing will work until it is fixed
                self.inbox.put(Failure(exc))
                return
            except FocusError as exc:  # network or Twitch trouble: the session retries later
                status, message = 0, exc.message
            except Exception as exc:  # report, never lose the worker
                self.devlog.put(record("error", self.wall(), where="subscribe", error=repr(exc),
                                       traceback=traceback.format_exc()))
                status, message = 0, "focus could not send the request (details in the devlog)"
            self.inbox.put(SubscribeResult(epoch, spec, status, message))
        return job

    # -- stop path -------------------------------------------------------------

    def shutdown(self) -> None:
        """Close sockets, stop threads (each join bounded), leave the terminal tidy.  Idempotent: one
        shutdown per run, however many paths reach it (each of its joins may wait; twice would double that)."""
        self.stop_event.set()
        if self._shut_down:
            return
        self._shut_down = True
        self._flush_view()
        self._execute(self.session.stop(self.clock()))
        self.credits.stop(len(self.conns))  # nobody takes from the inbox any more: no socket thread may wait for it
        deadline = time.monotonic() + 1.0
        for c in list(self.conns.values()):
            if c.connecting:  # stuck in a handshake nobody answers: it cannot be woken, and ends by itself
                continue
            c.thread.join(max(0.0, deadline - time.monotonic()))
            if c.thread.is_alive():
                c.abort()
        self.workers.stop(0.2)
        try:  # before the devlog stops, so it can tell what a blocked stdout did not take
            self.terminal.close()
        except (OSError, ValueError):  # the reader left, or stdout would block (see runtime/stopguard.py)
            pass
        if self.drain is not None and not self.drain() or self.terminal.cut_short:
            self.devlog.put(record("lifecycle", self.wall(), event="output_dropped",
                                   text="stdout was blocked when focus stopped: what it could not take was dropped"))
        self.drain = None  # once: the tear-down may call shutdown again
        self.devlog.put(record("lifecycle", self.wall(), event="focus_stopped"))
        self.devlog.stop(0.5)
