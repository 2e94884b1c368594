"""What the simulated Twitch accepts, written from the protocol notes §2.5.

This table is deliberately separate from focus's own subscription list, so a
wrong version or condition in focus fails against the simulator the way it
would fail against Twitch.  type -> (version, scopes (any one), condition keys);
"a|b" = exactly one of a or b; "k?" = optional.
"""

from __future__ import annotations

_CHAT = ("broadcaster_user_id", "user_id")
_B = ("broadcaster_user_id",)
_BM = ("broadcaster_user_id", "moderator_user_id")

CATALOG: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "channel.chat.message": ("1", ("user:read:chat",), _CHAT),
    "channel.chat.notification": ("1", ("user:read:chat",), _CHAT),
    "channel.chat.message_delete": ("1", ("user:read:chat",), _CHAT),
    "channel.chat.clear": ("1", ("user:read:chat",), _CHAT),
    "channel.chat.clear_user_messages": ("1", ("user:read:chat",), _CHAT),
    "channel.follow": ("2", ("moderator:read:followers",), _BM),
    "channel.subscribe": ("1", ("channel:read:subscriptions",), _B),
    "channel.subscription.gift": ("1", ("channel:read:subscriptions",), _B),
    "channel.subscription.message": ("1", ("channel:read:subscriptions",), _B),
    "channel.cheer": ("1", ("bits:read",), _B),
    "channel.raid": ("1", (), ("to_broadcaster_user_id|from_broadcaster_user_id",)),
    "channel.ban": ("1", ("channel:moderate",), _B),
    "channel.unban": ("1", ("channel:moderate",), _B),
    "channel.channel_points_custom_reward_redemption.add": (
        "1", ("channel:read:redemptions", "channel:manage:redemptions"), ("broadcaster_user_id", "reward_id?")),
    "channel.hype_train.begin": ("2", ("channel:read:hype_train",), _B),
    "channel.hype_train.progress": ("2", ("channel:read:hype_train",), _B),
    "channel.hype_train.end": ("2", ("channel:read:hype_train",), _B),
    "stream.online": ("1", (), _B),
    "stream.offline": ("1", (), _B),
    "channel.shoutout.receive": ("1", ("moderator:read:shoutouts", "moderator:manage:shoutouts"), _BM),
    "channel.ad_break.begin": ("1", ("channel:read:ads",), _B),
    # §2.6
    "automod.message.hold": ("2", ("moderator:manage:automod",), _BM),
    "automod.message.update": ("2", ("moderator:manage:automod",), _BM),
    "channel.chat.user_message_hold": ("1", ("user:read:chat",), _CHAT),
    "channel.chat.user_message_update": ("1", ("user:read:chat",), _CHAT),
    "channel.chat_settings.update": ("1", ("user:read:chat",), _CHAT),
    "channel.warning.send": ("1", ("moderator:read:warnings", "moderator:manage:warnings"), _BM),
    "channel.warning.acknowledge": ("1", ("moderator:read:warnings", "moderator:manage:warnings"), _BM),
    "channel.suspicious_user.message": ("1", ("moderator:read:suspicious_users",), _BM),
    "channel.shield_mode.begin": ("1", ("moderator:read:shield_mode", "moderator:manage:shield_mode"), _BM),
    "channel.shield_mode.end": ("1", ("moderator:read:shield_mode", "moderator:manage:shield_mode"), _BM),
    "channel.unban_request.create": ("1", ("moderator:read:unban_requests", "moderator:manage:unban_requests"),
                                     _BM),
    "channel.unban_request.resolve": ("1", ("moderator:read:unban_requests", "moderator:manage:unban_requests"),
                                      _BM),
    "channel.vip.add": ("1", ("channel:read:vips", "channel:manage:vips"), _B),
    "channel.vip.remove": ("1", ("channel:read:vips", "channel:manage:vips"), _B),
    "channel.shoutout.create": ("1", ("moderator:read:shoutouts", "moderator:manage:shoutouts"), _BM),
    "channel.poll.begin": ("1", ("channel:read:polls", "channel:manage:polls"), _B),
    "channel.poll.progress": ("1", ("channel:read:polls", "channel:manage:polls"), _B),
    "channel.poll.end": ("1", ("channel:read:polls", "channel:manage:polls"), _B),
    "channel.prediction.begin": ("1", ("channel:read:predictions", "channel:manage:predictions"), _B),
    "channel.prediction.progress": ("1", ("channel:read:predictions", "channel:manage:predictions"), _B),
    "channel.prediction.lock": ("1", ("channel:read:predictions", "channel:manage:predictions"), _B),
    "channel.prediction.end": ("1", ("channel:read:predictions", "channel:manage:predictions"), _B),
    "channel.bits.use": ("1", ("bits:read",), _B),
    "channel.channel_points_automatic_reward_redemption.add": (
        "2", ("channel:read:redemptions", "channel:manage:redemptions"), _B),
    "channel.shared_chat.begin": ("1", (), _B),
    "channel.shared_chat.update": ("1", (), _B),
    "channel.shared_chat.end": ("1", (), _B),
    "channel.goal.begin": ("1", ("channel:read:goals",), _B),
    "channel.goal.progress": ("1", ("channel:read:goals",), _B),
    "channel.goal.end": ("1", ("channel:read:goals",), _B),
}

REMOVED = {("channel.follow", "1")}
