"""Chat events: messages, notices (`channel.chat.notification`) and moderation (protocol notes §3.1-3.3)."""

from __future__ import annotations

from typing import Any, NamedTuple, Union

from focuslib.twitch.events_base import (ANONYMOUS, Badge, Fragment, User, badges, dict_at, int_at, list_at,
                                        message_parts, optional_int_at, optional_user, record_builder, str_at, true_at,
                                        user)

# IRC's CTCP ACTION survives into EventSub: a /me message's `message.text` is
# "\x01ACTION <text>\x01" while its fragments hold only <text> (seen in real
# payloads, e.g. navarr/multi-stream-chat#22; not in Twitch's reference).
_ACTION_START = "\x01ACTION "


class ReplyParent(NamedTuple):
    parent_message_id: str
    parent_user: User
    parent_body: str


class ChatMessage(NamedTuple):
    message_id: str
    broadcaster: User
    chatter: User
    text: str
    fragments: tuple[Fragment, ...]
    message_type: str
    badges: tuple[Badge, ...]
    color: str
    bits: int
    reply: ReplyParent | None
    reward_id: str
    source_broadcaster: User | None  # shared chat: the channel it was sent in
    action: bool = False  # /me
    animation_id: str = ""  # "animate my message" (a paid message effect)


new_chat_message = record_builder(ChatMessage)  # one per chat line (see events_base)


def parse_chat_message(d: dict[str, Any]) -> ChatMessage:
    # The hot path: one call per chat line, so the readers are inlined where
    # it pays (exact type checks, no helper calls for the common fields).
    get = d.get
    message = get("message")
    if type(message) is not dict:  # noqa: E721
        message = {}
    text, frags = message_parts(message)
    action = text.startswith(_ACTION_START)
    if action:
        text = text[len(_ACTION_START):].rstrip("\x01")
        if len(frags) == 1 and frags[0].text.startswith(_ACTION_START):
            frags = (Fragment("text", text),)
    reply_d = get("reply")
    reply = None
    if type(reply_d) is dict:  # noqa: E721
        reply = ReplyParent(str_at(reply_d, "parent_message_id"), user(reply_d, "parent_user"),
                      str_at(reply_d, "parent_message_body"))
    raw_badges = get("badges")
    cheer = get("cheer")
    mtype = get("message_type")
    source = None if get("source_broadcaster_user_id") is None else optional_user(d, "source_broadcaster_user")
    return new_chat_message((
        str_at(d, "message_id"),
        user(d, "broadcaster_user"),
        user(d, "chatter_user"),
        text,
        frags,
        mtype if type(mtype) is str and mtype else "text",  # noqa: E721
        badges(raw_badges) if type(raw_badges) is list and raw_badges else (),  # noqa: E721
        str_at(d, "color"),
        int_at(cheer, "bits") if type(cheer) is dict else 0,  # noqa: E721
        reply,
        str_at(d, "channel_points_custom_reward_id"),
        source,
        action,
        str_at(d, "channel_points_animation_id"),
    ))


# -- channel.chat.notification (§3.2): one detail object per notice type ----------

class SubNotice(NamedTuple):
    tier: str
    is_prime: bool
    duration_months: int


class ResubNotice(NamedTuple):
    tier: str
    is_prime: bool
    cumulative_months: int
    duration_months: int
    streak_months: int | None
    gifter: User | None  # a gifted resub; None when not gifted or the gifter is anonymous
    is_gift: bool


class SubGiftNotice(NamedTuple):
    recipient: User
    tier: str
    duration_months: int
    cumulative_total: int | None
    community_gift_id: str  # "" for a single gift; else the bomb it belongs to


class CommunityGiftNotice(NamedTuple):
    id: str
    total: int
    tier: str
    cumulative_total: int | None


class GifterNotice(NamedTuple):
    """`gift_paid_upgrade` and `pay_it_forward`: someone continues a gift."""

    gifter: User | None  # None when anonymous


class PrimeUpgradeNotice(NamedTuple):
    tier: str


class RaidNotice(NamedTuple):
    raider: User
    viewers: int


class AnnouncementNotice(NamedTuple):
    color: str  # lower-cased: blue, green, orange, purple, primary (casing is unconfirmed)


class BitsBadgeNotice(NamedTuple):
    tier: int


class CharityNotice(NamedTuple):
    charity: str
    value: int  # minor units
    decimal_places: int
    currency: str


class WatchStreakNotice(NamedTuple):
    """Undocumented but seen (§3.2 "Known gaps")."""

    streak: int
    points: int


class ModiversaryNotice(NamedTuple):
    months: int


NoticeDetail = Union[SubNotice, ResubNotice, SubGiftNotice, CommunityGiftNotice, GifterNotice,
                     PrimeUpgradeNotice, RaidNotice, AnnouncementNotice, BitsBadgeNotice, CharityNotice,
                     WatchStreakNotice, ModiversaryNotice]


