"""The hold queue's side of the chat memory: what is held and what it says, /release and /ban, expiry, a wave.

A part of runtime/memory.ChatMemory (the queue itself, its bounds and look-ups, is runtime/hold.py).  A held
message is stored marked held and goes nowhere near the stream: its text goes to the devlog (and the private
notes), and the stream gets one neutral placeholder per chatter, rewritten in place where the terminal allows.
A wave of new accounts is summed up in one line per window instead.  Everything it has to say is a record on
`out` (runtime/memory_records.py); the App draws it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from focuslib.devlog.pipe import record
from focuslib.runtime.doors import held_user, text_of
from focuslib.runtime.memory_records import Quiet, Reveal, Record
from focuslib.store.writer import Released
from focuslib.twitch.events import ChannelBan, ChatClear, ChatMessage, ClearUserMessages, MessageDelete

if TYPE_CHECKING:
    from focuslib.floodgate import FloodGate
    from focuslib.runtime.hold import HeldChatter, HoldQueue
    from focuslib.runtime.private import Private
    from focuslib.store.writer import HistoryWriter

UNSHOWN = 4_096  # ids of held messages remembered so that a reply never quotes one (bounded)


def held_notice(who_id: str, name: str, login: str, n: int) -> Quiet:
    """A held chatter's placeholder after their `n`th held message: one line per chatter, rewritten in place where
    the terminal allows; elsewhere a new line at 1, 2, 4, 8... messages, so a spam bot cannot flood the stream with
    placeholders either."""
    return Quiet(f"held: new chatter {name} ({n} message{'' if n == 1 else 's'}): /release {login} or /ban {login}",
                  ("held", who_id), replace=n > 1, anew=n & (n - 1) == 0)


def wave_notice(names: list[str], window: float) -> Quiet:
    """The summary of a wave of newly held chatters (their own placeholders stayed quiet)."""
    n = len(names)
    shown = ", ".join(names[:5]) + (", …" if n > 5 else "")
    return Quiet(f"held {n} new chatter{'' if n == 1 else 's'} in {window:g} s: {shown} (/release USER or /ban USER)")


def full_notice(chatters: int) -> Quiet:
    return Quiet(f"hold queue full ({chatters} new chatters): the longest held are dropped unseen to make room "
                  "(the devlog has their text)")


class Holding:
    writer: HistoryWriter | None
    hold: HoldQueue | None
    devlog: Any
    wall: Callable[[], float]
    private: Private | None
    out: list[Record]
    wave: FloodGate[str]
    channel: str
    _on_guard: Callable[[bool], None]

    if TYPE_CHECKING:  # what ChatMemory and Doors provide (for the type checker only: never stubs in the MRO)
        def _one_report(self, uid: str, item: Any, now: float) -> bool: ...
        def _guard_quote(self, m: ChatMessage) -> None: ...

    def _init_holding(self) -> None:
        self.held_logins: tuple[str, ...] = ()  # who is held, most recent first (a snapshot for other threads)
        self._told_full = False
        self._unshown: dict[str, None] = {}  # message ids held and not (yet) shown, oldest first

    def on_guard(self, held_only: bool) -> None:
        """The held count or SHIELD changed (main thread): a snapshot for the input line's thread (/release USER),
        then the App's hook (the status line, the header)."""
        self.held_logins = tuple(self.hold.logins()) if self.hold is not None else ()
        self._on_guard(held_only)

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

    def _show(self, m: Any) -> None:
        """A message that waited (for the known chatters, Twitch's answer, or /release) goes on screen as the main
        loop shows chat (the App draws the record: the input line's recent chat learns it too)."""
        if type(m) is ChatMessage:
            self._guard_quote(m)
            self._unshown.pop(m.message_id, None)
        self.out.append(Reveal(m))

    def _moderated(self, event: Any) -> None:
        """Moderation done outside this focus also removes what the hold queue keeps."""
        hold = self.hold
        assert hold is not None
        if isinstance(event, (ChannelBan, ClearUserMessages)):
            who = event.user if isinstance(event, ChannelBan) else event.target
            entry = hold.forget_user(who.id)
            if entry is not None and entry.count:
                self.out.append(Quiet(f"discarded {entry.count} held message{'' if entry.count == 1 else 's'} from "
                                       f"{entry.name or entry.login} (removed on Twitch)"))
                self.on_guard(True)
        elif isinstance(event, MessageDelete):
            hold.forget_message(event.target.id, event.message_id)
        elif isinstance(event, ChatClear):
            hold.forget_all()
            self.on_guard(True)

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
        if hold.evicted != evicted and not self._told_full:  # once: a wave of new accounts keeps it full
            self._told_full = True
            self.devlog.put(record("lifecycle", self.wall(), event="hold_queue_full", chatters=len(hold)))
            self.out.append(full_notice(len(hold)))
        name = who.name or who.login
        n = entry.total  # every message held from them, not only those the bounds kept
        if n == 1 and not self.wave.add(name, now):  # a wave of new accounts: one summary line per window
            entry.quiet = True
        if len(hold) != before:
            self.on_guard(True)
        if not entry.quiet:
            self.out.append(held_notice(who.id, name, who.login, n))

    def _tick_hold(self, now: float) -> None:
        """Sum up a wave of new chatters; drop held messages past FOCUS_HOLD_MINUTES, one quiet line per chatter."""
        hold = self.hold
        assert hold is not None
        names = self.wave.due(now)
        if names:
            self.out.append(wave_notice(names, self.wave.window))
        before = len(hold)
        for entry, gone in hold.expire(now):
            name = entry.name or entry.login
            self.out.append(Quiet(f"dropped {gone} held message{'' if gone == 1 else 's'} from {name} "
                                   f"(not released within {hold.ttl / 60:g} min)"))
        if len(hold) != before:
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
