"""`python focus.py logout`: revoke the stored token at Twitch and delete it from this computer."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from focuslib.auth.codeflow import revoke_pair
from focuslib.auth.store import StoredToken, TokenStore
from focuslib.auth.tokens import Redactor
from focuslib.config import Settings
from focuslib.errors import ConfigError, FocusError
from focuslib.net.client import HttpClient


def logout(settings: Settings, out: TextIO) -> int:
    """Revoke (best effort: the file goes either way) and delete the token store; 0 when nothing is left."""
    store = TokenStore(settings.data_dir, settings.require_client_id())
    http = HttpClient()
    try:
        with store.locked():  # not in the middle of a refresh by a running focus
            linked = store.linked()
            if linked is not None:  # removing the link alone would leave the real file and its valid token
                return _logout_linked(store, linked[0], linked[1], settings, http, out)
            try:
                token = store.load()
                note = ""
            except FocusError as exc:
                token, note = None, f" ({exc.message.split(': run make auth')[0]}; deleted without revoking)"
            if token is not None:
                note = "; " + _revoke(http, settings, token)
            existed = store.delete()
    finally:
        http.close()
    if not existed:
        out.write(f"There is no stored token ({store.path} does not exist); nothing to do.\n")
        return 0
    out.write(f"Signed out: deleted {store.path}{note}.\n")
    if settings.access_token:
        out.write("TWITCH_USER_ACCESS_TOKEN is still set (environment or .env); remove it there too.\n")
    return 0


def _revoke(http: HttpClient, settings: Settings, token: StoredToken) -> str:
    redactor = Redactor()  # an answer that quotes the token shows it masked (net/client.py)
    redactor.add(token.access_token, token.refresh_token, settings.secret)
    http.redact = redactor
    return revoke_pair(http, settings.auth_url, settings.client_id, token)


def _logout_linked(store: TokenStore, target: Path, token: StoredToken, settings: Settings, http: HttpClient,
                   out: TextIO) -> int:
    """The store is a symbolic link to a token store of the user's: revoke that token, delete both."""
    note = _revoke(http, settings, token)
    for path in (target, store.path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise ConfigError(f"cannot remove {path}: {exc.strerror} ({note})", "remove it by hand") from None
    out.write(f"Signed out: deleted {store.path} and the file it linked to, {target}; {note}.\n")
    return 0
