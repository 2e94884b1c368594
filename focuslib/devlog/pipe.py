"""The devlog FIFO: focus writes JSON lines into it, devlog.py reads them.

The writer thread owns the FIFO.  The rest of focus hands it lines with `put`,
which never blocks: lines wait in a queue and the oldest are dropped (and
counted) only when it is full.  Full means: with no reader, `BACKLOG` lines (a
focus nobody watches keeps little); with a reader, `BUFFER` bytes, so a reader
that keeps up on average gets every line of a burst far bigger than the pipe
(which is also enlarged to `PIPE_SIZE` where Linux allows it).  The writer
thread opens the FIFO in blocking mode, which waits for a reader without any
periodic wake-up, then switches it to non-blocking; a reader that goes away
shows up as EPIPE, and the thread goes back to waiting for the next one.  If
the FIFO is removed (and maybe created anew) while the thread waits in open(),
a watcher notices the path's inode change and releases it, and the thread
opens the new FIFO (on Linux the watcher sleeps on inotify until the FIFO's
directory changes; elsewhere it looks every `WATCH` seconds).  Lines are whole:
a line only partly written when the pipe filled is finished before anything
else goes out, and what had to be dropped is reported to the reader as a
record of its own when writing resumes.  Every chunk passes through the
redactor.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import stat
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from focuslib import threads
from focuslib.config import Settings, ensure_private_dir
from focuslib.errors import ConfigError
from focuslib.text import sanitize

BACKLOG = 256  # lines kept while nobody reads: ~0.5 MB of chat frames
BUFFER = 8 * 1024 * 1024  # bytes queued at most while a reader is attached (~6,000 chat frames)
ITEM_OVERHEAD = 64  # bytes a queued line costs besides its text (the queue's slot and tuple)
PIPE_SIZE = 1024 * 1024  # F_SETPIPE_SZ: Linux's default pipe-max-size for an unprivileged user
RETRY_OPEN = 1.0  # seconds before opening again after an error (a removed FIFO)
WATCH = 2.0  # seconds between checks of the path's inode while waiting in open() for a reader (without inotify)
# inotify_add_watch's events on the FIFO's directory that may change what its path names: moved from, moved to,
# created, deleted, the directory itself deleted or moved (linux/inotify.h).
IN_EVENTS = 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800
CHUNK = 64 * 1024
READ_SIZE = 1024 * 1024  # what the reader takes from the pipe at once (the pipe holds up to PIPE_SIZE)


def ensure_fifo(path: Path, private_parent: bool) -> Path:
    """Create the FIFO (mode 0600) if missing; refuse anything else at `path`."""
    if private_parent:
        ensure_private_dir(path.parent, "FOCUS_DEVLOG_PIPE")
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
        if st.st_mode & 0o077:
            _make_private(path)
        return path
    raise ConfigError(f"cannot create the devlog pipe {path}", "set FOCUS_DEVLOG_PIPE to another path")


def _make_private(path: Path) -> None:
    """chmod 600 a FIFO of ours that others may open (made by hand with `mkfifo`: 0644), through an open
    descriptor -- never a path that may have been swapped for a symlink.  A non-blocking read open of a FIFO
    returns at once, reads nothing, and (closed again) costs a connected writer one EPIPE at most."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise ConfigError(f"cannot make the devlog pipe {path} private: {exc.strerror or 'error'}",
                          "remove it (focus creates it again, mode 0600)") from None
    try:
        if _ours(fd):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def ensure_devlog_pipe(settings: Settings) -> Path:
    """The devlog FIFO as focus, devlog.py and doctor all check it (one rule for all three)."""
    path = settings.devlog_pipe
    return ensure_fifo(path, private_parent=path.parent == settings.runtime_dir)


class RawFrame(NamedTuple):
    """A frame as it came off a connection, queued by `put_frame`; the writer thread makes it a record."""

    ts: float
    conn: int
    raw: str  # the frame's JSON text


Queued = str | RawFrame  # a finished record line, or a frame still to format
_new_frame = tuple.__new__


