"""Chat memory in the running focus: what the main thread does with history, on the chat path.

For every event the session shows, `admit` (main thread, no SQLite):
* hands it to the history writer (a non-blocking enqueue);
* for a chat message: remembers the chatter's color for @mentions (bounded),
  asks the in-memory known-users set whether this is their first message in
  the channel -- a first-timer is marked on screen, or, while the hold queue
  guards (--hold-new, /shield), vetted (runtime/vetting.py: history, badge,
  follow age) and, unvetted, held off the stream (runtime/hold.py) with one
  neutral placeholder line while the text goes to the devlog only;
* for an event that carries a held or unknown chatter's text (a cheer, a
  redemption, a resub...): the event without the text (vetting.py's doors).
The hold queue fails safe: while the known chatters are still loading (a slow
or locked database) every chatter waits, unseen, until the list is there
(runtime/loading.py); a held chatter stays held whatever the database does
meanwhile; when it cannot work at all (the history failed before it knew
anyone), it says so in one line.  `deadline`/`tick` expire held messages on
the main loop's own wait.  /release and /ban return lines (runtime/holding.py);
/history, /questions, /done and /links come from runtime/recall.py.

It decides and never draws: neither the renderer nor the terminal is known
here.  What it has to say (quiet lines, a held chatter's placeholder) and what
the renderer must know (a first-time mark, a reply that must not quote, an event
whose text is held, a message released) are records on `out`
(runtime/memory_records.py), which the App takes after each step and draws
(runtime/memory_draw.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from focuslib.floodgate import FLOOD_LIMIT, FLOOD_WINDOW, FloodGate
from focuslib.runtime.doors import Doors, trusted_badge
from focuslib.runtime.hold import HoldQueue
from focuslib.runtime.holding import Holding
from focuslib.runtime.loading import KnownWait
from focuslib.runtime.memory_records import FirstTime, NoQuote, Quiet, Record
from focuslib.runtime.recall import Recall
from focuslib.runtime.vetting import Vetting
from focuslib.store.known import KnownUsers
from focuslib.store.writer import HistoryWriter
from focuslib.twitch.events import ChatMessage, Follow
from focuslib.twitch.events_moderation import ShieldMode

if TYPE_CHECKING:
    from focuslib.runtime.private import Private

MENTION_COLORS = 4_096  # logins whose chat color @mentions use (bounded; the oldest go first)
HOLD_MINUTES = 10.0  # how long held messages wait for /release unless FOCUS_HOLD_MINUTES says


class ChatMemory(Recall, KnownWait, Vetting, Holding, Doors):
    """The chat path's memory.  It decides and never draws: what it has to say, and the marks on what it admits,
    are records on `out` (runtime/memory_records.py) that the App takes after every step (`take`) and draws.

    Its hooks into the App are constructor arguments: `post` (run a function on the main thread, the App's inbox),
    `warn` (a warning line in the App's order) and `on_guard` (the held count or SHIELD changed)."""

    def __init__(self, writer: HistoryWriter | None, *, hold_minutes: float | None = None, devlog: Any,
                 wall: Callable[[], float] = time.time, hold_ttl: float = HOLD_MINUTES,
                 post: Callable[[Callable[[], None]], None] = lambda fn: fn(),
                 warn: Callable[[str], None] = lambda text: None,
                 on_guard: Callable[[bool], None] = lambda held_only: None,
                 private: Private | None = None) -> None:
        self.writer = writer
        # The queue exists whenever there is a history: /shield holds even without --hold-new.
        self.hold = HoldQueue((hold_minutes or hold_ttl) * 60) if writer is not None else None
        self.hold_new = hold_minutes is not None  # --hold-new: new chatters are held (else only while shielded)
        self.colors: dict[str, str] = {}  # login -> chat color, for @mentions (the App hands it to the renderer)
        self.devlog = devlog
        self.wall = wall
        self.post = post
        self.warn = warn
        self._on_guard = on_guard
        self.private = private  # long answers and held texts (runtime/private.py)
        self.out: list[Record] = []  # what to draw, in order: the App takes it after every step
        self._listed: list[int] = []  # row ids of the last /questions, for /done N
        self._learning: set[str] = set()  # channels whose history began with this run
        self._loaded = False  # loaded() ran after the writer was ready
        self._known_ok = False  # the known chatters were loaded (the history did not fail before that)
        self.wave: FloodGate[str] = FloodGate(FLOOD_LIMIT, FLOOD_WINDOW)  # newly held chatters, collapsed in a wave
        self.started = wall()  # /links without a duration: since focus started
        self._init_holding()
        self._init_wait()
        self._init_vetting()
        if writer is not None and writer.ready.is_set():
            self.loaded()

    def take(self) -> list[Record]:
        """What the last steps have to draw, in order (main thread); the list starts empty again."""
        out, self.out = self.out, []
        return out

    def loaded(self) -> None:
        """The writer has loaded the known chatters (or failed to): take the recent colors too."""
        writer = self.writer
        if writer is None or self._loaded or not writer.ready.is_set():
            return
        self._loaded = True
        self._known_ok = writer.failed is None
        for login, color in reversed(writer.colors):
            self.colors[login] = color
        if self.holding and not self._known_ok:
            self.warn("the hold queue is off without the history: first-time chatters reach the stream "
                      "(those already held stay held)")

    # -- the chat path -------------------------------------------------------------

    def admit(self, event: Any, now: float) -> Any:
        """Record `event`; what may reach the screen: the event, the event without a held text, or None (a chat
        message held or waiting)."""
        if type(event) is not ChatMessage:
            return self._event(event, now)
        if not self._chat(event, now):
            return None
        if event.reply is not None:
            self._guard_quote(event)
        return event

    def _guard_quote(self, m: ChatMessage) -> None:
        """A reply about to be shown never quotes what the hold queue keeps (Twitch quotes the parent in every
        reply).  Decided as it is shown, not as it came: a reply can wait (a follow age, /release) while the
        renderer's bounded set of such replies is refilled by a wave of others."""
        reply = m.reply
        if reply is not None and (reply.parent_message_id in self._unshown or (
                self.hold is not None and self.hold.is_held(reply.parent_user.id))):
            self.out.append(NoQuote(m.message_id))

    def _event(self, event: Any, now: float) -> Any:
        writer = self.writer
        if self._waiting:  # before the event is stored: it flags what it removed
            self._moderated_waiting(event)
        if self._pending:  # the same for what waits for a follow age
            self._moderated_pending(event)
        if writer is not None:
            writer.put(self.wall(), event)
        hold = self.hold
        if hold is None:
            return event
        if len(hold):
            self._moderated(event)
        kind = type(event)
        if kind is Follow and event.user.id:  # followed just now: its age is known without asking
            self._ages[event.user.id] = self.wall()
        elif kind is ShieldMode:  # turned on or off elsewhere (Twitch, a shell): its own line says so, SHIELD too
            self.set_shield(event.active)
        return self._door(event, now)

    def _chat(self, m: ChatMessage, now: float) -> bool:
        writer = self.writer
        login = m.chatter.login
        if m.color and self.colors.get(login) != m.color:
            colors = self.colors
            colors.pop(login, None)
            colors[login] = m.color
            if len(colors) > MENTION_COLORS:
                del colors[next(iter(colors))]
        uid = m.chatter.id
        hold = self.hold
        # The common case, a regular in a history that is up: one set look-up, then the row (a raid is mostly
        # this; the full path below costs the display thread a microsecond more a message).
        if self._loaded and self._known_ok and not self._waiting and writer is not None:
            known = writer.known.get(m.broadcaster.id)
            if known is not None and uid in known.seen and (hold is None or not hold.is_held(uid)):
                writer.put_chat_later(self.wall(), m)  # its row once the line is written (`settle`)
                return True
        if hold is not None and uid and hold.is_held(uid):  # held until released, whatever the database does
            return self._keep(m, now)
        if writer is None:
            return True
        trusted = trusted_badge(m.badges)
        if trusted:
            self._trusted_ids.add(uid)
        if self.holding and (self._waiting or not writer.ready.is_set()) and not trusted and not self._paused:
            return self._wait_for_known(m, now)
        if not writer.ready.is_set():
            writer.put(self.wall(), m)
            return True
        self.loaded()
        if not self._known_ok:  # the history failed before it knew anyone: nobody can be told apart
            return True
        known = writer.known.get(m.broadcaster.id)
        if known is None:  # a history that knows nobody here: first-time marks wait for the next run
            known = writer.known[m.broadcaster.id] = KnownUsers()
            self._learning.add(m.broadcaster.id)
            self._say_learning()
        if uid in known:  # a regular: the common case, one look-up
            writer.put(self.wall(), m)
            return True
        if uid and self.holding and not trusted:  # vetted from the first run on (vetting.py)
            return self._vet(m, now, known)
        writer.put(self.wall(), m)
        known.add(uid)
        if uid and m.broadcaster.id not in self._learning:
            self.out.append(FirstTime(m.message_id))
        return True

    def settle(self) -> None:
        """The main loop wrote the terminal: queue the rows that waited for that (HistoryWriter.put_chat_later)."""
        if self.writer is not None:
            self.writer.settle()

    def _say_learning(self) -> None:
        if self.holding:
            days = "" if self.follow_days is None else f" and followers of {self.follow_days:g}+ days"
            self.out.append(Quiet(
                f"the history knows no chatter of this channel yet: the hold queue lets through the broadcaster, "
                f"moderators, VIPs{days}; first-time marks start with the next run"))

    def deadline(self) -> float | None:
        times = [d for d in (self.hold.deadline() if self.hold is not None else None, self._wait_until,
                             self.pending_deadline(), self.wave.deadline()) if d is not None]
        return min(times, default=None)

    def tick(self, now: float) -> None:
        """Drop held messages past FOCUS_HOLD_MINUTES, one quiet line per chatter; hold whom Twitch did not answer
        for in time; sum up a wave of new chatters."""
        if self.hold is None:
            return
        if self._wait_until is not None and now >= self._wait_until and self._waiting:
            self._stop_waiting()
        self.expire_pending(now)
        self._tick_hold(now)
