"""The running demo, as every other command finds it: `demo.json` in the runtime directory, locked.

`make demo` (runtime/demo.py) takes an exclusive lock on the file before it starts anything, writes where
its simulated Twitch listens and where its own data directory is, and holds the lock until it stops; a
second demo finds the lock taken and is refused without touching the first.  A command from another
terminal reads the file only while someone holds that lock (a demo killed with -9 leaves a file nobody
locks: no demo), and only when the file is the user's own.  Nothing secret is in it: the demo's token is
in its own token store, beside its history, in its data directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from focuslib.errors import ConfigError

MARKER = "demo.json"


@dataclass(frozen=True, slots=True)
class Demo:
    """Where a running demo's simulated Twitch listens, and its own data directory."""

    pid: int
    http: str  # the simulator's base URL (make trigger, make chat)
    eventsub_url: str
    api_url: str
    auth_url: str
    client_id: str
    data_dir: str

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode()


def marker_path(runtime_dir: Path) -> Path:
    return runtime_dir / MARKER


def running_demo(runtime_dir: Path, strict: bool = False) -> Demo | None:
    """The demo running now, or None (no file, nobody holds its lock, not ours, unreadable).  `strict`: a demo
    that holds the lock but has not written where it listens yet (it is starting) raises ConfigError, so that
    a command meant for it never goes to your channel in the meantime."""
    try:
        fd = os.open(marker_path(runtime_dir), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
            return None  # another user's file could point commands anywhere: never read
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return None  # nobody holds it: what is written there is a stopped (or killed) demo's
        except BlockingIOError:
            pass
        demo = _read(fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    if demo is None and strict:  # locked: a demo runs, but where is not written yet (or damaged)
        raise ConfigError("a demo is starting: its simulated Twitch is not listening yet",
                          "run the command again in a moment")
    return demo


def _read(fd: int) -> Demo | None:
    """What a locked marker says, or None while it is being written (the demo is starting) or damaged."""
    try:
        fields = json.loads(os.pread(fd, 65536, 0))
        demo = Demo(**{name: fields[name] for name in Demo.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(demo.pid, int) or not all(isinstance(v, str) and v for v in list(asdict(demo).values())[1:]):
        return None
    return demo
