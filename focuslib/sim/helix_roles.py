"""The simulated Twitch's role calls: VIPs, moderators and Shield Mode, validated as Twitch's API reference says.

  GET/POST/DELETE /helix/channels/vips           ?broadcaster_id[&user_id]   the broadcaster's own token
  GET/POST/DELETE /helix/moderation/moderators   ?broadcaster_id[&user_id]   the broadcaster's own token
  GET/PUT         /helix/moderation/shield_mode  ?broadcaster_id&moderator_id  body {is_active}

Adding or removing VIPs and moderators is limited to 10 a 10 s (429 with points left); a VIP cannot be made a
moderator nor a moderator a VIP without removing the other role first (422).  What changes also happens on
the EventSub side: `channel.vip.add/remove`, `channel.shield_mode.begin/end`.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable

from . import payloads
from . import payloads_moderation as moderation
from .routing import RouteReply, Request, error
from .state import Grant, SimState

Who = tuple[str, str, str]
Handler = Callable[[Request, Grant], RouteReply]
ROLE_LIMIT = (10, 10.0)  # changes per window (seconds), for VIPs and moderators each
VIP_SLOTS = 10


class HelixRoles:
    sim: SimState
    users: dict[str, Who]
    moderators: set[str]
    by_id: Callable[[str], Who | None]
    _is_mod: Callable[[str], bool]
    _banned: Callable[[str], bool]
    _moderator: Callable[..., RouteReply | None]

    def _init_roles(self, vips: set[str]) -> None:
        self.vips = vips
        self.vip_slots = VIP_SLOTS
        self.shield: dict[str, Any] = {"is_active": False, "moderator": None, "last_activated_at": ""}
        self._role_changes: dict[str, deque[float]] = {"vip": deque(), "mod": deque()}

    def role_routes(self) -> dict[str, tuple[Handler, tuple[str, ...]]]:
        vips_read = ("channel:read:vips", "channel:manage:vips")
        mods_read = ("moderation:read", "channel:manage:moderators")
        return {
            "GET /helix/channels/vips": (lambda r, g: self._list(r, g, self.vips), vips_read),
            "POST /helix/channels/vips": (self._add_vip, ("channel:manage:vips",)),
            "DELETE /helix/channels/vips": (self._remove_vip, ("channel:manage:vips",)),
            "GET /helix/moderation/moderators": (lambda r, g: self._list(r, g, self.moderators), mods_read),
            "POST /helix/moderation/moderators": (self._add_mod, ("channel:manage:moderators",)),
            "DELETE /helix/moderation/moderators": (self._remove_mod, ("channel:manage:moderators",)),
            "GET /helix/moderation/shield_mode": (self._shield_status,
                                                  ("moderator:read:shield_mode", "moderator:manage:shield_mode")),
            "PUT /helix/moderation/shield_mode": (self._shield_update, ("moderator:manage:shield_mode",)),
        }

    # -- lists -----------------------------------------------------------------------------------------------

    def _owner(self, req: Request, grant: Grant) -> RouteReply | None:
        if not req.q("broadcaster_id"):
            return error(400, 'Missing required parameter "broadcaster_id"')
        if req.q("broadcaster_id") != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID in the access token.")
        return None

    def _list(self, req: Request, grant: Grant, ids: set[str]) -> RouteReply:
        if (bad := self._owner(req, grant)) is not None:
            return bad
        wanted = req.query.get("user_id", [])
        if len(wanted) > 100:
            return error(400, "The number of user_id query parameters exceeds the maximum allowed.")
        rows = [w for w in (self.by_id(uid) for uid in sorted(ids)) if w is not None]
        rows = [w for w in rows if not wanted or w[0] in wanted]
        return RouteReply(200, {"data": [{"user_id": w[0], "user_login": w[1], "user_name": w[2]} for w in rows],
                                "pagination": {}})

    def _target(self, req: Request, grant: Grant, missing: int) -> Who | RouteReply:
        if (bad := self._owner(req, grant)) is not None:
            return bad
        user_id = req.q("user_id")
        if not user_id:
            return error(400, 'Missing required parameter "user_id"')
        who = self.by_id(user_id)
        return who if who is not None else error(missing, "The ID in user_id was not found.")

    def _limited(self, role: str) -> RouteReply | None:
        """Twitch's per-broadcaster limit on role changes (points left in the bucket: §5.10)."""
        changes, now = self._role_changes[role], time.monotonic()
        while changes and changes[0] <= now - ROLE_LIMIT[1]:
            changes.popleft()
        if len(changes) >= ROLE_LIMIT[0]:
            return error(429, "The broadcaster has exceeded the number of requests allowed within a 10-second window.")
        changes.append(now)
        return None

    # -- VIPs ------------------------------------------------------------------------------------------------

    def _add_vip(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(who := self._target(req, grant, 404), RouteReply):
            return who
        if who[0] in self.moderators:
            return error(422, "The user in user_id is a moderator. To make them a VIP, you must first remove them "
                              "as a moderator.")
        if who[0] in self.vips:
            return error(422, "The user in user_id is already a VIP.")
        if len(self.vips) >= self.vip_slots:
            return error(409, "The broadcaster doesn't have available VIP slots.")
        if (limited := self._limited("vip")) is not None:
            return limited
        self.vips.add(who[0])
        self.sim.notify("channel.vip.add", moderation.vip(who))
        return RouteReply(204)

    def _remove_vip(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(who := self._target(req, grant, 404), RouteReply):
            return who
        if who[0] not in self.vips:
            return error(422, "The user in user_id is not a VIP in the broadcaster's channel.")
        if (limited := self._limited("vip")) is not None:
            return limited
        self.vips.discard(who[0])
        self.sim.notify("channel.vip.remove", moderation.vip(who))
        return RouteReply(204)

    # -- moderators ------------------------------------------------------------------------------------------

    def _add_mod(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(who := self._target(req, grant, 400), RouteReply):
            return who
        if who[0] in self.moderators or who[0] == self.sim.broadcaster[0]:
            return error(400, "The user in user_id is already a moderator in the broadcaster's chat room.")
        if self._banned(who[0]):
            return error(400, "The user in user_id cannot become a moderator because they're banned from the channel.")
        if who[0] in self.vips:
            return error(422, "The user in user_id is a VIP. To make them a moderator, you must first remove them "
                              "as a VIP.")
        if (limited := self._limited("mod")) is not None:
            return limited
        self.moderators.add(who[0])
        return RouteReply(204)

    def _remove_mod(self, req: Request, grant: Grant) -> RouteReply:
        if isinstance(who := self._target(req, grant, 400), RouteReply):
            return who
        if who[0] not in self.moderators:
            return error(400, "The user in user_id is not a moderator in the broadcaster's chat room.")
        if (limited := self._limited("mod")) is not None:
            return limited
        self.moderators.discard(who[0])
        return RouteReply(204)

    # -- Shield Mode ---------------------------------------------------------------------------------------------

    def _shield_row(self) -> dict[str, Any]:
        mod = self.shield["moderator"] or ("", "", "")
        return {"is_active": self.shield["is_active"], "moderator_id": mod[0], "moderator_login": mod[1],
                "moderator_name": mod[2], "last_activated_at": self.shield["last_activated_at"]}

    def _shield_status(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._shield_caller(req, grant)) is not None:
            return bad
        return RouteReply(200, {"data": [self._shield_row()]})

    def _shield_update(self, req: Request, grant: Grant) -> RouteReply:
        if (bad := self._shield_caller(req, grant)) is not None:
            return bad
        body = req.json()
        if not isinstance(body, dict) or "is_active" not in body:
            return error(400, "The is_active field is required.")
        if not isinstance(body["is_active"], bool):
            return error(400, "The value in the is_active field is not valid.")
        active = body["is_active"]
        if active != self.shield["is_active"]:
            self.shield["is_active"] = active
            if active:
                self.shield.update(moderator=grant.user, last_activated_at=payloads.now_rfc3339())
            kind = "begin" if active else "end"
            self.sim.notify(f"channel.shield_mode.{kind}", moderation.shield_mode(active, grant.user))
        return RouteReply(200, {"data": [self._shield_row()]})

    def _shield_caller(self, req: Request, grant: Grant) -> RouteReply | None:
        """Shield Mode's checks: 401 (not the token's user), 403 (not a moderator) as the reference lists them."""
        for key in ("broadcaster_id", "moderator_id"):
            if not req.q(key):
                return error(400, f'Missing required parameter "{key}"')
        if req.q("broadcaster_id") != self.sim.broadcaster[0]:
            return error(400, "The ID in the broadcaster_id query parameter is not valid.")
        if req.q("moderator_id") != grant.user[0]:
            return error(401, "The ID in moderator_id must match the user ID in the user access token.")
        if not self._is_mod(grant.user[0]):
            return error(403, "The user in moderator_id is not one of the broadcaster's moderators.")
        return None
