"""Moments beyond §3.4 (protocol notes §2.6): bits uses, built-in rewards, shared chat, goals, raids out.

Shapes follow Twitch's EventSub reference for each type; like every parser,
these read missing or null fields as empty values.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from focuslib.twitch.events_base import (ANONYMOUS, Fragment, User, dict_at, dicts_at, int_at, message_parts,
                                         optional_user, str_at, true_at, user)

# Twitch's shared account for anonymous cheers: such a cheer's chat message
# comes from it, while channel.cheer carries no user at all (is_anonymous).
ANONYMOUS_CHEERER = "ananonymouscheerer"


class BitsUse(NamedTuple):
    """`channel.bits.use` v1: every use of bits -- a cheer, a power-up or a combo."""

    user: User  # ANONYMOUS for an anonymous cheer
    broadcaster: User
    bits: int
    kind: str  # cheer | power_up | combo (unknown kinds are kept as sent)
    text: str  # the message, "" when none
    fragments: tuple[Fragment, ...]
    power_up: str  # message_effect | celebration | gigantify_an_emote; "" unless kind is power_up
    emote: str  # the emote a power-up used (gigantify_an_emote), "" when none

    @property
    def anonymous(self) -> bool:
        return not self.user.id


class AutomaticReward(NamedTuple):
    """`channel.channel_points_automatic_reward_redemption.add` v2: a built-in channel-points reward."""

    id: str
    broadcaster: User
    user: User
    reward_type: str  # send_highlighted_message, single_message_bypass_sub_mode, *_sub_emote_unlock, ...
    cost: int
    emote: str  # the emote unlocked or modified, "" when none
    text: str  # the message sent with it, "" when none
    redeemed_at: str


class SharedChat(NamedTuple):
    """`channel.shared_chat.begin/update/end` v1: who shares this channel's chat."""

    phase: str  # begin | update | end
    session_id: str
    broadcaster: User
    host: User
    participants: tuple[User, ...]  # every channel in the session, this one included (none on end)


class Goal(NamedTuple):
    """`channel.goal.begin/progress/end` v1: a creator goal (followers, subs, ...)."""

    phase: str  # begin | progress | end
    id: str
    broadcaster: User
    goal_type: str  # follow | subscription | subscription_count | new_subscription | new_subscription_count | ...
    description: str
    current: int
    target: int
    achieved: bool  # end only
    started_at: str
    ended_at: str  # end only


class OutgoingRaid(NamedTuple):
    """`channel.raid` with the condition `from_broadcaster_user_id`: the streamer raids another channel."""

    from_broadcaster: User
    to_broadcaster: User
    viewers: int


def parse_bits_use(d: dict[str, Any]) -> BitsUse:
    who = optional_user(d, "user")
    if who is None or who.login == ANONYMOUS_CHEERER or true_at(d, "is_anonymous"):
        who = ANONYMOUS
    text, frags = message_parts(dict_at(d, "message"))
    power_up = dict_at(d, "power_up")
    return BitsUse(who, user(d, "broadcaster_user"), int_at(d, "bits"), str_at(d, "type"), text, frags,
                   str_at(power_up, "type"), str_at(dict_at(power_up, "emote"), "name"))


def parse_automatic_reward(d: dict[str, Any]) -> AutomaticReward:
    reward = dict_at(d, "reward")
    # v2 names the cost `channel_points` and the emote `emote`; v1 said `cost` and `unlocked_emote`.
    cost = int_at(reward, "channel_points") or int_at(reward, "cost")
    emote = dict_at(reward, "emote") or dict_at(reward, "unlocked_emote")
    text = str_at(dict_at(d, "message"), "text") or str_at(d, "user_input")
    return AutomaticReward(str_at(d, "id"), user(d, "broadcaster_user"), user(d, "user"), str_at(reward, "type"),
                           cost, str_at(emote, "name"), text, str_at(d, "redeemed_at"))


def _shared_chat(phase: str) -> Callable[[dict[str, Any]], SharedChat]:
    def parse(d: dict[str, Any]) -> SharedChat:
        people = tuple(user(p, "broadcaster_user") for p in dicts_at(d, "participants"))
        return SharedChat(phase, str_at(d, "session_id"), user(d, "broadcaster_user"),
                          user(d, "host_broadcaster_user"), people)
    return parse


def _goal(phase: str) -> Callable[[dict[str, Any]], Goal]:
    def parse(d: dict[str, Any]) -> Goal:
        return Goal(phase, str_at(d, "id"), user(d, "broadcaster_user"), str_at(d, "type"), str_at(d, "description"),
                    int_at(d, "current_amount"), int_at(d, "target_amount"), true_at(d, "is_achieved"),
                    str_at(d, "started_at"), str_at(d, "ended_at"))
    return parse


def parse_outgoing_raid(d: dict[str, Any]) -> OutgoingRaid:
    return OutgoingRaid(user(d, "from_broadcaster_user"), user(d, "to_broadcaster_user"), int_at(d, "viewers"))


def outgoing(condition: dict[str, Any] | None, data: dict[str, Any], channel: str = "") -> bool:
    """Whether a `channel.raid` is the channel's own raid out.  The payload decides: the channel (`channel`, or
    the id the subscription's condition names, §2.5: exactly one of to_/from_broadcaster_user_id) is its
    raider or its target.  A server that delivers a raid on the other subscription (twitch-cli's mock forwards
    by type) made focus say `You are raiding` the channel itself.  Only a payload naming neither leaves it to
    the condition."""
    cond = condition or {}
    channel = channel or str(cond.get("from_broadcaster_user_id") or cond.get("to_broadcaster_user_id") or "")
    raider, target = str(data.get("from_broadcaster_user_id") or ""), str(data.get("to_broadcaster_user_id") or "")
    if channel and (raider == channel) != (target == channel):
        return raider == channel
    return bool(cond.get("from_broadcaster_user_id"))


COMMUNITY_PARSERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "channel.bits.use": parse_bits_use,
    "channel.channel_points_automatic_reward_redemption.add": parse_automatic_reward,
    "channel.shared_chat.begin": _shared_chat("begin"),
    "channel.shared_chat.update": _shared_chat("update"),
    "channel.shared_chat.end": _shared_chat("end"),
    "channel.goal.begin": _goal("begin"),
    "channel.goal.progress": _goal("progress"),
    "channel.goal.end": _goal("end"),
}
