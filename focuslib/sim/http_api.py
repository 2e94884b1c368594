"""The simulated Twitch's HTTP server: it parses, records and routes every request.

Routes (the `/helix` prefix is optional for the subscriptions API, as with
twitch-cli's mock):
  POST/GET/DELETE /eventsub/subscriptions     (here; the subscriptions live with the EventSub side)
  /oauth2/...                                 every OAuth route: oauth_api.py
  /helix/users, /helix/chat/..., /helix/moderation/..., /helix/raids: helix_api.py and helix_moderation.py
  POST /sim/trigger {"event": "follow", "count": 1}, /sim/reconnect, /sim/close?code=N,
       /sim/drop, /sim/silence?on=1, /sim/revoke?type=T, /sim/viewers?count=N   (controls for make trigger)
Every request is appended to `sim.requests` (method, path, query, headers, body) so tests can assert
exactly what focus sent.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .routing import RouteReply, Request, Route, error
from .state import Grant, SimState


class SimHTTPHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SimTwitch/1"
    # The headers and the body are two writes on a kept-alive connection: with Nagle's algorithm the body
    # waits for the client's delayed ACK of the headers, ~40 ms an answer (focus makes ~50 calls to go live).
    disable_nagle_algorithm = True

    @property
    def sim(self) -> SimState:
        return self.server.sim  # type: ignore[attr-defined, no-any-return]

    @property
    def routes(self) -> dict[str, Route]:
        return self.server.routes  # type: ignore[attr-defined, no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines can carry OAuth codes."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/helix/eventsub/"):
            path = path[len("/helix"):]
        length = int(self.headers.get("Content-Length") or 0)
        # Read the body first: an answer must not leave it in a kept-alive connection.
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, path, parse_qs(parts.query, keep_blank_values=True),
                      {k.lower(): v for k, v in self.headers.items()}, body)
        self.sim.record(req)
        if path.startswith("/sim/"):
            reply = self._control(req)
        else:
            route = self.routes.get(f"{req.method} {path}")
            reply = route(req) if route is not None else error(404, "no such route")
        self._send(reply)

    def _send(self, reply: RouteReply) -> None:
        doc = reply.doc
        body = b"" if doc is None else (doc.encode() if isinstance(doc, str) else json.dumps(doc).encode())
        pad = max(0, self.sim.pad_answers - len(body))
        path = urlsplit(self.path).path
        if self.sim.trickle > 0 and path.removeprefix("/helix").startswith(self.sim.trickle_prefix):
            return self._trickle(reply, body)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        if pad:  # no length announced: the client learns the size only by reading (then the connection closes)
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if body and self.command != "HEAD" and not pad and self.request_version != "HTTP/0.9":
            # The headers and the body in one write: one system call, and one TCP segment, an answer.
            # (end_headers as http.server writes it, the body after the blank line, in the same buffer)
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]
            self.flush_headers()
            return
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
            spaces = b" " * 65536  # JSON allows trailing whitespace: a huge but valid answer
            try:
                while pad > 0:
                    pad -= self.wfile.write(spaces[:pad]) or 0
            except OSError:
                self.close_connection = True  # the client gave up on it (as focus should)

    def _trickle(self, reply: RouteReply, body: bytes) -> None:
        """The whole answer, status line included, one byte at a time: no read timeout ever fires."""
        head = (f"HTTP/1.1 {reply.status} X\r\nContent-Type: {reply.content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.close_connection = True
        try:
            for k in range(len(head) + len(body)):
                self.wfile.write((head + body)[k:k + 1])
                self.wfile.flush()
                if self.sim.stopped.wait(self.sim.trickle):
                    return
        except OSError:
            pass

    def _control(self, req: Request) -> RouteReply:
        answer = self.sim.control(req.path[len("/sim/"):], req)
        if answer is None:
            return RouteReply(404, {"message": "no such control"})
        status, doc = answer
        return RouteReply(status, doc)


def helix_auth(sim: SimState, req: Request) -> Grant | RouteReply:
    """The caller's grant, or the 401/429 Twitch would answer instead (§5.1, §5.10)."""
    with sim.lock:
        now = time.time()
        if sim.rate_limited > 0 or now < sim.rate_limited_until:
            if now >= sim.rate_limited_until:
                sim.rate_limited -= 1
                sim.rate_limited_until = float(int(now + sim.rate_limit_reset))
            sim.rate_limit_hits += 1
            sim.rate_limited_calls.append(f"{req.method} {req.path}")
            reset = str(int(sim.rate_limited_until))
            return error(429, "rate limited", headers={"Ratelimit-Limit": "800", "Ratelimit-Remaining": "0",
                                                       "Ratelimit-Reset": reset})
    client_id = req.headers.get("client-id", "")
    auth = req.headers.get("authorization", "")
    token = auth[7:] if auth.startswith("Bearer ") else ""
    grant = sim.grant_for(token)
    if not sim.strict_tokens and client_id:
        grant = grant or sim.anonymous(client_id)
    elif grant is None or not client_id or grant.client_id != client_id:
        return error(401, "Invalid OAuth token")
    with sim.lock:  # every call costs a point of the caller's bucket, a refused one too (§5.10)
        ok, headers = sim.buckets.take((grant.client_id, grant.user[0]))
        if not ok:
            sim.rate_limit_hits += 1
            sim.rate_limited_calls.append(f"{req.method} {req.path}")
    return grant if ok else error(429, "Too Many Requests", headers=headers)


def rate_headers(sim: SimState, grant: Grant) -> dict[str, str]:
    """The Ratelimit-* headers of an answer to `grant`'s caller: where its bucket stands."""
    with sim.lock:
        return sim.buckets.headers((grant.client_id, grant.user[0]))


def eventsub_routes(sim: SimState) -> dict[str, Route]:
    """The subscriptions API (§2): create, list, delete."""

    def create(req: Request) -> RouteReply:
        grant = helix_auth(sim, req)
        if isinstance(grant, RouteReply):
            return grant
        body = req.json()
        if not isinstance(body, dict):
            return error(400, "error validating json")
        status, doc = sim.create_subscription(body, grant, req.headers.get("client-id", ""))
        return RouteReply(status, doc, rate_headers(sim, grant))

    def listing(req: Request) -> RouteReply:
        grant = helix_auth(sim, req)
        if isinstance(grant, RouteReply):
            return grant
        subs = sim.all_subscriptions()
        return RouteReply(200, {"data": subs, "total": len(subs), "total_cost": 0, "max_total_cost": 10,
                           "pagination": {}})

    def delete(req: Request) -> RouteReply:
        grant = helix_auth(sim, req)
        if isinstance(grant, RouteReply):
            return grant
        return RouteReply(204) if sim.delete_subscription(req.q("id")) else error(404, "subscription not found")

    return {"POST /eventsub/subscriptions": create, "GET /eventsub/subscriptions": listing,
            "DELETE /eventsub/subscriptions": delete}
