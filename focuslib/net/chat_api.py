"""Helix chat and moderation calls, each answered by a one-line `Outcome` (protocol notes §5, §2.6).

Every call goes through `Helix.call` (auth headers, 401 refresh, the wait on
an empty rate-limit bucket).  What comes back is turned into one line for the
streamer: what was done, or Twitch's reason -- `is_sent: false` gives the drop
reason's message; 400/403/404/409/422 give Twitch's message; a missing scope
names the scope and says to run make auth; a per-endpoint 429 gives Twitch's
message and is not retried.  Twitch's text is sanitized before it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from focuslib.net.helix import Helix
from focuslib.net.client import Response
from focuslib.text import sanitize

# The scope each call needs (protocol notes §4.7, §5, §2.6), named when Twitch says it is missing.
SCOPE = {
    "send": "user:write:chat",
    "ban": "moderator:manage:banned_users",
    "delete": "moderator:manage:chat_messages",
    "announce": "moderator:manage:announcements",
    "shoutout": "moderator:manage:shoutouts",
    "warn": "moderator:manage:warnings",
    "settings": "moderator:manage:chat_settings",
    "raid": "channel:manage:raids",
    "automod": "moderator:manage:automod",
    "shield": "moderator:manage:shield_mode",
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One line for the streamer: `ok` says whether it was done."""

    ok: bool
    text: str
    status: int = 0  # Twitch's HTTP status when it refused (0: done, or refused before sending)
    steps: tuple[tuple[bool, str], ...] = ()  # a command of several steps (/shield): each step's (done?, line)


def done(text: str) -> Outcome:
    return Outcome(True, text)


def refused(text: str) -> Outcome:
    return Outcome(False, text)


def failure(resp: Response, doing: str, scope: str) -> Outcome:
    """Twitch's answer to a failed call as one line: `could not <doing>: <why>`."""
    message = resp.message()
    if resp.status in (401, 403) and ("scope" in message.lower() or resp.status == 401):
        if resp.status == 401 and "scope" not in message.lower():
            why = f"Twitch rejects the token ({message or 401}); run make auth"
        else:
            why = f"the token lacks the {scope} scope; run make auth to grant it"
    elif resp.status == 429:
        why = f"{message or 'rate limited'} (Twitch's limit for this action; try again later)"
    else:
        why = message or f"Twitch answered {resp.status}"
    return Outcome(False, f"could not {doing}: {why}", resp.status)


