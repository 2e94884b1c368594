"""The token store (one JSON file per client id) and the shared current token.

The store is written atomically (temp file in the same directory, fsync,
rename) with mode 0600 inside a 0700 directory, so a crash never leaves half a
file and no other user can read it.  `TokenHolder` is the one place threads
get the current access token from; a refresh swaps it under a lock, so every
thread sees either the old or the new token, never a mix.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from focuslib.errors import AuthError, ConfigError
from focuslib.net.oauth import TokenSet


@dataclass(frozen=True)
class StoredToken:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: tuple[str, ...] = ()
    user_id: str = ""
    login: str = ""
    expires_at: float = 0.0  # wall clock; 0 = unknown


class TokenStore:
    """`$FOCUS_DATA_DIR/tokens-<client id>.json`."""

    def __init__(self, data_dir: Path, client_id: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", client_id) or "default"
        self.dir = data_dir
        self.path = data_dir / f"tokens-{safe}.json"

    def load(self) -> StoredToken | None:
        """The stored token, None when there is none; AuthError when unreadable or corrupt."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(f"cannot read the token store {self.path}: {exc.strerror}",
                            "fix its permissions (chmod 600), or run make auth to write a new one") from None
        try:
            doc = json.loads(text)
            token = StoredToken(
                access_token=str(doc["access_token"]),
                refresh_token=str(doc.get("refresh_token") or ""),
                scopes=tuple(str(s) for s in doc.get("scopes") or ()),
                user_id=str(doc.get("user_id") or ""),
                login=str(doc.get("login") or ""),
                expires_at=float(doc.get("expires_at") or 0.0),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AuthError(f"the token store {self.path} is corrupt", "run make auth to write a new one") from None
        if not token.access_token:
            raise AuthError(f"the token store {self.path} holds no access token", "run make auth")
        return token

    def save(self, token: StoredToken) -> None:
        """Write atomically with mode 0600; ConfigError (saying where and why) when it cannot be written."""
        try:
            self._write(json.dumps(asdict(token), indent=2).encode())
        except OSError as exc:
            raise ConfigError(f"cannot write the token store {self.path}: {exc.strerror or exc}",
                              f"make {self.dir} writable (and check free disk space), then run make auth") from None

    def _write(self, data: bytes) -> None:
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        import tempfile  # only when writing: it pulls in shutil, off focus's start-up path

        fd, tmp = tempfile.mkstemp(prefix=".tokens-", suffix=".tmp", dir=self.dir)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        _fsync_dir(self.dir)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Redactor:
    """Masks every secret focus has held, in any text bound for a log."""

    MASK = "[redacted]"

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, *secrets: str) -> None:
        with self._lock:
            new = {s for s in secrets if s and len(s) >= 6} - set(self._secrets)
            if new:
                # Longest first, so a secret containing another is masked whole.
                self._secrets = tuple(sorted(set(self._secrets) | new, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, self.MASK)
        return text


Refresher = Callable[[str], TokenSet]


class TokenHolder:
    """The current access token, shared by every thread; refreshes at most once per stale token."""

    def __init__(self, access_token: str, refresh_token: str, *, refresher: Refresher | None,
                 store: TokenStore | None, redactor: Redactor, identity: StoredToken | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._access = access_token
        self._refresh = refresh_token
        self._refresher = refresher
        self._store = store
        self._redactor = redactor
        self._clock = clock
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
                                        user_id or self.identity.user_id, login or self.identity.login, expires_at)

    @property
    def can_refresh(self) -> bool:
        return bool(self._refresh and self._refresher)

    def refresh(self, stale: str) -> str:
        """A fresh access token.  If another thread already replaced `stale`, that token is returned."""
        with self._lock:
            if self._access != stale:
                return self._access
            if not self.can_refresh:
                raise AuthError("the access token is no longer valid and there is no refresh token",
                                "run make auth")
            assert self._refresher is not None
            new = self._refresher(self._refresh)
            self._redactor.add(new.access_token, new.refresh_token)
            self._access = new.access_token
            if new.refresh_token:
                self._refresh = new.refresh_token
            expires_at = self._clock() + new.expires_in if new.expires_in else 0.0
            self.identity = StoredToken(self._access, self._refresh, new.scopes or self.identity.scopes,
                                        self.identity.user_id, self.identity.login, expires_at)
            if self._store is not None:
                # Stored at once: Twitch may have rotated the refresh token.
                self._store.save(self.identity)
            return self._access
