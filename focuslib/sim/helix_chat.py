"""The simulated Twitch's chat calls (protocol notes §5.3, §5.7, §5.8, §2.6): send, announce, shout out, chat settings.

`HelixChat` is a part of `HelixState` (helix_api.py).  A sent message is echoed as `channel.chat.message` (the
sender is the token's user); chat modes drop messages of senders who are neither the broadcaster nor a
moderator (`is_sent: false` with a drop reason, §5.3); `drop_next` drops the next message whatever the mode.
Announcements are limited to one every 2 s, shoutouts to one every 2 min and the same channel once an hour
(429 with points left, §5.10).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable

from . import payloads
from . import payloads_chat as chat
from . import payloads_moderation as moderation
from .helix_moderation import MAX_MESSAGE
from .routing import RouteReply, Request, endpoint_limit, error
from .state import Grant, SimState

Who = tuple[str, str, str]
MESSAGE_MEMORY = 2048  # chat messages remembered for replies and deletes
DROP_MESSAGES = {
    "emote_mode": ("msg_emoteonly", "This room is in emote-only mode."),
    "subscriber_mode": ("msg_subsonly", "This room is in subscribers-only mode."),
    "follower_mode": ("msg_followersonly", "This room is in followers-only mode."),
    "slow_mode": ("msg_slowmode", "This room is in slow mode and you are sending messages too quickly."),
}


class HelixChat:
    sim: SimState
    moderators: set[str]
    settings: dict[str, Any]
    messages: OrderedDict[str, tuple[Who, str]]
    drop_next: tuple[str, str] | None
    announce_every: float
    shoutout_every: float
    shoutout_same: float
    last_announcement: float
    last_shoutout: float
    shoutouts: dict[str, float]
    by_id: Callable[[str], Who | None]
    _is_mod: Callable[[str], bool]
    _banned: Callable[[str], bool]
    _moderator: Callable[..., RouteReply | None]

    def _send(self, req: Request, grant: Grant) -> RouteReply:
        body = req.json()
        if not isinstance(body, dict):
            return error(400, "The request body is not valid JSON.")
        for key in ("broadcaster_id", "sender_id", "message"):
            if not isinstance(body.get(key), str) or not body[key]:
                return error(400, f'Missing required parameter "{key}"')
        if body["sender_id"] != grant.user[0]:
            return error(403, "The sender must be the user in the access token.")
        if body["broadcaster_id"] != self.sim.broadcaster[0]:
            return error(400, "The ID in broadcaster_id is not valid.")
        if "for_source_only" in body:
            return error(400, "for_source_only may only be set with an app access token.")
        text = body["message"]
        if len(text) > MAX_MESSAGE:
            return error(422, "The message is too large.")
        parent_id = body.get("reply_parent_message_id") or ""
        parent = self.messages.get(parent_id) if parent_id else None
        if parent_id and parent is None:
            return error(400, "The reply_parent_message_id is not valid.")
        drop = self._drop_reason(grant.user[0], text)
        if drop is not None:
            return RouteReply(200, {"data": [{"message_id": "", "is_sent": False,
                                         "drop_reason": {"code": drop[0], "message": drop[1]}}]})
        mid = payloads.new_id()
        reply = payloads.reply_to(parent_id, parent[0], parent[1]) if parent is not None else None
        self.sim.notify("channel.chat.message", payloads.chat_message(grant.user, text, message_id=mid, reply=reply,
                                                               badges=self._badges(grant.user[0])))
        return RouteReply(200, {"data": [{"message_id": mid, "is_sent": True, "drop_reason": None}]})

    def _drop_reason(self, user_id: str, text: str) -> tuple[str, str] | None:
        if self.drop_next is not None:
            drop, self.drop_next = self.drop_next, None
            return drop
        if self._banned(user_id):
            return ("msg_banned", "You are permanently banned from talking in this channel.")
        if self._is_mod(user_id):
            return None  # chat modes do not apply to the broadcaster and moderators
        for mode, reason in DROP_MESSAGES.items():
            if self.settings[mode] and not (mode == "emote_mode" and _only_emotes(text)):
                return reason
        return None

    def _announce(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._moderator(req, grant)) is not None:
            return bad
        body = req.json()
        text = body.get("message") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            return error(400, 'Missing required parameter "message"')
        color = str(body.get("color") or "primary")
        if color not in ("blue", "green", "orange", "purple", "primary"):
            return error(400, "The color is not valid.")
        now = time.monotonic()
        if now - self.last_announcement < self.announce_every:
            return endpoint_limit("You may send only one announcement every 2 seconds.")
        self.last_announcement = now
        self.sim.notify("channel.chat.notification", chat.announcement(grant.user, text[:MAX_MESSAGE], color.upper()))
        return RouteReply(204)

    def _shoutout(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._moderator(req, grant, "from_broadcaster_id")) is not None:
            return bad
        to = self.by_id(req.q("to_broadcaster_id"))
        if to is None:
            return error(400, "The ID in to_broadcaster_id is not valid.")
        if to[0] == self.sim.broadcaster[0]:
            return error(400, "The broadcaster may not give themselves a Shoutout.")
        now = time.monotonic()
        if now - self.last_shoutout < self.shoutout_every:
            return endpoint_limit("A Shoutout may be given once every 2 minutes.")
        if now - self.shoutouts.get(to[0], float("-inf")) < self.shoutout_same:
            return endpoint_limit(f"{to[2]} was given a Shoutout in the last 60 minutes.")
        self.last_shoutout = self.shoutouts[to[0]] = now
        self.sim.notify("channel.shoutout.create", moderation.shoutout_create(to, 42, grant.user))
        return RouteReply(204)

    def _settings(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._moderator(req, grant)) is not None:
            return bad
        body = req.json()
        if not isinstance(body, dict) or not body:
            return error(400, "The request body must contain at least one setting.")
        changes = dict(body)
        wait = changes.get("slow_mode_wait_time")
        if wait is not None and (not isinstance(wait, int) or not 3 <= wait <= 120):
            return error(400, "The value of slow_mode_wait_time must be from 3 through 120.")
        minutes = changes.get("follower_mode_duration")
        if minutes is not None and (not isinstance(minutes, int) or not 0 <= minutes <= 129600):
            return error(400, "The value of follower_mode_duration must be from 0 through 129600.")
        unknown = set(changes) - (set(self.settings) - {"broadcaster_id"})
        if unknown:
            return error(400, f"Unknown setting: {sorted(unknown)[0]}")
        if changes.get("slow_mode") is True and wait is None:
            changes["slow_mode_wait_time"] = 30  # Twitch's default
        if changes.get("slow_mode") is False:
            changes["slow_mode_wait_time"] = None
        if changes.get("follower_mode") is True and minutes is None:
            changes["follower_mode_duration"] = 0
        if changes.get("follower_mode") is False:
            changes["follower_mode_duration"] = None
        self.settings.update(changes)
        now = self.settings
        self.sim.notify("channel.chat_settings.update", moderation.chat_settings(
            slow=now["slow_mode_wait_time"] if now["slow_mode"] else None,
            followers=now["follower_mode_duration"] if now["follower_mode"] else None,
            subs=now["subscriber_mode"], emote_only=now["emote_mode"], unique=now["unique_chat_mode"]))
        return RouteReply(200, {"data": [dict(self.settings, moderator_id=grant.user[0])]})

    def _badges(self, user_id: str) -> list[tuple[str, str, str]]:
        if user_id == self.sim.broadcaster[0]:
            return [("broadcaster", "1", "")]
        return [("moderator", "1", "")] if user_id in self.moderators else []


def _only_emotes(text: str) -> bool:
    return all(f["type"] == "emote" for f in payloads.fragments(text))