def frame_record(ts: float, conn: int, raw: str) -> str:
    """A raw frame that is valid JSON, embedded as-is (no re-encoding on the hot path)."""
    if "\n" in raw or "\r" in raw:
        # Inside valid JSON a raw line break can only be whitespace.
        raw = raw.replace("\r", " ").replace("\n", " ")
    return f'{{"kind":"frame","ts":{ts:.3f},"conn":{conn},"frame":{raw}}}'


def record(kind: str, ts: float, **fields: Any) -> str:
    """Any other record: lifecycle events, bad frames, errors with tracebacks."""
    return json.dumps({"kind": kind, "ts": round(ts, 3), **fields}, ensure_ascii=False, default=str)


def note_record(ts: float, title: str, lines: Iterable[str], command: str = "", **fields: Any) -> str:
    """A note: an answer or a held text for the streamer's eyes only, read as lines (`devlog.py --notes`).

    Title and lines are sanitized here, so every reader gets them safe for a terminal (the redactor runs on
    the whole record as it is written); `command` is what acts on it (`/release bob`, `/allow 3`); `fields`
    are extra facts for a script reading the raw records (login, message id)."""
    extra = {"command": sanitize(command)} if command else {}
    return record("note", ts, title=sanitize(title), lines=[sanitize(str(line)) for line in lines], **extra,
                  **fields)


