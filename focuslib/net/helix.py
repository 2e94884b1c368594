"""Helix calls with Twitch's retry rules (protocol notes §5.1, §5.10).

* 401: the token was refreshed elsewhere or expired -- refresh once, retry once.
* 401 whose message names a scope: the token lacks it; refreshing cannot help,
  so the answer goes straight back to the caller.
* 429 with `Ratelimit-Remaining` 0 (or absent): the per-minute bucket is empty
  (800 points/min): wait until `Ratelimit-Reset` (Unix seconds), then retry; the
  wait is announced through `on_wait` so the status line can say so.
* 429 with points left: a per-endpoint limit (bans per broadcaster,
  announcements every 2 s, shoutouts every 2 min / same channel once an hour,
  §5.10): waiting for the bucket would not help and retrying blindly could
  double an action, so the answer goes back to the caller.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable, Mapping, Protocol, Sequence

from focuslib.errors import AuthError, FocusError
from focuslib.net.client import HttpClient, Response
from focuslib.twitch.subscriptions import SubscriptionSpec

MAX_RATE_LIMIT_WAIT = 60.0
MAX_RATE_LIMIT_RETRIES = 3


class Tokens(Protocol):
    """Where Helix gets the current access token (auth.tokens.TokenHolder is one; net/ does not import auth/)."""

    @property
    def access_token(self) -> str: ...

    def refresh(self, stale: str) -> str:
        """A fresh access token in place of `stale` (refreshed at most once, whoever asks first)."""
        ...


class Stopped(FocusError):
    """focus is shutting down while a call waited."""


class Helix:
    def __init__(self, http: HttpClient, api_url: str, client_id: str, tokens: Tokens, *,
                 stop: threading.Event | None = None, on_wait: Callable[[str], None] = lambda text: None,
                 clock: Callable[[], float] = time.time) -> None:
        self.http = http
        self.api_url = api_url
        self.client_id = client_id
        self.tokens = tokens
        self.stop = stop or threading.Event()
        self.on_wait = on_wait
        self.clock = clock

    def call(self, method: str, path: str, *,
             params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
             json_body: Any = None, on_wait: Callable[[str], None] | None = None) -> Response:
        """The one request method: every Helix call goes through here (auth headers, 401, 429)."""
        token = self.tokens.access_token
        refreshed = False
        waits = 0
        while True:
            resp = self.http.request(method, self.api_url + path, params=params, json_body=json_body,
                                     headers={"Authorization": f"Bearer {token}", "Client-Id": self.client_id})
            if resp.status == 401 and not refreshed and "scope" not in resp.message().lower():
                token = self.tokens.refresh(token)
                refreshed = True
                continue
            if resp.status == 429 and waits < MAX_RATE_LIMIT_RETRIES and _bucket_empty(resp):
                waits += 1
                delay = self._reset_delay(resp)
                (on_wait or self.on_wait)(f"Twitch rate limit reached; retrying in {math.ceil(delay)} s")
                if self.stop.wait(delay):
                    raise Stopped("stopped while waiting for Twitch's rate limit")
                continue
            return resp

    def create_subscription(self, spec: SubscriptionSpec, session_id: str) -> tuple[int, str]:
        """POST one subscription; returns (HTTP status, Twitch's message)."""
        resp = self.call("POST", "/eventsub/subscriptions", json_body=spec.body(session_id))
        if resp.status == 401:
            raise AuthError(f"Twitch rejects the token for {spec.type} ({resp.message() or 401})",
                            "run make auth (the token may belong to another client id)")
        return resp.status, resp.message()

    def _reset_delay(self, resp: Response) -> float:
        try:
            reset = float(resp.headers.get("ratelimit-reset", ""))
        except ValueError:
            return 1.0
        return min(MAX_RATE_LIMIT_WAIT, max(0.5, reset - self.clock()))


def _bucket_empty(resp: Response) -> bool:
    """A 429 for the per-minute bucket (Remaining 0 or absent), not a per-endpoint limit (§5.10)."""
    remaining = resp.headers.get("ratelimit-remaining", "").strip()
    return remaining in ("", "0")
