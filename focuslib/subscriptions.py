"""Which EventSub subscriptions focus wants (configuration, not session state).

Types, versions, conditions and scopes are from Twitch's subscription-type
reference (protocol notes §2.5).  For the streamer's own channel the
broadcaster, the chat-reading user and the moderator are all the streamer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    type: str
    version: str
    condition: tuple[tuple[str, str], ...]
    scopes: tuple[str, ...]  # any one of these is enough; empty = none needed
    group: str

    def body(self, session_id: str) -> dict[str, Any]:
        """The JSON body of Create EventSub Subscription for a websocket session."""
        return {
            "type": self.type,
            "version": self.version,
            "condition": dict(self.condition),
            "transport": {"method": "websocket", "session_id": session_id},
        }


# (type, version, condition keys, scopes, group).  Condition keys name which
# id fills them: "b" = broadcaster, "u" = the token's user.
_CATALOG: tuple[tuple[str, str, tuple[tuple[str, str], ...], tuple[str, ...], str], ...] = (
    ("channel.chat.message", "1", (("broadcaster_user_id", "b"), ("user_id", "u")), ("user:read:chat",), "chat"),
    ("channel.follow", "2", (("broadcaster_user_id", "b"), ("moderator_user_id", "u")),
     ("moderator:read:followers",), "follows"),
    ("channel.subscribe", "1", (("broadcaster_user_id", "b"),), ("channel:read:subscriptions",), "subs"),
)

GROUPS: tuple[str, ...] = tuple(dict.fromkeys(row[4] for row in _CATALOG))
ALL_SCOPES: tuple[str, ...] = tuple(sorted({scope for row in _CATALOG for scope in row[3]}))


def desired(broadcaster_id: str, user_id: str, groups: frozenset[str] | None = None) -> tuple[SubscriptionSpec, ...]:
    """The subscriptions for `groups` (all groups when None), in catalog order."""
    ids = {"b": broadcaster_id, "u": user_id}
    return tuple(
        SubscriptionSpec(stype, version, tuple((k, ids[who]) for k, who in cond), scopes, group)
        for stype, version, cond, scopes, group in _CATALOG
        if groups is None or group in groups
    )