class ChatAPI:
    """The calls focus makes as the broadcaster (sender, moderator and broadcaster are the token's user
    unless TWITCH_USER_ID names another channel the user moderates)."""

    def __init__(self, helix: Helix, broadcaster_id: str, user_id: str, *,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.helix = helix
        self.broadcaster_id = broadcaster_id
        self.user_id = user_id
        self.on_wait = on_wait

    def _call(self, method: str, path: str, params: dict[str, str] | None = None, body: Any = None) -> Response:
        return self.helix.call(method, path, params=params, json_body=body, on_wait=self.on_wait)

    def _mod(self, **extra: str) -> dict[str, str]:
        return {"broadcaster_id": self.broadcaster_id, "moderator_id": self.user_id, **extra}

    # -- chat ----------------------------------------------------------------------------------------------

    def send(self, text: str, reply_to: str = "", *, doing: str = "send the message", ok: str = "sent"
             ) -> Outcome:
        """POST /chat/messages (§5.3): 200 even when dropped, so `is_sent` decides."""
        body = {"broadcaster_id": self.broadcaster_id, "sender_id": self.user_id, "message": text}
        if reply_to:
            body["reply_parent_message_id"] = reply_to
        resp = self._call("POST", "/chat/messages", body=body)
        if resp.status != 200:
            return failure(resp, doing, SCOPE["send"])
        doc = resp.json()
        rows = doc.get("data") if isinstance(doc, dict) else None
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        if row.get("is_sent") is False:
            reason = row.get("drop_reason") if isinstance(row.get("drop_reason"), dict) else {}
            # Twitch's text, like an error's (Response.message): masked before it is cut or shown.
            why = sanitize(resp.redact(str(reason.get("message") or reason.get("code") or "no reason given")))[:300]
            return Outcome(False, f"not sent: {why}", 200)
        return done(ok)

    def announce(self, text: str, color: str = "primary") -> Outcome:
        """POST /chat/announcements (§5.7): 204."""
        resp = self._call("POST", "/chat/announcements", self._mod(), {"message": text, "color": color})
        return done("announced" + ("" if color == "primary" else f" ({color})")) if resp.status == 204 \
            else failure(resp, "announce", SCOPE["announce"])

    def shoutout(self, user_id: str, name: str) -> Outcome:
        """POST /chat/shoutouts (§5.8): no body, 204; one per 2 min, the same channel once an hour."""
        resp = self._call("POST", "/chat/shoutouts", {"from_broadcaster_id": self.broadcaster_id,
                                                      "to_broadcaster_id": user_id, "moderator_id": self.user_id})
        return done(f"shouted out {name}") if resp.status == 204 \
            else failure(resp, f"shout out {name}", SCOPE["shoutout"])

    def current_settings(self) -> dict[str, Any] | Outcome:
        """GET /chat/settings (Get Chat Settings): the room's settings now, or the line saying why not."""
        resp = self._call("GET", "/chat/settings", self._mod())
        doc = resp.json() if resp.status == 200 else None
        rows = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            return failure(resp, "read the chat settings", SCOPE["settings"])
        return rows[0]

    def shield_mode(self, active: bool) -> Outcome:
        """PUT /moderation/shield_mode (Update Shield Mode Status): `{is_active}`, 200."""
        resp = self._call("PUT", "/moderation/shield_mode", self._mod(), {"is_active": active})
        state = "on" if active else "off"
        return done(f"Shield Mode {state}") if resp.status == 200 \
            else failure(resp, f"turn Shield Mode {state}", SCOPE["shield"])

    def settings(self, changes: dict[str, Any], said: str) -> Outcome:
        """PATCH /chat/settings (§2.6): only the fields that change."""
        resp = self._call("PATCH", "/chat/settings", self._mod(), changes)
        return done(said) if resp.status == 200 else failure(resp, "change the chat settings", SCOPE["settings"])

    # -- moderation -------------------------------------------------------------------------------------------

    def ban(self, user_id: str, name: str, seconds: int | None = None, reason: str = "") -> Outcome:
        """POST /moderation/bans (§5.4): body wrapped in `data`; no duration = a permanent ban."""
        data: dict[str, Any] = {"user_id": user_id}
        if seconds is not None:
            data["duration"] = seconds
        if reason:
            data["reason"] = reason
        resp = self._call("POST", "/moderation/bans", self._mod(), {"data": data})
        doing = f"ban {name}" if seconds is None else f"time out {name}"
        if resp.status != 200:
            return failure(resp, doing, SCOPE["ban"])
        return done(f"banned {name}" if seconds is None else f"timed out {name} for {span(seconds)}")

    def unban(self, user_id: str, name: str, *, timeout: bool = False) -> Outcome:
        """DELETE /moderation/bans (§5.5): lifts a ban or ends a timeout; 204."""
        resp = self._call("DELETE", "/moderation/bans", self._mod(user_id=user_id))
        if resp.status != 204:
            return failure(resp, f"end {name}'s timeout" if timeout else f"unban {name}", SCOPE["ban"])
        return done(f"ended {name}'s timeout" if timeout else f"unbanned {name}")

    def banned_for_good(self, user_id: str) -> bool | None:
        """GET /moderation/banned (Get Banned Users): True when the user is banned with no end (a ban, not a
        timeout); None when Twitch would not say (it answers only the broadcaster's own token)."""
        resp = self._call("GET", "/moderation/banned", {"broadcaster_id": self.broadcaster_id, "user_id": user_id})
        if resp.status != 200:
            return None
        doc = resp.json()
        rows = doc.get("data") if isinstance(doc, dict) else None
        return any(isinstance(row, dict) and row.get("user_id") == user_id and not row.get("expires_at")
                   for row in rows or [])

    def delete(self, message_id: str | None, said: str) -> Outcome:
        """DELETE /moderation/chat (§5.6); without a message id it deletes every message in the room."""
        params = self._mod(message_id=message_id) if message_id else self._mod()
        resp = self._call("DELETE", "/moderation/chat", params)
        doing = "delete the message" if message_id else "clear the chat"
        return done(said) if resp.status == 204 else failure(resp, doing, SCOPE["delete"])

    def warn(self, user_id: str, name: str, reason: str) -> Outcome:
        """POST /moderation/warnings (§2.6): body `{"data": {user_id, reason}}`; 200."""
        resp = self._call("POST", "/moderation/warnings", self._mod(), {"data": {"user_id": user_id,
                                                                                "reason": reason}})
        return done(f"warned {name}") if resp.status == 200 else failure(resp, f"warn {name}", SCOPE["warn"])

    def raid(self, user_id: str, name: str) -> Outcome:
        """POST /raids (§2.6): 200; the raid starts when the streamer confirms it or after 90 s."""
        resp = self._call("POST", "/raids", {"from_broadcaster_id": self.broadcaster_id,
                                             "to_broadcaster_id": user_id})
        return done(f"raiding {name} (Twitch starts it in 90 s)") if resp.status == 200 \
            else failure(resp, f"raid {name}", SCOPE["raid"])

    def automod(self, message_id: str, allow: bool, label: str) -> Outcome:
        """POST /moderation/automod/message (§2.6): `{user_id, msg_id, action}`, 204; 404 when no longer held.

        `user_id` is the moderator deciding (Twitch's reference: it must match the token's user), not the
        chatter whose message is held.
        """
        action = "ALLOW" if allow else "DENY"
        resp = self._call("POST", "/moderation/automod/message", body={"user_id": self.user_id, "msg_id": message_id,
                                                                      "action": action})
        verb = "allow" if allow else "deny"
        if resp.status == 204:
            return done(f"{verb}ed {label}" if allow else f"denied {label}")
        return failure(resp, f"{verb} {label}", SCOPE["automod"])


def span(seconds: int) -> str:
    """A duration the way the streamer typed it: 45s, 10m, 1h30m, 2d."""
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            count, seconds = divmod(seconds, size)
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"
