"""The devlog FIFO: focus writes JSON lines into it, devlog.py reads them.

The writer thread owns the FIFO.  The rest of focus hands it lines with `put`,
which never blocks: lines wait in a bounded queue and the oldest are dropped
(and counted) when the reader is absent or too slow.  The writer thread opens
the FIFO in blocking mode, which waits for a reader without any periodic
wake-up, then switches it to non-blocking; a reader that goes away shows up as
EPIPE, and the thread goes back to waiting for the next one.  Lines are whole:
a line only partly written when the pipe filled is finished before anything
else goes out, and what had to be dropped is reported to the reader as a
record of its own when writing resumes.  Every chunk passes through the
redactor.
"""

from __future__ import annotations

import json
import os
import select
import stat
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterator

from focuslib.config import Settings, ensure_private_dir
from focuslib.errors import ConfigError

BACKLOG = 256  # lines kept while nobody reads (and the most queued at once): ~0.5 MB of chat frames
RETRY_OPEN = 1.0  # seconds before opening again after an error (a removed FIFO)
CHUNK = 64 * 1024


def ensure_fifo(path: Path, private_parent: bool) -> Path:
    """Create the FIFO (mode 0600) if missing; refuse anything else at `path`."""
    if private_parent:
        ensure_private_dir(path.parent)
    for _ in range(2):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            try:
                os.mkfifo(path, 0o600)
                return path
            except FileExistsError:
                continue  # created by the other script a moment ago
            except OSError as exc:
                raise ConfigError(f"cannot create the devlog pipe {path}: {exc.strerror}",
                                  "set FOCUS_DEVLOG_PIPE to a path in a directory you own") from None
        if not stat.S_ISFIFO(st.st_mode):
            raise ConfigError(f"{path} exists and is not a named pipe",
                              "remove it, or set FOCUS_DEVLOG_PIPE to another path")
        if st.st_uid != os.getuid():
            raise ConfigError(f"the devlog pipe {path} belongs to another user",
                              "set FOCUS_DEVLOG_PIPE to a path of your own")
        return path
    raise ConfigError(f"cannot create the devlog pipe {path}", "set FOCUS_DEVLOG_PIPE to another path")


def ensure_devlog_pipe(settings: Settings) -> Path:
    """The devlog FIFO as focus, devlog.py and doctor all check it (one rule for all three)."""
    path = settings.devlog_pipe
    return ensure_fifo(path, private_parent=path.parent == settings.runtime_dir)


def frame_record(ts: float, conn: int, raw: str) -> str:
    """A raw frame that is valid JSON, embedded as-is (no re-encoding on the hot path)."""
    if "\n" in raw or "\r" in raw:
        # Inside valid JSON a raw line break can only be whitespace.
        raw = raw.replace("\r", " ").replace("\n", " ")
    return f'{{"kind":"frame","ts":{ts:.3f},"conn":{conn},"frame":{raw}}}'


def record(kind: str, ts: float, **fields: Any) -> str:
    """Any other record: lifecycle events, bad frames, errors with tracebacks."""
    return json.dumps({"kind": kind, "ts": round(ts, 3), **fields}, ensure_ascii=False, default=str)


