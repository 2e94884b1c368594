"""Events -> rows of the history database (pure; the writer thread calls it, never the main thread).

Each kind of event becomes at most one `events` row with its key fields in
fixed columns (who did it, whom it concerns, an amount, a detail), plus the
flags it sets on earlier messages (deleted, cleared) and the stream it opens
or closes.  Chat messages also feed the question and link inboxes.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from focuslib.twitch.events import (ANONYMOUS, BitsUse, ChannelBan, ChannelRaid, ChannelUnban, ChatClear,
                                    ChatMessage, ChatNotification, Cheer, ClearUserMessages, CommunityGiftNotice,
                                    Follow, HypeTrain, MessageDelete, Poll, Prediction, RaidNotice, Redemption,
                                    ShoutoutReceived, StreamOffline, StreamOnline, SubGiftNotice, Subscribe,
                                    SubscriptionGift, SubscriptionMessage, User)
from focuslib.twitch.events_channel import AdBreak

# A URL as people paste it in chat: with a scheme, or starting with www.  It ends at whitespace, quotes,
# angle brackets and at any control, escape, bidi or zero-width character: `https://a.example/x<ESC>[31mred`
# is `https://a.example/x`, never a link the sanitizer would later glue to the text after the escape.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\x00-\x20\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                    r"\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]+", re.IGNORECASE)
# A question by command: `!q` then a space or the end (`!queue?` and `!quit?` are other bots' commands).
BANG_Q_RE = re.compile(r"\s*!q(?:\s|$)", re.IGNORECASE)
TRAILING = ".,;:!?)]}'\""


class EventRow(NamedTuple):
    type: str
    user: User
    target: User
    amount: int
    detail: str


def message_row(ts: float, m: ChatMessage, held: bool = False) -> tuple[Any, ...]:
    """The `messages` row of a chat message (columns in INSERT order, see writer.INSERT_MESSAGES).

    On the display thread for every message of a raid: the common shapes (one badge, no `?`) skip the
    general code."""
    b = m.badges
    if not b:
        badges = ""
    elif len(b) == 1:
        badges = f"{b[0].set_id}/{b[0].id}/{b[0].info}"
    else:
        badges = ",".join([f"{x.set_id}/{x.id}/{x.info}" for x in b])
    chatter = m.chatter
    reply = m.reply
    text = m.text
    return (m.message_id, ts, m.broadcaster.id, chatter.id, chatter.login, chatter.name, m.color, text, badges,
            reply.parent_message_id if reply is not None else "", m.message_type, m.bits,
            1 if "?" in text and is_question(m) else 0, 1 if held else 0)


def is_question(m: ChatMessage) -> bool:
    """A `?` and either a mention of the streamer or a leading `!q` followed by a space (the question inbox's rule)."""
    text = m.text
    if "?" not in text:
        return False
    if BANG_Q_RE.match(text):
        return True
    me = m.broadcaster
    for f in m.fragments:
        if f.kind == "mention" and ((f.user_id and f.user_id == me.id) or (f.login and f.login == me.login)):
            return True
    # "@deskfox_fan?" or "@deskfoxes?" mentions somebody else: the login must end where the name ends.
    return bool(me.login) and re.search(f"@{re.escape(me.login.lower())}(?![a-z0-9_])", text.lower()) is not None


# The messages `urls` may find anything in, as an SQL condition on `text` (the writer asks SQLite for them
# instead of calling `urls` on every row): keep it a superset of urls' own first test below.
URL_HINT = "(text LIKE '%://%' OR text LIKE '%www.%')"


def urls(text: str) -> list[str]:
    """Every URL in a chat message, trailing punctuation cut (`see https://x.y/z.` -> `https://x.y/z`)."""
    if "://" not in text and "www." not in text.lower():
        return []
    return [u.rstrip(TRAILING) for u in URL_RE.findall(text)]


def event_row(e: Any) -> EventRow | None:
    """The `events` row of a channel event, or None when it is not kept (chat, progress updates)."""
    none = ANONYMOUS
    kind = type(e)
    if kind is Follow:
        return EventRow("follow", e.user, none, 0, "")
    if kind is Subscribe:
        return EventRow("sub", e.user, none, 1 if e.is_gift else 0, e.tier)  # amount 1: a gifted sub
    if kind is SubscriptionGift:
        return EventRow("gift", e.gifter, none, e.total, e.tier)
    if kind is SubscriptionMessage:
        return EventRow("resub", e.user, none, e.cumulative_months, e.text)
    if kind is Cheer:
        return EventRow("cheer", e.user, none, e.bits, e.message)
    if kind is BitsUse:  # detail: cheer | combo | power_up:<which>; a cheer's bits.use is its channel.cheer's twin
        return EventRow("bits_use", e.user, none, e.bits, f"{e.kind}:{e.power_up}" if e.power_up else e.kind)
    if kind is ChannelRaid:
        return EventRow("raid", e.from_broadcaster, none, e.viewers, "")
    if kind is ChannelBan:
        if e.permanent:
            return EventRow("ban", e.moderator, e.user, 0, e.reason)
        return EventRow("timeout", e.moderator, e.user, 0, f"{e.reason}\t{e.ends_at}")
    if kind is ChannelUnban:
        return EventRow("unban", e.moderator, e.user, 0, "")
    if kind is MessageDelete:
        return EventRow("delete", none, e.target, 0, e.message_id)
    if kind is ClearUserMessages:
        return EventRow("clear_user", none, e.target, 0, "")
    if kind is ChatClear:
        return EventRow("clear", none, none, 0, "")
    if kind is Redemption:
        return EventRow("redeem", e.user, none, e.reward_cost, e.reward_title)
    if kind is ShoutoutReceived:
        return EventRow("shoutout", e.from_broadcaster, none, e.viewer_count, "")
    if kind is StreamOnline:
        return EventRow("online", none, none, 0, e.stream_type)
    if kind is StreamOffline:
        return EventRow("offline", none, none, 0, "")
    if kind is AdBreak:
        return EventRow("ad", e.requester, none, e.duration_seconds, "")
    if kind in (HypeTrain, Poll, Prediction) and e.phase in ("begin", "end"):
        return EventRow(f"{kind.__name__.lower()}_{e.phase}", none, none, getattr(e, "level", 0), e.title
                        if hasattr(e, "title") else "")
    if kind is ChatNotification:
        return _notice_row(e)
    return None


def _notice_row(n: ChatNotification) -> EventRow:
    d = n.detail
    target, amount = ANONYMOUS, 0
    if isinstance(d, SubGiftNotice):
        target, amount = d.recipient, 0 if d.community_gift_id else 1  # a bomb's recipient counts in its bomb
    elif isinstance(d, CommunityGiftNotice):
        amount = d.total
    elif isinstance(d, RaidNotice):
        amount = d.viewers
    return EventRow(f"notice:{n.notice_type}", n.chatter, target, amount, n.system_message)


def channel_of(e: Any) -> str:
    """The broadcaster an event belongs to."""
    channel = getattr(e, "channel", None)  # writer.Released
    if type(channel) is str:  # noqa: E721
        return channel
    b = getattr(e, "broadcaster", None)
    if b is None:
        b = getattr(e, "to_broadcaster", None)
    return b.id if b is not None else ""
