"""The current token, shared by every thread, kept in step with the token store; and the redactor.

`TokenHolder` is the one place threads get the current access token from.  A
refresh happens under the holder's lock (one per process) and the store's
flock (one per user), after re-reading the store: when another process
already refreshed, or make auth wrote a newer token, that pair is used and no
refresh token is spent twice.  A refused refresh also re-reads the store
before giving up.  A pair that cannot be saved (disk full) is kept in memory,
used, and saved again at every chance (each refresh, every minute, at exit),
with one warning, and one line at exit if it never could be.

Tokens from .env (TWITCH_USER_ACCESS_TOKEN/TWITCH_REFRESH_TOKEN) are used
until they are refreshed once; the refreshed pair is stored with a digest of
the .env refresh token (`env_origin`), and from then on that stored, newer
pair wins over the .env values (`token_source`).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from focuslib.auth.store import StoredToken, TokenStore, origin_of
from focuslib.errors import AuthError, ConfigError
from focuslib.text import MASK, encoded_forms
from focuslib.net.oauth import TokenSet

__all__ = ["Redactor", "StoredToken", "TokenHolder", "TokenStore", "token_source"]


class Redactor:
    """Masks every secret focus has held, in any text bound for a log."""

    MASK = MASK

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *secrets: str) -> None:
        with self._lock:
            forms = {form for s in secrets if s and len(s) >= 6 for form in encoded_forms(s)}
            new = forms - set(self._secrets)
            if new:
                # Longest first, so a secret containing another is masked whole.
                self._secrets = tuple(sorted(set(self._secrets) | new, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, self.MASK)
        return text


def token_source(env_access: str, env_refresh: str, stored: StoredToken | None) -> str:
    """Which pair focus uses: "env" (TWITCH_USER_ACCESS_TOKEN), "store", or "store (refreshed from .env)"."""
    if not env_access:
        return "store"
    if env_refresh and stored is not None and stored.env_origin == origin_of(env_refresh):
        return "store (refreshed from .env)"
    return "env"


Refresher = Callable[[str], TokenSet]


class TokenHolder:
    """The current access token, shared by every thread; refreshes at most once per stale token, in step
    with every other process using the same store."""

    def __init__(self, access_token: str, refresh_token: str, *, refresher: Refresher | None,
                 store: TokenStore | None, redactor: Redactor, identity: StoredToken | None = None,
                 clock: Callable[[], float] = time.time, env_origin: str = "",
                 warn: Callable[[str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._access = access_token
        self._refresh = refresh_token
        self._refresher = refresher
        self._store = store
        self._redactor = redactor
        self._clock = clock
        self._env_origin = env_origin  # set while the pair in use comes from .env
        self._held = {access_token}  # every access token this holder has used: never "newer" than ours
        self._unsaved = False  # the pair in memory is newer than the store (the last save failed)
        # With .env's pair in use, what the store held at start is an unrelated, older token; anything
        # written there later (make auth while focus runs) is newer than ours and wins at our next refresh.
        self._stale_in_store = self._stored_access() if env_origin and store is not None else ""
        self.warn = warn or (lambda text: None)
        self.on_unsaved: Callable[[], None] = lambda: None  # a save failed (the keeper then retries every minute)
        self.source = "the token store" if store is not None else "memory"  # said by doctor
        self.identity = identity or StoredToken(access_token, refresh_token)
        redactor.add(access_token, refresh_token)

    @property
    def access_token(self) -> str:
        return self._access

    def note_validated(self, token: str, user_id: str, login: str, scopes: tuple[str, ...], expires_in: int) -> None:
        """Remember whose token this is (from /validate), so a refreshed token is stored with it."""
        with self._lock:
            if token != self._access:
                return  # a refresh got there first; its identity is newer
            expires_at = self._clock() + expires_in if expires_in else self.identity.expires_at
            self.identity = StoredToken(self._access, self._refresh, scopes or self.identity.scopes,
                                        user_id or self.identity.user_id, login or self.identity.login, expires_at,
                                        self.identity.env_origin)

    @property
    def can_refresh(self) -> bool:
        return bool(self._refresh and self._refresher)

    def refresh(self, stale: str) -> str:
        """A fresh access token.  If another thread or process already replaced `stale`, that token is returned."""
        with self._lock:
            if self._access != stale:
                return self._access
            if self._store is None:
                return self._refresh_now()
            with self._store.locked():
                newer = self._newer_stored()
                if newer is not None:
                    return self._adopt(newer)
                try:
                    return self._refresh_now()
                except AuthError:
                    newer = self._newer_stored()  # refused: did someone refresh while we asked?
                    if newer is not None:
                        return self._adopt(newer)
                    raise

    @property
    def unsaved(self) -> str:
        """Why the pair in use is not in the store ("" when it is, or there is no store): a save that failed."""
        return self._unsaved_why if self._unsaved else ""

    def save_pending(self) -> bool:
        """Try again to store a pair whose save failed (the keeper calls it every minute and at every
        check, the set-up once more at exit); True when nothing is left unsaved."""
        with self._lock:
            if self._unsaved and self._store is not None:
                try:
                    with self._store.locked():
                        self._save()
                except ConfigError as exc:  # the lock file cannot even be made: the disk is still full
                    self._unsaved_why = exc.message
            return not self._unsaved

    def _stored_access(self) -> str:
        try:
            stored = self._store.load() if self._store is not None else None
        except (AuthError, ConfigError):
            return ""
        return stored.access_token if stored is not None else ""

    def _newer_stored(self) -> StoredToken | None:
        """The store's pair when another process put a newer one there than the one we hold."""
        assert self._store is not None
        if self._unsaved:
            return None  # ours is the newest (its save failed); the store's is older
        try:
            stored = self._store.load()
        except (AuthError, ConfigError):
            return None  # damaged or unreadable: refresh our own pair; saving replaces it
        if stored is None or stored.access_token in self._held:
            return None
        unrelated = stored.env_origin != self._env_origin and stored.access_token == self._stale_in_store
        if self._env_origin and unrelated:
            return None  # .env's pair is used until refreshed once; the store holds an unrelated, older token
        return stored

    def _adopt(self, stored: StoredToken) -> str:
        self._redactor.add(stored.access_token, stored.refresh_token)
        self._access, self._refresh = stored.access_token, stored.refresh_token
        self._held.add(stored.access_token)
        self._env_origin = stored.env_origin  # make auth's token does not come from .env
        self.identity = stored
        return self._access

    def _refresh_now(self) -> str:
        if not self.can_refresh:
            raise AuthError("the access token is no longer valid and there is no refresh token", "run make auth")
        assert self._refresher is not None
        new = self._refresher(self._refresh)
        self._redactor.add(new.access_token, new.refresh_token)
        self._access = new.access_token
        self._held.add(new.access_token)
        if new.refresh_token:
            self._refresh = new.refresh_token
        expires_at = self._clock() + new.expires_in if new.expires_in else 0.0
        self.identity = StoredToken(self._access, self._refresh, new.scopes or self.identity.scopes,
                                    self.identity.user_id, self.identity.login, expires_at, self._env_origin)
        if self._store is not None:
            self._unsaved = True
            self._save()  # at once: Twitch may have rotated the refresh token
        return self._access

    def _save(self) -> None:
        assert self._store is not None
        try:
            self._store.save(self.identity)
        except ConfigError as exc:
            self._unsaved_why = exc.message
            self.on_unsaved()
            if not self._unsaved_warned:
                self._unsaved_warned = True
                self.warn(f"the refreshed token could not be saved ({exc.message}); focus keeps using it "
                          "and saves it again later")
            return
        self._unsaved = False
        self._unsaved_warned = False

    _unsaved_warned = False
    _unsaved_why = ""
