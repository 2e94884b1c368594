"""The simulated Twitch's channel calls, validated as Twitch's API reference describes them.

  GET    /helix/channels/followers   ?broadcaster_id[&user_id][&first][&after]   one user: data [] or [{followed_at}]
  GET    /helix/channels             ?broadcaster_id (repeatable)                 Get Channel Information
  PATCH  /helix/channels             ?broadcaster_id  body {title?, game_id?}     Modify Channel Information
  GET    /helix/search/categories    ?query[&first]                               every word of the query in the name
  GET    /helix/chat/settings        ?broadcaster_id[&moderator_id]               Get Chat Settings
  GET    /helix/subscriptions        ?broadcaster_id[&user_id...]                 Get Broadcaster Subscriptions
  GET    /helix/streams              ?user_id|user_login (repeatable, <= 100)      live streams only: [] offline
  POST   /helix/streams/markers      body {user_id, description?}                 404 when not live
  POST   /helix/channels/commercial  body {broadcaster_id, length}                a cooldown between ads (429)
  DELETE /helix/raids                ?broadcaster_id                              404 without a pending raid
  POST   /helix/whispers             ?from_user_id&to_user_id  body {message}     verified phone, 40 recipients a day

`HelixChannel` is a part of `HelixState` (helix_api.py), like the moderation calls; `channel_routes` gives
each route with the scopes that allow it (any one).
"""

from __future__ import annotations

import base64
import time
from typing import Any, Callable

from . import payloads
from . import payloads_channel as channel
from .routing import RouteReply, Request, error
from .state import Grant, SimState

Who = tuple[str, str, str]
Handler = Callable[[Request, Grant], RouteReply]
DAY = 86_400.0
MAX_MARKER = 140
MAX_COMMERCIAL = 180
COMMERCIAL_COOLDOWN = 480  # seconds between two ads Twitch reports in `retry_after`
WHISPER_RECIPIENTS = 40  # unique recipients a day
# Categories the simulated search knows (made-up ids; names as a coding streamer would search them).
CATEGORIES = (("1469308723", "Software and Game Development"), ("509670", "Science & Technology"),
              ("509658", "Just Chatting"), ("263490", "Rust"), ("27471", "Minecraft"),
              ("490100", "Rusty Lake Hotel"), ("66082", "Games + Demos"))


