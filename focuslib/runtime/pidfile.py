"""`focus.pid` in the data directory: a lock the running focus holds, so `focus.py stop` finds it and a
second focus on the same data stays out.

The lock (`fcntl.flock` on the open file) is what counts, not the number in
the file: the kernel drops it when the process ends, even by `kill -9`, so a
stale file never blocks a new focus and `stop` never signals a pid that now
belongs to another program.  The file lives with the data (not in the
runtime directory), so `--no-devlog` starts even when the devlog directory
cannot be used.  It is never unlinked: removing a locked file would let a
second focus lock a new file of the same name.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import threading
from pathlib import Path

from focuslib.config import ensure_private_dir
from focuslib.errors import ConfigError


FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # no room to write: a full disk, a quota, a file-size limit
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def no_room(path: Path, exc: OSError) -> str:
    """The one line for a file focus could not write for want of room (it runs on without it)."""
    return (f"the disk holding {path.parent} is full ({exc.strerror}): focus runs, but `make stop` cannot find "
            f"it (Ctrl-C here stops it); free space there")


# Locks this process holds, by path, with how many PidFiles share each: several focus runners in one
# process (the tests, an embedding) are one focus to the outside, as they were with the old pid check.
_HELD: dict[Path, list[int]] = {}
_HELD_LOCK = threading.Lock()


def open_own(path: Path, create: bool, write: bool = True) -> int | None:
    """A lock file of ours opened read-write (read-only when not `write`: a lock needs no write access), 0600,
    no symlink, not inherited; None when it does not exist and `create` is false; ConfigError when it is not a
    regular file of this user (never used then)."""
    flags = ((os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC | os.O_NOFOLLOW
             | (os.O_CREAT if create else 0))
    try:
        fd = os.open(path, flags, 0o600)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in FULL:
            raise
        if exc.errno in READ_ONLY and (exc.errno == errno.EROFS or not os.path.lexists(path)
                                       or not os.access(path.parent, os.W_OK)):
            # The directory is what to change: nothing to remove, or no removing in it (focus.pid is kept
            # from run to run, so a read-only data directory that has seen a run has one).
            verb = "write" if os.path.lexists(path) else "create"
            raise ConfigError(f"cannot {verb} {path}: {exc.strerror}",
                              f"make {path.parent} writable, or point FOCUS_DATA_DIR at a directory "
                              "you can write") from None
        raise ConfigError(f"cannot open {path}: {exc.strerror or 'not a regular file'}",
                          "remove it (focus creates it again)") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise ConfigError(f"{path} is not a file of yours", "remove it (focus creates it again)")
    return fd


class PidFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "focus.pid"
        self._claimed = False

    def _open(self, create: bool) -> int | None:
        return open_own(self.path, create)

    def running_pid(self) -> int | None:
        """The pid of the focus holding the lock, or None when nobody holds it.  Opened read-only: `stop`
        finds a focus in a data directory made read-only since it started."""
        fd = open_own(self.path, create=False, write=False)
        if fd is None:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                if not text.isdigit() or int(text) <= 0:  # never hand kill() 0 or -1
                    raise ConfigError(f"a focus holds {self.path} but its pid is unreadable",
                                      "stop it with Ctrl-C in its terminal") from None
                return int(text)
            return None  # we got the lock: the file is stale
        finally:
            os.close(fd)

    def claim(self) -> str:
        """Take the lock for this process, or say which focus holds it.  On a full disk (no room for the
        file, or for the pid in it) focus runs on: the returned line says so ("" when all went well)."""
        with _HELD_LOCK:
            held = _HELD.get(self.path)
            if held is not None:
                held[1] += 1
                self._claimed = True
                return ""
            ensure_private_dir(self.path.parent)
            try:
                fd = self._open(create=True)
            except OSError as exc:  # FULL (the others are ConfigErrors)
                return no_room(self.path, exc)
            assert fd is not None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                raise ConfigError(f"focus is already running (pid {text or '?'})",
                                  "stop it with `make stop` (python focus.py stop) first") from None
            warning = ""
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except OSError as exc:  # the lock holds all the same; `stop` finds no pid and says so
                if exc.errno not in FULL:
                    os.close(fd)
                    raise ConfigError(f"cannot write {self.path}: {exc.strerror}",
                                      f"check the disk holding {self.path.parent}") from None
                warning = no_room(self.path, exc)
            _HELD[self.path] = [fd, 1]
            self._claimed = True
            return warning

    def release(self) -> None:
        with _HELD_LOCK:
            held = _HELD.get(self.path)
            if not self._claimed or held is None:
                return
            self._claimed = False
            held[1] -= 1
            if held[1] > 0:
                return
            del _HELD[self.path]
            try:
                os.ftruncate(held[0], 0)
            except OSError:
                pass
            os.close(held[0])  # drops the lock
