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
the main loop's own wait.  /release and /ban are methods here returning lines;
/history, /questions, /done and /links come from runtime/recall.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from focuslib.devlog.pipe import record
from focuslib.runtime.hold import HeldChatter, HoldQueue
from focuslib.runtime.loading import KnownWait
from focuslib.runtime.recall import Recall
from focuslib.runtime.doors import Doors, held_user, text_of, trusted_badge
from focuslib.runtime.vetting import Vetting
from focuslib.store.known import KnownUsers
from focuslib.store.writer import HistoryWriter, Released
from focuslib.twitch.events import ChannelBan, ChatClear, ChatMessage, ClearUserMessages, Follow, MessageDelete
from focuslib.twitch.events_moderation import ShieldMode
from focuslib.view.collapse import FLOOD_LIMIT, FLOOD_WINDOW, FloodGate
from focuslib.view.terminal import Terminal

if TYPE_CHECKING:
    from focuslib.runtime.private import Private
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer

MENTION_COLORS = 4_096  # logins whose chat color @mentions use (bounded; the oldest go first)
UNSHOWN = 4_096  # ids of held messages remembered so that a reply never quotes one (bounded)
HOLD_MINUTES = 10.0  # how long held messages wait for /release unless FOCUS_HOLD_MINUTES says


