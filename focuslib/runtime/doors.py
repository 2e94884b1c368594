"""The doors other than chat through which a held or not yet known chatter's text could reach the stream.

A part of runtime/memory.ChatMemory, beside the vetting (runtime/vetting.py) it asks.  A cheer's message, a
channel-points redemption's input, a resub, watch-streak or gift message, a power-up's or built-in reward's
text: for a chatter the hold queue holds, or does not know yet, the moment is shown without the text
(`♦ Name cheered 100 bits (message held)`, the renderer's `withhold`), and the text joins their chat in the hold
queue for /release -- once: Twitch reports a cheer three times (chat, bits use, cheer), a resub twice, a reward's
text as redemption and chat; the richest report is the one kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from focuslib.runtime.memory_records import Record, Withheld
from focuslib.twitch.events import (ANONYMOUS_CHEERER, AutomaticReward, BitsUse, ChatMessage, ChatNotification,
                                    Cheer, Redemption, SubscriptionMessage, User)

if TYPE_CHECKING:
    from focuslib.runtime.followage import FollowChecker
    from focuslib.runtime.hold import HoldQueue
    from focuslib.runtime.vetting import Pending
    from focuslib.store.writer import HistoryWriter

TRUSTED = frozenset({"broadcaster", "moderator", "lead_moderator", "vip"})  # never held, even on their first message
SAME_TEXT = 30.0  # seconds within which the same text from the same chatter is one moment (a cheer's three reports)


class Door(NamedTuple):
    """A kind of event that carries a user's own text: who wrote it, the text, and the event without it."""

    user: Callable[[Any], User]
    text: Callable[[Any], str]
    strip: Callable[[Any], Any]


def _anonymous_or(user: Callable[[Any], User]) -> Callable[[Any], User]:
    return lambda e: User("", ANONYMOUS_CHEERER, "AnAnonymousCheerer") if e.anonymous else user(e)


DOORS: dict[type, Door] = {
    Cheer: Door(_anonymous_or(lambda e: e.user), lambda e: e.message, lambda e: e._replace(message="")),
    BitsUse: Door(_anonymous_or(lambda e: e.user), lambda e: e.text, lambda e: e._replace(text="", fragments=())),
    Redemption: Door(lambda e: e.user, lambda e: e.user_input, lambda e: e._replace(user_input="")),
    AutomaticReward: Door(lambda e: e.user, lambda e: e.text, lambda e: e._replace(text="")),
    SubscriptionMessage: Door(lambda e: e.user, lambda e: e.text, lambda e: e._replace(text="", emotes=())),
    ChatNotification: Door(lambda e: e.chatter, lambda e: e.text, lambda e: e._replace(text="", fragments=())),
}


class Doors:
    writer: HistoryWriter | None
    hold: HoldQueue | None
    checker: FollowChecker | None
    channel: str
    _pending: dict[str, Pending]
    _trusted_ids: set[str]
    out: list[Record]  # what the App draws (runtime/memory_records.py)

    if TYPE_CHECKING:  # what ChatMemory and Vetting provide (for the type checker only: never stubs in the MRO)
        @property
        def holding(self) -> bool: ...
        def _verdict(self, uid: str) -> bool | None: ...
        def _hold(self, m: Any, now: float, log: bool = True) -> None: ...

    def _door(self, event: Any, now: float) -> Any:
        """`event` as it may be shown: without its text when that text must wait in the hold queue."""
        door = DOORS.get(type(event))
        if door is None or not door.text(event).strip():
            return event
        user = door.user(event)
        if not self._withhold(event, user):
            return event
        stripped = door.strip(event)
        self.out.append(Withheld(stripped))  # the renderer marks it `(message held)`
        self._hold_text(event, user, door.text(event), now)
        return stripped

    def _withhold(self, event: Any, user: User) -> bool:
        hold = self.hold
        if hold is None or (user.id and user.id == self.channel):  # the broadcaster's own text
            return False
        uid = user.id or ANONYMOUS_CHEERER
        if hold.is_held(uid) or uid in self._pending:
            return True
        if not self.holding or uid in self._trusted_ids or trusted_badge(getattr(event, "badges", ())):
            return False
        writer = self.writer
        if writer is not None and writer.ready.is_set() and writer.failed is not None:
            return False  # the history failed: nobody can be told apart (said once, memory.loaded)
        known = writer.known.get(self.channel) if writer is not None and writer.ready.is_set() else None
        if known is not None and user.id and user.id in known:
            return False
        verdict = self._verdict(uid) if user.id else False
        if verdict is None and self.checker is not None:
            self.checker.ask(uid)  # a later answer that vouches for them releases the text
        return not verdict

    def _hold_text(self, event: Any, user: User, text: str, now: float) -> None:
        """The text joins the chatter's held messages, once: Twitch reports a cheer three times, a resub twice."""
        pending = self._pending.get(user.id or ANONYMOUS_CHEERER)
        if pending is not None and any(m.text == text and not _richer(event, m) for m, _, _ in pending.messages):
            return  # its chat message waits for Twitch's answer: that one is kept
        self._hold(event, now)

    def _one_report(self, uid: str, item: Any, now: float) -> bool:
        """Twitch reports one moment more than once (a cheer as chat, bits use and cheer; a resub as notice and
        event; a reward's text as redemption and chat): the hold queue keeps the text once, from the richest
        report.  False when `item` is the poorer twin of one already held."""
        entry = self.hold.by_id(uid) if self.hold is not None else None
        text = text_of(item)
        if entry is None or not text:
            return True
        same = [(t, x) for t, x in entry.messages if text_of(x) == text and now - t < SAME_TEXT]
        if not same:
            return True
        if not all(_richer(item, x) for _, x in same):
            return False
        entry.messages = [pair for pair in entry.messages if pair not in same]
        entry.total -= len(same)
        return True


def _richer(new: Any, old: Any) -> bool:
    """Of two reports of one moment, whether `new` is the one to keep: a redemption (its title; the chat line it
    sent is hidden behind it), else a chat line (its emotes and cheermotes)."""
    if type(new) is Redemption:
        return True
    return type(new) is ChatMessage and type(old) is not Redemption


def trusted_badge(badges: Any) -> bool:
    """A broadcaster, moderator or VIP badge (a subscriber badge proves nothing: gifted subs reach bots)."""
    return any(b.set_id in TRUSTED for b in badges)


def text_of(item: Any) -> str:
    """The text of a held item (a chat message, or an event whose text is held)."""
    if type(item) is ChatMessage:
        return item.text
    door = DOORS.get(type(item))
    return door.text(item) if door is not None else ""


def held_user(item: Any) -> User:
    """Who wrote a held item; an anonymous cheer's text is kept under Twitch's AnAnonymousCheerer."""
    if type(item) is ChatMessage:
        return item.chatter
    door = DOORS.get(type(item))
    user = door.user(item) if door is not None else User("", "", "")
    return user if user.id else User(ANONYMOUS_CHEERER, user.login, user.name)