class DevlogWriter:
    """Owns the write end of the FIFO on its own thread; `put` is safe from any thread."""

    def __init__(self, path: Path, redact: Callable[[str], str], *, backlog: int = BACKLOG,
                 retry: float = RETRY_OPEN, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._redact = redact
        self._retry = retry
        self._clock = clock
        self._queue: deque[str | tuple[float, int, str]] = deque(maxlen=backlog)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._fd: int | None = None
        self._pending = b""
        self.queue_dropped = 0  # counted by the producer when the queue overflows
        self.pipe_dropped = 0  # counted by the writer when a reader vanished mid-chunk
        self._reported = 0
        self.written = 0
        self.refused = 0  # opens that found something else than our own FIFO at the path
        self.thread = threading.Thread(target=self._run, name="devlog-writer", daemon=True)

    # -- producer side -----------------------------------------------------

    def put_frame(self, ts: float, conn: int, raw: str) -> None:
        """A raw frame (valid JSON); formatted by the writer, so one nobody reads costs almost nothing."""
        self.put((ts, conn, raw))  # type: ignore[arg-type]

    def put(self, line: str) -> None:
        q = self._queue
        if len(q) == q.maxlen:
            self.queue_dropped += 1
        q.append(line)
        if not self._wake.is_set():
            self._wake.set()

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stopping.set()
        self._wake.set()
        if not self.thread.is_alive() or self.thread is threading.current_thread():
            return
        # A writer waiting in open() for a reader: be that reader for a moment.
        try:
            release = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            release = None
        try:
            self.thread.join(timeout)
        finally:
            if release is not None:
                os.close(release)

    @property
    def connected(self) -> bool:
        return self._fd is not None

    # -- writer thread -----------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                if self._fd is None and not self._open():
                    self._stopping.wait(self._retry)
                    continue
                if not self._pending and not self._queue:
                    self._wake.clear()
                    if not self._queue and not self._stopping.is_set():
                        self._wake.wait()
                    continue
                self._write_some(block=True)
            if self._pending or self._queue:  # last words, if a reader is there and has room
                if self._fd is not None or self._open(block=False):
                    self._write_some(block=False)
        finally:
            self._close()

    def _open(self, block: bool = True) -> bool:
        flags = os.O_WRONLY | os.O_CLOEXEC | os.O_NOFOLLOW | (0 if block else os.O_NONBLOCK)
        try:
            # Blocking, it waits for a reader, so a focus nobody watches has no
            # periodic wake-up for it; stop() releases it.
            fd = os.open(self.path, flags)
        except OSError:
            return False  # no reader (non-blocking), or the FIFO was removed: try again later
        if not _ours(fd):  # checked on every open: the path may have been re-created by someone else
            os.close(fd)
            self.refused += 1
            return False
        os.set_blocking(fd, False)  # a full pipe must never hold this thread up
        self._fd = fd
        self._pending = b""
        return True

    def _close(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def _next_chunk(self) -> bytes:
        q = self._queue
        lines = []
        dropped = self.queue_dropped + self.pipe_dropped
        if dropped > self._reported:
            lines.append(record("devlog", self._clock(), event="dropped", count=dropped - self._reported,
                                why="no reader, or the reader was too slow"))
            self._reported = dropped
        size = 0
        while q and size < CHUNK:
            line = q.popleft()
            if type(line) is tuple:  # noqa: E721 - from put_frame
                line = frame_record(*line)
            lines.append(line)
            size += len(line)
        self.written += len(lines)
        return (self._redact("\n".join(lines)) + "\n").encode("utf-8", "replace")

    def _write_some(self, block: bool) -> None:
        assert self._fd is not None
        while True:
            if not self._pending:
                if not self._queue:
                    return
                self._pending = self._next_chunk()
            try:
                n = os.write(self._fd, self._pending)
            except BlockingIOError:
                if not block or self._stopping.is_set():
                    return
                # The reader is slow: wait until it makes room (or we stop).
                poller = select.poll()
                poller.register(self._fd, select.POLLOUT)
                poller.poll(250)
                continue
            except OSError:  # EPIPE: the reader went away
                self.pipe_dropped += self._pending.count(b"\n")
                self._pending = b""
                self._close()
                return
            self._pending = self._pending[n:]


def _ours(fd: int) -> bool:
    st = os.fstat(fd)
    return stat.S_ISFIFO(st.st_mode) and st.st_uid == os.getuid()


def read_lines(path: Path, stop: threading.Event | None = None) -> Iterator[str | None]:
    """Yield lines from the FIFO forever; None marks "the writer went away".

    Opening blocks until a writer (focus) appears.  The first line after a
    (re)connect may be the tail of a line the previous reader started, so it is
    dropped if it is not a whole JSON object.
    """
    while stop is None or not stop.is_set():
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        if not _ours(fd):  # re-created by someone else while we waited: read nothing of theirs
            os.close(fd)
            raise ConfigError(f"the devlog pipe {path} is no longer a named pipe of yours",
                              "remove it, or set FOCUS_DEVLOG_PIPE to a path of your own")
        with os.fdopen(fd, "rb", buffering=1 << 16) as fh:
            first = True
            for raw in fh:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if first:
                    first = False
                    if not line.startswith("{"):
                        continue
                yield line
        yield None