class DevlogWriter:
    """Owns the write end of the FIFO on its own thread; `put` is safe from any thread."""

    def __init__(self, path: Path, redact: Callable[[str], str], *, backlog: int = BACKLOG,
                 buffer: int = BUFFER, retry: float = RETRY_OPEN, watch: float = WATCH,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._redact = redact
        self._retry = retry
        self._watch = watch
        self._clock = clock
        self._backlog = backlog
        self._buffer = buffer
        self._queue: deque[Queued] = deque()
        # Bytes queued = _in - _out - _shed; each counter has one writer thread (no lock on the chat path).
        self._in = 0  # producer
        self._shed = 0  # producer: bytes it dropped
        self._out = 0  # writer thread
        self._waiting: tuple[int, int, int | None] | None = None  # (dev, ino, O_PATH fd) blocked in open()
        self._passed_open = threading.Event()
        self._wait_lock = threading.Lock()  # the O_PATH fd is closed only when no release uses it
        self._watcher: threading.Thread | None = None
        self._nudge: tuple[int, int] | None = None  # a pipe that wakes the watcher (stop, a new wait in open())
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._fd: int | None = None
        self._fd_lock = threading.Lock()  # `reader_attached` never polls a descriptor being closed (and reused)
        self._pending = b""
        self.queue_dropped = 0  # counted by the producer when the queue overflows
        self.pipe_dropped = 0  # counted by the writer when a reader vanished mid-chunk
        self._reported = 0
        self.refused = 0  # opens that found something else than our own FIFO at the path
        self.thread = threading.Thread(target=self._run, name="devlog-writer", daemon=True)

    # -- producer side -----------------------------------------------------

    def put_frame(self, ts: float, conn: int, raw: str) -> None:
        """A raw frame (valid JSON); formatted by the writer, so one nobody reads costs almost nothing."""
        # Every chat message comes here: the RawFrame is made by tuple's own constructor (a NamedTuple's is a
        # Python function) and its size without a call.
        self._add(_new_frame(RawFrame, (ts, conn, raw)), len(raw) + ITEM_OVERHEAD)

    def put(self, line: Queued) -> None:
        self._add(line, _size(line))

    def _add(self, line: Queued, size: int) -> None:
        q = self._queue
        q.append(line)
        self._in += size
        if len(q) > self._backlog and (self._fd is None or self._in - self._out - self._shed > self._buffer):
            self._drop_oldest()
        if not self._wake.is_set():
            self._wake.set()

    def _drop_oldest(self) -> None:
        # No reader: keep `backlog` lines.  A reader: keep `buffer` bytes.  The writer thread may
        # pop at the same moment; deque pops are atomic, and whoever popped a line accounts for it.
        q = self._queue
        while len(q) > self._backlog and (self._fd is None or self._in - self._out - self._shed > self._buffer):
            try:
                old = q.popleft()
            except IndexError:
                return
            self._shed += (len(old.raw) if type(old) is RawFrame else len(old)) + ITEM_OVERHEAD  # _size, inline
            self.queue_dropped += 1

    def reader_attached(self) -> bool:
        """Whether a devlog reader is attached now (any thread; a poll of the pipe, no wait).

        The writer thread learns that a reader left only when its next write fails, so the pipe itself is
        asked: its write end reports POLLERR once no reader holds the other end."""
        with self._fd_lock:
            fd = self._fd
            if fd is None:
                return False
            try:
                events = select.poll()
                events.register(fd, select.POLLOUT)
                return not any(mask & (select.POLLERR | select.POLLHUP | select.POLLNVAL) for _, mask in events.poll(0))
            except OSError:
                return False

    @property
    def queued_bytes(self) -> int:
        return self._in - self._out - self._shed

    def start(self) -> None:
        threads.start(self.thread)

    def stop(self, timeout: float = 1.0) -> None:
        self._stopping.set()
        self._wake.set()
        self._passed_open.set()  # a watcher waiting (up to 5 s) for the writer to pass open() waits no more
        self._nudge_watcher()
        if self.thread is threading.current_thread():
            return
        if self.thread.is_alive():
            release = self._release()  # a writer waiting in open() for a reader: be that reader for a moment
            try:
                self.thread.join(timeout)
            finally:
                if release is not None:
                    os.close(release)
        # The watcher is joined even when the writer had already ended (it was left running and its pipe open).
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout)
            if not self._watcher.is_alive() and not self.thread.is_alive() and self._nudge is not None:
                for fd in self._nudge:
                    os.close(fd)
                self._nudge = None

    def _release(self) -> int | None:
        """Open the read end of the FIFO the writer waits on (even if its path is gone)."""
        with self._wait_lock:
            waiting = self._waiting
            target = str(self.path)
            if waiting is not None and waiting[2] is not None:
                target = f"/proc/self/fd/{waiting[2]}"  # the inode itself, not whatever the path names now
            try:
                return os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                return None

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
        if block:
            self._watch_inode()
        try:
            # Blocking, it waits for a reader, so a focus nobody watches has no
            # wake-up for it but the watcher's inode check; stop() releases it.
            fd = os.open(self.path, flags)
        except OSError:
            return False  # no reader (non-blocking), or the FIFO was removed: try again later
        finally:
            self._unwatch()
        if not _ours(fd):  # checked on every open: the path may have been re-created by someone else
            os.close(fd)
            self.refused += 1
            return False
        st = os.fstat(fd)
        if _identity(self.path) != (st.st_dev, st.st_ino):
            os.close(fd)  # released from a FIFO that was removed: open the new one
            return False
        os.set_blocking(fd, False)  # a full pipe must never hold this thread up
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            try:
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # a burst waits in the kernel, not here
            except OSError:
                pass  # over the system's or the user's pipe limit: keep the default 64 KiB
        self._fd = fd
        self._pending = b""
        return True

    # -- the watcher: a FIFO removed while the writer waits in open() -------------

    def _watch_inode(self) -> None:
        try:
            st = os.lstat(self.path)
        except OSError:
            return
        pfd = None
        if hasattr(os, "O_PATH") and os.path.isdir("/proc/self/fd"):
            try:  # a handle on the inode that is no reader (Linux): the watcher reopens it to release open()
                pfd = os.open(self.path, os.O_PATH | os.O_CLOEXEC | os.O_NOFOLLOW)
            except OSError:
                pfd = None
        self._passed_open.clear()
        with self._wait_lock:
            self._waiting = (st.st_dev, st.st_ino, pfd)
        if self._watcher is None and pfd is not None and self._watch > 0:
            read, write = os.pipe()
            os.set_blocking(read, False)
            os.set_blocking(write, False)
            self._nudge = (read, write)
            self._watcher = threading.Thread(target=self._watch_run, name="devlog-writer-watch", daemon=True)
            threads.start(self._watcher)
        else:
            self._nudge_watcher()  # the path may have changed between the lstat above and `_waiting`

    def _unwatch(self) -> None:
        with self._wait_lock:
            waiting, self._waiting = self._waiting, None
            if waiting is not None and waiting[2] is not None:
                os.close(waiting[2])
        self._passed_open.set()

    def _watch_run(self) -> None:
        assert self._nudge is not None
        directory = _identity(self.path.parent)
        notify = _inotify(self.path.parent) if directory is not None else None
        try:
            while not self._stopping.is_set():
                waiting = self._waiting
                if waiting is not None and _identity(self.path) != waiting[:2]:
                    # The FIFO the writer waits on was removed (or replaced): no reader can ever come to it.
                    release = self._release()
                    if release is not None:
                        self._passed_open.wait(5.0)
                        os.close(release)
                    continue
                if notify is None:
                    self._stopping.wait(self._watch)
                    continue
                # Asleep until the directory changes or we are nudged: no wake-up while nobody reads.
                poller = select.poll()
                poller.register(notify, select.POLLIN)
                poller.register(self._nudge[0], select.POLLIN)
                poller.poll()
                _drain(notify)
                _drain(self._nudge[0])
                if _identity(self.path.parent) != directory:  # the directory itself went: its watch went with it
                    os.close(notify)
                    notify = None
        finally:
            if notify is not None:
                os.close(notify)

    def _nudge_watcher(self) -> None:
        nudge = self._nudge
        if nudge is not None:
            try:
                os.write(nudge[1], b"!")
            except OSError:  # full (it is awake anyway) or closed
                pass

    def _close(self) -> None:
        with self._fd_lock:
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
        taken = 0
        while size < CHUNK:
            try:
                line = q.popleft()
            except IndexError:
                break
            taken += _size(line)
            if type(line) is RawFrame:
                line = frame_record(*line)
            lines.append(line)
            size += len(line)
        self._out += taken
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


