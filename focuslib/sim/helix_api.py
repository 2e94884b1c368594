"""The simulated Twitch's Helix calls for chat and moderation, validated as Twitch does (protocol notes §5, §2.6).

This module holds the channel's state (`HelixState`), the route table and the chat calls; the moderation
calls are in helix_moderation.py (`HelixModeration`, which HelixState inherits).

  GET    /helix/users                    ?login=&id= (repeatable, <= 100 in all; none: the token's user)
  POST   /helix/chat/messages            body {broadcaster_id, sender_id, message, reply_parent_message_id?}
  POST   /helix/chat/announcements       ?broadcaster_id&moderator_id  body {message, color?}
  POST   /helix/chat/shoutouts           ?from_broadcaster_id&to_broadcaster_id&moderator_id
  PATCH  /helix/chat/settings            ?broadcaster_id&moderator_id  body: the fields that change
  POST   /helix/moderation/bans          ?broadcaster_id&moderator_id  body {data: {user_id, duration?, reason?}}
  DELETE /helix/moderation/bans          ?broadcaster_id&moderator_id&user_id
  GET    /helix/moderation/banned        ?broadcaster_id[&user_id...] (the broadcaster's own token only)
  DELETE /helix/moderation/chat          ?broadcaster_id&moderator_id[&message_id]
  POST   /helix/moderation/warnings      ?broadcaster_id&moderator_id  body {data: {user_id, reason}}
  POST   /helix/moderation/automod/message  body {user_id, msg_id, action: ALLOW|DENY}
  POST   /helix/raids                    ?from_broadcaster_id&to_broadcaster_id

What succeeds also happens on the EventSub side, as on Twitch: a sent message
is echoed as `channel.chat.message` (the sender is the token's user), a ban
arrives as `channel.ban`, an allowed AutoMod hold as `automod.message.update`
and then the chat message, and so on.  The per-endpoint limits answer 429 with
points left in the bucket (§5.10): announcements every 2 s, shoutouts every
2 min and the same channel once an hour; `limited` makes any call answer so.
Chat modes drop messages of senders who are neither the broadcaster nor a
moderator (`is_sent: false` with a drop reason, §5.3); `drop_next` drops the
next message whatever the mode.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable

from . import payloads
from . import payloads_chat as chat
from . import payloads_moderation as moderation
from .helix_moderation import MAX_MESSAGE, HelixModeration
from .http_api import helix_auth, rate_headers
from .routing import RouteReply, Request, Route, error
from .state import Grant, SimState
from .triggers import CHATTERS, FRIEND

Who = tuple[str, str, str]
MESSAGE_MEMORY = 2048  # chat messages remembered for replies and deletes
DROP_MESSAGES = {
    "emote_mode": ("msg_emoteonly", "This room is in emote-only mode."),
    "subscriber_mode": ("msg_subsonly", "This room is in subscribers-only mode."),
    "follower_mode": ("msg_followersonly", "This room is in followers-only mode."),
    "slow_mode": ("msg_slowmode", "This room is in slow mode and you are sending messages too quickly."),
}


class HelixState(HelixModeration):
    """Channel state behind the Helix calls: users, bans, chat settings, cooldowns, AutoMod holds."""

    def __init__(self, sim: SimState) -> None:
        self.sim = sim
        self.users: dict[str, Who] = {w[1]: w for w in [sim.broadcaster, FRIEND, *(c[0] for c in CHATTERS)]}
        self.moderators: set[str] = {CHATTERS[1][0][0]}  # user ids besides the broadcaster
        self.bans: dict[str, float | None] = {}  # user id -> end (Unix time) or None (permanent)
        self.settings: dict[str, Any] = {"broadcaster_id": sim.broadcaster[0], "emote_mode": False,
                                         "follower_mode": False, "follower_mode_duration": None,
                                         "non_moderator_chat_delay": False, "non_moderator_chat_delay_duration": None,
                                         "slow_mode": False, "slow_mode_wait_time": None, "subscriber_mode": False,
                                         "unique_chat_mode": False}
        self.messages: OrderedDict[str, tuple[Who, str]] = OrderedDict()  # message id -> (chatter, text)
        self.held: dict[str, dict[str, Any]] = {}  # message id -> the automod.message.hold event
        self.limited: dict[str, str] = {}  # route ("POST /helix/moderation/bans") -> 429 message, points left
        self.busy: set[str] = set()  # user ids whose ban state "another moderator" is changing (409)
        self.drop_next: tuple[str, str] | None = None  # (code, message) for the next chat message
        self.announce_every = 2.0
        self.shoutout_every = 120.0
        self.shoutout_same = 3600.0
        self.last_announcement = float("-inf")
        self.last_shoutout = float("-inf")
        self.shoutouts: dict[str, float] = {}  # target id -> when
        self.raiding_until = 0.0

    def observe(self, stype: str, event: dict[str, Any]) -> None:
        """Remember chat messages and AutoMod holds sent over EventSub (by a trigger or a call), so replies,
        deletes and /allow can find them."""
        if stype == "automod.message.hold":
            with self.sim.lock:
                self.held[str(event.get("message_id"))] = event
            return
        if stype != "channel.chat.message":
            return
        who = (str(event.get("chatter_user_id")), str(event.get("chatter_user_login")),
               str(event.get("chatter_user_name")))
        with self.sim.lock:
            self.users.setdefault(who[1], who)
            self.messages[str(event.get("message_id"))] = (who, str((event.get("message") or {}).get("text", "")))
            while len(self.messages) > MESSAGE_MEMORY:
                self.messages.popitem(last=False)

    def routes(self) -> dict[str, Route]:
        table: dict[str, Callable[[Request, Grant], RouteReply]] = {
            "GET /helix/users": self._users,
            "POST /helix/chat/messages": self._send,
            "POST /helix/chat/announcements": self._announce,
            "POST /helix/chat/shoutouts": self._shoutout,
            "PATCH /helix/chat/settings": self._settings,
            "POST /helix/moderation/bans": self._ban,
            "DELETE /helix/moderation/bans": self._unban,
            "GET /helix/moderation/banned": self._banned_users,
            "DELETE /helix/moderation/chat": self._delete,
            "POST /helix/moderation/warnings": self._warn,
            "POST /helix/moderation/automod/message": self._automod,
            "POST /helix/raids": self._raid,
        }
        return {key: self._guarded(key, handler) for key, handler in table.items()}

    def _guarded(self, key: str, handler: Callable[[Request, Grant], RouteReply]) -> Route:
        def route(req: Request) -> RouteReply:
            grant = helix_auth(self.sim, req)
            if isinstance(grant, RouteReply):
                return grant
            scope = SCOPES.get(key)
            if scope and scope not in grant.scopes:
                return error(401, f"Missing scope: {scope}")
            limited = self.limited.get(key)
            if limited is not None:
                return _endpoint_limit(limited)
            with self.sim.lock:
                reply = handler(req, grant)
            if not reply.headers:
                reply = RouteReply(reply.status, reply.doc, rate_headers(), reply.content_type)
            return reply
        return route

    # -- users ------------------------------------------------------------------------------------------------

    def _users(self, req: Request, grant: Grant) -> RouteReply:
        logins, ids = req.query.get("login", []), req.query.get("id", [])
        if len(logins) + len(ids) > 100:
            return error(400, "The sum of the ids and logins must not exceed 100.")
        found = [grant.user] if not logins and not ids else []
        found += [self.users[x.lower()] for x in logins if x.lower() in self.users]
        found += [w for w in (self.by_id(x) for x in ids) if w is not None]
        return RouteReply(200, {"data": [{"id": uid, "login": login, "display_name": name, "type": "",
                                     "broadcaster_type": "affiliate" if uid == self.sim.broadcaster[0] else "",
                                     "description": "", "profile_image_url": "", "offline_image_url": "",
                                     "view_count": 0, "created_at": "2020-01-01T00:00:00Z"}
                                    for uid, login, name in dict.fromkeys(found)]})

    # -- chat -----------------------------------------------------------------------------------------------------

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
                                                               badges=_badges(self, grant.user[0])))
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
            return _endpoint_limit("You may send only one announcement every 2 seconds.")
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
            return _endpoint_limit("A Shoutout may be given once every 2 minutes.")
        if now - self.shoutouts.get(to[0], float("-inf")) < self.shoutout_same:
            return _endpoint_limit(f"{to[2]} was given a Shoutout in the last 60 minutes.")
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

    # -- moderation ----------------------------------------------------------------------------------------------

SCOPES = {
    "POST /helix/chat/messages": "user:write:chat",
    "POST /helix/chat/announcements": "moderator:manage:announcements",
    "POST /helix/chat/shoutouts": "moderator:manage:shoutouts",
    "PATCH /helix/chat/settings": "moderator:manage:chat_settings",
    "POST /helix/moderation/bans": "moderator:manage:banned_users",
    "DELETE /helix/moderation/bans": "moderator:manage:banned_users",
    "GET /helix/moderation/banned": "moderator:manage:banned_users",  # or moderation:read
    "DELETE /helix/moderation/chat": "moderator:manage:chat_messages",
    "POST /helix/moderation/warnings": "moderator:manage:warnings",
    "POST /helix/moderation/automod/message": "moderator:manage:automod",
    "POST /helix/raids": "channel:manage:raids",
}


def _endpoint_limit(message: str) -> RouteReply:
    """A per-endpoint 429: the per-minute bucket still has points (§5.10)."""
    return error(429, message, headers={"Ratelimit-Limit": "800", "Ratelimit-Remaining": "797",
                                        "Ratelimit-Reset": str(int(time.time()) + 60)})


def _only_emotes(text: str) -> bool:
    return all(f["type"] == "emote" for f in payloads.fragments(text))


def _badges(state: HelixState, user_id: str) -> list[tuple[str, str, str]]:
    if user_id == state.sim.broadcaster[0]:
        return [("broadcaster", "1", "")]
    return [("moderator", "1", "")] if user_id in state.moderators else []
