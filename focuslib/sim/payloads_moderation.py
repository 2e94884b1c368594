"""AutoMod and the other moderation events (protocol notes §2.6), shaped like Twitch's EventSub reference."""

from __future__ import annotations

from typing import Any

from .payloads import BROADCASTER, broadcaster, new_id, now_rfc3339, user
from .payloads_channel import _at

Who = tuple[str, str, str]


def _message(text: str) -> dict[str, Any]:
    return {"text": text, "fragments": [{"type": "text", "text": text, "cheermote": None, "emote": None}]}


def automod_hold(who: Who, text: str, message_id: str | None = None, category: str = "swearing",
                 level: int = 4) -> dict[str, Any]:
    """`automod.message.hold` v2: AutoMod caught `text` (reason automod, one boundary over all of it)."""
    return {**broadcaster(), **user("user", who), "message_id": message_id or new_id(), "message": _message(text),
            "held_at": now_rfc3339(), "reason": "automod",
            "automod": {"category": category, "level": level, "boundaries": [{"start_pos": 0,
                                                                               "end_pos": max(0, len(text) - 1)}]},
            "blocked_term": None}


def automod_update(who: Who, text: str, message_id: str, status: str, moderator: Who | None = BROADCASTER
                   ) -> dict[str, Any]:
    """`automod.message.update` v2; `status` as Twitch spells it: Approved, Denied or Expired."""
    return {**automod_hold(who, text, message_id), **user("moderator_user", moderator), "status": status}


def user_message_hold(text: str, message_id: str | None = None) -> dict[str, Any]:
    return {**broadcaster(), **user("user", BROADCASTER), "message_id": message_id or new_id(),
            "message": _message(text)}


def user_message_update(text: str, message_id: str, status: str) -> dict[str, Any]:
    """`status`: approved, denied or invalid."""
    return {**user_message_hold(text, message_id), "status": status}


def warning_send(who: Who, moderator: Who, reason: str, rules: list[str] | None = None) -> dict[str, Any]:
    return {**broadcaster(), **user("moderator_user", moderator), **user("user", who), "reason": reason,
            "chat_rules_cited": rules}


def warning_acknowledge(who: Who) -> dict[str, Any]:
    return {**broadcaster(), **user("user", who)}


def chat_settings(*, slow: int | None = None, followers: int | None = None, subs: bool = False,
                  emote_only: bool = False, unique: bool = False) -> dict[str, Any]:
    """`slow`: seconds (None = off); `followers`: minutes (None = off, 0 = any follower)."""
    return {**broadcaster(), "emote_mode": emote_only, "follower_mode": followers is not None,
            "follower_mode_duration_minutes": followers, "slow_mode": slow is not None,
            "slow_mode_wait_time_seconds": slow, "subscriber_mode": subs, "unique_chat_mode": unique}


def suspicious_message(who: Who, text: str, status: str = "active_monitoring", evasion: str = "likely",
                       shared_bans: int = 0) -> dict[str, Any]:
    return {**broadcaster(), **user("user", who), "low_trust_status": status,
            "shared_ban_channel_ids": [str(90000000 + k) for k in range(shared_bans)],
            "types": ["ban_evader_detector"] + (["shared_channel_ban"] if shared_bans else []),
            "ban_evasion_evaluation": evasion, "message": {"message_id": new_id(), **_message(text)}}


def shield_mode(active: bool, moderator: Who) -> dict[str, Any]:
    return {**broadcaster(), **user("moderator_user", moderator),
            ("started_at" if active else "ended_at"): now_rfc3339()}


def unban_request_create(who: Who, text: str, request_id: str = "unban-1") -> dict[str, Any]:
    return {"id": request_id, **broadcaster(), **user("user", who), "text": text, "created_at": now_rfc3339()}


def unban_request_resolve(who: Who, moderator: Who | None, status: str, text: str = "",
                          request_id: str = "unban-1") -> dict[str, Any]:
    return {"id": request_id, **broadcaster(), **user("moderator_user", moderator), **user("user", who),
            "resolution_text": text, "status": status}


def vip(who: Who) -> dict[str, Any]:
    return {**user("user", who), **broadcaster()}


def shoutout_create(to: Who, viewers: int, moderator: Who = BROADCASTER) -> dict[str, Any]:
    """The channel's own shoutout: Twitch's cooldowns are 2 min for any and 60 min for the same channel (§5.8)."""
    return {**broadcaster(), **user("to_broadcaster_user", to), **user("moderator_user", moderator),
            "viewer_count": viewers, "started_at": _at(0), "cooldown_ends_at": _at(120),
            "target_cooldown_ends_at": _at(3600)}
