"""The simulated Twitch's sign-in side: every OAuth route (protocol notes §4).

Routes (served by http_api.py through `routes()`):
  GET  /oauth2/validate    what a token is (`Authorization: OAuth <token>`; Bearer is accepted too)
  GET  /oauth2/authorize   the browser's stop at Twitch: redirects straight back to `redirect_uri` with
                           `code`, `scope` and `state` (as for a user who already approved the app), or
                           with `error=access_denied` when `sim.oauth.deny` is set
  POST /oauth2/token       grant_type=refresh_token, authorization_code and the device-code grant
  POST /oauth2/device      starts the device flow; GET /activate?device-code=... is the person approving it
  POST /oauth2/revoke      form client_id + token (access or refresh)

Controls for tests: `deny`, `client_secret` (checked on code exchange when set), `redirect_uris`
(exact-match registration when set), `device_interval`, `device_expires_in`, `slow_down` (answer that many
device polls with slow_down), `approve(user_code)`, `expire_device(user_code)`, `echo` (every refusal quotes
the request's form and Authorization header, as a debugging server or proxy may: whatever focus sent, a
code or a token, comes back in the text it shows), `failing` (a route's key -> the error status it answers).
"""

from __future__ import annotations

import html
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .routing import HTML, RouteReply, Request, Route
from .state import Grant, SimState

CODE_LIFETIME = 600.0  # authorization codes are short-lived and single-use
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class CodeGrant:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    issued_at: float


@dataclass
class DeviceGrant:
    device_code: str
    user_code: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    state: str = "pending"  # pending | approved | denied


def token_doc(grant: Grant) -> dict[str, Any]:
    """A token endpoint's 200 body (§4.1): `scope` is an array here."""
    return {"access_token": grant.access_token, "refresh_token": grant.refresh_token,
            "expires_in": max(0, int(grant.expires_at - time.time())), "scope": list(grant.scopes),
            "token_type": "bearer"}


def _error(status: int, message: str) -> RouteReply:
    return RouteReply(status, {"status": status, "message": message})


def _page(status: int, text: str) -> RouteReply:
    return RouteReply(status, text, {}, HTML)


