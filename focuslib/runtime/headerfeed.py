"""Feeding the screen's header (focuslib/screen/header.py) from the running focus.

Two sources, one owner of the decisions:
* the main thread hands `HeaderFeed` what the session does -- every shown event
  (`event`: stream.online/offline, channel.chat_settings.update, Shield Mode,
  AutoMod holds and their updates), its statuses (`link`), a gap (`gap`), the
  hold queue's guard (`guard`);
* `StreamPoller`, a thread of its own (a slow Helix never holds up chat), asks
  Helix at start for the channel's name, the stream, the chat modes and Shield
  Mode, then Get Streams again at most once a minute (SCHEDULE), and soon after
  stream.online/offline.  Its answers go back to the main thread (`post`), which
  applies them unless an event said something newer: an answer to a question
  asked before an event is older than the event, and Get Streams lags
  stream.online/offline on Twitch, so for EVENT_TRUST seconds after one a poll
  that contradicts it is not believed.  A failing Get Streams keeps the last
  values and marks them stale.
AutoMod holds are counted here: automod.message.hold adds one, its update
(approved, denied, expired) takes it away.
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable

from focuslib import threads
from focuslib.errors import FocusError
from focuslib.net.helix import Stopped
from focuslib.runtime.guard import Guard
from focuslib.text import rfc3339
from focuslib.twitch.session import Phase

if TYPE_CHECKING:
    from focuslib.net.stream_api import StreamAPI, StreamInfo
    from focuslib.twitch.events_moderation import ChatSettings
    from focuslib.screen.header import HeaderModel
    from focuslib.twitch.session import Session

EVENT_TRUST = 180.0  # seconds an online/offline event outweighs a Get Streams answer that contradicts it
MAX_AUTOMOD = 10_000  # AutoMod holds remembered as waiting (Twitch expires them; a lost update must not grow this)
LIVE_EVERY = 60.0  # seconds between two Get Streams while live: Twitch's viewer count changes about that often
OFFLINE_EVERY = 300.0  # while offline nothing is counted; stream.online says when it starts
LEAST = 60.0  # never two Get Streams closer than this, whatever asks

LINKS = {Phase.IDLE: "connecting", Phase.CONNECTING: "connecting", Phase.AWAITING_WELCOME: "connecting",
         Phase.SUBSCRIBING: "subscribing", Phase.LIVE: "connected", Phase.MIGRATING: "connected",
         Phase.RECONNECTING: "reconnecting", Phase.STOPPED: "connecting"}


class HeaderFeed:
    """The header's data from the main loop (every method but `post`ed answers runs on the main thread)."""

    def __init__(self, model: HeaderModel, *, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.model = model
        self.clock = clock
        self.wall = wall
        self.poller: StreamPoller | None = None
        self.on_automod: Callable[[], None] = lambda: None  # the AutoMod count changed (the App's status line)
        self.on_shield: Callable[[bool], None] = lambda active: None  # start-up's Shield Mode, for the hold queue
        self._automod: dict[str, None] = {}  # message ids held by AutoMod, oldest first
        self._said: dict[str, float] = {}  # "stream" | "modes" | "shield" -> clock time an event last set it
        # The events it reads, by type, filled at the first event: the event modules are loaded by then (the event
        # exists), and importing them here would put ~50 ms on start-up's path to the first subscription.
        self._kinds: dict[type, Callable[[Any], None]] | None = None

    @property
    def automod_waiting(self) -> int:
        return len(self._automod)

    # -- the main loop -----------------------------------------------------------------------------------------

    def event(self, e: Any) -> None:
        """Every event the session shows (cheap for the rest: one dict look-up)."""
        kinds = self._kinds if self._kinds is not None else self._load()
        handle = kinds.get(type(e))
        if handle is not None:
            handle(e)

    def _load(self) -> dict[type, Callable[[Any], None]]:
        from focuslib.twitch.events import StreamOffline, StreamOnline
        from focuslib.twitch.events_moderation import AutoModHold, AutoModUpdate, ChatSettings, ShieldMode

        self._kinds = {StreamOnline: self._online, StreamOffline: self._offline, ChatSettings: self._modes,
                       ShieldMode: self._shield, AutoModHold: lambda e: self._count_automod(e, True),
                       AutoModUpdate: lambda e: self._count_automod(e, False)}
        return self._kinds

    def _online(self, e: Any) -> None:
        self._said["stream"] = self.clock()
        started = rfc3339(e.started_at)
        self.model.update(live=True, started_at=started.timestamp() if started is not None else self.wall(),
                          stale=False)
        self._poke()

    def _offline(self, e: Any) -> None:
        self._said["stream"] = self.clock()
        self.model.update(live=False, started_at=None, viewers=None, stale=False)
        self._poke()

    def _modes(self, e: ChatSettings) -> None:
        self._said["modes"] = self.clock()
        self.model.update(modes=e)

    def _shield(self, e: Any) -> None:
        self._said["shield"] = self.clock()
        self.model.update(shield=e.active)

    def _count_automod(self, e: Any, held: bool) -> None:
        waiting = self._automod
        before = len(waiting)
        if held:
            waiting[e.message_id] = None
            if len(waiting) > MAX_AUTOMOD:
                del waiting[next(iter(waiting))]
        else:
            waiting.pop(e.message_id, None)
        if len(waiting) != before:
            self.model.update(automod=len(waiting))
            self.on_automod()

    def link(self, session: Session) -> None:
        """The session's state after one of its statuses."""
        self.model.update(link=LINKS.get(session.phase, "connecting"), subscribed=session.made(),
                          wanted=len(session.desired))

    def gap(self, since: float, until: float) -> None:
        """Nobody listened from `since` to `until` (Unix times): Twitch does not replay what was sent then."""
        self.model.update(gap=(since, until))

    def guard(self, guard: Guard) -> None:
        self.model.update(held=guard.held, hold_shield=guard.shield)

    def _poke(self) -> None:
        if self.poller is not None:
            self.poller.poke()

    # -- the poller's answers, posted to the main loop ---------------------------------------------------------

    def _newer(self, what: str, asked: float) -> bool:
        """An event set `what` after the question was asked: its answer is older news."""
        return self._said.get(what, float("-inf")) >= asked

    def stream_answer(self, asked: float, info: StreamInfo | None) -> None:
        """Get Streams' answer (None: it failed, the last values stay and are stale)."""
        if info is None:
            self.model.update(stale=True)
            return
        if info.name:
            self.model.update(channel=info.name)
        said = self._said.get("stream")
        if self._newer("stream", asked) or (said is not None and self.clock() - said < EVENT_TRUST
                                            and info.live != self.model.snapshot().live):
            self.model.update(stale=False)  # Twitch answered; what it said lags the event
            return
        if info.live:
            self.model.update(live=True, started_at=info.started_at, viewers=info.viewers, stale=False)
        else:
            self.model.update(live=False, started_at=None, viewers=None, stale=False)

    def modes_answer(self, asked: float, modes: ChatSettings) -> None:
        if not self._newer("modes", asked):
            self.model.update(modes=modes)

    def shield_answer(self, asked: float, active: bool) -> None:
        if self._newer("shield", asked):
            return
        self.model.update(shield=active)
        if active:  # turned on before focus started: the hold queue guards as if it had seen it begin
            self.on_shield(True)

    def channel_answer(self, name: str) -> None:
        if name:
            self.model.update(channel=name)


class PollSchedule:
    """When Get Streams is due (pure; the poller's clock): at most once a LEAST, every LIVE_EVERY while live and
    OFFLINE_EVERY while offline; `poke` (an online/offline event) makes the next one due as soon as LEAST allows."""

    def __init__(self, live_every: float = LIVE_EVERY, offline_every: float = OFFLINE_EVERY,
                 least: float = LEAST) -> None:
        self.live_every = live_every
        self.offline_every = offline_every
        self.least = least
        self.last: float | None = None
        self.live = False
        self.soon = False

    def due(self) -> float:
        if self.last is None:
            return float("-inf")
        every = self.least if self.soon else self.live_every if self.live else self.offline_every
        return self.last + max(self.least, every)

    def polled(self, now: float, live: bool) -> None:
        self.last, self.live, self.soon = now, live, False

    def poke(self) -> None:
        self.soon = True


class StreamPoller:
    """Asks Helix for the header on a thread of its own; answers are `post`ed to the main loop."""

    def __init__(self, api: StreamAPI, feed: HeaderFeed, post: Callable[[Callable[[], None]], None],
                 stop: threading.Event, *, clock: Callable[[], float] = time.monotonic,
                 schedule: PollSchedule | None = None,
                 log: Callable[[str, str], None] = lambda error, trace: None) -> None:
        self.api = api
        self.feed = feed
        self.post = post
        self.stop_event = stop  # the App's: set, and the poller ends at its next wake
        self.clock = clock
        self.schedule = schedule or PollSchedule()
        self.log = log  # (error, traceback) to the devlog
        self.thread = threading.Thread(target=self._run, name="helix-header", daemon=True)
        self._lock = threading.Lock()  # the schedule: poked from the main thread, read here
        self._wake = threading.Event()
        self._halt = False

    def start(self) -> StreamPoller:
        threads.start(self.thread)
        return self

    def poke(self) -> None:
        with self._lock:
            self.schedule.poke()
        self._wake.set()

    def stop(self, timeout: float) -> None:
        self._halt = True
        self._wake.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _run(self) -> None:
        try:
            self._first()
            while True:
                self._wake.clear()
                if self._halt or self.stop_event.is_set():
                    return
                with self._lock:
                    left = self.schedule.due() - self.clock()
                if left > 0:
                    self._wake.wait(left)
                    continue
                self.poll_stream()
        except Stopped:
            return

    def _first(self) -> None:
        """Start-up's questions: each on its own, a failure costs only its answer."""
        feed = self.feed
        name = self._ask(self.api.channel_name, "channel")
        if name:
            self.post(lambda: feed.channel_answer(name))
        self.poll_stream()
        asked = self.clock()
        modes = self._ask(self.api.chat_settings, "chat settings")
        if modes is not None:
            self.post(lambda: feed.modes_answer(asked, modes))
        asked = self.clock()
        shield = self._ask(self.api.shield_active, "shield mode")
        if shield is not None:
            self.post(lambda: feed.shield_answer(asked, shield))

    def poll_stream(self) -> None:
        """One Get Streams; its answer goes to the main loop (the schedule notes it either way)."""
        asked = self.clock()
        info = self._ask(self.api.stream, "stream")
        with self._lock:
            self.schedule.polled(asked, info.live if info is not None else self.schedule.live)
        self.post(lambda: self.feed.stream_answer(asked, info))

    def _ask(self, call: Callable[[], Any], what: str) -> Any:
        if self._halt:
            raise Stopped("the header's poller is stopping")
        try:
            return call()
        except Stopped:
            raise
        except FocusError as exc:  # Twitch failing or out of reach: the header keeps what it knew
            self.log(f"header: {what}: {exc.message}", "")
        except Exception as exc:  # a bug: the devlog has it, the poller goes on
            self.log(f"header: {what}: {exc!r}", traceback.format_exc())
        return None


def start_poller(app: Any, broadcaster: str, user_id: str, login: str, memory: Any, devlog: Any) -> StreamPoller:
    """The header's poller for a running focus (runtime/setup.py, once the token is checked): answers through the
    App's inbox; Shield Mode found on at start turns the hold queue's shield on, with its line."""
    from focuslib.devlog.pipe import record
    from focuslib.net.stream_api import StreamAPI
    from focuslib.runtime.inbox import Call

    feed: HeaderFeed = app.header
    if broadcaster == user_id and login:  # the token's own channel: its login until Twitch gives the display name
        feed.model.update(channel=login)
    if memory is not None:
        def shield_on(active: bool) -> None:
            line = memory.set_shield(active)
            app.terminal.line(app.renderer.notice(f"Shield Mode is on: {line}", "warn"))
        feed.on_shield = shield_on
    poller = StreamPoller(StreamAPI(app.helix, broadcaster, user_id), feed, lambda fn: app.inbox.put(Call(fn)),
                          app.stop_event, log=lambda error, trace: devlog.put(
                              record("error", time.time(), where="header", error=error, traceback=trace)))
    feed.poller = poller
    return poller.start()
