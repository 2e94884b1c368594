"""Channel events, shaped like protocol notes §3.4 (polls and predictions: Twitch's EventSub reference)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .payloads import BROADCASTER, broadcaster, new_id, now_rfc3339, user

Who = tuple[str, str, str]


def _at(seconds: float) -> str:
    """An RFC 3339 time `seconds` from now, nanosecond precision like Twitch's."""
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def subscription_gift(gifter: Who | None, total: int, tier: str = "1000", cumulative_total: int | None = None
                      ) -> dict[str, Any]:
    return {**user("user", gifter), **broadcaster(), "total": total, "tier": tier,
            "cumulative_total": cumulative_total if gifter else None, "is_anonymous": gifter is None}


def subscription_message(who: Who, text: str, cumulative: int, streak: int | None = None, tier: str = "1000",
                         emotes: list[tuple[int, int, str]] | None = None) -> dict[str, Any]:
    emote_list = [{"begin": b, "end": e, "id": i} for b, e, i in emotes] if emotes else None
    return {**user("user", who), **broadcaster(), "tier": tier,
            "message": {"text": text, "emotes": emote_list}, "cumulative_months": cumulative,
            "streak_months": streak, "duration_months": 1}


def cheer(who: Who | None, bits: int, message: str) -> dict[str, Any]:
    return {"is_anonymous": who is None, **user("user", who), **broadcaster(), "message": message, "bits": bits}


def raid(from_: Who, viewers: int) -> dict[str, Any]:
    return {**user("from_broadcaster_user", from_), **user("to_broadcaster_user", BROADCASTER), "viewers": viewers}


def ban(who: Who, moderator: Who, reason: str = "", minutes: float | None = None) -> dict[str, Any]:
    """A permanent ban, or a timeout of `minutes`."""
    return {**user("user", who), **broadcaster(), **user("moderator_user", moderator), "reason": reason,
            "banned_at": _at(0), "ends_at": _at(minutes * 60) if minutes else None, "is_permanent": minutes is None}


def unban(who: Who, moderator: Who) -> dict[str, Any]:
    return {**user("user", who), **broadcaster(), **user("moderator_user", moderator)}


def redemption(who: Who, title: str, cost: int, user_input: str = "") -> dict[str, Any]:
    return {"id": new_id(), **broadcaster(), **user("user", who), "user_input": user_input, "status": "unfulfilled",
            "reward": {"id": new_id(), "title": title, "cost": cost, "prompt": f"{title}!"},
            "redeemed_at": now_rfc3339()}


def hype_train(phase: str, level: int, total: int, progress: int, goal: int,
               top: list[tuple[Who, str, int]] = (), train_id: str = "hype-1") -> dict[str, Any]:
    """`channel.hype_train.<phase>` v2 (§3.4): begin/progress carry progress and goal, end the cooldown."""
    event: dict[str, Any] = {
        "id": train_id, **broadcaster(), "total": total, "level": level,
        "top_contributions": [{**user("user", who), "type": kind, "total": amount} for who, kind, amount in top],
        "shared_train_participants": None, "started_at": _at(-60), "type": "regular", "is_shared_train": False}
    if phase == "end":
        event.update(cooldown_ends_at=_at(3600), ended_at=_at(0))
    else:
        event.update(progress=progress, goal=goal, expires_at=_at(300))
    if phase == "begin":
        event.update(all_time_high_level=4, all_time_high_total=9000)
    return event


def poll(phase: str, title: str, choices: list[tuple[str, int]], status: str = "active", poll_id: str = "poll-1"
         ) -> dict[str, Any]:
    """`channel.poll.<phase>` v1: begin has no votes yet; end has `status` and `ended_at`."""
    event: dict[str, Any] = {
        "id": poll_id, **broadcaster(), "title": title,
        "choices": [{"id": f"choice-{k}", "title": t, **({} if phase == "begin" else
                     {"bits_votes": 0, "channel_points_votes": votes // 3, "votes": votes})}
                    for k, (t, votes) in enumerate(choices)],
        "bits_voting": {"is_enabled": False, "amount_per_vote": 0},
        "channel_points_voting": {"is_enabled": True, "amount_per_vote": 100}, "started_at": _at(0)}
    if phase == "end":
        event.update(status=status, ended_at=_at(120))
    else:
        event.update(ends_at=_at(120))
    return event


def prediction(phase: str, title: str, outcomes: list[tuple[str, int, int]], winner: int | None = None,
               status: str = "resolved", prediction_id: str = "prediction-1") -> dict[str, Any]:
    """`channel.prediction.<phase>` v1; outcomes are (title, users, points), blue first then pink."""
    event: dict[str, Any] = {
        "id": prediction_id, **broadcaster(), "title": title,
        "outcomes": [{"id": f"outcome-{k}", "title": t, "color": "blue" if k == 0 else "pink",
                      **({} if phase == "begin" else {"users": users, "channel_points": points,
                                                      "top_predictors": []})}
                     for k, (t, users, points) in enumerate(outcomes)],
        "started_at": _at(0)}
    if phase in ("begin", "progress"):
        event["locks_at"] = _at(120)
    elif phase == "lock":
        event["locked_at"] = _at(0)
    else:
        event.update(winning_outcome_id=f"outcome-{winner}" if winner is not None else None, status=status,
                     ended_at=_at(0))
    return event


def shoutout_receive(from_: Who, viewers: int) -> dict[str, Any]:
    return {**broadcaster(), **user("from_broadcaster_user", from_), "viewer_count": viewers, "started_at": _at(0)}


def stream_online(kind: str = "live") -> dict[str, Any]:
    return {"id": "9001", **broadcaster(), "type": kind, "started_at": _at(0)}


def stream_offline() -> dict[str, Any]:
    return broadcaster()


def ad_break(seconds: int, automatic: bool = True) -> dict[str, Any]:
    return {"duration_seconds": seconds, "started_at": _at(0), "is_automatic": automatic, **broadcaster(),
            **user("requester_user", BROADCASTER)}