class SimOAuth:
    def __init__(self, sim: SimState) -> None:
        self.sim = sim
        self.deny = False
        self.client_secret: str | None = None
        self.redirect_uris: tuple[str, ...] | None = None
        self.device_interval = 5
        self.device_expires_in = 1800
        self.slow_down = 0
        self.codes: dict[str, CodeGrant] = {}
        self.devices: dict[str, DeviceGrant] = {}
        self.used_codes: list[str] = []
        self.device_polls = 0
        self.device_poll_keys: list[tuple[str, ...]] = []  # the form keys of each poll (never the values)
        self.echo = False
        self.failing: dict[str, int] = {}  # "POST /oauth2/revoke" -> the status that route answers instead

    def routes(self) -> dict[str, Route]:
        table: dict[str, Route] = {
            "GET /oauth2/validate": self._validate, "GET /oauth2/authorize": self._authorize,
            "POST /oauth2/token": self._token, "POST /oauth2/device": self._device, "GET /activate": self._activate,
            "POST /oauth2/revoke": self._revoke}
        return {key: self._wrapped(key, route) for key, route in table.items()}

    def _wrapped(self, key: str, route: Route) -> Route:
        def answer(req: Request) -> RouteReply:
            failing = self.failing.get(key)
            reply = _error(failing, "service unavailable") if failing else route(req)
            if self.echo and reply.status >= 400 and isinstance(reply.doc, dict):
                # Not the scope list: it would push the rest past the 300 characters of a message focus shows.
                form = {k: v for k, v in req.form().items() if k != "scopes"}
                quoted = f"{reply.doc.get('message', '')} (request: {form} {req.headers.get('authorization', '')})"
                return replace(reply, doc={**reply.doc, "message": quoted})
            return reply
        return answer

    def secrets(self) -> set[str]:
        """Every secret this simulator ever handed out (tests scan output for them)."""
        with self.sim.lock:
            found = {g.access_token for g in self.sim.grants.values()} | {
                g.refresh_token for g in self.sim.grants.values()}
            found |= set(self.codes) | set(self.used_codes) | set(self.devices)
        if self.client_secret:
            found.add(self.client_secret)
        return {s for s in found if s}

    # -- controls --------------------------------------------------------------

    def approve(self, user_code: str, approved: bool = True) -> None:
        with self.sim.lock:
            for d in self.devices.values():
                if d.user_code == user_code:
                    d.state = "approved" if approved else "denied"

    def expire_device(self, user_code: str) -> None:
        with self.sim.lock:
            for d in self.devices.values():
                if d.user_code == user_code:
                    d.expires_at = 0.0

    # -- validate and refresh ---------------------------------------------------------

    def _validate(self, req: Request) -> RouteReply:
        auth = req.headers.get("authorization", "")
        token = auth.split(" ", 1)[1] if auth.startswith(("OAuth ", "Bearer ")) else ""
        with self.sim.lock:
            self.sim.validate_calls += 1
            delay = self.sim.validate_delay
        if delay:
            time.sleep(delay)  # a slow OAuth server (tests)
        grant = self.sim.grant_for(token)
        if grant is None:
            return _error(401, "invalid access token")
        uid, login, _ = grant.user
        return RouteReply(200, {"client_id": grant.client_id, "login": login, "scopes": list(grant.scopes),
                           "user_id": uid, "expires_in": max(0, int(grant.expires_at - time.time()))})

    def _refresh(self, form: dict[str, str]) -> RouteReply:
        grant = self.sim.refresh(form.get("refresh_token", ""), form.get("client_id", ""))
        if grant is None:
            return RouteReply(400, {"error": "Bad Request", "status": 400, "message": "Invalid refresh token"})
        return RouteReply(200, token_doc(grant))

    # -- authorization code ----------------------------------------------------------

    def _authorize(self, req: Request) -> RouteReply:
        query = {k: v[0] for k, v in req.query.items()}
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.sim.client_id:
            return _page(400, "<h1>invalid client</h1>")
        if not redirect or (self.redirect_uris is not None and redirect not in self.redirect_uris):
            # Twitch shows its own page rather than redirecting to an unregistered URI.
            return _page(400, "<h1>redirect_mismatch</h1><p>Parameter redirect_uri does not match registered URI</p>")
        if query.get("response_type") != "code":
            return _page(400, "<h1>unsupported_response_type</h1>")
        state = query.get("state")
        back: dict[str, str]
        if self.deny:
            back = {"error": "access_denied", "error_description": "The user denied you access"}
        else:
            scopes = tuple(query.get("scope", "").split())
            code = secrets.token_urlsafe(22)
            with self.sim.lock:
                self.codes[code] = CodeGrant(self.sim.client_id, redirect, scopes, time.time())
            back = {"code": code, "scope": " ".join(scopes)}
        if state is not None:
            back["state"] = state
        return RouteReply(302, None, {"Location": _with_query(redirect, back)}, HTML)

    def _token(self, req: Request) -> RouteReply:
        form = req.form()
        grant_type = form.get("grant_type", "")
        with self.sim.lock:
            self.sim.token_requests.append({"grant_type": grant_type})
        if grant_type == "refresh_token":
            return self._refresh(form)
        if grant_type == "authorization_code":
            return self._exchange(form)
        if grant_type == DEVICE_GRANT:
            return self._poll(form)
        return _error(400, "Invalid grant type")

    def _exchange(self, form: dict[str, str]) -> RouteReply:
        code = form.get("code", "")
        with self.sim.lock:
            grant = self.codes.pop(code, None)  # single use, even when the rest is wrong
            if grant is not None:
                self.used_codes.append(code)
        if self.client_secret is not None and form.get("client_secret") != self.client_secret:
            return _error(403, "invalid client secret")
        if (grant is None or time.time() - grant.issued_at > CODE_LIFETIME
                or grant.client_id != form.get("client_id") or grant.redirect_uri != form.get("redirect_uri")):
            return _error(400, "Invalid authorization code")
        issued = self.sim.issue_token(scopes=grant.scopes, client_id=grant.client_id)
        return RouteReply(200, token_doc(issued))

    # -- device code ------------------------------------------------------------------

    def _device(self, req: Request) -> RouteReply:
        form = req.form()
        if form.get("client_id") != self.sim.client_id:
            return _error(400, "invalid client")
        device = DeviceGrant(secrets.token_urlsafe(30), secrets.token_hex(4).upper(), self.sim.client_id,
                             tuple(form.get("scopes", "").split()), time.time() + self.device_expires_in)
        with self.sim.lock:
            self.devices[device.device_code] = device
        uri = f"{self.sim.http_base}/activate?{urlencode({'public': 'true', 'device-code': device.user_code})}"
        return RouteReply(200, {"device_code": device.device_code, "expires_in": self.device_expires_in,
                           "interval": self.device_interval, "user_code": device.user_code,
                           "verification_uri": uri})

    def _poll(self, form: dict[str, str]) -> RouteReply:
        with self.sim.lock:
            self.device_polls += 1
            self.device_poll_keys.append(tuple(sorted(form)))
            device = self.devices.get(form.get("device_code", ""))
            if device is None or device.expires_at <= time.time() or device.client_id != form.get("client_id"):
                return _error(400, "invalid device code")
            if device.state == "denied":
                return _error(400, "access_denied")
            if self.slow_down > 0:
                self.slow_down -= 1
                return _error(400, "slow_down")
            if device.state != "approved":
                return _error(400, "authorization_pending")
            del self.devices[device.device_code]  # single use
        issued = self.sim.issue_token(scopes=device.scopes, client_id=device.client_id)
        return RouteReply(200, token_doc(issued))

    def _activate(self, req: Request) -> RouteReply:
        code = req.q("device-code")
        self.approve(code, approved=not self.deny)
        return _page(200, f"<h1>{html.escape(code)}: {'denied' if self.deny else 'connected'}</h1>")

    # -- revoke -------------------------------------------------------------------------

    def _revoke(self, req: Request) -> RouteReply:
        form = req.form()
        if form.get("client_id") != self.sim.client_id:
            return _error(404, "client does not exist")
        token = form.get("token", "")
        sim = self.sim
        with sim.lock:
            access = sim.refresh_tokens.pop(token, None)
            grant = sim.grants.get(access or token)
            if grant is None or (access is None and grant.expires_at <= time.time()):
                return _error(400, "Invalid token")
            grant.expires_at = 0.0
            sim.refresh_tokens.pop(grant.refresh_token, None)
        return RouteReply(200)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))
