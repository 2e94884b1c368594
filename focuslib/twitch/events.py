"""EventSub event payloads -> immutable records (pure).  `parse_event` is the one entry point.

Field names follow Twitch's "EventSub Subscription Types" reference (see the
protocol notes §3).  Parsing is tolerant: a missing or null optional field
becomes an empty value, never an exception, because Twitch adds and changes
fields over time; an unknown subscription type becomes `UnknownEvent`.  The
records are NamedTuples (`events_base` says why) and live in `events_chat` (chat
and notices), `events_moderation` (moderation and AutoMod) and `events_channel`
(everything else); the field readers are in `events_base`.
"""

from __future__ import annotations

from typing import Any, Callable, Union

from focuslib.twitch.events_base import ANONYMOUS, Badge, Fragment, UnknownEvent, User, badges, fragments, user
from focuslib.twitch.events_channel import (PHASED, AdBreak, ChannelBan, ChannelRaid, ChannelUnban, Cheer, Contribution,
                             Follow, HypeTrain, Poll, PollChoice, Prediction, PredictionOutcome, Redemption,
                             ShoutoutReceived, StreamOffline, StreamOnline, Subscribe, SubscriptionGift,
                             SubscriptionMessage, parse_ad_break,
                             parse_ban, parse_cheer, parse_follow, parse_raid, parse_redemption,
                             parse_shoutout_receive, parse_stream_offline, parse_stream_online, parse_subscribe,
                             parse_subscription_gift, parse_subscription_message, parse_unban)
from focuslib.twitch.events_chat import (AnnouncementNotice, BitsBadgeNotice, CharityNotice, ChatClear, ChatMessage,
                          ChatNotification, ClearUserMessages, CommunityGiftNotice, GifterNotice, MessageDelete,
                          ModiversaryNotice, NoticeDetail, PrimeUpgradeNotice, RaidNotice, ReplyParent, ResubNotice,
                          SubGiftNotice, SubNotice, WatchStreakNotice, parse_chat_clear, parse_chat_message,
                          parse_chat_notification, parse_clear_user_messages, parse_message_delete)
from focuslib.twitch.events_community import (ANONYMOUS_CHEERER, COMMUNITY_PARSERS, AutomaticReward, BitsUse, Goal,
                                              OutgoingRaid, SharedChat, outgoing, parse_outgoing_raid)
from focuslib.twitch.events_moderation import (MODERATION_PARSERS, AutoModHold, AutoModUpdate, ChatSettings,
                                               ShieldMode, ShoutoutGiven, SuspiciousMessage, UnbanRequest,
                                               UserMessageHold, UserMessageUpdate, VipChange, WarningAcknowledged,
                                               WarningSent)


Event = Union[ChatMessage, ChatNotification, MessageDelete, ChatClear, ClearUserMessages, Follow, Subscribe,
              SubscriptionGift, SubscriptionMessage, Cheer, ChannelRaid, ChannelBan, ChannelUnban, Redemption,
              HypeTrain, Poll, Prediction, ShoutoutReceived, StreamOnline, StreamOffline, AdBreak, AutoModHold,
              AutoModUpdate,
              UserMessageHold, UserMessageUpdate, WarningSent, WarningAcknowledged, ChatSettings, SuspiciousMessage,
              ShieldMode, UnbanRequest, VipChange, ShoutoutGiven, BitsUse, AutomaticReward, SharedChat, Goal,
              OutgoingRaid, UnknownEvent]


def parse_event(subscription_type: str, version: str, data: dict[str, Any],
                condition: dict[str, Any] | None = None, channel: str = "") -> Event:
    """Build the typed event for `subscription_type`; unknown types are kept whole.

    `condition` (the subscription's) and `channel` (the broadcaster focus shows, when
    known): only `channel.raid` needs them, to know which end of the raid the channel is."""
    if condition is not None and subscription_type == "channel.raid" and outgoing(condition, data, channel):
        return parse_outgoing_raid(data)
    parser = PARSERS.get(subscription_type)
    if parser is None:
        return UnknownEvent(subscription_type, version, data)
    return parser(data)


PARSERS: dict[str, Callable[[dict[str, Any]], Event]] = {
    "channel.chat.message": parse_chat_message,
    "channel.chat.notification": parse_chat_notification,
    "channel.chat.message_delete": parse_message_delete,
    "channel.chat.clear": parse_chat_clear,
    "channel.chat.clear_user_messages": parse_clear_user_messages,
    "channel.follow": parse_follow,
    "channel.subscribe": parse_subscribe,
    "channel.subscription.gift": parse_subscription_gift,
    "channel.subscription.message": parse_subscription_message,
    "channel.cheer": parse_cheer,
    "channel.raid": parse_raid,
    "channel.ban": parse_ban,
    "channel.unban": parse_unban,
    "channel.channel_points_custom_reward_redemption.add": parse_redemption,
    "channel.shoutout.receive": parse_shoutout_receive,
    "stream.online": parse_stream_online,
    "stream.offline": parse_stream_offline,
    "channel.ad_break.begin": parse_ad_break,
    **PHASED,
    **MODERATION_PARSERS,
    **COMMUNITY_PARSERS,
}

__all__ = [
    "ANONYMOUS", "ANONYMOUS_CHEERER", "AutomaticReward", "BitsUse", "Goal", "OutgoingRaid", "SharedChat", "AdBreak", "AnnouncementNotice", "AutoModHold", "AutoModUpdate", "ChatSettings", "ShieldMode",
    "ShoutoutGiven", "SuspiciousMessage", "UnbanRequest", "UserMessageHold", "UserMessageUpdate", "VipChange",
    "WarningAcknowledged", "WarningSent", "Badge", "ChannelBan", "BitsBadgeNotice", "CharityNotice", "ChatClear",
    "ChatMessage", "ChatNotification", "Cheer", "ClearUserMessages", "CommunityGiftNotice", "Contribution", "Event",
    "Follow", "Fragment", "GifterNotice", "HypeTrain", "MessageDelete", "ModiversaryNotice", "NoticeDetail",
    "PredictionOutcome", "PARSERS", "Poll", "PollChoice", "Prediction", "PrimeUpgradeNotice", "ChannelRaid",
    "RaidNotice",
    "Redemption", "ReplyParent", "ResubNotice", "ShoutoutReceived", "StreamOffline", "StreamOnline", "SubGiftNotice",
    "SubNotice", "Subscribe", "SubscriptionGift", "SubscriptionMessage", "ChannelUnban", "UnknownEvent", "User",
    "WatchStreakNotice", "badges", "fragments", "parse_event", "user",
]
