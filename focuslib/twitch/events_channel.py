"""Channel events (protocol notes §3.4; polls and predictions from Twitch's EventSub reference)."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from focuslib.twitch.events_base import ANONYMOUS, User, b, dicts, i, o, oi, optional_user, s, user


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


class Raid(NamedTuple):
    from_broadcaster: User
    to_broadcaster: User
    viewers: int


class Ban(NamedTuple):
    user: User
    broadcaster: User
    moderator: User
    reason: str
    banned_at: str
    ends_at: str  # "" for a permanent ban
    permanent: bool


class Unban(NamedTuple):
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


class Outcome(NamedTuple):
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
    outcomes: tuple[Outcome, ...]
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
    return Follow(user(d, "user"), user(d, "broadcaster_user"), s(d, "followed_at"))


def parse_subscribe(d: dict[str, Any]) -> Subscribe:
    return Subscribe(user(d, "user"), user(d, "broadcaster_user"), s(d, "tier"), b(d, "is_gift"))


def parse_subscription_gift(d: dict[str, Any]) -> SubscriptionGift:
    anonymous = b(d, "is_anonymous")
    gifter = ANONYMOUS if anonymous else user(d, "user")
    return SubscriptionGift(gifter, user(d, "broadcaster_user"), i(d, "total"), s(d, "tier"),
                            oi(d, "cumulative_total"), anonymous)


def parse_subscription_message(d: dict[str, Any]) -> SubscriptionMessage:
    message = o(d, "message")
    emotes = tuple((i(e, "begin"), i(e, "end")) for e in dicts(message, "emotes"))
    return SubscriptionMessage(user(d, "user"), user(d, "broadcaster_user"), s(d, "tier"), s(message, "text"),
                               emotes, i(d, "cumulative_months"), oi(d, "streak_months"), i(d, "duration_months"))


def parse_cheer(d: dict[str, Any]) -> Cheer:
    anonymous = b(d, "is_anonymous")
    who = optional_user(d, "user")
    return Cheer(ANONYMOUS if anonymous or who is None else who, user(d, "broadcaster_user"), anonymous,
                 s(d, "message"), i(d, "bits"))


def parse_raid(d: dict[str, Any]) -> Raid:
    return Raid(user(d, "from_broadcaster_user"), user(d, "to_broadcaster_user"), i(d, "viewers"))


def parse_ban(d: dict[str, Any]) -> Ban:
    return Ban(user(d, "user"), user(d, "broadcaster_user"), user(d, "moderator_user"), s(d, "reason"),
               s(d, "banned_at"), s(d, "ends_at"), b(d, "is_permanent"))


def parse_unban(d: dict[str, Any]) -> Unban:
    return Unban(user(d, "user"), user(d, "broadcaster_user"), user(d, "moderator_user"))


def parse_redemption(d: dict[str, Any]) -> Redemption:
    reward = o(d, "reward")
    return Redemption(s(d, "id"), user(d, "broadcaster_user"), user(d, "user"), s(d, "user_input"),
                      s(d, "status"), s(reward, "id"), s(reward, "title"), i(reward, "cost"), s(d, "redeemed_at"))


def _hype_train(phase: str) -> Callable[[dict[str, Any]], HypeTrain]:
    def parse(d: dict[str, Any]) -> HypeTrain:
        top = tuple(Contribution(user(c, "user"), s(c, "type"), i(c, "total")) for c in dicts(d, "top_contributions"))
        return HypeTrain(phase, s(d, "id"), user(d, "broadcaster_user"), i(d, "level"), i(d, "total"),
                         i(d, "progress"), i(d, "goal"), top, s(d, "type") or "regular", b(d, "is_shared_train"),
                         i(d, "all_time_high_level"))
    return parse


def _poll(phase: str) -> Callable[[dict[str, Any]], Poll]:
    def parse(d: dict[str, Any]) -> Poll:
        choices = tuple(PollChoice(s(c, "id"), s(c, "title"), i(c, "votes"), i(c, "channel_points_votes"))
                        for c in dicts(d, "choices"))
        return Poll(phase, s(d, "id"), user(d, "broadcaster_user"), s(d, "title"), choices, s(d, "status"),
                    s(d, "started_at"), s(d, "ends_at"))
    return parse


def _prediction(phase: str) -> Callable[[dict[str, Any]], Prediction]:
    def parse(d: dict[str, Any]) -> Prediction:
        outcomes = tuple(Outcome(s(c, "id"), s(c, "title"), s(c, "color").lower(), i(c, "users"),
                                 i(c, "channel_points")) for c in dicts(d, "outcomes"))
        return Prediction(phase, s(d, "id"), user(d, "broadcaster_user"), s(d, "title"), outcomes,
                          s(d, "winning_outcome_id"), s(d, "status"), s(d, "started_at"), s(d, "locks_at"))
    return parse


def parse_shoutout_receive(d: dict[str, Any]) -> ShoutoutReceived:
    return ShoutoutReceived(user(d, "broadcaster_user"), user(d, "from_broadcaster_user"), i(d, "viewer_count"))


def parse_stream_online(d: dict[str, Any]) -> StreamOnline:
    return StreamOnline(user(d, "broadcaster_user"), s(d, "type") or "live", s(d, "started_at"))


def parse_stream_offline(d: dict[str, Any]) -> StreamOffline:
    return StreamOffline(user(d, "broadcaster_user"))


def parse_ad_break(d: dict[str, Any]) -> AdBreak:
    broadcaster = user(d, "broadcaster_user")
    requester = optional_user(d, "requester_user") or broadcaster
    return AdBreak(broadcaster, requester, i(d, "duration_seconds"), b(d, "is_automatic"))


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
