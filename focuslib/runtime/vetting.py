"""Who may reach the stream with their first words, and through which doors: the hold queue's vetting.

A part of runtime/memory.ChatMemory.  While the hold queue guards (--hold-new,
or /shield), a chatter is known, and shown, when any of these holds -- from a
streamer's first run on, an empty history included:
* the history has an earlier message of theirs in this channel;
* they carry a broadcaster, moderator or VIP badge, or the channel's lists say
  they are one (a subscriber badge proves nothing: gifted subs reach bots);
* they have followed the channel for FOCUS_HOLD_FOLLOW_DAYS (not while shielded):
  one paced Helix call per chatter (runtime/followage.py), remembered for the
  run and in the history.
While Twitch is asked (at most `follow_wait`, 2 s) their messages wait off
screen; no answer in time, or a failing Helix, and they are held -- fail safe,
said once in a quiet line.  An answer that comes later and vouches for them
lets what was held through, with a line saying why.

Chat is not the only door: a newcomer's cheer, redemption or resub text is held
too (runtime/doors.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from focuslib.devlog.pipe import record
from focuslib.runtime.guard import Guard
from focuslib.runtime.loading import removed_by
from focuslib.runtime.memory_records import FirstTime, Quiet, Record
from focuslib.store.known import KnownUsers
from focuslib.store.writer import FollowAge
from focuslib.twitch.events import ChatMessage

if TYPE_CHECKING:
    from focuslib.runtime.followage import FollowChecker
    from focuslib.runtime.hold import HoldQueue
    from focuslib.store.writer import HistoryWriter

DAY = 86_400.0
FOLLOW_WAIT = 2.0  # seconds a new chatter's messages wait off screen for Twitch's answer, at most
MAX_AGES = 50_000  # follow ages remembered this run (the oldest answers go first)
_MISSING = object()


@dataclass
class Pending:
    """A new chatter whose follow age Twitch is asked for: their messages wait here, off screen."""

    deadline: float
    messages: list[tuple[ChatMessage, float, float]] = field(default_factory=list)  # (message, clock, wall time)


class Vetting:
    writer: HistoryWriter | None
    hold: HoldQueue | None
    hold_new: bool
    devlog: Any
    wall: Callable[[], float]
    post: Callable[[Callable[[], None]], None]
    out: list[Record]  # what the App draws (runtime/memory_records.py)
    _known_ok: bool
    _learning: set[str]

    if TYPE_CHECKING:  # what ChatMemory provides (for the type checker only: never stubs in the MRO)
        def _keep(self, m: Any, now: float) -> bool: ...
        def _hold(self, m: Any, now: float, log: bool = True) -> None: ...
        def _show(self, m: Any) -> None: ...
        def _unshow(self, message_id: str) -> None: ...
        def release(self, who: str, why: str = "") -> list[str]: ...
        def on_guard(self, held_only: bool) -> None: ...
        def show_lines(self, lines: list[str]) -> None: ...

    def _init_vetting(self) -> None:
        self.shielded = False
        self.follow_days: float | None = None  # None: follow age vouches for nobody (no checker, or turned off)
        self.follow_wait = FOLLOW_WAIT
        self.checker: FollowChecker | None = None
        self.channel = ""  # the broadcaster id the checker asks about
        self._pending: dict[str, Pending] = {}
        self._ages: dict[str, float | None] = {}  # user id -> followed_at (None: not following), this run's answers
        self._trusted_ids: set[str] = set()  # moderators and VIPs by the channel's lists or a badge seen
        self._told_unvetted = False

    @property
    def holding(self) -> bool:
        """Whether new chatters are held now (--hold-new, or /shield)."""
        return self.hold is not None and (self.hold_new or self.shielded)

    def set_shield(self, on: bool) -> str:
        """/shield's hold step (main thread): everyone new is held while shielded, follow age aside; off puts the
        hold queue back to what --hold-new says.  The line says what holds now."""
        if self.hold is None:
            return "the hold queue needs the history, which is off: new chatters are not held (--no-history)"
        changed, self.shielded = on != self.shielded, on
        if changed:
            self.on_guard(False)
        if on:
            return "hold queue on for everyone new: only the history or a badge lets a chatter through while shielded"
        if self.hold_new:
            days = self.follow_days
            return "hold queue back to --hold-new" + (f": a follow of {days:g} days lets a chatter through"
                                                      if days is not None else "")
        return "hold queue off again: new chatters reach the stream (those held stay held until /release)"

    def guard(self) -> Guard:
        return Guard(len(self.hold) if self.hold is not None else 0, self.shielded)

    # -- set-up --------------------------------------------------------------------------------------------

    def vet_with(self, checker: FollowChecker | None, channel: str, days: float | None) -> None:
        """Follow ages vouch from now on (None checker or days: they vouch for nobody; the hold asks history and
        badges only)."""
        self.checker, self.channel = checker, channel
        self.follow_days = days if checker is not None else None

    def trusted(self, ids: set[str]) -> None:
        """The channel's moderators and VIPs (main thread, from the checker's first look)."""
        self._trusted_ids |= ids

    # -- chat ---------------------------------------------------------------------------------------------------

    def _vet(self, m: ChatMessage, now: float, known: KnownUsers) -> bool:
        """An unknown chatter without a trusted badge, while the hold queue guards: shown when they have followed
        long enough; held otherwise; while Twitch is asked, their messages wait off screen."""
        uid = m.chatter.id
        pending = self._pending.get(uid)
        if pending is not None:
            pending.messages.append((m, now, self.wall()))
            self._waits(m)
            return False
        verdict = self._verdict(uid)
        if verdict:
            return self._vouched(m, known, self.wall())
        if verdict is None and self.checker is not None and self.checker.ask(uid):
            self._pending[uid] = Pending(now + self.follow_wait, [(m, now, self.wall())])
            self._waits(m)
            return False
        if verdict is None:
            self._tell_unvetted()
        return self._keep(m, now)

    def _waits(self, m: ChatMessage) -> None:
        self._unshow(m.message_id)
        self.devlog.put(record("held", self.wall(), login=m.chatter.login, user_id=m.chatter.id,
                               message_id=m.message_id, text=m.text, waiting="follow age"))

    def _verdict(self, uid: str) -> bool | None:
        """Has `uid` followed long enough?  None: nobody knows yet (Twitch may be asked)."""
        if self.shielded or self.follow_days is None:
            return False
        followed: Any = self._ages.get(uid, _MISSING)
        if followed is _MISSING and self.writer is not None and self.writer.ready.is_set():
            followed = self.writer.follows.get(self.channel, {}).get(uid, _MISSING)
        if followed is _MISSING:
            return None
        return followed is not None and self.wall() - followed >= self.follow_days * DAY

    def _vouched(self, m: ChatMessage, known: KnownUsers, wall: float) -> bool:
        """`m`'s chatter is known from now on (their row stored shown makes it so in the history too)."""
        if self.writer is not None:
            self.writer.put(wall, m)
        known.add(m.chatter.id)
        if m.broadcaster.id not in self._learning:
            self.out.append(FirstTime(m.message_id))
        return True

    def _tell_unvetted(self) -> None:
        if not self._told_unvetted:
            self._told_unvetted = True
            self.out.append(Quiet(
                "hold queue: Twitch did not say in time how long new chatters have followed you (slow, failing "
                "or a wave of them): they are held; /release USER lets one through"))

    # -- Twitch's answers (main thread) ----------------------------------------------------------------------

    def follow_answer(self, uid: str, followed_at: float | None) -> None:
        ages = self._ages
        ages.pop(uid, None)
        ages[uid] = followed_at
        if len(ages) > MAX_AGES:
            del ages[next(iter(ages))]
        if self.writer is not None:
            self.writer.put(self.wall(), FollowAge(self.channel, uid, followed_at))
        self._decide(uid, self._verdict(uid) is True, followed_at)

    def follow_failed(self, uid: str, why: str) -> None:
        self.devlog.put(record("error", self.wall(), where="follow age", user_id=uid, error=why))
        self._tell_unvetted()
        self._decide(uid, False, None)

    def _decide(self, uid: str, ok: bool, followed_at: float | None) -> None:
        pending = self._pending.pop(uid, None)
        known = self.writer.known.get(self.channel) if self.writer is not None else None
        if pending is not None:
            for m, t, wall in pending.messages:
                if ok and known is not None:
                    self._vouched(m, known, wall)
                    self._show(m)
                else:
                    self._keep(m, t)
        if ok and self.hold is not None:  # held meanwhile (a late answer, a cheer first or while Twitch was asked)
            entry = self.hold.by_id(uid)
            if entry is not None:
                days = (self.wall() - (followed_at or 0)) / DAY
                self.show_lines(self.release(entry.login, f"following you for {days:,.0f} days"))

    def expire_pending(self, now: float) -> None:
        """Chatters Twitch did not answer for in time are held (fail safe)."""
        for uid, p in [(u, p) for u, p in self._pending.items() if now >= p.deadline]:
            del self._pending[uid]
            self._tell_unvetted()
            for m, t, _ in p.messages:
                self._keep(m, t)

    def _moderated_pending(self, event: Any) -> None:
        """Moderation done on Twitch while a chatter waits for their follow age: what it removed is never shown;
        it is stored held, before the event (which flags it)."""
        gone = removed_by(event)
        if gone is None:
            return
        for uid, pending in list(self._pending.items()):
            keep = []
            for item in pending.messages:
                if not gone(item[0]):
                    keep.append(item)
                elif self.writer is not None:
                    self.writer.put(item[2], item[0], held=True)
            pending.messages = keep
            if not keep:
                del self._pending[uid]

    def pending_deadline(self) -> float | None:
        return min((p.deadline for p in self._pending.values()), default=None)
