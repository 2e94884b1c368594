"""Channel events (protocol notes §3.4; polls and predictions from Twitch's EventSub reference)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from focuslib.twitch.events_base import (ANONYMOUS, User, dict_at, dicts_at, int_at, optional_int_at, optional_user,
                                        str_at, true_at, user)


class Follow(NamedTuple):
    user: User
    broadcaster: User
    followed_at: str


class Subscribe(NamedTuple):
    user: User
    broadcaster: User
    tier: str
    is_gift: bool


class SubscriptionGift(NamedTuple):
    gifter: User  # ANONYMOUS when anonymous (Twitch sends nulls)
    broadcaster: User
    total: int
    tier: str
    cumulative_total: int | None
    anonymous: bool


class SubscriptionMessage(NamedTuple):
    """A resub shared in chat."""

    user: User
    broadcaster: User
    tier: str
    text: str
    emotes: tuple[tuple[int, int], ...]  # (begin, end) character offsets into text
    cumulative_months: int
    streak_months: int | None
    duration_months: int


class Cheer(NamedTuple):
    user: User  # ANONYMOUS when anonymous
    broadcaster: User
    anonymous: bool
    message: str
    bits: int


class ChannelRaid(NamedTuple):
    from_broadcaster: User
    to_broadcaster: User
    viewers: int


class ChannelBan(NamedTuple):
    user: User
    broadcaster: User
    moderator: User
    reason: str
    banned_at: str
    ends_at: str  # "" for a permanent ban
    permanent: bool


class ChannelUnban(NamedTuple):
    user: User
    broadcaster: User
    moderator: User


class Redemption(NamedTuple):
    id: str
    broadcaster: User
    user: User
    user_input: str
    status: str
    reward_id: str
    reward_title: str
    reward_cost: int
    redeemed_at: str


class Contribution(NamedTuple):
    user: User
    type: str  # bits | subscription | other
    total: int


class HypeTrain(NamedTuple):
    phase: str  # begin | progress | end
    id: str
    broadcaster: User
    level: int
    total: int
    progress: int  # toward the next level (begin/progress)
    goal: int
    top: tuple[Contribution, ...]
    train_type: str  # regular | treasure | golden_kappa
    shared: bool
    all_time_high_level: int  # begin only


class PollChoice(NamedTuple):
    id: str
    title: str
    votes: int
    points_votes: int


class Poll(NamedTuple):
    phase: str  # begin | progress | end
    id: str
    broadcaster: User
    title: str
    choices: tuple[PollChoice, ...]
    status: str  # end: completed | archived | terminated
    started_at: str
    ends_at: str


class PredictionOutcome(NamedTuple):
    id: str
    title: str
    color: str  # blue | pink
    users: int
    points: int


class Prediction(NamedTuple):
    phase: str  # begin | progress | lock | end
    id: str
    broadcaster: User
    title: str
    outcomes: tuple[PredictionOutcome, ...]
    winning_outcome_id: str  # end only; "" when canceled
    status: str  # end: resolved | canceled
    started_at: str
    locks_at: str


class ShoutoutReceived(NamedTuple):
    broadcaster: User
    from_broadcaster: User
    viewer_count: int


class StreamOnline(NamedTuple):
    broadcaster: User
    stream_type: str  # live | playlist | watch_party | premiere | rerun
    started_at: str


class StreamOffline(NamedTuple):
    broadcaster: User


class AdBreak(NamedTuple):
    broadcaster: User
    requester: User
    duration_seconds: int
    automatic: bool


def parse_follow(d: dict[str, Any]) -> Follow:
    return Follow(user(d, "user"), user(d, "broadcaster_user"), str_at(d, "followed_at"))


def parse_subscribe(d: dict[str, Any]) -> Subscribe:
    return Subscribe(user(d, "user"), user(d, "broadcaster_user"), str_at(d, "tier"), true_at(d, "is_gift"))


def parse_subscription_gift(d: dict[str, Any]) -> SubscriptionGift:
    anonymous = true_at(d, "is_anonymous")
    gifter = ANONYMOUS if anonymous else user(d, "user")
    return SubscriptionGift(gifter, user(d, "broadcaster_user"), int_at(d, "total"), str_at(d, "tier"),
                            optional_int_at(d, "cumulative_total"), anonymous)


def parse_subscription_message(d: dict[str, Any]) -> SubscriptionMessage:
    message = dict_at(d, "message")
    emotes = tuple((int_at(e, "begin"), int_at(e, "end")) for e in dicts_at(message, "emotes"))
    return SubscriptionMessage(user(d, "user"), user(d, "broadcaster_user"), str_at(d, "tier"), str_at(message, "text"),
                               emotes, int_at(d, "cumulative_months"), optional_int_at(d, "streak_months"),
                               int_at(d, "duration_months"))


def parse_cheer(d: dict[str, Any]) -> Cheer:
    anonymous = true_at(d, "is_anonymous")
    who = optional_user(d, "user")
    return Cheer(ANONYMOUS if anonymous or who is None else who, user(d, "broadcaster_user"), anonymous,
                 str_at(d, "message"), int_at(d, "bits"))


def parse_raid(d: dict[str, Any]) -> ChannelRaid:
    return ChannelRaid(user(d, "from_broadcaster_user"), user(d, "to_broadcaster_user"), int_at(d, "viewers"))


def parse_ban(d: dict[str, Any]) -> ChannelBan:
    return ChannelBan(user(d, "user"), user(d, "broadcaster_user"), user(d, "moderator_user"), str_at(d, "reason"),
               str_at(d, "banned_at"), str_at(d, "ends_at"), true_at(d, "is_permanent"))


def parse_unban(d: dict[str, Any]) -> ChannelUnban:
    return ChannelUnban(user(d, "user"), user(d, "broadcaster_user"), user(d, "moderator_user"))


def parse_redemption(d: dict[str, Any]) -> Redemption:
    reward = dict_at(d, "reward")
    return Redemption(str_at(d, "id"), user(d, "broadcaster_user"), user(d, "user"), str_at(d, "user_input"),
                      str_at(d, "status"), str_at(reward, "id"), str_at(reward, "title"), int_at(reward, "cost"),
                      str_at(d, "redeemed_at"))


def _hype_train(phase: str) -> Callable[[dict[str, Any]], HypeTrain]:
    def parse(d: dict[str, Any]) -> HypeTrain:
        top = tuple(Contribution(user(c, "user"), str_at(c, "type"), int_at(c, "total"))
                    for c in dicts_at(d, "top_contributions"))
        return HypeTrain(phase, str_at(d, "id"), user(d, "broadcaster_user"), int_at(d, "level"), int_at(d, "total"),
                         int_at(d, "progress"), int_at(d, "goal"), top, str_at(d, "type") or "regular",
                         true_at(d, "is_shared_train"),
                         int_at(d, "all_time_high_level"))
    return parse


def _poll(phase: str) -> Callable[[dict[str, Any]], Poll]:
    def parse(d: dict[str, Any]) -> Poll:
        choices = tuple(PollChoice(str_at(c, "id"), str_at(c, "title"), int_at(c, "votes"),
                                   int_at(c, "channel_points_votes"))
                        for c in dicts_at(d, "choices"))
        return Poll(phase, str_at(d, "id"), user(d, "broadcaster_user"), str_at(d, "title"), choices,
                    str_at(d, "status"),
                    str_at(d, "started_at"), str_at(d, "ends_at"))
    return parse


def _prediction(phase: str) -> Callable[[dict[str, Any]], Prediction]:
    def parse(d: dict[str, Any]) -> Prediction:
        outcomes = tuple(PredictionOutcome(str_at(c, "id"), str_at(c, "title"), str_at(c, "color").lower(),
                                           int_at(c, "users"), int_at(c, "channel_points"))
                         for c in dicts_at(d, "outcomes"))
        return Prediction(phase, str_at(d, "id"), user(d, "broadcaster_user"), str_at(d, "title"), outcomes,
                          str_at(d, "winning_outcome_id"), str_at(d, "status"), str_at(d, "started_at"),
                          str_at(d, "locks_at"))
    return parse


def parse_shoutout_receive(d: dict[str, Any]) -> ShoutoutReceived:
    return ShoutoutReceived(user(d, "broadcaster_user"), user(d, "from_broadcaster_user"), int_at(d, "viewer_count"))


def parse_stream_online(d: dict[str, Any]) -> StreamOnline:
    return StreamOnline(user(d, "broadcaster_user"), str_at(d, "type") or "live", str_at(d, "started_at"))


def parse_stream_offline(d: dict[str, Any]) -> StreamOffline:
    return StreamOffline(user(d, "broadcaster_user"))


def parse_ad_break(d: dict[str, Any]) -> AdBreak:
    broadcaster = user(d, "broadcaster_user")
    requester = optional_user(d, "requester_user") or broadcaster
    return AdBreak(broadcaster, requester, int_at(d, "duration_seconds"), true_at(d, "is_automatic"))


PHASED = {
    "channel.hype_train.begin": _hype_train("begin"),
    "channel.hype_train.progress": _hype_train("progress"),
    "channel.hype_train.end": _hype_train("end"),
    "channel.poll.begin": _poll("begin"),
    "channel.poll.progress": _poll("progress"),
    "channel.poll.end": _poll("end"),
    "channel.prediction.begin": _prediction("begin"),
    "channel.prediction.progress": _prediction("progress"),
    "channel.prediction.lock": _prediction("lock"),
    "channel.prediction.end": _prediction("end"),
}
