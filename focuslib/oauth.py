"""Twitch OAuth calls: validate and refresh (protocol notes §4).

Validate uses `Authorization: OAuth <token>` (not Bearer).  Secrets and
refresh tokens travel only in form bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import AuthError, TwitchAPIError
from .http import HttpClient


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What /validate says about a token."""

    client_id: str
    login: str
    user_id: str
    scopes: tuple[str, ...]
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenSet:
    """A token endpoint's answer."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: tuple[str, ...]
    expires_in: int


class InvalidToken(AuthError):
    """/validate answered 401: the access token is expired or revoked."""


def validate(http: HttpClient, auth_url: str, token: str) -> TokenInfo:
    resp = http.request("GET", f"{auth_url}/validate", headers={"Authorization": f"OAuth {token}"})
    if resp.status == 401:
        raise InvalidToken("the access token is expired or was revoked", "run make auth")
    if resp.status != 200:
        raise TwitchAPIError(f"Twitch's token check failed ({resp.status} {resp.message()})".strip(),
                             "try again in a minute", resp.status, resp.message())
    doc = resp.json()
    doc = doc if isinstance(doc, dict) else {}
    scopes = doc.get("scopes") or []
    expires = doc.get("expires_in")
    return TokenInfo(
        client_id=str(doc.get("client_id") or ""),
        login=str(doc.get("login") or ""),
        user_id=str(doc.get("user_id") or ""),
        scopes=tuple(s for s in scopes if isinstance(s, str)),
        expires_in=expires if isinstance(expires, int) else 0,
    )


def refresh(http: HttpClient, auth_url: str, client_id: str, secret: str, refresh_token: str) -> TokenSet:
    """Trade a refresh token for a new token set (the refresh token may rotate)."""
    form = {"client_id": client_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
    if secret:
        form["client_secret"] = secret
    resp = http.request("POST", f"{auth_url}/token", form=form)
    if resp.status in (400, 401):
        raise AuthError(f"Twitch refused to refresh the token ({resp.message() or resp.status})", "run make auth")
    if resp.status != 200:
        raise TwitchAPIError(f"token refresh failed ({resp.status} {resp.message()})".strip(),
                             "try again in a minute", resp.status, resp.message())
    return token_set(resp.json())


def token_set(doc: object) -> TokenSet:
    """Read a token endpoint's JSON (scope is an array there)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("access_token"), str):
        raise TwitchAPIError("Twitch's token answer had no access token", "run make auth again")
    scope = doc.get("scope") or []
    if isinstance(scope, str):
        scope = scope.split()
    expires = doc.get("expires_in")
    return TokenSet(
        access_token=doc["access_token"],
        refresh_token=str(doc.get("refresh_token") or ""),
        scopes=tuple(s for s in scope if isinstance(s, str)),
        expires_in=expires if isinstance(expires, int) else 0,
    )
