"""AutoMod and the other moderation moments (protocol notes §2.6; fields from Twitch's EventSub reference).

AutoMod holds and the streamer's own held messages carry the held text: it is
kept here for the devlog and for an allowed message's later chat line, and the
view never puts it on stream (see `view.render_moderation`).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from focuslib.twitch.events_base import (User, dict_at, int_at, list_at, optional_int_at, optional_user, str_at,
                                        true_at, user)


class AutoModHold(NamedTuple):
    """`automod.message.hold` v2: a chatter's message waits for the streamer's allow or deny."""

    message_id: str
    user: User
    text: str
    reason: str  # automod | blocked_term
    category: str  # AutoMod's category (swearing, aggression, ...) when reason is automod
    level: int
    held_at: str


class AutoModUpdate(NamedTuple):
    """`automod.message.update` v2: someone allowed or denied it, or it expired."""

    message_id: str
    user: User
    moderator: User | None
    status: str  # approved | denied | expired (lower case)


class UserMessageHold(NamedTuple):
    """`channel.chat.user_message_hold`: the streamer's own message is held by AutoMod."""

    message_id: str
    user: User
    text: str


class UserMessageUpdate(NamedTuple):
    """`channel.chat.user_message_update`: what became of the streamer's held message."""

    message_id: str
    user: User
    status: str  # approved | denied | invalid


class WarningSent(NamedTuple):
    user: User
    moderator: User
    reason: str
    rules: tuple[str, ...]  # chat rules cited


class WarningAcknowledged(NamedTuple):
    user: User


class ChatSettings(NamedTuple):
    """`channel.chat_settings.update`: the chat modes after a change."""

    emote_only: bool
    followers_only: bool
    follower_minutes: int | None
    slow: bool
    slow_seconds: int | None
    subscribers_only: bool
    unique: bool


class SuspiciousMessage(NamedTuple):
    """`channel.suspicious_user.message`: a message from a user the channel marked suspicious."""

    message_id: str
    user: User
    low_trust_status: str  # none | active_monitoring | restricted
    types: tuple[str, ...]  # manually_added | ban_evader_detector | shared_channel_ban
    ban_evasion: str  # unknown | possible | likely
    shared_bans: int  # channels that share a ban of this user
    text: str


class ShieldMode(NamedTuple):
    active: bool  # begin = True, end = False
    moderator: User


class UnbanRequest(NamedTuple):
    phase: str  # create | resolve
    id: str
    user: User
    moderator: User | None  # resolve only
    text: str  # create: the request; resolve: the moderator's answer
    status: str  # resolve: approved | denied | canceled


class VipChange(NamedTuple):
    added: bool
    user: User


class ShoutoutGiven(NamedTuple):
    """`channel.shoutout.create`: the channel gave a shoutout (Twitch's cooldowns follow it)."""

    to_broadcaster: User
    moderator: User
    viewer_count: int
    started_at: str
    cooldown_ends_at: str  # the next shoutout to anyone
    target_cooldown_ends_at: str  # the next shoutout to the same channel


def parse_automod_hold(d: dict[str, Any]) -> AutoModHold:
    message = dict_at(d, "message")
    automod = dict_at(d, "automod")
    return AutoModHold(str_at(d, "message_id"), user(d, "user"), str_at(message, "text"), str_at(d, "reason"),
                       str_at(automod, "category"), int_at(automod, "level"), str_at(d, "held_at"))


def parse_automod_update(d: dict[str, Any]) -> AutoModUpdate:
    return AutoModUpdate(str_at(d, "message_id"), user(d, "user"), optional_user(d, "moderator_user"),
                         str_at(d, "status").lower())


def parse_user_message_hold(d: dict[str, Any]) -> UserMessageHold:
    return UserMessageHold(str_at(d, "message_id"), user(d, "user"), str_at(dict_at(d, "message"), "text"))


def parse_user_message_update(d: dict[str, Any]) -> UserMessageUpdate:
    return UserMessageUpdate(str_at(d, "message_id"), user(d, "user"), str_at(d, "status").lower())


def parse_warning_send(d: dict[str, Any]) -> WarningSent:
    rules = tuple(x for x in list_at(d, "chat_rules_cited") if isinstance(x, str))
    return WarningSent(user(d, "user"), user(d, "moderator_user"), str_at(d, "reason"), rules)


def parse_warning_acknowledge(d: dict[str, Any]) -> WarningAcknowledged:
    return WarningAcknowledged(user(d, "user"))


def parse_chat_settings(d: dict[str, Any]) -> ChatSettings:
    return ChatSettings(true_at(d, "emote_mode"), true_at(d, "follower_mode"),
                        optional_int_at(d, "follower_mode_duration_minutes"),
                        true_at(d, "slow_mode"), optional_int_at(d, "slow_mode_wait_time_seconds"),
                        true_at(d, "subscriber_mode"),
                        true_at(d, "unique_chat_mode"))


def parse_suspicious_message(d: dict[str, Any]) -> SuspiciousMessage:
    message = dict_at(d, "message")
    return SuspiciousMessage(str_at(message, "message_id"), user(d, "user"), str_at(d, "low_trust_status"),
                             tuple(x for x in list_at(d, "types") if isinstance(x, str)),
                             str_at(d, "ban_evasion_evaluation"), len(list_at(d, "shared_ban_channel_ids")),
                             str_at(message, "text"))


def _shield(active: bool) -> Callable[[dict[str, Any]], ShieldMode]:
    def parse(d: dict[str, Any]) -> ShieldMode:
        return ShieldMode(active, user(d, "moderator_user"))
    return parse


def parse_unban_request_create(d: dict[str, Any]) -> UnbanRequest:
    return UnbanRequest("create", str_at(d, "id"), user(d, "user"), None, str_at(d, "text"), "")


def parse_unban_request_resolve(d: dict[str, Any]) -> UnbanRequest:
    return UnbanRequest("resolve", str_at(d, "id"), user(d, "user"), optional_user(d, "moderator_user"),
                        str_at(d, "resolution_text"), str_at(d, "status").lower())


def _vip(added: bool) -> Callable[[dict[str, Any]], VipChange]:
    def parse(d: dict[str, Any]) -> VipChange:
        return VipChange(added, user(d, "user"))
    return parse


def parse_shoutout_create(d: dict[str, Any]) -> ShoutoutGiven:
    return ShoutoutGiven(user(d, "to_broadcaster_user"), user(d, "moderator_user"), int_at(d, "viewer_count"),
                         str_at(d, "started_at"), str_at(d, "cooldown_ends_at"), str_at(d, "target_cooldown_ends_at"))


MODERATION_PARSERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "automod.message.hold": parse_automod_hold,
    "automod.message.update": parse_automod_update,
    "channel.chat.user_message_hold": parse_user_message_hold,
    "channel.chat.user_message_update": parse_user_message_update,
    "channel.warning.send": parse_warning_send,
    "channel.warning.acknowledge": parse_warning_acknowledge,
    "channel.chat_settings.update": parse_chat_settings,
    "channel.suspicious_user.message": parse_suspicious_message,
    "channel.shield_mode.begin": _shield(True),
    "channel.shield_mode.end": _shield(False),
    "channel.unban_request.create": parse_unban_request_create,
    "channel.unban_request.resolve": parse_unban_request_resolve,
    "channel.vip.add": _vip(True),
    "channel.vip.remove": _vip(False),
    "channel.shoutout.create": parse_shoutout_create,
}