class HelixChannel:
    """Followers, channel information, categories, markers, ads, raids and whispers."""

    sim: SimState
    users: dict[str, Who]
    moderators: set[str]
    raiding_until: float
    settings: dict[str, Any]
    by_id: Callable[[str], Who | None]
    _is_mod: Callable[[str], bool]

    def _init_channel(self) -> None:
        self.followers: dict[str, float] = {}  # user id -> followed_at (Unix time)
        self.created: dict[str, float] = {}  # user id -> account creation (Unix time); else 2020-01-01
        self.subscriptions: dict[str, tuple[str, Who | None]] = {}  # user id -> (tier, gifter or None)
        self.info: dict[str, Any] = {"title": "building a terminal chat client in Python", "game_id": CATEGORIES[0][0],
                                     "game_name": CATEGORIES[0][1], "broadcaster_language": "en"}
        self.live = True  # markers and ads need a live stream
        self.live_since = time.time()
        self.viewers = 42  # Get Streams' viewer_count while live (tests and `make trigger EVENT=viewers-N` set it)
        self.markers: list[dict[str, Any]] = []
        self.next_commercial = 0.0  # Unix time the cooldown ends
        self.phone_verified = True  # whispers need a verified phone number
        self.whispers: list[tuple[str, str]] = []  # (to user id, text)
        self.whispered: set[str] = set()  # recipients today

    def follow(self, who: Who, days: float) -> None:
        """`who` follows the channel since `days` ago (tests and the demo set the follow ages)."""
        with self.sim.lock:
            self.users.setdefault(who[1], who)
            self.followers[who[0]] = time.time() - days * DAY

    def channel_routes(self) -> dict[str, tuple[Handler, tuple[str, ...]]]:
        return {
            "GET /helix/channels/followers": (self._followers, ("moderator:read:followers",)),
            "GET /helix/channels": (self._channel_info, ()),
            "PATCH /helix/channels": (self._modify_channel, ("channel:manage:broadcast",)),
            "GET /helix/search/categories": (self._categories, ()),
            "GET /helix/chat/settings": (self._chat_settings, ()),
            "GET /helix/subscriptions": (self._subscriptions, ("channel:read:subscriptions",)),
            "GET /helix/streams": (self._streams, ()),
            "POST /helix/streams/markers": (self._marker, ("channel:manage:broadcast",)),
            "POST /helix/channels/commercial": (self._commercial, ("channel:edit:commercial",)),
            "DELETE /helix/raids": (self._cancel_raid, ("channel:manage:raids",)),
            "POST /helix/whispers": (self._whisper, ("user:manage:whispers",)),
        }

    # -- followers ------------------------------------------------------------------------------------------

    def _followers(self, req: Request, grant: Grant) -> RouteReply:
        broadcaster = req.q("broadcaster_id")
        if not broadcaster:
            return error(400, 'Missing required parameter "broadcaster_id"')
        if broadcaster != self.sim.broadcaster[0]:
            return error(400, "The ID in broadcaster_id is not valid.")
        total = len(self.followers)
        if not self._is_mod(grant.user[0]):  # not the broadcaster nor a moderator: the count only
            return RouteReply(200, {"total": total, "data": [], "pagination": {}})
        rows = sorted(self.followers.items(), key=lambda kv: -kv[1])
        wanted = req.q("user_id")
        if wanted:
            rows = [(uid, at) for uid, at in rows if uid == wanted]
        first = req.q("first", "20")
        if not first.isdigit() or not 1 <= int(first) <= 100:
            return error(400, "The value in the first query parameter is not valid.")
        start = _offset(req.q("after"))
        page = rows[start:start + int(first)]
        data = []
        for uid, at in page:
            who = self.by_id(uid) or (uid, f"user{uid}", f"User{uid}")
            data.append({"user_id": uid, "user_login": who[1], "user_name": who[2],
                         "followed_at": payloads.rfc3339(at)})
        more = start + len(page) < len(rows)
        return RouteReply(200, {"total": total, "data": data,
                                "pagination": {"cursor": _cursor(start + len(page))} if more else {}})

    # -- channel information ------------------------------------------------------------------------------------

    def _channel_info(self, req: Request, grant: Grant) -> RouteReply:
        ids = req.query.get("broadcaster_id", [])
        if not ids:
            return error(400, 'Missing required parameter "broadcaster_id"')
        if len(ids) > 100:
            return error(400, "The number of broadcaster_id query parameters exceeds the maximum allowed.")
        data = []
        for uid in dict.fromkeys(ids):
            who = self.by_id(uid)
            if who is None:
                continue
            ours = uid == self.sim.broadcaster[0]
            info = self.info if ours else {"title": "", "game_id": "", "game_name": "", "broadcaster_language": "en"}
            data.append({"broadcaster_id": who[0], "broadcaster_login": who[1], "broadcaster_name": who[2], **info,
                         "delay": 0, "tags": [], "content_classification_labels": [], "is_branded_content": False})
        return RouteReply(200, {"data": data})

    def _modify_channel(self, req: Request, grant: Grant) -> RouteReply:
        if not req.q("broadcaster_id"):
            return error(400, 'Missing required parameter "broadcaster_id"')
        if req.q("broadcaster_id") != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID found in the OAuth token.")
        body = req.json()
        if not isinstance(body, dict) or not body:
            return error(400, "The request must update at least one property.")
        changes: dict[str, Any] = {}
        if "title" in body:
            if not isinstance(body["title"], str) or not body["title"].strip():
                return error(400, "The title field may not contain an empty string.")
            changes["title"] = body["title"]
        if "game_id" in body:
            found = next((c for c in CATEGORIES if c[0] == body["game_id"]), None)
            if body["game_id"] in ("", "0"):
                found = ("", "")
            if found is None:
                return error(400, "The ID in game_id is not valid.")
            changes.update(game_id=found[0], game_name=found[1])
        if not changes:
            return error(400, "The request must update at least one property.")
        self.info.update(changes)
        return RouteReply(204)

    def _categories(self, req: Request, grant: Grant) -> RouteReply:
        query = req.q("query")
        if not query:
            return error(400, 'Missing required parameter "query"')
        words = query.casefold().split()
        found = [c for c in CATEGORIES if all(w in c[1].casefold() for w in words)]
        first = int(req.q("first", "20")) if req.q("first", "20").isdigit() else 20
        return RouteReply(200, {"data": [{"id": cid, "name": name, "box_art_url": ""}
                                         for cid, name in found[:max(1, min(first, 100))]], "pagination": {}})

    def _chat_settings(self, req: Request, grant: Grant) -> RouteReply:
        if not req.q("broadcaster_id"):
            return error(400, 'Missing required parameter "broadcaster_id"')
        if req.q("broadcaster_id") != self.sim.broadcaster[0]:
            return error(400, "The ID in broadcaster_id is not valid.")
        moderator = req.q("moderator_id")
        if moderator and moderator != grant.user[0]:
            return error(401, "The ID in moderator_id must match the user ID in the access token.")
        row = dict(self.settings)
        if moderator:
            row["moderator_id"] = moderator
        else:  # only a moderator's request sees the chat delay
            row.pop("non_moderator_chat_delay", None)
            row.pop("non_moderator_chat_delay_duration", None)
        return RouteReply(200, {"data": [row]})

    def _streams(self, req: Request, grant: Grant) -> RouteReply:
        """Get Streams: the channel's row while it is live, no row when offline (Twitch lists live streams only).
        Without a user_id or user_login Twitch lists every live stream: here, the channel's."""
        ids, logins = req.query.get("user_id", []), [x.lower() for x in req.query.get("user_login", [])]
        if len(ids) + len(logins) > 100:
            return error(400, "The sum of the user_id and user_login query parameters exceeds the maximum allowed.")
        first = req.q("first", "20")
        if not first.isdigit() or not 1 <= int(first) <= 100:
            return error(400, "The value in the first query parameter is not valid.")
        uid, login, name = self.sim.broadcaster
        wanted = (not ids and not logins) or uid in ids or login in logins
        if not self.live or not wanted:
            return RouteReply(200, {"data": [], "pagination": {}})
        row = {"id": "9001", "user_id": uid, "user_login": login, "user_name": name, "game_id": self.info["game_id"],
               "game_name": self.info["game_name"], "type": "live", "title": self.info["title"],
               "viewer_count": self.viewers, "started_at": payloads.rfc3339(self.live_since), "language": "en",
               "thumbnail_url": "", "tag_ids": [], "tags": [], "is_mature": False}
        return RouteReply(200, {"data": [row], "pagination": {}})

    def _subscriptions(self, req: Request, grant: Grant) -> RouteReply:
        if not req.q("broadcaster_id"):
            return error(400, 'Missing required parameter "broadcaster_id"')
        if req.q("broadcaster_id") != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID found in the OAuth token.")
        wanted = req.query.get("user_id", [])
        if len(wanted) > 100:
            return error(400, "You may specify a maximum of 100 user IDs.")
        rows = []
        for uid, (tier, gifter) in self.subscriptions.items():
            who = self.by_id(uid)
            if who is None or (wanted and uid not in wanted):
                continue
            rows.append({**_triplet("broadcaster", self.sim.broadcaster), **_triplet("gifter", gifter),
                         "is_gift": gifter is not None, "tier": tier, "plan_name": "Channel Subscription (deskfox)",
                         **_triplet("user", who)})
        return RouteReply(200, {"data": rows, "pagination": {}, "total": len(self.subscriptions),
                                "points": len(self.subscriptions)})

    # -- markers, ads, raids, whispers -----------------------------------------------------------------------------

    def _marker(self, req: Request, grant: Grant) -> RouteReply:
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("user_id"), str) or not body["user_id"]:
            return error(400, 'Missing required parameter "user_id"')
        description = body.get("description", "")
        if not isinstance(description, str) or len(description) > MAX_MARKER:
            return error(400, "The length of the string in the description field is too long.")
        if body["user_id"] != grant.user[0]:
            return error(403, "The user in the access token is not authorized to create video markers for the "
                              "user in the user_id field.")
        if not self.live:
            return error(404, "The user in the user_id field is not streaming live.")
        marker = {"id": payloads.new_id(), "created_at": payloads.now_rfc3339(), "description": description,
                  "position_seconds": int(time.time() - self.live_since)}
        self.markers.append(marker)
        return RouteReply(200, {"data": [marker]})

    def _commercial(self, req: Request, grant: Grant) -> RouteReply:
        body = req.json()
        body = body if isinstance(body, dict) else {}
        if not isinstance(body.get("broadcaster_id"), str) or not body["broadcaster_id"]:
            return error(400, 'Missing required parameter "broadcaster_id"')
        if not isinstance(body.get("length"), int) or body["length"] < 1:
            return error(400, 'Missing required parameter "length"')
        if body["broadcaster_id"] != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.")
        if not self.live:
            return error(400, "To start a commercial, the broadcaster must be streaming live.")
        now = time.time()
        if now < self.next_commercial:
            return error(429, "The broadcaster may not run another commercial until the cooldown period expires.")
        length = min(body["length"], MAX_COMMERCIAL)
        self.next_commercial = now + COMMERCIAL_COOLDOWN
        self.sim.notify("channel.ad_break.begin", channel.ad_break(length, automatic=False))
        return RouteReply(200, {"data": [{"length": length, "message": "", "retry_after": COMMERCIAL_COOLDOWN}]})

    def _cancel_raid(self, req: Request, grant: Grant) -> RouteReply:
        if not req.q("broadcaster_id"):
            return error(400, "The ID in the broadcaster_id query parameter is not valid.")
        if req.q("broadcaster_id") != grant.user[0]:
            return error(401, "The ID in broadcaster_id must match the user ID found in the request's OAuth token.")
        if time.monotonic() >= self.raiding_until:
            return error(404, "The broadcaster doesn't have a pending raid to cancel.")
        self.raiding_until = 0.0
        return RouteReply(204)

    def _whisper(self, req: Request, grant: Grant) -> RouteReply:
        sender, to = req.q("from_user_id"), req.q("to_user_id")
        if not sender or not to:
            return error(400, f'Missing required parameter "{"from_user_id" if not sender else "to_user_id"}"')
        if sender != grant.user[0]:
            return error(401, "The ID in from_user_id must match the user ID in the access token.")
        if not self.phone_verified:
            return error(401, "The user in from_user_id must have a verified phone number.")
        body = req.json()
        text = body.get("message") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            return error(400, 'Missing required parameter "message"')
        if self.by_id(to) is None:
            return error(404, "The ID in to_user_id was not found.")
        if to == sender:
            return error(400, "The user in from_user_id may not whisper themselves.")
        new = to not in self.whispered
        if new and len(self.whispered) >= WHISPER_RECIPIENTS:
            return error(429, "You may whisper to a maximum of 40 unique recipients per day.")
        self.whispered.add(to)
        self.whispers.append((to, text[:500] if new else text[:10_000]))  # longer ones are cut, not refused
        return RouteReply(204)


def _triplet(prefix: str, who: Who | None) -> dict[str, str]:
    uid, login, name = who or ("", "", "")
    return {f"{prefix}_id": uid, f"{prefix}_login": login, f"{prefix}_name": name}



def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return 0
    return int(text[2:]) if text.startswith("o:") and text[2:].isdigit() else 0
