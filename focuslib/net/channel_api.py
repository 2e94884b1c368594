"""Helix calls for the channel's commands, each answered by a one-line `Outcome` (Twitch's API reference).

VIPs and moderators (add, remove, list), stream markers, the title and category,
commercials, canceling a raid, whispers, polls and predictions, and what a
user card reads (the account, its follow, its subscription).  `ChannelAPI` is
`ChatAPI` (net/chat_api.py) with these calls; every call goes through
`Helix.call` and every refusal becomes one line the same way (`failure`: a
missing scope is named, with make auth).
"""

from __future__ import annotations

from typing import Any

from focuslib.net.chat_api import SCOPE, ChatAPI, Outcome, done, failure, refused, span
from focuslib.text import sanitize

SCOPES = {**SCOPE, **{
    "vips": "channel:manage:vips", "mods": "channel:manage:moderators", "broadcast": "channel:manage:broadcast",
    "commercial": "channel:edit:commercial", "whisper": "user:manage:whispers", "polls": "channel:manage:polls",
    "predictions": "channel:manage:predictions", "followers": "moderator:read:followers",
    "subscriptions": "channel:read:subscriptions",
}}  # the scope each call needs, named when Twitch says it is missing
MAX_LISTED = 1_000  # moderators or VIPs read for /mods and /vips (10 pages)