class ChatMemory(Recall, KnownWait, Vetting, Doors):
    def __init__(self, writer: HistoryWriter | None, *, hold_minutes: float | None = None,
                 renderer: Callable[[], Renderer], presenter: Callable[[], Presenter], terminal: Terminal,
                 devlog: Any, wall: Callable[[], float] = time.time, hold_ttl: float = HOLD_MINUTES) -> None:
        self.writer = writer
        # The queue exists whenever there is a history: /shield holds even without --hold-new.
        self.hold = HoldQueue((hold_minutes or hold_ttl) * 60) if writer is not None else None
        self.hold_new = hold_minutes is not None  # --hold-new: new chatters are held (else only while shielded)
        self.colors: dict[str, str] = {}
        self._renderer = renderer
        self._presenter = presenter
        self.terminal = terminal
        self.devlog = devlog
        self.wall = wall
        self._listed: list[int] = []  # row ids of the last /questions, for /done N
        self.private: Private | None = None  # long answers and held texts (runtime/private.py), set by start_memory
        self._learning: set[str] = set()  # channels whose history began with this run
        self._bound = False
        self.post: Callable[[Callable[[], None]], None] = lambda fn: fn()  # run on the main thread (the App's inbox)
        self.warn: Callable[[str], None] = lambda text: None  # a warning line, in the App's order (set by start_memory)
        self.shown: Callable[[Any], None] = lambda event: None  # the App's on_show: the input line's recent chat
        self.on_guard: Callable[[bool], None] = lambda held_only: None  # the held count or SHIELD changed
        self.held_logins: tuple[str, ...] = ()  # who is held, most recent first (a snapshot for other threads)
        self._loaded = False  # loaded() ran after the writer was ready
        self._known_ok = False  # the known chatters were loaded (the history did not fail before that)
        self._told_full = False
        self._unshown: dict[str, None] = {}  # message ids held and not (yet) shown, oldest first
        self.wave: FloodGate[str] = FloodGate(FLOOD_LIMIT, FLOOD_WINDOW)  # newly held chatters, collapsed in a wave
        self.started = wall()  # /links without a duration: since focus started
        self._init_wait()
        self._init_vetting()
        if writer is not None and writer.ready.is_set():
            self.loaded()

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
            self._renderer().hide_quote(m.message_id)

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
        if not self._bound:  # the view is built lazily (after the subscriptions): give it the colors once
            self._renderer().mention_colors = self.colors
            self._bound = True
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
            self._renderer().mark_first(m.message_id)
        return True

    def _show(self, m: Any) -> None:
        """A message that waited (for the known chatters, Twitch's answer, or /release) goes on screen as the main
        loop shows chat: the input line's recent chat learns it too, so /delete and /reply find what the stream
        just saw (the history still has it held until the writer's next batch).  A held text shows as its whole
        moment, straight to the terminal: the presenter would take it for a late twin of what was shown."""
        if type(m) is not ChatMessage:
            filters = self._presenter().filters  # a released cheer or redemption, as the presenter would draw it
            if filters.hidden(m):
                return
            self._renderer().mark = filters.highlighted(m)
            line = self._renderer().event(m)
            if line is not None:
                self.terminal.line(line, None, self._renderer().last_rows)
            return
        self._guard_quote(m)
        self._unshown.pop(m.message_id, None)
        if self._presenter().show(m, time.monotonic()):  # False: the streamer's filters hide it
            self.shown(m)

    def settle(self) -> None:
        """The main loop wrote the terminal: queue the rows that waited for that (HistoryWriter.put_chat_later)."""
        if self.writer is not None:
            self.writer.settle()

    def _keep(self, m: ChatMessage, now: float) -> bool:
        """Hold `m` (stored marked held; its chatter stays unknown until released)."""
        if self.writer is not None:
            self.writer.put(self.wall(), m, held=True)
        self._hold(m, now)
        return False

    def _unshow(self, message_id: str) -> None:
        unshown = self._unshown
        unshown[message_id] = None
        if len(unshown) > UNSHOWN:
            del unshown[next(iter(unshown))]

    def _moderated(self, event: Any) -> None:
        """Moderation done outside this focus also removes what the hold queue keeps."""
        hold = self.hold
        assert hold is not None
        if isinstance(event, (ChannelBan, ClearUserMessages)):
            who = event.user if isinstance(event, ChannelBan) else event.target
            entry = hold.forget_user(who.id)
            if entry is not None and entry.count:
                self.terminal.line(self._renderer().quiet(
                    f"discarded {entry.count} held message{'' if entry.count == 1 else 's'} from "
                    f"{entry.name or entry.login} (removed on Twitch)"))
                self.on_guard(True)
        elif isinstance(event, MessageDelete):
            hold.forget_message(event.target.id, event.message_id)
        elif isinstance(event, ChatClear):
            hold.forget_all()
            self.on_guard(True)

    def _say_learning(self) -> None:
        if self.holding:
            days = "" if self.follow_days is None else f" and followers of {self.follow_days:g}+ days"
            self.terminal.line(self._renderer().quiet(
                f"the history knows no chatter of this channel yet: the hold queue lets through the broadcaster, "
                f"moderators, VIPs{days}; first-time marks start with the next run"))

    def _hold(self, m: Any, now: float, log: bool = True) -> None:
        hold = self.hold
        assert hold is not None
        who = held_user(m)
        evicted, before = hold.evicted, len(hold)
        if type(m) is ChatMessage:
            self._unshow(m.message_id)
        if not self._one_report(who.id, m, now):
            return  # its richer twin holds the text already
        entry = hold.hold(who.id, who.login, who.name, m, now)
        if self.private is not None:  # the text, readable in the private terminal, with what decides it
            self.private.held(who.login, who.name, text_of(m), message_id=getattr(m, "message_id", ""),
                              what="" if type(m) is ChatMessage else type(m).__name__)
        if log:
            self.devlog.put(record("held", self.wall(), login=who.login, user_id=who.id,
                                   message_id=getattr(m, "message_id", ""), text=text_of(m),
                                   **({} if type(m) is ChatMessage else {"event": type(m).__name__})))
        r = self._renderer()
        if hold.evicted != evicted and not self._told_full:  # once: a wave of new accounts keeps it full
            self._told_full = True
            self.devlog.put(record("lifecycle", self.wall(), event="hold_queue_full", chatters=len(hold)))
            self.terminal.line(r.quiet(f"hold queue full ({len(hold)} new chatters): the longest held are dropped "
                                       "unseen to make room (the devlog has their text)"))
        name = who.name or who.login
        n = entry.total  # every message held from them, not only those the bounds kept
        if n == 1 and not self.wave.add(name, now):  # a wave of new accounts: one summary line per 10 s
            entry.quiet = True
        if len(hold) != before:
            self.on_guard(True)
        if entry.quiet:
            return
        line = r.quiet(f"held: new chatter {name} ({n} message{'' if n == 1 else 's'}): "
                       f"/release {who.login} or /ban {who.login}")
        key = ("held", who.id)
        # One line per chatter: rewritten in place where the terminal allows; elsewhere a new line
        # at 1, 2, 4, 8... messages, so a spam bot cannot flood the stream with placeholders either.
        if n == 1 or not self.terminal.replace(key, line, r.last_rows) and n & (n - 1) == 0:
            self.terminal.line(line, key, r.last_rows)

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
        r = self._renderer()
        names = self.wave.due(now)
        if names:
            n = len(names)
            shown = ", ".join(names[:5]) + (", …" if n > 5 else "")
            self.terminal.line(r.quiet(f"held {n} new chatter{'' if n == 1 else 's'} in {self.wave.window:g} s: "
                                       f"{shown} (/release USER or /ban USER)"))
        before = len(self.hold)
        for entry, gone in self.hold.expire(now):
            name = entry.name or entry.login
            self.terminal.line(r.quiet(f"dropped {gone} held message{'' if gone == 1 else 's'} from {name} "
                                       f"(not released within {self.hold.ttl / 60:g} min)"))
        if len(self.hold) != before:
            self.on_guard(True)

    # -- the hold queue's commands -------------------------------------------------

    def release(self, who: str, why: str = "") -> list[str]:
        """/release USER: show their held messages in order; they are known from now on.  `why`: said in the line
        (a follow age that came late)."""
        if not who:  # /release alone: who is held, the most recent first
            held = self.hold.logins() if self.hold is not None else []
            return [f"held ({len(held)}): {', '.join(held[:20])}{', …' if len(held) > 20 else ''} (/release USER)"
                    if held else "nobody is held"]
        entry = self.hold.release(who) if self.hold is not None else None
        if entry is None:
            return [f"nobody named {who} is held"]
        self.on_guard(True)
        for _, m in entry.messages:
            self._show(m)
        chats = [m for _, m in entry.messages if type(m) is ChatMessage]
        if self.writer is not None:
            channel = chats[-1].broadcaster.id if chats else self.channel
            known = self.writer.known.get(channel)
            if known is not None:
                known.add(entry.user_id)
            self.writer.put(self.wall(), Released(channel, entry.user_id, entry.login, entry.name,
                                                  chats[-1].color if chats else "",
                                                  tuple(m.message_id for m in chats)))
        line = f"released {entry.name or entry.login} ({entry.count} message{'' if entry.count == 1 else 's'})"
        if why:
            line += f": {why}"
        lost = entry.total - entry.count
        if lost > 0:
            line += f"; {lost} more {'was' if lost == 1 else 'were'} dropped unseen (too old, too many, or removed)"
        return [line]

    def discard(self, who: str) -> HeldChatter | None:
        """/ban USER: their held messages are dropped (the ban itself is the moderation command's)."""
        entry = self.hold.discard(who) if self.hold is not None else None
        if entry is not None:
            self.on_guard(True)
        return entry
