"""The token store: one JSON file per client id, shared by every focus process of this user.

focus, doctor, make auth, a one-shot command and a second focus may all use
it at once.  Writers take an exclusive `flock` on a lock file beside it
(`locked()`); `TokenHolder.refresh` re-reads the store under that lock before
refreshing, so a pair another process stored is used instead of spending a
refresh token twice.  The file is written atomically (temp file in the same
directory, fsync, rename) with mode 0600 inside a 0700 directory.

What is read is checked before any use, and no error quotes the file: a
symlink or another user's file is refused (a symlink is never replaced by a
regular file behind the user's back), a file others can read is made private
with a warning, and a file that is not UTF-8 JSON holding one-line plain
tokens is "damaged" -- one line, "run make auth", never its contents.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from focuslib.config import ensure_private_dir, is_plain_secret, write_private
from focuslib.errors import AuthError, ConfigError

MAX_SIZE = 64 * 1024  # a token store is a few hundred bytes


@dataclass(frozen=True)
class StoredToken:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: tuple[str, ...] = ()
    user_id: str = ""
    login: str = ""
    expires_at: float = 0.0  # wall clock; 0 = unknown
    # For a pair refreshed from TWITCH_REFRESH_TOKEN: a digest of that env value, so a later start with the
    # same .env uses this newer pair instead of the env's (possibly spent) one.
    env_origin: str = ""


def origin_of(refresh_token: str) -> str:
    """A one-way digest naming the .env refresh token a stored pair descends from (not the secret itself)."""
    return hashlib.sha256(("focus-env-origin:" + refresh_token).encode()).hexdigest()[:32]


class TokenStore:
    """`$FOCUS_DATA_DIR/tokens-<client id>.json` and its lock file."""

    def __init__(self, data_dir: Path, client_id: str) -> None:
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", client_id) or "default"
        self.dir = data_dir
        self.path = data_dir / f"tokens-{safe}.json"
        self.lock_path = data_dir / f"tokens-{safe}.json.lock"
        self.warnings: list[str] = []  # what load() fixed; the caller shows each once

    def _damaged(self, why: str) -> AuthError:
        return AuthError(f"the token store {self.path} is damaged ({why}): run make auth",
                         "it writes a new one (nothing in the old file is shown here)")

    def load(self) -> StoredToken | None:
        """The stored token, None when there is none; AuthError when unusable (never quoting the file)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if os.path.islink(self.path):
                raise self._symlink() from None
            raise AuthError(f"cannot read the token store {self.path}: {exc.strerror}",
                            "fix its permissions (chmod 600), or run make auth to write a new one") from None
        try:
            st = os.fstat(fd)
            self._check(st, fd)
            data = os.read(fd, MAX_SIZE + 1)
        except OSError as exc:
            raise AuthError(f"cannot read the token store {self.path}: {exc.strerror}", "run make auth") from None
        finally:
            os.close(fd)
        return self._parse(data)

    def linked(self) -> tuple[Path, StoredToken] | None:
        """For `logout` only: where the store's symbolic link points and the token in that file, None when the
        store is no link.  AuthError, naming both, when the target is not a token store of this user's."""
        if not os.path.islink(self.path):
            return None
        target = Path(os.path.realpath(self.path))
        refuse = AuthError(f"the token store {self.path} is a symbolic link to {target}, which is not a token "
                           "store of yours; nothing was revoked or deleted",
                           "revoke focus in your Twitch settings (Connections), then remove the link")
        try:
            fd = os.open(target, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            raise refuse from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
                raise refuse
            data = os.read(fd, MAX_SIZE + 1)
        except OSError:
            raise refuse from None
        finally:
            os.close(fd)
        try:
            return target, self._parse(data)
        except AuthError:
            raise refuse from None

    def _check(self, st: os.stat_result, fd: int) -> None:
        if not stat.S_ISREG(st.st_mode):
            raise self._damaged("not a regular file")
        if st.st_uid != os.getuid():
            raise AuthError(f"the token store {self.path} belongs to another user; focus does not use it",
                            "remove it and run make auth")
        if st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
            self.warnings.append(f"the token store {self.path} was readable by others "
                                 f"(mode {stat.S_IMODE(st.st_mode):04o}); made it private (0600)")

    def _symlink(self) -> AuthError:
        return AuthError(f"the token store {self.path} is a symbolic link; focus neither follows nor replaces it",
                         "move the real file there (mv) or remove the link, then run make auth")

    def _parse(self, data: bytes) -> StoredToken:
        if len(data) > MAX_SIZE:
            raise self._damaged("far too large")
        try:
            doc = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._damaged("not UTF-8 text") from None
        except ValueError:
            raise self._damaged("not JSON") from None
        try:
            token = StoredToken(
                access_token=str(doc["access_token"]),
                refresh_token=str(doc.get("refresh_token") or ""),
                scopes=tuple(str(s) for s in doc.get("scopes") or ()),
                user_id=str(doc.get("user_id") or ""),
                login=str(doc.get("login") or ""),
                expires_at=float(doc.get("expires_at") or 0.0),
                env_origin=str(doc.get("env_origin") or ""),
            )
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            raise self._damaged("fields missing or of the wrong kind") from None
        if not token.access_token:
            raise AuthError(f"the token store {self.path} holds no access token", "run make auth")
        if not (is_plain_secret(token.access_token) and is_plain_secret(token.refresh_token)):
            raise self._damaged("a token is not one line of plain text")
        return token

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's exclusive lock (other processes wait) while re-reading, refreshing and saving."""
        try:
            ensure_private_dir(self.dir)
        except ConfigError:
            yield  # no directory to lock in: nothing can be saved either (the holder warns), go on
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            if os.path.lexists(self.lock_path):  # a directory, a symlink, not ours
                raise ConfigError(f"cannot open the token store's lock file {self.lock_path}: {exc.strerror}",
                                  "remove it (focus creates it again)") from None
            yield  # it cannot be created (disk full, read-only): go on unlocked rather than stop
            return
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
                raise ConfigError(f"{self.lock_path} is not a file of yours", "remove it (focus creates it again)")
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def save(self, token: StoredToken) -> None:
        """Write atomically with mode 0600; ConfigError (saying where and why) when it cannot be written."""
        if os.path.islink(self.path):
            raise ConfigError(str(self._symlink().message), self._symlink().hint)
        try:
            ensure_private_dir(self.dir)
            self._write(json.dumps(asdict(token), indent=2).encode())
        except OSError as exc:
            raise ConfigError(f"cannot write the token store {self.path}: {exc.strerror or 'error'}",
                              f"make {self.dir} writable (and check free disk space), then run make auth") from None

    def delete(self) -> bool:
        """Remove the stored token (logout); False when there was none."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConfigError(f"cannot remove the token store {self.path}: {exc.strerror}",
                              "remove it by hand") from None
        return True

    def _write(self, data: bytes) -> None:
        write_private(self.path, data)
