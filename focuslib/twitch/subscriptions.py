"""Which EventSub subscriptions focus wants (configuration, not session state).

Types, versions, conditions and scopes are from Twitch's subscription-type
reference (protocol notes §2.5).  For the streamer's own channel the
broadcaster, the chat-reading user and the moderator are all the streamer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from focuslib.errors import ConfigError


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    type: str
    version: str
    condition: tuple[tuple[str, str], ...]
    scopes: tuple[str, ...]  # any one of these is enough; empty = none needed
    group: str

    @property
    def key(self) -> str:
        """What tells this subscription from every other focus makes: its type and condition keys
        (the two `channel.raid` differ only there)."""
        return self.type + ":" + ",".join(k for k, _ in self.condition)

    def allowed_by(self, granted: set[str] | frozenset[str]) -> bool:
        """Whether a token with the `granted` scopes may create this subscription."""
        return not self.scopes or not granted.isdisjoint(self.scopes)

    def body(self, session_id: str) -> dict[str, Any]:
        """The JSON body of Create EventSub Subscription for a websocket session."""
        return {
            "type": self.type,
            "version": self.version,
            "condition": dict(self.condition),
            "transport": {"method": "websocket", "session_id": session_id},
        }


# (type, version, condition keys, scopes, group).  Condition keys name which
# id fills them: "b" = broadcaster, "u" = the token's user.  Versions and
# conditions: protocol notes §2.5 (follow and hype train are version 2; raid
# takes exactly one of to_/from_broadcaster_user_id, so focus makes two: raids
# in and the streamer's own raids out).  A spec is identified by type and
# condition (`SubscriptionSpec.key`), never by type alone.
_CHAT = (("broadcaster_user_id", "b"), ("user_id", "u"))
_B = (("broadcaster_user_id", "b"),)
_BM = (("broadcaster_user_id", "b"), ("moderator_user_id", "u"))
_READ_CHAT = ("user:read:chat",)
_SUBS = ("channel:read:subscriptions",)
_MOD = ("channel:moderate",)
_HYPE = ("channel:read:hype_train",)
_POLLS = ("channel:read:polls", "channel:manage:polls")
_PREDICTIONS = ("channel:read:predictions", "channel:manage:predictions")
_SHOUTOUTS = ("moderator:read:shoutouts", "moderator:manage:shoutouts")
_WARNINGS = ("moderator:read:warnings", "moderator:manage:warnings")
_SHIELD = ("moderator:read:shield_mode", "moderator:manage:shield_mode")
_UNBAN_REQUESTS = ("moderator:read:unban_requests", "moderator:manage:unban_requests")
_VIPS = ("channel:read:vips", "channel:manage:vips")
_REDEMPTIONS = ("channel:read:redemptions", "channel:manage:redemptions")
_GOALS = ("channel:read:goals",)
_CATALOG: tuple[tuple[str, str, tuple[tuple[str, str], ...], tuple[str, ...], str], ...] = (
    ("channel.chat.message", "1", _CHAT, _READ_CHAT, "chat"),
    ("channel.chat.notification", "1", _CHAT, _READ_CHAT, "chat"),
    # Who shares this channel's chat (protocol notes §2.6: no scope).
    ("channel.shared_chat.begin", "1", _B, (), "chat"),
    ("channel.shared_chat.update", "1", _B, (), "chat"),
    ("channel.shared_chat.end", "1", _B, (), "chat"),
    ("channel.chat.message_delete", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.chat.clear", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.chat.clear_user_messages", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.ban", "1", _B, _MOD, "moderation"),
    ("channel.unban", "1", _B, _MOD, "moderation"),
    # AutoMod and the other moderation moments (protocol notes §2.6; AutoMod is version 2).
    ("automod.message.hold", "2", _BM, ("moderator:manage:automod",), "moderation"),
    ("automod.message.update", "2", _BM, ("moderator:manage:automod",), "moderation"),
    ("channel.chat.user_message_hold", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.chat.user_message_update", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.chat_settings.update", "1", _CHAT, _READ_CHAT, "moderation"),
    ("channel.warning.send", "1", _BM, _WARNINGS, "moderation"),
    ("channel.warning.acknowledge", "1", _BM, _WARNINGS, "moderation"),
    ("channel.suspicious_user.message", "1", _BM, ("moderator:read:suspicious_users",), "moderation"),
    ("channel.shield_mode.begin", "1", _BM, _SHIELD, "moderation"),
    ("channel.shield_mode.end", "1", _BM, _SHIELD, "moderation"),
    ("channel.unban_request.create", "1", _BM, _UNBAN_REQUESTS, "moderation"),
    ("channel.unban_request.resolve", "1", _BM, _UNBAN_REQUESTS, "moderation"),
    ("channel.vip.add", "1", _B, _VIPS, "moderation"),
    ("channel.vip.remove", "1", _B, _VIPS, "moderation"),
    ("channel.follow", "2", _BM, ("moderator:read:followers",), "follows"),
    ("channel.subscribe", "1", _B, _SUBS, "subs"),
    ("channel.subscription.gift", "1", _B, _SUBS, "subs"),
    ("channel.subscription.message", "1", _B, _SUBS, "subs"),
    ("channel.cheer", "1", _B, ("bits:read",), "cheers"),
    # Every use of bits: power-ups and combos, and plain cheers (a twin of channel.cheer, view/twins.py).
    ("channel.bits.use", "1", _B, ("bits:read",), "cheers"),
    ("channel.raid", "1", (("to_broadcaster_user_id", "b"),), (), "raids"),
    # The streamer's own raids out: a second channel.raid subscription (§2.6).
    ("channel.raid", "1", (("from_broadcaster_user_id", "b"),), (), "raids"),
    ("channel.channel_points_custom_reward_redemption.add", "1", _B, _REDEMPTIONS, "points"),
    # Built-in rewards (highlight a message, unlock an emote, ...); version 2 (§2.6).
    ("channel.channel_points_automatic_reward_redemption.add", "2", _B, _REDEMPTIONS, "points"),
    ("channel.hype_train.begin", "2", _B, _HYPE, "hypetrain"),
    ("channel.hype_train.progress", "2", _B, _HYPE, "hypetrain"),
    ("channel.hype_train.end", "2", _B, _HYPE, "hypetrain"),
    ("channel.poll.begin", "1", _B, _POLLS, "polls"),
    ("channel.poll.progress", "1", _B, _POLLS, "polls"),
    ("channel.poll.end", "1", _B, _POLLS, "polls"),
    ("channel.prediction.begin", "1", _B, _PREDICTIONS, "predictions"),
    ("channel.prediction.progress", "1", _B, _PREDICTIONS, "predictions"),
    ("channel.prediction.lock", "1", _B, _PREDICTIONS, "predictions"),
    ("channel.prediction.end", "1", _B, _PREDICTIONS, "predictions"),
    ("channel.goal.begin", "1", _B, _GOALS, "goals"),
    ("channel.goal.progress", "1", _B, _GOALS, "goals"),
    ("channel.goal.end", "1", _B, _GOALS, "goals"),
    ("channel.shoutout.receive", "1", _BM, _SHOUTOUTS, "shoutouts"),
    ("channel.shoutout.create", "1", _BM, _SHOUTOUTS, "shoutouts"),
    ("stream.online", "1", _B, (), "stream"),
    ("stream.offline", "1", _B, (), "stream"),
    ("channel.ad_break.begin", "1", _B, ("channel:read:ads",), "ads"),
)

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(row[4] for row in _CATALOG))


def desired(broadcaster_id: str, user_id: str, groups: frozenset[str] | None = None) -> tuple[SubscriptionSpec, ...]:
    """The subscriptions for `groups` (all groups when None), in catalog order."""
    ids = {"b": broadcaster_id, "u": user_id}
    return tuple(
        SubscriptionSpec(stype, version, tuple((k, ids[who]) for k, who in cond), scopes, group)
        for stype, version, cond, scopes, group in _CATALOG
        if groups is None or group in groups
    )


def parse_groups(text: str | None) -> frozenset[str] | None:
    """`--events` / FOCUS_EVENTS ("chat,follows,subs"): the groups to show; None = all of them."""
    names = [part.strip().lower() for part in (text or "").split(",") if part.strip()]
    if not names or "all" in names:
        return None
    unknown = [name for name in names if name not in GROUPS]
    if unknown:
        raise ConfigError(f"unknown event group{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                          "in --events/FOCUS_EVENTS", "use a comma-separated list of: " + ", ".join(GROUPS))
    return frozenset(names)