def clock(seconds: int) -> str:
    """A stream position: 1:02:03, or 4:05 under an hour."""
    hours, rest = divmod(max(0, seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ChannelAPI(ChatAPI):
    def _rows(self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None
              ) -> tuple[list[dict[str, Any]], Any]:
        """Helix's `data` list (dicts only) and the response, for the caller's status checks."""
        resp = self._call(method, path, params, body)
        doc = resp.json()
        rows = doc.get("data") if isinstance(doc, dict) else None
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [], resp

    # -- roles -----------------------------------------------------------------------------------------------

    def vip(self, user_id: str, name: str, on: bool) -> Outcome:
        """POST/DELETE /channels/vips (Add/Remove Channel VIP): 204."""
        resp = self._call("POST" if on else "DELETE", "/channels/vips",
                          {"broadcaster_id": self.broadcaster_id, "user_id": user_id})
        if resp.status == 204:
            return done(f"made {name} a VIP" if on else f"took {name}'s VIP status away")
        return failure(resp, f"make {name} a VIP" if on else f"take {name}'s VIP status away", SCOPES["vips"])

    def mod(self, user_id: str, name: str, on: bool) -> Outcome:
        """POST/DELETE /moderation/moderators (Add/Remove Channel Moderator): 204."""
        resp = self._call("POST" if on else "DELETE", "/moderation/moderators",
                          {"broadcaster_id": self.broadcaster_id, "user_id": user_id})
        if resp.status == 204:
            return done(f"made {name} a moderator" if on else f"took {name}'s moderator status away")
        return failure(resp, f"make {name} a moderator" if on else f"take {name}'s moderator status away",
                       SCOPES["mods"])

    def roles(self, vips: bool) -> Outcome:
        """GET /channels/vips or /moderation/moderators, every page: the names in one line."""
        path, what = ("/channels/vips", "VIPs") if vips else ("/moderation/moderators", "moderators")
        names: list[str] = []
        params = {"broadcaster_id": self.broadcaster_id, "first": "100"}
        while len(names) < MAX_LISTED:
            resp = self._call("GET", path, params)
            doc = resp.json()
            if resp.status != 200 or not isinstance(doc, dict):
                return failure(resp, f"list the {what}", SCOPES["vips" if vips else "mods"])
            names += [sanitize(str(r.get("user_name") or r.get("user_login") or "")) for r in doc.get("data") or []
                      if isinstance(r, dict)]
            cursor = (doc.get("pagination") or {}).get("cursor") if isinstance(doc.get("pagination"), dict) else None
            if not cursor:
                break
            params = {**params, "after": str(cursor)}
        return done(f"{what} ({len(names)}): {', '.join(names)}" if names else f"no {what}")

    # -- the stream ----------------------------------------------------------------------------------------

    def marker(self, description: str) -> Outcome:
        """POST /streams/markers (Create Stream Marker): 200; 404 when the stream is not live."""
        body = {"user_id": self.broadcaster_id, **({"description": description} if description else {})}
        rows, resp = self._rows("POST", "/streams/markers", body=body)
        if resp.status != 200 or not rows:
            return failure(resp, "add a stream marker", SCOPES["broadcast"])
        where = rows[0].get("position_seconds")
        at = f" at {clock(where)}" if isinstance(where, int) else ""
        return done(f"marker{at}" + (f": {description}" if description else ""))

    def title(self, text: str) -> Outcome:
        """PATCH /channels (Modify Channel Information) with the title: 204."""
        resp = self._call("PATCH", "/channels", {"broadcaster_id": self.broadcaster_id}, {"title": text})
        return done(f"title: {text}") if resp.status == 204 else failure(resp, "change the title", SCOPES["broadcast"])

    def game(self, name: str) -> Outcome:
        """GET /search/categories, then PATCH /channels with the category found: a whole name (any case) wins,
        a single match is taken, several are listed for the streamer to pick one."""
        rows, resp = self._rows("GET", "/search/categories", {"query": name, "first": "20"})
        if resp.status != 200:
            return failure(resp, "search the categories", SCOPES["broadcast"])
        found = [(str(r.get("id", "")), sanitize(str(r.get("name", "")))) for r in rows if r.get("id")]
        exact = [c for c in found if c[1].casefold() == name.casefold()]
        if exact or len(found) == 1:
            game_id, title = (exact or found)[0]
        elif not found:
            return refused(f"no category is called {name}")
        else:
            shown = ", ".join(title for _, title in found[:6]) + (", …" if len(found) > 6 else "")
            return refused(f"{name} fits {len(found)} categories: {shown}; /game with the whole name picks one")
        resp = self._call("PATCH", "/channels", {"broadcaster_id": self.broadcaster_id}, {"game_id": game_id})
        return done(f"category: {title}") if resp.status == 204 else \
            failure(resp, f"change the category to {title}", SCOPES["broadcast"])

    def commercial(self, seconds: int) -> Outcome:
        """POST /channels/commercial (Start Commercial): 200 with the length and the cooldown."""
        rows, resp = self._rows("POST", "/channels/commercial",
                                body={"broadcaster_id": self.broadcaster_id, "length": seconds})
        if resp.status != 200 or not rows:
            return failure(resp, "start an ad break", SCOPES["commercial"])
        length, wait = rows[0].get("length"), rows[0].get("retry_after")
        line = f"ad break of {span(length if isinstance(length, int) else seconds)} started"
        return done(line + (f"; the next one is possible in {span(wait)}" if isinstance(wait, int) and wait else ""))

    def unraid(self) -> Outcome:
        """DELETE /raids (Cancel a raid): 204; 404 without a pending raid."""
        resp = self._call("DELETE", "/raids", {"broadcaster_id": self.broadcaster_id})
        return done("raid canceled") if resp.status == 204 else failure(resp, "cancel the raid", SCOPES["raid"])

    def whisper(self, user_id: str, name: str, text: str) -> Outcome:
        """POST /whispers (Send Whisper): 204.  The line never repeats the text: it is private."""
        resp = self._call("POST", "/whispers", {"from_user_id": self.user_id, "to_user_id": user_id},
                          {"message": text})
        return done(f"whispered to {name}") if resp.status == 204 else \
            failure(resp, f"whisper to {name}", SCOPES["whisper"])

    # -- polls and predictions -------------------------------------------------------------------------------

    def poll(self, question: str, choices: tuple[str, ...], seconds: int) -> Outcome:
        """POST /polls (Create Poll): 200; one poll at a time."""
        body = {"broadcaster_id": self.broadcaster_id, "title": question, "choices": [{"title": c} for c in choices],
                "duration": seconds}
        rows, resp = self._rows("POST", "/polls", body=body)
        if resp.status != 200 or not rows:
            return failure(resp, "start the poll", SCOPES["polls"])
        return done(f"poll started: {question} ({' / '.join(choices)}, {span(seconds)})")

    def end_poll(self) -> Outcome:
        """GET /polls for the running one, then PATCH /polls TERMINATED (End Poll): 200."""
        rows, resp = self._rows("GET", "/polls", {"broadcaster_id": self.broadcaster_id, "first": "5"})
        if resp.status != 200:
            return failure(resp, "find the running poll", SCOPES["polls"])
        poll = next((r for r in rows if r.get("status") == "ACTIVE"), None)
        if poll is None:
            return refused("no poll is running")
        title = sanitize(str(poll.get("title", "")))
        _, resp = self._rows("PATCH", "/polls", body={"broadcaster_id": self.broadcaster_id, "id": poll.get("id"),
                                                     "status": "TERMINATED"})
        return done(f"poll ended: {title}") if resp.status == 200 else failure(resp, "end the poll", SCOPES["polls"])

    def prediction(self, question: str, outcomes: tuple[str, ...], seconds: int) -> Outcome:
        """POST /predictions (Create Prediction): 200; one prediction at a time."""
        body = {"broadcaster_id": self.broadcaster_id, "title": question,
                "outcomes": [{"title": o} for o in outcomes], "prediction_window": seconds}
        rows, resp = self._rows("POST", "/predictions", body=body)
        if resp.status != 200 or not rows:
            return failure(resp, "start the prediction", SCOPES["predictions"])
        return done(f"prediction started: {question} ({' / '.join(outcomes)}, {span(seconds)} to predict)")

    def end_prediction(self, winner: str, cancel: bool) -> Outcome:
        """GET /predictions for the open one, then PATCH /predictions RESOLVED with the winning outcome's id (by
        title, any case, or number) or CANCELED (End Prediction): 200."""
        rows, resp = self._rows("GET", "/predictions", {"broadcaster_id": self.broadcaster_id, "first": "5"})
        if resp.status != 200:
            return failure(resp, "find the open prediction", SCOPES["predictions"])
        p = next((r for r in rows if r.get("status") in ("ACTIVE", "LOCKED")), None)
        if p is None:
            return refused("no prediction is open")
        title = sanitize(str(p.get("title", "")))
        outcomes = [o for o in p.get("outcomes") or [] if isinstance(o, dict)]
        names = [sanitize(str(o.get("title", ""))) for o in outcomes]
        body: dict[str, Any] = {"broadcaster_id": self.broadcaster_id, "id": p.get("id"), "status": "CANCELED"}
        if not cancel:
            pick = next((k for k, n in enumerate(names) if n.casefold() == winner.casefold()), None)
            if pick is None and winner.isdigit() and 1 <= int(winner) <= len(outcomes):
                pick = int(winner) - 1
            if pick is None:
                return refused(f"no outcome is called {winner}: {', '.join(names)} (or cancel)")
            body.update(status="RESOLVED", winning_outcome_id=outcomes[pick].get("id"))
        _, resp = self._rows("PATCH", "/predictions", body=body)
        if resp.status != 200:
            return failure(resp, "end the prediction", SCOPES["predictions"])
        if cancel:
            return done(f"prediction canceled: {title} (the points go back)")
        return done(f"prediction resolved: {title} — {names[pick]} wins")  # type: ignore[index]

    # -- what a user card reads ------------------------------------------------------------------------------

    def followed_at(self, user_id: str) -> str | None | Outcome:
        """GET /channels/followers for one user: when they followed ("" if they do not), or why not known."""
        rows, resp = self._rows("GET", "/channels/followers", {"broadcaster_id": self.broadcaster_id,
                                                               "user_id": user_id})
        if resp.status != 200:
            return failure(resp, "read the follow", SCOPES["followers"])
        return next((str(r.get("followed_at", "")) for r in rows if r.get("user_id") == user_id), "")

    def subscription(self, user_id: str) -> dict[str, Any] | None | Outcome:
        """GET /subscriptions for one user: their subscription, None when they have none, or why not known."""
        rows, resp = self._rows("GET", "/subscriptions", {"broadcaster_id": self.broadcaster_id, "user_id": user_id})
        if resp.status != 200:
            return failure(resp, "read the subscription", SCOPES["subscriptions"])
        return next((r for r in rows if r.get("user_id") == user_id), None)

    def account(self, user_id: str) -> dict[str, Any] | Outcome:
        """GET /users by id: the account (created_at, type)."""
        rows, resp = self._rows("GET", "/users", {"id": user_id})
        if resp.status != 200 or not rows:
            return failure(resp, "read the account", "")
        return rows[0]
