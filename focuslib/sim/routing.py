"""What the simulated Twitch's HTTP routes see and answer: a parsed request and a reply (no I/O).

The HTTP server (http_api.py) turns each request into a `Request`, records it,
and hands it to a route of the OAuth side (oauth_api.py), the Helix side
(helix_api.py) or the EventSub subscriptions API; a route returns a `RouteReply`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs

JSON = "application/json"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request as the simulator received it (tests assert on these: `sim.requests`)."""

    method: str
    path: str  # without the query string
    query: dict[str, list[str]]  # repeated parameters keep every value, in order
    headers: dict[str, str] = field(repr=False)  # lower-case names; repr=False keeps the token out of reports
    body: bytes = b""

    def q(self, name: str, default: str = "") -> str:
        """The first value of query parameter `name`."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body as JSON; None when it is not JSON."""
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}


@dataclass(frozen=True, slots=True)
class RouteReply:
    status: int
    doc: Any = None  # a JSON document, an HTML string, or None for no body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON


Route = Callable[[Request], RouteReply]


def error(status: int, message: str, reason: str = "", headers: dict[str, str] | None = None) -> RouteReply:
    """Helix's error body: {"error", "status", "message"} (protocol notes §5.1)."""
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
               410: "Gone", 422: "Unprocessable Entity", 429: "Too Many Requests"}
    return RouteReply(status, {"error": reason or reasons.get(status, "Error"), "status": status, "message": message},
                 headers or {})


def endpoint_limit(message: str) -> RouteReply:
    """A per-endpoint 429: the per-minute bucket still has points (§5.10)."""
    return error(429, message, headers={"Ratelimit-Limit": "800", "Ratelimit-Remaining": "797",
                                        "Ratelimit-Reset": str(int(time.time()) + 60)})
