"""Chat memory in the running focus: what the main thread does with history, on the chat path.

For every event the session shows, `admit` (main thread, no SQLite):
* hands it to the history writer (a non-blocking enqueue);
* for a chat message: remembers the chatter's color for @mentions (bounded),
  asks the in-memory known-users set whether this is their first message in
  the channel -- a first-timer is marked on screen, or, with --hold-new, held
  off the stream (runtime/hold.py) with one neutral placeholder line while the
  text goes to the devlog only.
The hold queue fails safe: while the known chatters are still loading (a slow
or locked database) every chatter waits, unseen, until the list is there; a
held chatter stays held whatever the database does meanwhile; when it cannot
work at all (the history failed before it knew anyone), it says so in one line.
`deadline`/`tick` expire held messages on the main loop's own wait.  /release
and /ban are methods here returning lines; /history, /questions, /done and
/links come from runtime/recall.py.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from focuslib import threads
from focuslib.devlog.pipe import record
from focuslib.runtime.hold import HeldChatter, HoldQueue
from focuslib.runtime.recall import Recall
from focuslib.store import queries
from focuslib.store import report
from focuslib.store.known import KnownUsers
from focuslib.store.schema import StoreError, open_read
from focuslib.store.writer import HistoryWriter, Released
from focuslib.twitch.events import ChannelBan, ChatClear, ChatMessage, ClearUserMessages, MessageDelete
from focuslib.view.terminal import Terminal

if TYPE_CHECKING:
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer

MENTION_COLORS = 4_096  # logins whose chat color @mentions use (bounded; the oldest go first)
TRUSTED = frozenset({"broadcaster", "moderator", "vip"})  # never held, even on their first message
UNSHOWN = 4_096  # ids of held messages remembered so that a reply never quotes one (bounded)
MAX_WAIT = 10.0  # seconds chat waits for the known chatters; then it flows, said in one line (never a stalled chat)
MAX_WAITING = 5_000  # messages kept while the known chatters load (the rest are dropped unseen, and counted)


class ChatMemory(Recall):
    def __init__(self, writer: HistoryWriter | None, *, hold_minutes: float | None = None,
                 renderer: Callable[[], Renderer], presenter: Callable[[], Presenter], terminal: Terminal,
                 devlog: Any, wall: Callable[[], float] = time.time) -> None:
        self.writer = writer
        self.hold = HoldQueue(hold_minutes * 60) if hold_minutes is not None and writer is not None else None
        self.colors: dict[str, str] = {}
        self._renderer = renderer
        self._presenter = presenter
        self.terminal = terminal
        self.devlog = devlog
        self.wall = wall
        self._listed: list[int] = []  # row ids of the last /questions, for /done N
        self._learning: set[str] = set()  # channels whose history began with this run
        self._bound = False
        self.post: Callable[[Callable[[], None]], None] = lambda fn: fn()  # run on the main thread (the App's inbox)
        self.warn: Callable[[str], None] = lambda text: None  # a warning line, in the App's order (set by start_memory)
        self.shown: Callable[[Any], None] = lambda event: None  # the App's on_show: the input line's recent chat
        self._loaded = False  # loaded() ran after the writer was ready
        self._known_ok = False  # the known chatters were loaded (the history did not fail before that)
        self._waiting: list[tuple[ChatMessage, float]] = []  # held while the known chatters load, in order
        self._waiting_dropped = 0
        self.max_waiting = MAX_WAITING
        self.max_wait = MAX_WAIT
        self._wait_until: float | None = None  # when what waits is shown anyway (main loop clock)
        self._paused = False  # the load took longer than max_wait: nobody is held until it is done
        self._waiter: threading.Thread | None = None
        self._told_full = False
        self._unshown: dict[str, None] = {}  # message ids held and not (yet) shown, oldest first
        self.started = wall()  # /links without a duration: since focus started
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
        if self.hold is not None and not self._known_ok:
            self.warn("the hold queue is off without the history: first-time chatters reach the stream "
                      "(those already held stay held)")

    # -- the chat path -------------------------------------------------------------

    def admit(self, event: Any, now: float) -> bool:
        """Record `event`; False when it must not reach the screen (a held first-time chatter)."""
        writer = self.writer
        if type(event) is not ChatMessage:
            if self._waiting:  # before the event is stored: it flags what it removed
                self._moderated_waiting(event)
            if writer is not None:
                writer.put(self.wall(), event)
            if self.hold is not None and len(self.hold):
                self._moderated(event)
            return True
        m: ChatMessage = event
        if not self._bound:  # the view is built lazily (after the subscriptions): give it the colors once
            self._renderer().mention_colors = self.colors
            self._bound = True
        reply = m.reply
        if reply is not None and (reply.parent_message_id in self._unshown or (
                self.hold is not None and self.hold.is_held(reply.parent_user.id))):
            self._renderer().hide_quote(m.message_id)  # Twitch quotes the parent in every reply
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
        if hold is not None and (self._waiting or not writer.ready.is_set()) and not self._trusted(m) \
                and not self._paused:
            return self._wait_for_known(m, now)
        if not writer.ready.is_set():
            writer.put(self.wall(), m)
            return True
        self.loaded()
        if not self._known_ok:  # the history failed before it knew anyone: nobody can be told apart
            return True
        known = writer.known.get(m.broadcaster.id)
        if known is None:  # a history that knows nobody here cannot tell newcomers from regulars: it learns
            known = writer.known[m.broadcaster.id] = KnownUsers()
            self._learning.add(m.broadcaster.id)
            self._say_learning()
        if uid in known:  # a regular: the common case, one look-up
            writer.put(self.wall(), m)
            return True
        if not uid or m.broadcaster.id in self._learning:
            writer.put(self.wall(), m)
            known.add(uid)
            return True
        if hold is not None and not self._trusted(m):
            return self._keep(m, now)
        writer.put(self.wall(), m)
        known.add(uid)
        self._renderer().mark_first(m.message_id)
        return True

    def _show(self, m: ChatMessage) -> None:
        """A message that waited (for the known chatters, or for /release) goes on screen as the main loop shows
        chat: the input line's recent chat learns it too, so /delete and /reply find what the stream just saw
        (the history still has it held until the writer's next batch)."""
        self._unshown.pop(m.message_id, None)
        self._presenter().show(m, time.monotonic())
        self.shown(m)

    def settle(self) -> None:
        """The main loop wrote the terminal: queue the rows that waited for that (HistoryWriter.put_chat_later)."""
        if self.writer is not None:
            self.writer.settle()

    @staticmethod
    def _trusted(m: ChatMessage) -> bool:
        return any(b.set_id in TRUSTED for b in m.badges)

    def _keep(self, m: ChatMessage, now: float) -> bool:
        """Hold `m` (stored marked held; its chatter stays unknown until released)."""
        if self.writer is not None:
            self.writer.put(self.wall(), m, held=True)
        self._hold(m, now)
        return False

    def _wait_for_known(self, m: ChatMessage, now: float) -> bool:
        """The known chatters are still loading: nobody can be told apart yet, so everyone waits (off screen)
        rather than newcomers passing unheld; `_known_loaded` sorts them once the list is there."""
        self._unshow(m.message_id)
        if len(self._waiting) >= self.max_waiting:
            self._waiting_dropped += 1
        else:
            self._waiting.append((m, now))
        self.devlog.put(record("held", self.wall(), login=m.chatter.login, user_id=m.chatter.id,
                               message_id=m.message_id, text=m.text, waiting="known chatters loading"))
        if self._wait_until is None:
            self._wait_until = now + self.max_wait
        if self._waiter is None:
            writer = self.writer
            assert writer is not None
            self.terminal.line(self._renderer().quiet(
                "hold queue: chat waits until the history has loaded the known chatters (slow database)"))

            def wait() -> None:  # the writer always sets `ready`: loaded, or failed
                writer.ready.wait()
                self.post(self._known_loaded)

            self._waiter = threading.Thread(target=wait, name="history-known-wait", daemon=True)
            threads.start(self._waiter)
        return False

    def _known_loaded(self) -> None:
        """Main thread, once the writer is ready: what waited is shown (regulars) or held (newcomers), in order.
        If the history failed instead, everything that waited stays held: nobody vetted it."""
        waiting, self._waiting = self._waiting, []
        self._wait_until = None
        if self._paused:
            self._paused = False
            if self.writer is not None and self.writer.failed is None:
                self.terminal.line(self._renderer().quiet("hold queue on again: the known chatters are loaded"))
        self.loaded()
        for m, t in waiting:
            if not self._known_ok:
                self._hold(m, t, log=False)
            elif self.admit(m, t):
                self._show(m)
        if self._waiting_dropped:
            n, self._waiting_dropped = self._waiting_dropped, 0
            self.terminal.line(self._renderer().quiet(
                f"dropped {n:,} message{'' if n == 1 else 's'} unseen while the known chatters loaded "
                "(the devlog has them)"))

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
        elif isinstance(event, MessageDelete):
            hold.forget_message(event.target.id, event.message_id)
        elif isinstance(event, ChatClear):
            hold.forget_all()

    def _moderated_waiting(self, event: Any) -> None:
        """Moderation done on Twitch while chat waits for the known chatters: what it removed is never shown
        when the wait ends (nor held for a /release); it is stored held, so the event flags it."""
        if isinstance(event, (ChannelBan, ClearUserMessages)):
            who = (event.user if isinstance(event, ChannelBan) else event.target).id
            gone: Callable[[ChatMessage], bool] = lambda m: m.chatter.id == who  # noqa: E731
        elif isinstance(event, MessageDelete):
            gone = lambda m: m.message_id == event.message_id  # noqa: E731
        elif isinstance(event, ChatClear):
            gone = lambda m: True  # noqa: E731
        else:
            return
        keep = []
        for m, t in self._waiting:
            if not gone(m):
                keep.append((m, t))
            elif self.writer is not None:
                self.writer.put(self.wall(), m, held=True)
        self._waiting = keep
        if not keep:
            self._wait_until = None  # nothing waits: no deadline for it (the next message sets its own)

    def _say_learning(self) -> None:
        if self.hold is not None:
            self.terminal.line(self._renderer().quiet(
                "the history knows no chatter of this channel yet: first-time marks and the hold queue "
                "start with the next run"))

    def _hold(self, m: ChatMessage, now: float, log: bool = True) -> None:
        hold = self.hold
        assert hold is not None
        evicted = hold.evicted
        self._unshow(m.message_id)
        entry = hold.hold(m.chatter.id, m.chatter.login, m.chatter.name, m, now)
        if log:
            self.devlog.put(record("held", self.wall(), login=m.chatter.login, user_id=m.chatter.id,
                                   message_id=m.message_id, text=m.text))
        r = self._renderer()
        if hold.evicted != evicted and not self._told_full:  # once: a wave of new accounts keeps it full
            self._told_full = True
            self.devlog.put(record("lifecycle", self.wall(), event="hold_queue_full", chatters=len(hold)))
            self.terminal.line(r.quiet(f"hold queue full ({len(hold)} new chatters): the longest held are dropped "
                                       "unseen to make room (the devlog has their text)"))
        name = m.chatter.name or m.chatter.login
        n = entry.total  # every message held from them, not only those the bounds kept
        line = r.quiet(f"held: new chatter {name} ({n} message{'' if n == 1 else 's'}): "
                       f"/release {m.chatter.login} or /ban {m.chatter.login}")
        key = ("held", m.chatter.id)
        # One line per chatter: rewritten in place where the terminal allows; elsewhere a new line
        # at 1, 2, 4, 8... messages, so a spam bot cannot flood the stream with placeholders either.
        if n == 1 or not self.terminal.replace(key, line, r.last_rows) and n & (n - 1) == 0:
            self.terminal.line(line, key, r.last_rows)

    def deadline(self) -> float | None:
        held = self.hold.deadline() if self.hold is not None else None
        waits = self._wait_until
        return waits if held is None or (waits is not None and waits < held) else held

    def _stop_waiting(self) -> None:
        """The known chatters took longer than max_wait: chat must not stall, so what waited is shown and
        nobody is held until they are loaded -- said first, in one line."""
        self._wait_until = None
        self._paused = True
        self.terminal.line(self._renderer().quiet(
            "hold queue paused: the history is still loading (locked or slow database), so new chatters "
            "reach the stream until it is"))
        waiting, self._waiting = self._waiting, []
        for m, t in waiting:
            if self.admit(m, t):
                self._show(m)

    def tick(self, now: float) -> None:
        """Drop held messages past FOCUS_HOLD_MINUTES, one quiet line per chatter."""
        if self.hold is None:
            return
        if self._wait_until is not None and now >= self._wait_until and self._waiting:
            self._stop_waiting()
        r = self._renderer()
        for entry, gone in self.hold.expire(now):
            name = entry.name or entry.login
            self.terminal.line(r.quiet(f"dropped {gone} held message{'' if gone == 1 else 's'} from {name} "
                                       f"(not released within {self.hold.ttl / 60:g} min)"))

    # -- the hold queue's commands -------------------------------------------------

    def release(self, who: str) -> list[str]:
        """/release USER: show their held messages in order; they are known from now on."""
        entry = self.hold.release(who) if self.hold is not None else None
        if entry is None:
            return [f"nobody named {who} is held"]
        for _, m in entry.messages:
            self._show(m)
        last: ChatMessage | None = entry.messages[-1][1] if entry.messages else None
        if self.writer is not None and last is not None:
            channel = last.broadcaster.id
            known = self.writer.known.get(channel)
            if known is not None:
                known.add(entry.user_id)
            self.writer.put(self.wall(), Released(channel, entry.user_id, entry.login, entry.name, last.color,
                                                  tuple(m.message_id for _, m in entry.messages)))
        line = f"released {entry.name or entry.login} ({entry.count} message{'' if entry.count == 1 else 's'})"
        lost = entry.total - entry.count
        if lost > 0:
            line += f"; {lost} more {'was' if lost == 1 else 'were'} dropped unseen (too old, too many, or removed)"
        return [line]

    def discard(self, who: str) -> HeldChatter | None:
        """/ban USER: their held messages are dropped (the ban itself is the moderation command's)."""
        return self.hold.discard(who) if self.hold is not None else None

# -- set-up and tear-down (called from runtime/setup.py) ------------------------------------

READY_WAIT = 2.0  # seconds focus waits, after the token check, for the known chatters to load


def start_memory(data_dir: Any, *, days: int, hold_minutes: float | None, app: Any, devlog: Any) -> ChatMemory:
    """Start the history writer (it opens the database while the token is checked) and hook it to `app`."""
    from focuslib.runtime.inbox import Call, NoticeText
    from focuslib.store.schema import db_path

    def report(line: str, detail: str) -> None:  # the writer thread: one line on screen, the rest to the devlog
        devlog.put(record("error", time.time(), where="history", error=line, traceback=detail))
        app.inbox.put(NoticeText(line))

    writer = HistoryWriter(db_path(data_dir), days=days, report=report).start()
    memory = app.memory = ChatMemory(writer, hold_minutes=hold_minutes, renderer=lambda: app.renderer,
                                     presenter=lambda: app.presenter, terminal=app.terminal, devlog=devlog)
    memory.post = lambda fn: app.inbox.put(Call(fn))
    memory.warn = lambda text: app.inbox.put(NoticeText(text))
    # app.on_show is set later in set-up (once the input line exists), so it is looked up at each call.
    memory.shown = lambda event: app.on_show(event) if app.on_show is not None else None
    return memory


def memory_ready(memory: ChatMemory | None) -> None:
    """Wait (bounded) for the known chatters, so nobody is held or marked on a half-loaded list."""
    if memory is not None and memory.writer is not None:
        memory.writer.ready.wait(READY_WAIT)
        memory.loaded()


def stop_memory(memory: ChatMemory | None, started: float | None, out: Any) -> None:
    """Flush the history, then print the recap of this run on stdout (for the streamer's notes)."""
    if memory is None or memory.writer is None:
        return
    writer = memory.writer
    for m, _ in memory._waiting:  # still waiting for the known chatters: stored held, like what the queue kept
        writer.put(time.time(), m, held=True)
    memory._waiting.clear()
    writer.stop()
    if writer.dropped:
        memory.devlog.put(record("lifecycle", time.time(), event="history_dropped", count=writer.dropped))
    if writer.failed is not None or not writer.ready.is_set() or started is None:
        return
    try:
        conn = open_read(writer.path)
        try:
            recap = queries.recap(conn, started, time.time())
        finally:
            conn.close()
        out.write("\n".join(report.recap_lines(recap)) + "\n")
        out.flush()
    except (StoreError, OSError, ValueError, sqlite3.Error):
        pass  # the recap is a courtesy; `focus.py recap` answers with the reason