def _size(line: Queued) -> int:
    return (len(line.raw) if type(line) is RawFrame else len(line)) + ITEM_OVERHEAD


def _inotify(directory: Path) -> int | None:
    """A non-blocking inotify descriptor reporting `IN_EVENTS` in `directory` (Linux); None where there is none."""
    try:
        import ctypes  # only here: the watcher runs only while a devlog waits for its reader

        libc = ctypes.CDLL(None, use_errno=True)
        init, add = libc.inotify_init1, libc.inotify_add_watch
    except (ImportError, OSError, AttributeError):
        return None
    fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        return None
    if add(fd, os.fsencode(directory), IN_EVENTS) < 0:
        os.close(fd)
        return None
    return int(fd)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except OSError:  # BlockingIOError: all read
        pass


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def read_lines(path: Path, stop: threading.Event | None = None) -> Iterator[str | None]:
    """Yield lines from the FIFO forever; None marks "the writer went away" (see `read_batches`)."""
    for batch in read_batches(path, stop):
        if batch is None:
            yield None
        else:
            yield from batch


def read_batches(path: Path, stop: threading.Event | None = None) -> Iterator[list[str] | None]:
    """Yield the whole lines each read brought, forever; None marks "the writer went away".

    Opening blocks until a writer (focus) appears.  A batch is what one read
    found in the pipe, so a printer can flush once per batch, not per line.
    The first line after a (re)connect may be the tail of a line the previous
    reader started, so it is dropped if it is not a whole JSON object.
    """
    while stop is None or not stop.is_set():
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError as exc:  # removed, or replaced by a symlink, since the last writer left
            raise ConfigError(f"cannot open the devlog pipe {path} again: {exc.strerror or 'unusable'}",
                              "start devlog again (it creates the pipe anew, or says what is in the way)") from None
        if not _ours(fd):  # re-created by someone else while we waited: read nothing of theirs
            os.close(fd)
            raise ConfigError(f"the devlog pipe {path} is no longer a named pipe of yours",
                              "remove it, or set FOCUS_DEVLOG_PIPE to a path of your own")
        try:
            first = True
            tail = b""
            while True:
                chunk = os.read(fd, READ_SIZE)
                if not chunk:
                    break
                *done, tail = (tail + chunk).split(b"\n") if tail else chunk.split(b"\n")
                lines = [raw.decode("utf-8", "replace") for raw in done]
                if first and lines:
                    first = False
                    if not lines[0].startswith("{"):
                        del lines[0]
                if lines:
                    yield lines
            if tail:
                yield [tail.decode("utf-8", "replace")]
        finally:
            os.close(fd)
        yield None
