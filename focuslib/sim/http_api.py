"""The simulated Twitch's HTTP side: subscriptions API, OAuth, a little Helix, and controls.

Routes (the `/helix` prefix is optional for the subscriptions API, as with
twitch-cli's mock):
  POST/GET/DELETE /eventsub/subscriptions
  GET  /oauth2/validate            POST /oauth2/token (refresh_token grant)
  the rest of OAuth (authorize, code and device grants, revoke) in oauth_api.py
  GET  /helix/users
  POST /sim/trigger {"event": "follow", "count": 1}, /sim/reconnect, /sim/close?code=N,
       /sim/drop, /sim/silence?on=1, /sim/revoke?type=T
More OAuth routes can be plugged in through `sim.auth_extensions`.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .oauth_api import token_doc

if TYPE_CHECKING:
    from .server import Grant, SimTwitch


class SimHTTPHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SimTwitch/1"

    @property
    def sim(self) -> SimTwitch:
        return self.server.sim  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines can carry OAuth codes."""

    # -- plumbing ------------------------------------------------------------

    def _send(self, status: int, doc: Any = None, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        body = b"" if doc is None else (doc.encode() if isinstance(doc, str) else json.dumps(doc).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json_body(self) -> Any:
        try:
            return json.loads(self._body() or b"null")
        except ValueError:
            return None

    def _form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self._body().decode("utf-8", "replace")).items()}

    def _route(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/helix/eventsub/"):
            path = path[len("/helix"):]
        return path, {k: v[0] for k, v in parse_qs(parts.query).items()}

    def _helix_auth(self) -> Grant | None:
        """The caller's grant, or None after answering 401/429 ourselves."""
        sim = self.sim
        with sim.lock:
            now = time.time()
            if sim.rate_limited > 0 or now < sim.rate_limited_until:
                if now >= sim.rate_limited_until:
                    sim.rate_limited -= 1
                    sim.rate_limited_until = float(int(now + sim.rate_limit_reset))
                sim.rate_limit_hits += 1
                reset = str(int(sim.rate_limited_until))
                self._send(429, {"error": "Too Many Requests", "status": 429, "message": "rate limited"},
                           {"Ratelimit-Limit": "800", "Ratelimit-Remaining": "0", "Ratelimit-Reset": reset})
                return None
        client_id = self.headers.get("Client-Id", "")
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        grant = sim.grant_for(token)
        if not sim.strict_tokens and client_id:
            return grant or _anonymous(sim, client_id)
        if grant is None or not client_id or grant.client_id != client_id:
            self._send(401, {"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"})
            return None
        return grant

    # -- verbs ---------------------------------------------------------------

    def do_GET(self) -> None:
        path, query = self._route()
        if path == "/oauth2/validate":
            return self._validate()
        if path == "/eventsub/subscriptions":
            if self._helix_auth() is not None:
                subs = self.sim.all_subscriptions()
                self._send(200, {"data": subs, "total": len(subs), "total_cost": 0, "max_total_cost": 10,
                                 "pagination": {}})
            return None
        if path == "/helix/users":
            grant = self._helix_auth()
            if grant is not None:
                uid, login, name = grant.user
                self._send(200, {"data": [{"id": uid, "login": login, "display_name": name, "type": "",
                                           "broadcaster_type": "affiliate", "description": "",
                                           "created_at": "2020-01-01T00:00:00Z"}]})
            return None
        return self._extension("GET", path, query)

    def do_POST(self) -> None:
        path, query = self._route()
        if path == "/eventsub/subscriptions":
            body = self._json_body()  # read first: a 401/429 must not leave it in a kept-alive connection
            grant = self._helix_auth()
            if grant is None:
                return None
            if not isinstance(body, dict):
                return self._send(400, {"error": "Bad Request", "status": 400, "message": "error validating json"})
            status, doc = self.sim.create_subscription(body, grant, self.headers.get("Client-Id", ""))
            return self._send(status, doc, {"Ratelimit-Limit": "800", "Ratelimit-Remaining": "799",
                                            "Ratelimit-Reset": str(int(time.time()) + 1)})
        if path == "/oauth2/token":
            form = self._form()
            if form.get("grant_type") == "refresh_token":
                return self._refresh(form)
            return self._extension("POST", path, query, form)
        if path.startswith("/sim/"):
            return self._control(path, query)
        return self._extension("POST", path, query)

    def do_DELETE(self) -> None:
        path, query = self._route()
        if path == "/eventsub/subscriptions" and self._helix_auth() is not None:
            with self.sim.lock:
                for s in self.sim.sessions.values():
                    if s.subscriptions.pop(query.get("id", ""), None) is not None:
                        return self._send(204)
            return self._send(404, {"error": "Not Found", "status": 404, "message": "subscription not found"})
        if path != "/eventsub/subscriptions":
            self._send(404, {"error": "Not Found", "status": 404, "message": "no such route"})
        return None

    # -- OAuth -----------------------------------------------------------------

    def _validate(self) -> None:
        auth = self.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if auth.startswith(("OAuth ", "Bearer ")) else ""
        with self.sim.lock:
            self.sim.validate_calls += 1
            delay = self.sim.validate_delay
        if delay:
            time.sleep(delay)  # a slow OAuth server (tests)
        grant = self.sim.grant_for(token)
        if grant is None:
            return self._send(401, {"status": 401, "message": "invalid access token"})
        uid, login, _ = grant.user
        self._send(200, {"client_id": grant.client_id, "login": login, "scopes": list(grant.scopes),
                         "user_id": uid, "expires_in": max(0, int(grant.expires_at - time.time()))})

    def _refresh(self, form: dict[str, str]) -> None:
        with self.sim.lock:
            self.sim.token_requests.append({k: v for k, v in form.items() if k == "grant_type"})
        grant = self.sim.refresh(form.get("refresh_token", ""), form.get("client_id", ""))
        if grant is None:
            return self._send(400, {"error": "Bad Request", "status": 400, "message": "Invalid refresh token"})
        self._send(200, token_doc(grant))

    def _extension(self, method: str, path: str, query: dict[str, str], form: dict[str, str] | None = None
                   ) -> None:
        handler = self.sim.auth_extensions.get(f"{method} {path}")
        if handler is None:
            return self._send(404, {"error": "Not Found", "status": 404, "message": "no such route"})
        status, doc, headers, ctype = handler(self, query, form or {})
        return self._send(status, doc, headers, ctype)

    # -- controls (make trigger) -------------------------------------------------

    def _control(self, path: str, query: dict[str, str]) -> None:
        from .triggers import TRIGGERS, fire

        sim = self.sim
        body = self._json_body() if path == "/sim/trigger" else None
        if path == "/sim/trigger":
            body = body if isinstance(body, dict) else {}
            name = str(body.get("event") or query.get("event") or "")
            if name not in TRIGGERS:
                return self._send(400, {"message": f"unknown event {name!r}", "events": sorted(TRIGGERS)})
            count = int(body.get("count") or query.get("count") or 1)
            sent = fire(sim, name, max(1, min(count, 10000)))
            return self._send(200, {"sent": sent})
        if path == "/sim/reconnect":
            return self._send(200, {"urls": len(sim.reconnect())})
        if path == "/sim/close":
            sim.close(int(query.get("code", "4000")))
        elif path == "/sim/drop":
            sim.drop()
        elif path == "/sim/silence":
            sim.silence(query.get("on", "1") == "1")
        elif path == "/sim/revoke":
            sim.revoke(query.get("type", "channel.follow"), query.get("status", "authorization_revoked"))
        else:
            return self._send(404, {"message": "no such control"})
        return self._send(200, {"ok": True})


def _anonymous(sim: SimTwitch, client_id: str) -> Grant:
    from .server import ALL_SCOPES, Grant

    return Grant("", "", client_id, sim.broadcaster, ALL_SCOPES, time.time() + 3600)
