"""Twitch OAuth calls: validate, refresh, code exchange and the device flow (protocol notes §4).

Validate uses `Authorization: OAuth <token>` (not Bearer).  Secrets and
refresh tokens travel only in form bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from focuslib.errors import AuthError, TwitchAPIError
from focuslib.net.client import HttpClient


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


class CodeRejected(AuthError):
    """The token endpoint refused an authorization code (expired, used, or the wrong client/secret)."""


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


def revoke(http: HttpClient, auth_url: str, client_id: str, token: str) -> bool:
    """Revoke a token at Twitch (§4.4): True when revoked, False when Twitch says it was no longer valid."""
    resp = http.request("POST", f"{auth_url}/revoke", form={"client_id": client_id, "token": token})
    if resp.status == 200:
        return True
    if resp.status == 400:  # "Invalid token": already expired or revoked
        return False
    raise TwitchAPIError(f"Twitch did not revoke the token ({resp.status} {resp.message()})".strip(),
                         "try again later, or disconnect the app at twitch.tv/settings/connections",
                         resp.status, resp.message())


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


def exchange_code(http: HttpClient, auth_url: str, client_id: str, secret: str, code: str,
                  redirect_uri: str) -> TokenSet:
    """Trade an authorization code for tokens (§4.1 step 3): form body, never the query string."""
    form = {"client_id": client_id, "client_secret": secret, "code": code,
            "grant_type": "authorization_code", "redirect_uri": redirect_uri}
    resp = http.request("POST", f"{auth_url}/token", form=form)
    if resp.status in (400, 401, 403):
        raise CodeRejected(f"Twitch rejected the sign-in code ({resp.message() or resp.status})",
                           "start again; if it keeps failing, check TWITCH_SECRET and that "
                           "TWITCH_REDIRECT_URI matches the OAuth Redirect URL of your app")
    if resp.status != 200:
        raise TwitchAPIError(f"Twitch's token endpoint failed ({resp.status} {resp.message()})".strip(),
                             "try again in a minute", resp.status, resp.message())
    return token_set(resp.json())


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """/device's answer (§4.5): what to show the person, and what to poll with."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
PENDING = "authorization_pending"
SLOW_DOWN = "slow_down"


def start_device(http: HttpClient, auth_url: str, client_id: str, scopes: tuple[str, ...]) -> DeviceCode:
    """Ask for a device code; the form key is `scopes` (plural) here."""
    resp = http.request("POST", f"{auth_url}/device", form={"client_id": client_id, "scopes": " ".join(scopes)})
    if resp.status != 200:
        raise TwitchAPIError(f"Twitch refused to start the device sign-in ({resp.message() or resp.status})",
                             "check TWITCH_CLIENT_ID; the app must allow the device code flow",
                             resp.status, resp.message())
    doc = resp.json()
    doc = doc if isinstance(doc, dict) else {}
    try:
        return DeviceCode(device_code=str(doc["device_code"]), user_code=str(doc["user_code"]),
                          verification_uri=str(doc["verification_uri"]),
                          expires_in=int(doc.get("expires_in") or 1800), interval=int(doc.get("interval") or 5))
    except (KeyError, TypeError, ValueError):
        raise TwitchAPIError("Twitch's device sign-in answer was incomplete", "try again") from None


def poll_device(http: HttpClient, auth_url: str, client_id: str, scopes: tuple[str, ...],
                device_code: str) -> TokenSet | str:
    """One poll: the tokens, or PENDING / SLOW_DOWN; AuthError when denied or the code is no longer valid.

    No client_secret, even when one is configured: Twitch's CLI and twurple send client_id, scopes,
    device_code and grant_type only (§4.2), and a secret has no business in a polling loop."""
    form = {"client_id": client_id, "scopes": " ".join(scopes), "device_code": device_code,
            "grant_type": DEVICE_GRANT}
    resp = http.request("POST", f"{auth_url}/token", form=form)
    if resp.status == 200:
        return token_set(resp.json())
    message = resp.message()
    if resp.status == 400 and message in (PENDING, SLOW_DOWN):
        return message
    if message == "access_denied":
        raise AuthError("the sign-in was declined on Twitch", "run make auth ARGS=--device again to retry")
    if resp.status in (400, 401):
        # "invalid device code" (§4.5, unconfirmed wording): expired or already used.
        raise AuthError(f"Twitch no longer accepts this device code ({message or resp.status})",
                        "run make auth ARGS=--device again for a new code")
    raise TwitchAPIError(f"Twitch's token endpoint failed ({resp.status} {message})".strip(),
                         "try again in a minute", resp.status, message)
