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
  ... and the channel calls (followers, channel information, categories, markers, ads, whispers: helix_channel.py),
  the roles (VIPs, moderators, Shield Mode: helix_roles.py), polls and predictions (helix_polls.py).

What succeeds also happens on the EventSub side, as on Twitch: a sent message
is echoed as `channel.chat.message` (the sender is the token's user), a ban
arrives as `channel.ban`, an allowed AutoMod hold as `automod.message.update`
and then the chat message, and so on.  The per-endpoint limits answer 429 with
points left in the bucket (§5.10): announcements every 2 s, shoutouts every
2 min and the same channel once an hour; `limited` makes any call answer so.
Chat modes drop messages of senders who are neither the broadcaster nor a
moderator (`is_sent: false` with a drop reason, §5.3); `drop_next` drops the
next message whatever the mode.  Every call costs a point of the caller's bucket (bucket.py); `broken` makes a route
fail and `slow` makes it take its time, as a troubled Twitch would.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable

from . import payloads
from .helix_channel import HelixChannel
from .helix_chat import MESSAGE_MEMORY, HelixChat
from .helix_moderation import HelixModeration
from .helix_polls import HelixPolls
from .helix_roles import HelixRoles
from .http_api import helix_auth, rate_headers
from .routing import RouteReply, Request, Route, endpoint_limit, error
from .state import Grant, SimState
from .triggers import CHATTERS, FOLLOWED_DAYS, FRIEND, KATZE, OTTER

Who = tuple[str, str, str]
ACCOUNTS_SINCE = 1577836800.0  # 2020-01-01: when the made-up accounts were created, unless `created` says


class HelixState(HelixModeration, HelixChat, HelixChannel, HelixRoles, HelixPolls):
    """Channel state behind the Helix calls: users, bans, chat settings, cooldowns, AutoMod holds, followers, roles,
    polls and predictions."""

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
        self.broken: dict[str, tuple[int, str]] = {}  # route -> (status, message) it answers instead (Twitch failing)
        self.slow: dict[str, float] = {}  # route -> seconds it takes to answer (a slow Twitch)
        self._init_channel()
        self._init_roles({KATZE[0]})
        self._init_polls()
        for who, days in FOLLOWED_DAYS.items():  # the demo's regulars followed long ago
            self.follow(who, days)
        self.subscriptions[OTTER[0]] = ("1000", None)

    def observe(self, stype: str, event: dict[str, Any]) -> None:
        """Remember chat messages and AutoMod holds sent over EventSub (by a trigger or a call), so replies,
        deletes and /allow can find them."""
        if stype == "automod.message.hold":
            with self.sim.lock:
                self.held[str(event.get("message_id"))] = event
            return
        if stype == "channel.follow":  # a follow played by a trigger: that user follows from now on
            self.follow((str(event.get("user_id")), str(event.get("user_login")), str(event.get("user_name"))), 0)
            return
        if stype in ("stream.online", "stream.offline"):
            with self.sim.lock:
                self.live = stype == "stream.online"
                self.live_since = time.time()
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
        scopes = {key: (scope,) for key, scope in SCOPES.items()}
        for more in (self.channel_routes(), self.role_routes(), self.poll_routes()):
            for key, (handler, needs) in more.items():
                table[key], scopes[key] = handler, needs
        return {key: self._guarded(key, handler, scopes.get(key, ())) for key, handler in table.items()}

    def _guarded(self, key: str, handler: Callable[[Request, Grant], RouteReply], scopes: tuple[str, ...]) -> Route:
        def route(req: Request) -> RouteReply:
            grant = helix_auth(self.sim, req)
            if isinstance(grant, RouteReply):
                return grant
            if scopes and not set(scopes) & set(grant.scopes):
                return error(401, f"Missing scope: {' or '.join(scopes)}")
            limited = self.limited.get(key)
            if limited is not None:
                return endpoint_limit(limited)
            delay = self.slow.get(key, 0.0)
            if delay and self.sim.stopped.wait(delay):
                return error(503, "the simulator is stopping")
            broken = self.broken.get(key)
            if broken is not None:
                return error(*broken)
            with self.sim.lock:
                reply = handler(req, grant)
            if not reply.headers:
                reply = RouteReply(reply.status, reply.doc, rate_headers(self.sim, grant), reply.content_type)
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
                                     "view_count": 0,
                                     "created_at": payloads.rfc3339(self.created.get(uid, ACCOUNTS_SINCE))}
                                    for uid, login, name in dict.fromkeys(found)]})


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