class ChatNotification(NamedTuple):
    message_id: str
    broadcaster: User
    chatter: User  # ANONYMOUS when `chatter_is_anonymous`
    anonymous: bool
    color: str
    badges: tuple[Badge, ...]
    system_message: str  # Twitch's own wording: the fallback display
    text: str  # the user's own message, often ""
    fragments: tuple[Fragment, ...]
    notice_type: str  # as sent, e.g. "shared_chat_resub"
    kind: str  # notice_type without "shared_chat_"
    detail: NoticeDetail | None  # None for kinds focus does not know (and "unraid")
    source_broadcaster: User | None  # shared chat: where it happened

    @property
    def shared(self) -> bool:
        return self.notice_type.startswith("shared_chat_")


def _tier(d: dict[str, Any]) -> str:
    # The docs' resub examples say `sub_plan` where the tables say `sub_tier`
    # (twitchdev/issues#1039): read either.
    return str_at(d, "sub_tier") or str_at(d, "sub_plan")


def _gifter(d: dict[str, Any]) -> User | None:
    if true_at(d, "gifter_is_anonymous"):
        return None
    return optional_user(d, "gifter_user")


def _detail(kind: str, d: dict[str, Any]) -> NoticeDetail | None:
    if kind == "sub":
        return SubNotice(_tier(d), true_at(d, "is_prime"), int_at(d, "duration_months"))
    if kind == "resub":
        return ResubNotice(_tier(d), true_at(d, "is_prime"), int_at(d, "cumulative_months"),
                           int_at(d, "duration_months"),
                           optional_int_at(d, "streak_months"), _gifter(d) if true_at(d, "is_gift") else None,
                           true_at(d, "is_gift"))
    if kind == "sub_gift":
        return SubGiftNotice(user(d, "recipient_user"), _tier(d), int_at(d, "duration_months"),
                             optional_int_at(d, "cumulative_total"), str_at(d, "community_gift_id"))
    if kind == "community_sub_gift":
        return CommunityGiftNotice(str_at(d, "id"), int_at(d, "total"), _tier(d),
                                   optional_int_at(d, "cumulative_total"))
    if kind in ("gift_paid_upgrade", "pay_it_forward"):
        return GifterNotice(_gifter(d))
    if kind == "prime_paid_upgrade":
        return PrimeUpgradeNotice(_tier(d))
    if kind == "raid":
        return RaidNotice(user(d, "user"), int_at(d, "viewer_count"))
    if kind == "announcement":
        return AnnouncementNotice(str_at(d, "color").lower())
    if kind == "bits_badge_tier":
        return BitsBadgeNotice(int_at(d, "tier"))
    if kind == "charity_donation":
        amount = dict_at(d, "amount")
        return CharityNotice(str_at(d, "charity_name"), int_at(amount, "value"), int_at(amount, "decimal_places"),
                             str_at(amount, "currency"))
    if kind == "watch_streak":
        return WatchStreakNotice(int_at(d, "streak_count"), int_at(d, "channel_points_awarded"))
    if kind == "modiversary":
        return ModiversaryNotice(int_at(d, "months"))
    return None


def parse_chat_notification(d: dict[str, Any]) -> ChatNotification:
    notice_type = str_at(d, "notice_type")
    kind = notice_type[len("shared_chat_"):] if notice_type.startswith("shared_chat_") else notice_type
    # The detail sits under the key named like the notice type; be tolerant of
    # a shared_chat_ event that uses the base key.
    detail_d = d.get(notice_type)
    if not isinstance(detail_d, dict):
        detail_d = dict_at(d, kind)
    anonymous = true_at(d, "chatter_is_anonymous")
    text, frags = message_parts(dict_at(d, "message"))
    return ChatNotification(
        message_id=str_at(d, "message_id"),
        broadcaster=user(d, "broadcaster_user"),
        chatter=ANONYMOUS if anonymous else user(d, "chatter_user"),
        anonymous=anonymous,
        color=str_at(d, "color"),
        badges=badges(list_at(d, "badges")),
        system_message=str_at(d, "system_message"),
        text=text,
        fragments=frags,
        notice_type=notice_type,
        kind=kind,
        detail=_detail(kind, detail_d),
        source_broadcaster=optional_user(d, "source_broadcaster_user"),
    )


# -- moderation-driven chat events (§3.3) ---------------------------------------

class MessageDelete(NamedTuple):
    broadcaster: User
    target: User  # who wrote the deleted message
    message_id: str


class ChatClear(NamedTuple):
    broadcaster: User


class ClearUserMessages(NamedTuple):
    broadcaster: User
    target: User


def parse_message_delete(d: dict[str, Any]) -> MessageDelete:
    return MessageDelete(user(d, "broadcaster_user"), user(d, "target_user"), str_at(d, "message_id"))


def parse_chat_clear(d: dict[str, Any]) -> ChatClear:
    return ChatClear(user(d, "broadcaster_user"))


def parse_clear_user_messages(d: dict[str, Any]) -> ClearUserMessages:
    return ClearUserMessages(user(d, "broadcaster_user"), user(d, "target_user"))
