"""The simulated Twitch's moderation calls (protocol notes §5.4-5.6, §2.6): bans and timeouts, unbans,
deleting messages, warnings, AutoMod's allow/deny, raids -- with Twitch's validation and the EventSub
events each one causes.  `HelixModeration` is the half of `HelixState` (helix_api.py) that serves them; its
checks (`_moderator`, ...) serve the chat calls too.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from . import payloads
from . import payloads_channel as channel
from . import payloads_chat as chat
from . import payloads_moderation as moderation
from .routing import RouteReply, Request, error
from .state import Grant, SimState

Who = tuple[str, str, str]
MAX_MESSAGE = 500
MAX_TIMEOUT = 1_209_600


class HelixModeration:
    """Bans, holds and raids; the state lives on the HelixState that inherits this."""

    sim: SimState
    users: dict[str, Who]
    moderators: set[str]
    bans: dict[str, float | None]
    messages: OrderedDict[str, tuple[Who, str]]
    held: dict[str, dict[str, Any]]
    busy: set[str]
    raiding_until: float

    def by_id(self, user_id: str) -> Who | None:
        return next((w for w in self.users.values() if w[0] == user_id), None)

    # -- checks shared by the moderation calls -----------------------------------------------------------

    def _moderator(self, req: Request, grant: Grant, broadcaster_key: str = "broadcaster_id") -> RouteReply | None:
        """The ids in the query must be there, match the token's user and make them a moderator."""
        for key in (broadcaster_key, "moderator_id"):
            if not req.q(key):
                return error(400, f'Missing required parameter "{key}"')
        if req.q("moderator_id") != grant.user[0]:
            return error(403, "The ID in moderator_id must match the user ID in the access token.")
        if req.q(broadcaster_key) != self.sim.broadcaster[0]:
            return error(400, f"The ID in {broadcaster_key} is not valid.")
        if not self._is_mod(grant.user[0]):
            return error(403, "The user in moderator_id is not one of the broadcaster's moderators.")
        return None

    def _is_mod(self, user_id: str) -> bool:
        return user_id == self.sim.broadcaster[0] or user_id in self.moderators

    def _banned(self, user_id: str) -> bool:
        end = self.bans.get(user_id, 0.0)
        return end is None or end > time.time()

    # -- the calls ------------------------------------------------------------------------------------------

    def _data(self, req: Request, grant: Grant) -> dict[str, Any] | RouteReply:
        """The `{"data": {...}}` body of Ban User and Warn Chat User, once the caller may moderate."""
        if (bad := self._moderator(req, grant)) is not None:
            return bad
        body = req.json()
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else error(400, 'Missing required parameter "data"')

    def _ban(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(data := self._data(req, grant), RouteReply):
            return data
        user_id, duration, reason = data.get("user_id"), data.get("duration"), data.get("reason", "")
        if not isinstance(user_id, str) or not user_id:
            return error(400, 'Missing required parameter "user_id"')
        if duration is not None and (not isinstance(duration, int) or not 1 <= duration <= MAX_TIMEOUT):
            return error(400, "The value in the duration field is not valid.")
        if not isinstance(reason, str) or len(reason) > MAX_MESSAGE:
            return error(400, "The text in the reason field is too long.")
        who = self.by_id(user_id)
        if who is None:
            return error(400, "The user specified in the user_id field does not exist.")
        if self._is_mod(user_id):
            return error(400, "The user specified in the user_id field may not be banned.")
        if user_id in self.busy:
            return error(409, "The user specified in the user_id field is being modified by another moderator.")
        if self.bans.get(user_id, 0.0) is None:
            return error(400, "The user specified in the user_id field is already banned.")
        end = None if duration is None else time.time() + duration
        self.bans[user_id] = end
        minutes = None if duration is None else duration / 60
        self.sim.notify("channel.ban", channel.ban(who, grant.user, reason, minutes))
        self.sim.notify("channel.chat.clear_user_messages", chat.clear_user_messages(who))
        return RouteReply(200, {"data": [{"broadcaster_id": self.sim.broadcaster[0], "moderator_id": grant.user[0],
                                     "user_id": user_id, "created_at": payloads.now_rfc3339(),
                                     "end_time": None if end is None else payloads.rfc3339(end)}]})

    def _unban(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._moderator(req, grant)) is not None:
            return bad
        user_id = req.q("user_id")
        if not user_id:
            return error(400, 'Missing required parameter "user_id"')
        who = self.by_id(user_id)
        if who is None:
            return error(400, "The user specified in the user_id field does not exist.")
        if user_id in self.busy:
            return error(409, "The user specified in the user_id field is being modified by another moderator.")
        if not self._banned(user_id):
            return error(400, "The user specified in the user_id field is not banned.")
        del self.bans[user_id]
        self.sim.notify("channel.unban", channel.unban(who, grant.user))
        return RouteReply(204)

    def _banned_users(self, req: Request, grant: Grant) -> RouteReply:
        """Get Banned Users: who is banned or timed out now (`expires_at` "" for a ban)."""
        broadcaster = req.q("broadcaster_id")
        if not broadcaster:
            return error(400, 'Missing required parameter "broadcaster_id"')
        if broadcaster != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.")
        wanted = req.query.get("user_id", [])
        if len(wanted) > 100:
            return error(400, "You may specify a maximum of 100 user IDs.")
        rows = []
        for user_id, end in self.bans.items():
            who = self.by_id(user_id)
            if who is None or not self._banned(user_id) or (wanted and user_id not in wanted):
                continue
            rows.append({"user_id": user_id, "user_login": who[1], "user_name": who[2],
                         "expires_at": "" if end is None else payloads.rfc3339(end),
                         "created_at": payloads.now_rfc3339(),
                         "reason": "", "moderator_id": grant.user[0], "moderator_login": grant.user[1],
                         "moderator_name": grant.user[2]})
        return RouteReply(200, {"data": rows, "pagination": {}})

    def _delete(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._moderator(req, grant)) is not None:
            return bad
        message_id = req.q("message_id")
        if not message_id:
            self.messages.clear()
            self.sim.notify("channel.chat.clear", chat.chat_clear())
            return RouteReply(204)
        found = self.messages.get(message_id)
        if found is None:
            return error(404, "The message specified in the message_id field was not found.")
        if self._is_mod(found[0][0]):
            return error(400, "You may not delete another moderator's messages or the broadcaster's messages.")
        del self.messages[message_id]
        self.sim.notify("channel.chat.message_delete", chat.message_delete(found[0], message_id))
        return RouteReply(204)

    def _warn(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(data := self._data(req, grant), RouteReply):
            return data
        user_id, reason = data.get("user_id"), data.get("reason")
        if not isinstance(user_id, str) or not user_id:
            return error(400, 'Missing required parameter "user_id"')
        if not isinstance(reason, str) or not reason:
            return error(400, 'Missing required parameter "reason"')
        if len(reason) > MAX_MESSAGE:
            return error(400, "The text in the reason field is too long.")
        who = self.by_id(user_id)
        if who is None:
            return error(400, "The user specified in the user_id field does not exist.")
        if self._is_mod(user_id):
            return error(400, "The user specified in the user_id field may not be warned.")
        self.sim.notify("channel.warning.send", moderation.warning_send(who, grant.user, reason))
        return RouteReply(200, {"data": [{"broadcaster_id": self.sim.broadcaster[0], "user_id": user_id,
                                     "moderator_id": grant.user[0], "reason": reason}]})

    def _automod(self, req: Request, grant: Grant) -> RouteReply:
        body = req.json()
        if not isinstance(body, dict):
            return error(400, "The request body is not valid JSON.")
        for key in ("user_id", "msg_id", "action"):
            if not isinstance(body.get(key), str) or not body[key]:
                return error(400, f'Missing required parameter "{key}"')
        if body["user_id"] != grant.user[0]:
            return error(403, "The ID in user_id must match the user ID in the access token.")
        if not self._is_mod(grant.user[0]):
            return error(403, "The user in user_id is not one of the broadcaster's moderators.")
        if body["action"] not in ("ALLOW", "DENY"):
            return error(400, "The value in the action field is not valid.")
        held = self.held.pop(body["msg_id"], None)
        if held is None:
            return error(404, "The message specified in the msg_id field was not found.")
        allow = body["action"] == "ALLOW"
        who, text = _held_by(held), str((held.get("message") or {}).get("text", ""))
        self.sim.notify("automod.message.update", moderation.automod_update(who, text, body["msg_id"],
                                                                    "Approved" if allow else "Denied", grant.user))
        if allow:  # then it arrives as normal chat, with the same message id
            self.sim.notify("channel.chat.message", payloads.chat_message(who, text, message_id=body["msg_id"]))
        return RouteReply(204)

    def expire(self, message_id: str) -> bool:
        """A hold times out (Twitch lets it expire after a few minutes): automod.message.update Expired."""
        with self.sim.lock:
            held = self.held.pop(message_id, None)
        if held is not None:
            text = str((held.get("message") or {}).get("text", ""))
            self.sim.notify("automod.message.update",
                            moderation.automod_update(_held_by(held), text, message_id, "Expired", None))
        return held is not None

    def _raid(self, req: Request, grant: Grant) -> RouteReply:
        for key in ("from_broadcaster_id", "to_broadcaster_id"):
            if not req.q(key):
                return error(400, f'Missing required parameter "{key}"')
        if req.q("from_broadcaster_id") != grant.user[0]:
            return error(401, "The ID in from_broadcaster_id must match the user ID in the access token.")
        to = self.by_id(req.q("to_broadcaster_id"))
        if to is None:
            return error(404, "The targeted channel was not found.")
        if to[0] == grant.user[0]:
            return error(400, "The broadcaster may not raid themselves.")
        now = time.monotonic()
        if now < self.raiding_until:
            return error(409, "The broadcaster is already in the process of raiding another channel.")
        self.raiding_until = now + 90
        return RouteReply(200, {"data": [{"created_at": payloads.now_rfc3339(), "is_mature": False}]})


def _held_by(held: dict[str, Any]) -> Who:
    return (str(held.get("user_id")), str(held.get("user_login")), str(held.get("user_name")))

