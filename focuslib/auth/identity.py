"""Whose token this is and what it may do: the one identity check of focus, doctor and make auth.

A token is good for focus when Twitch's /validate accepts it (after one
refresh if it had expired), it was issued to TWITCH_CLIENT_ID, and it is a
user token (EventSub over WebSocket takes no app token).  twitch-cli's mock
server has no OAuth endpoints and checks no token (protocol notes §6.2), so
against it the identity is the configured TWITCH_USER_ID with the scopes make
auth asks for (`DEFAULT_SCOPES`): focus and doctor assume the same.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from focuslib.auth.store import origin_of
from focuslib.auth.tokens import Redactor, TokenHolder, TokenStore, token_source
from focuslib.config import DEFAULT_AUTH_URL, Settings, on_this_machine
from focuslib.errors import AuthError, ConfigError, FocusError
from focuslib.net import oauth
from focuslib.net.client import HttpClient, NetworkError
from focuslib.twitch.scopes import DEFAULT_SCOPES

MAX_NETWORK_WAIT = 30.0  # focus retries an unreachable /validate with doubling waits up to this
# The one line for a chat or moderation command against twitch-cli's mock (one-shots and the input line alike).
MOCK_HAS_NO_CHAT = "the twitch-cli mock server has no chat or moderation calls"


@dataclass(frozen=True, slots=True)
class Identity:
    """The outcome of the check: what /validate said (or what the mock case assumes), and how it got there."""

    info: oauth.TokenInfo
    refreshed: bool = False  # the token had expired and was refreshed (and stored) on the way
    validated: bool = True  # False against twitch-cli's mock, which validates nothing


def twitch_cli_mock(settings: Settings) -> bool:
    """EventSub API on this machine while OAuth is still Twitch's: twitch-cli's mock server."""
    if not on_this_machine(settings.api_url) or settings.auth_url != DEFAULT_AUTH_URL:
        return False
    if not settings.user_id:
        raise ConfigError("TWITCH_API_URL points at a local mock server, which cannot tell whose token this is",
                          "set TWITCH_USER_ID (any numeric id, e.g. the one you pass to twitch event trigger -t)")
    return True


def mock_settings(settings: Settings) -> tuple[Settings, bool]:
    """`settings` for twitch-cli's mock server, which checks no token and takes any Client-Id (protocol
    notes §6.2), and whether it is that mock: focus and doctor both start from these."""
    if not twitch_cli_mock(settings):
        return settings, False
    return dataclasses.replace(settings, client_id=settings.client_id or "twitch-cli-mock",
                               access_token=settings.access_token or "twitch-cli-mock"), True


def token_holder(settings: Settings, http: HttpClient, redactor: Redactor,
                 warn: Callable[[str], None] | None = None) -> TokenHolder:
    """The token focus would use, not yet validated: TWITCH_USER_ACCESS_TOKEN until it has been refreshed
    once, then (and without it) the token store's pair."""
    client_id = settings.require_client_id()
    store = TokenStore(settings.data_dir, client_id)
    env_origin = ""
    if settings.access_token:
        try:
            stored = store.load()
        except FocusError:
            stored = None  # .env's token is what counts here; a damaged store is replaced at the first refresh
        if token_source(settings.access_token, settings.refresh_token, stored) == "env":
            stored = None
            access, refresh = settings.access_token, settings.refresh_token
            env_origin = origin_of(settings.refresh_token)
        else:
            assert stored is not None
            access, refresh, env_origin = stored.access_token, stored.refresh_token, stored.env_origin
    else:
        stored = store.load()
        if stored is None:
            raise ConfigError("there is no Twitch token yet (TWITCH_USER_ACCESS_TOKEN is unset and "
                              f"{store.path} does not exist)", "run make auth")
        access, refresh = stored.access_token, stored.refresh_token

    def refresher(token: str) -> oauth.TokenSet:
        return oauth.refresh(http, settings.auth_url, client_id, settings.secret, token)

    holder = TokenHolder(access, refresh, refresher=refresher, store=store, redactor=redactor, identity=stored,
                         env_origin=env_origin, warn=warn)
    holder.source = ("TWITCH_USER_ACCESS_TOKEN" if settings.access_token and stored is None else
                     "the token store (refreshed from .env's token, which it replaces from now on)"
                     if settings.access_token else "the token store")
    for line in store.warnings:
        holder.warn(line)
    return holder


def check_token_info(info: oauth.TokenInfo, client_id: str) -> oauth.TokenInfo:
    """`info` when it describes a user token of TWITCH_CLIENT_ID; ConfigError or AuthError saying what to do."""
    if info.client_id and info.client_id != client_id:
        raise ConfigError(f"the token was issued to client id {info.client_id}, not TWITCH_CLIENT_ID={client_id}",
                          "set TWITCH_CLIENT_ID to the app the token belongs to, or run make auth")
    if not info.user_id:
        raise AuthError("the token is an app token; focus needs a user token (EventSub over WebSocket takes "
                        "no other)", "run make auth")
    return info


def identify(settings: Settings, http: HttpClient, holder: TokenHolder, *,
             status: Callable[[str], None] = lambda text: None,
             wait: Callable[[float], bool] | None = None) -> Identity:
    """Validate `holder`'s token (refreshing it once if it expired) and check whose it is.

    With `wait` (an Event's wait: True = stop), an unreachable Twitch is retried with doubling waits
    and stopping raises KeyboardInterrupt, as focus's start does; without it, NetworkError is raised
    (doctor reports it).  The holder learns whose token it is, so a refreshed token is stored with it.
    """
    client_id = settings.require_client_id()
    if twitch_cli_mock(settings):
        status("twitch-cli mock server: skipping token validation")
        return Identity(oauth.TokenInfo(client_id, "", settings.user_id, DEFAULT_SCOPES, 0), validated=False)
    delay = 1.0
    refreshed = False
    while True:
        token = holder.access_token
        try:
            info = oauth.validate(http, settings.auth_url, token)
            break
        except oauth.InvalidToken:
            if refreshed:
                raise AuthError("Twitch rejects even the refreshed token", "run make auth") from None
            status("the token has expired; refreshing it")
            holder.refresh(token)
            refreshed = True
        except NetworkError as exc:
            if wait is None:
                raise
            status(f"{exc.message}; retrying in {delay:.0f} s")
            if wait(delay):
                raise KeyboardInterrupt from None
            delay = min(delay * 2, MAX_NETWORK_WAIT)
    check_token_info(info, client_id)
    holder.note_validated(token, info.user_id, info.login, info.scopes, info.expires_in)
    return Identity(info, refreshed)
