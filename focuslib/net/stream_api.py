"""What the header asks Helix about the channel (Twitch's API reference), parsed at this one boundary.

  GET /streams?user_id=B                    Get Streams: one row while live (viewer_count, started_at), none offline
  GET /channels?broadcaster_id=B            Get Channel Information: the channel's display name
  GET /chat/settings?broadcaster_id=B       Get Chat Settings: the chat modes (no moderator_id: no scope needed;
                                            only the non-moderator chat delay would need one, and it is not shown)
  GET /moderation/shield_mode?broadcaster_id=B&moderator_id=U
                                            Get Shield Mode Status (moderator:read:shield_mode or manage)

Each answer is a small record or None when Twitch gave nothing usable; an error answer raises TwitchAPIError,
a network failure NetworkError (both FocusError), so the caller keeps what it knew and says it is stale.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from focuslib.errors import TwitchAPIError
from focuslib.net.helix import Helix
from focuslib.text import rfc3339, sanitize
from focuslib.twitch.events_moderation import ChatSettings


class StreamInfo(NamedTuple):
    live: bool
    started_at: float | None  # Unix time
    viewers: int | None
    name: str  # the broadcaster's display name as Get Streams gives it (sanitized); "" offline


OFFLINE = StreamInfo(False, None, None, "")


class StreamAPI:
    def __init__(self, helix: Helix, broadcaster_id: str, user_id: str) -> None:
        self.helix = helix
        self.broadcaster_id = broadcaster_id
        self.user_id = user_id

    def _rows(self, path: str, params: dict[str, str], doing: str) -> list[dict[str, Any]]:
        resp = self.helix.call("GET", path, params=params)
        if resp.status != 200:
            raise TwitchAPIError(f"Twitch could not {doing}: {resp.message() or resp.status}", "", resp.status,
                                 resp.message())
        doc = resp.json()
        rows = doc.get("data") if isinstance(doc, dict) else None
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []

    def stream(self) -> StreamInfo:
        """The stream now: live with its start and viewers, or OFFLINE (Get Streams lists live streams only)."""
        rows = self._rows("/streams", {"user_id": self.broadcaster_id}, "read the stream")
        row = next((r for r in rows if str(r.get("user_id")) == self.broadcaster_id), None)
        if row is None or row.get("type", "live") != "live":
            return OFFLINE
        started = rfc3339(row.get("started_at"))
        viewers = row.get("viewer_count")
        return StreamInfo(True, started.timestamp() if started is not None else None,
                          viewers if isinstance(viewers, int) and not isinstance(viewers, bool) and viewers >= 0
                          else None, sanitize(str(row.get("user_name") or "")))

    def channel_name(self) -> str:
        """The channel's display name, "" when Twitch does not say."""
        rows = self._rows("/channels", {"broadcaster_id": self.broadcaster_id}, "read the channel")
        row = next((r for r in rows if str(r.get("broadcaster_id")) == self.broadcaster_id), {})
        return sanitize(str(row.get("broadcaster_name") or row.get("broadcaster_login") or ""))

    def chat_settings(self) -> ChatSettings | None:
        """The chat modes in force, as the record `channel.chat_settings.update` gives (Helix names them apart:
        slow_mode_wait_time, follower_mode_duration, both may be null)."""
        rows = self._rows("/chat/settings", {"broadcaster_id": self.broadcaster_id}, "read the chat settings")
        if not rows:
            return None
        r = rows[0]
        return ChatSettings(r.get("emote_mode") is True, r.get("follower_mode") is True,
                            _whole(r.get("follower_mode_duration")), r.get("slow_mode") is True,
                            _whole(r.get("slow_mode_wait_time")), r.get("subscriber_mode") is True,
                            r.get("unique_chat_mode") is True)

    def shield_active(self) -> bool | None:
        """Whether Shield Mode is on; None when the token may not ask (it lacks both Shield Mode scopes)."""
        try:
            rows = self._rows("/moderation/shield_mode", {"broadcaster_id": self.broadcaster_id,
                                                          "moderator_id": self.user_id}, "read Shield Mode")
        except TwitchAPIError as exc:
            if exc.status in (401, 403):
                return None
            raise
        return bool(rows) and rows[0].get("is_active") is True


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
