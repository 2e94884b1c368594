"""Chat while the history is still loading the known chatters: everyone waits, nobody passes unvetted.

A part of runtime/memory.ChatMemory.  With the hold queue guarding, a slow or
locked database at start-up must not let newcomers through because nobody can
be told apart yet: every message waits here (off screen, in order) until the
writer has loaded the chatters the channel has seen, then regulars are shown
and newcomers are vetted.  Chat never stalls for it: after `max_wait` seconds
what waited is shown and nobody is held until the load is done, said in one
line each way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

from focuslib import threads
from focuslib.devlog.pipe import record
from focuslib.runtime.memory_records import Quiet, Record
from focuslib.twitch.events import ChannelBan, ChatClear, ChatMessage, ClearUserMessages, MessageDelete

if TYPE_CHECKING:
    from focuslib.store.writer import HistoryWriter

MAX_WAIT = 10.0  # seconds chat waits for the known chatters; then it flows, said in one line (never a stalled chat)
MAX_WAITING = 5_000  # messages kept while the known chatters load (the rest are dropped unseen, and counted)


def removed_by(event: Any) -> Callable[[ChatMessage], bool] | None:
    """Which waiting messages a moderation event removes (a ban or clear: the chatter's; a delete: that one)."""
    if isinstance(event, (ChannelBan, ClearUserMessages)):
        who = (event.user if isinstance(event, ChannelBan) else event.target).id
        return lambda m: m.chatter.id == who
    if isinstance(event, MessageDelete):
        return lambda m: m.message_id == event.message_id
    if isinstance(event, ChatClear):
        return lambda m: True
    return None


class KnownWait:
    writer: HistoryWriter | None
    devlog: Any
    wall: Callable[[], float]
    post: Callable[[Callable[[], None]], None]
    out: list[Record]  # what the App draws (runtime/memory_records.py)
    _known_ok: bool

    def _init_wait(self) -> None:
        self._waiting: list[tuple[ChatMessage, float]] = []  # held while the known chatters load, in order
        self._waiting_dropped = 0
        self.max_waiting = MAX_WAITING
        self.max_wait = MAX_WAIT
        self._wait_until: float | None = None  # when what waits is shown anyway (main loop clock)
        self._paused = False  # the load took longer than max_wait: nobody is held until it is done
        self._waiter: threading.Thread | None = None

    if TYPE_CHECKING:  # what ChatMemory provides (declared for the type checker only: never stubs in the MRO)
        def admit(self, event: Any, now: float) -> Any: ...
        def loaded(self) -> None: ...
        def _show(self, m: Any) -> None: ...
        def _hold(self, m: Any, now: float, log: bool = True) -> None: ...
        def _unshow(self, message_id: str) -> None: ...

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
            self.out.append(Quiet(
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
                self.out.append(Quiet("hold queue on again: the known chatters are loaded"))
        self.loaded()
        for m, t in waiting:
            if not self._known_ok:
                self._hold(m, t, log=False)
            elif self.admit(m, t) is not None:
                self._show(m)
        if self._waiting_dropped:
            n, self._waiting_dropped = self._waiting_dropped, 0
            self.out.append(Quiet(
                f"dropped {n:,} message{'' if n == 1 else 's'} unseen while the known chatters loaded "
                "(the devlog has them)"))

    def _moderated_waiting(self, event: Any) -> None:
        """Moderation done on Twitch while chat waits for the known chatters: what it removed is never shown
        when the wait ends (nor held for a /release); it is stored held, so the event flags it."""
        gone = removed_by(event)
        if gone is None:
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

    def _stop_waiting(self) -> None:
        """The known chatters took longer than max_wait: chat must not stall, so what waited is shown and
        nobody is held until they are loaded -- said first, in one line."""
        self._wait_until = None
        self._paused = True
        self.out.append(Quiet(
            "hold queue paused: the history is still loading (locked or slow database), so new chatters "
            "reach the stream until it is"))
        waiting, self._waiting = self._waiting, []
        for m, t in waiting:
            if self.admit(m, t) is not None:
                self._show(m)
