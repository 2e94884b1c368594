"""The simulated Twitch's shared state: tokens it issued, knobs tests turn, and what each side may ask.

server.py (EventSub WebSocket), http_api.py (the HTTP server), oauth_api.py
(sign-in) and helix_api.py (Helix calls) all work on one `SimState`; none of
them imports another's module for it.  `SimTwitch` (server.py) is the
SimState that also runs the sockets, so it fills in the scenario methods
(`notify`, `reconnect`, ...) the HTTP side calls.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable

from . import payloads
from .bucket import Buckets
from .catalog import CATALOG
from .routing import Request

# Every scope the simulator knows: the catalog's and those of the Helix calls it serves (§4.7, §5, §2.6).
HELIX_SCOPES = ("user:write:chat", "moderator:manage:banned_users", "moderator:manage:chat_messages",
                "moderator:manage:announcements", "moderator:manage:shoutouts", "moderator:read:chatters",
                "moderator:manage:warnings", "moderator:manage:chat_settings", "channel:manage:raids",
                "moderator:manage:automod", "channel:manage:moderators", "moderation:read", "channel:manage:vips",
                "channel:manage:broadcast", "channel:edit:commercial", "user:manage:whispers",
                "channel:manage:polls", "channel:manage:predictions", "moderator:manage:shield_mode")
ALL_SCOPES = tuple(sorted({s for row in CATALOG.values() for s in row[1]} | set(HELIX_SCOPES)))


@dataclass
class Grant:
    """One access token the simulator issued."""

    access_token: str
    refresh_token: str
    client_id: str
    user: tuple[str, str, str]
    scopes: tuple[str, ...]
    expires_at: float


class SimState:
    """Tokens, rate-limit knobs and the request log, behind one lock (`changed` wakes waiters)."""

    def __init__(self, *, broadcaster: tuple[str, str, str] = payloads.BROADCASTER, client_id: str = "focus-demo",
                 strict_tokens: bool = True) -> None:
        self.broadcaster = broadcaster
        self.client_id = client_id
        self.strict_tokens = strict_tokens
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh -> access
        self.rotate_refresh = False
        self.rate_limited = 0  # answer this many Helix calls with 429 (the per-minute bucket is empty)
        self.rate_limit_reset = 1.0
        self.rate_limited_until = 0.0  # the bucket stays empty until Ratelimit-Reset (§5.10)
        self.rate_limit_hits = 0  # 429s served
        self.rate_limited_calls: list[str] = []  # "METHOD /path" of each
        self.buckets = Buckets()  # Helix's points per client id and user (bucket.py); tests may shrink them
        self.token_requests: list[dict[str, str]] = []
        self.validate_calls = 0
        self.validate_delay = 0.0  # seconds /oauth2/validate takes to answer
        self.trickle = 0.0  # > 0: HTTP answers are sent one byte per this many seconds (a stuck server) ...
        self.trickle_prefix = "/"  # ... for the paths that start with this
        self.pad_answers = 0  # > 0: every HTTP answer's body is padded with spaces to this many bytes
        self.stopped = threading.Event()  # set when the simulator stops (ends trickling answers)
        self.requests: list[Request] = []  # every HTTP request, in order (tests assert the exact request)

    # -- tokens ------------------------------------------------------------

    def issue_token(self, *, scopes: Iterable[str] = ALL_SCOPES, user: tuple[str, str, str] | None = None,
                    client_id: str | None = None, expires_in: float = 14400, access_token: str | None = None,
                    refresh_token: str | None = None) -> Grant:
        grant = Grant(access_token or secrets.token_hex(15), refresh_token or secrets.token_urlsafe(36),
                      client_id or self.client_id, user or self.broadcaster, tuple(scopes),
                      time.time() + expires_in)
        with self.lock:
            self.grants[grant.access_token] = grant
            self.refresh_tokens[grant.refresh_token] = grant.access_token
        return grant

    def grant_for(self, token: str) -> Grant | None:
        with self.lock:
            grant = self.grants.get(token)
        if grant is None or grant.expires_at <= time.time():
            return None
        return grant

    def expire_token(self, token: str) -> None:
        with self.lock:
            if token in self.grants:
                self.grants[token].expires_at = 0

    def revoke_refresh_token(self, refresh_token: str) -> None:
        with self.lock:
            self.refresh_tokens.pop(refresh_token, None)

    def refresh(self, refresh_token: str, client_id: str) -> Grant | None:
        with self.lock:
            old = self.grants.get(self.refresh_tokens.get(refresh_token, ""))
            if old is None or old.client_id != client_id:
                return None
            if self.rotate_refresh:
                del self.refresh_tokens[refresh_token]
                new_refresh = None
            else:
                new_refresh = refresh_token
            old.expires_at = 0  # the old access token stops working
        return self.issue_token(scopes=old.scopes, user=old.user, client_id=client_id, refresh_token=new_refresh)

    def anonymous(self, client_id: str) -> Grant:
        """The grant assumed for any token when `strict_tokens` is off (twitch-cli's mock checks none)."""
        return Grant("", "", client_id, self.broadcaster, ALL_SCOPES, time.time() + 3600)

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)
            self.changed.notify_all()

    def requests_to(self, method: str, path: str) -> list[Request]:
        """The recorded requests with this method and path (`/helix/...`)."""
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    # -- what the EventSub side provides (SimTwitch fills these in) ---------------------------------

    def notify(self, stype: str, event: dict[str, Any], **kw: Any) -> str:
        raise NotImplementedError

    def create_subscription(self, body: dict[str, Any], grant: Grant | None, client_id: str
                            ) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def all_subscriptions(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def delete_subscription(self, sub_id: str) -> bool:
        raise NotImplementedError

    def control(self, name: str, request: Request) -> Any:
        """A scenario control from /sim/... (make trigger); returns the JSON answer or None if unknown."""
        raise NotImplementedError

    @property
    def http_base(self) -> str:
        raise NotImplementedError
