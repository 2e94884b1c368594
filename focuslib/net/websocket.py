"""One EventSub WebSocket connection, owned by one named thread.

The thread connects, then reads frames and hands them to the runtime (`put`);
this module never parses a message or decides anything.  The runtime's `put`
may handle the frames right here, on this thread, while its main loop has
nothing else to do (runtime/app.py, `App._deliver`: the way a bare client
works, with no second thread to wake per message); it catches what it raises,
so no bug reaches websocket-client.  websocket-client's low-level `WebSocket`
answers Twitch's pings by itself; focus never sends a data frame (Twitch
closes with 4001 if it does) and sends no pings of its own.  UTF-8 is checked
once, when the runtime decodes a whole message (never a fragment, so split
emoji survive).
"""

from __future__ import annotations

import dataclasses
import functools
import queue
import socket
import struct
import threading
from typing import Any, Callable, Union

import websocket
from websocket import ABNF
from websocket._abnf import frame_buffer  # the class websocket-client reads frames with (no public name)

from focuslib import threads
from focuslib.errors import describe_exception

# What a connection reports, in order, through the one `put` callable it is
# given (the runtime passes its inbox's put).  The records live here, next to
# the thread that makes them, because net/ may not import the runtime: the
# runtime's inbox imports them instead.  One callable rather than one callback
# per kind keeps a socket's reports in a single ordered stream (frames, then
# the close) and keeps this thread's side of the hand-over a single enqueue.


@dataclasses.dataclass(frozen=True, slots=True)
class Opened:
    conn: int


@dataclasses.dataclass(frozen=True, slots=True)
class Frames:
    conn: int
    frames: list[bytes]  # the text messages read in one go, in order (the list is handed over, never reused)


@dataclasses.dataclass(frozen=True, slots=True)
class Binary:
    conn: int
    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Closed:
    conn: int
    code: int | None  # None: the socket dropped or never opened
    reason: str


SocketReport = Union[Opened, Frames, Binary, Closed]
Put = Callable[[SocketReport], None]

CONNECT_TIMEOUT = 10.0
CLOSE_GRACE = 2.0
MAX_BATCH = 64  # text messages handed over at once, at most
MAX_BATCH_BYTES = 1024 * 1024  # ... and bytes: at most a few batches wait for a busy main thread (credits)
# A message (all its fragments) over this size closes the connection before its payload is read:
# Twitch's messages are a few KiB (a chat message with every field filled is under 10 KiB).
MAX_MESSAGE = 1024 * 1024


class Credits:
    """A counting semaphore: how many frame batches may still wait for the runtime (a busy main thread).

    The same `acquire` (blocks at zero) and `release` as threading.Semaphore, on a C queue of tokens: a
    threading.Semaphore is a Python Condition, ~0.9 us a call, paid twice for every batch -- and at a steady
    pace of chat every message is a batch, on the way from the socket to the screen.
    """

    __slots__ = ("acquire", "release")

    def __init__(self, count: int) -> None:
        tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(count):
            tokens.put(None)
        self.acquire: Callable[[], None] = tokens.get
        self.release: Callable[[], None] = functools.partial(tokens.put, None)

    def stop(self, waiting: int) -> None:
        """`acquire` never waits again, and up to `waiting` threads waiting in it now go on.

        For the stop: the main loop has ended, so nobody gives a credit back, and a socket thread still
        reading a flood up to its close would wait for one forever (and the stop a second for that thread).
        A thread that looked `acquire` up just before takes one of the tokens put here, so `waiting` is the
        number of socket threads that may still call it."""
        self.acquire = _nothing
        for _ in range(waiting):
            self.release()


class MessageTooLarge(Exception):
    def __str__(self) -> str:
        return (f"Twitch sent a message of {self.args[0]:,} bytes, over focus's {MAX_MESSAGE // 1024 // 1024} MiB "
                "limit; dropped that connection")


class _CappedFrames(frame_buffer):
    """websocket-client's frame reader, refusing a message over `cap` as soon as its length is known.

    websocket-client reads a frame's length and then buffers the whole payload
    (and joins continuation frames) with no limit; here the declared length is
    checked before any of the payload is read, so memory never holds more than
    `cap` plus one read buffer.
    """

    def __init__(self, recv_fn: Callable[[int], bytes], cap: int) -> None:
        super().__init__(recv_fn, True)
        self.cap = cap
        self._message = 0  # bytes of the fragmented message received so far

    def recv_length(self) -> None:
        super().recv_length()
        assert self.header is not None and self.length is not None
        if self.header[4] in _DATA and self._message + self.length > self.cap:
            raise MessageTooLarge(self._message + self.length)

    def recv_frame(self) -> ABNF:
        frame = super().recv_frame()
        if frame.opcode in _DATA:
            self._message = 0 if frame.fin else self._message + len(frame.data)
        return frame


_DATA = (ABNF.OPCODE_TEXT, ABNF.OPCODE_BINARY, ABNF.OPCODE_CONT)


class WsConnection:
    """Reads one WebSocket on its own thread; `close()` may be called from any thread."""

    def __init__(self, conn: int, url: str, put: Put, credits: Credits, *,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.conn = conn
        self.url = url
        self._put = put
        self._credits = credits
        self._timeout = connect_timeout
        self._ws: websocket.WebSocket | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name=f"eventsub-ws-{conn}", daemon=True)

    def start(self) -> None:
        threads.start(self.thread)

    @property
    def connecting(self) -> bool:
        """Still in the TCP/TLS/WebSocket handshake (which only its own timeout ends)."""
        return self._ws is None and self.thread.is_alive()

    def close(self, code: int = 1000) -> None:
        """Send a close frame (code 0: just drop the socket).  Idempotent."""
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()
            ws = self._ws
        if ws is None:
            return  # still connecting: _run sees _closing and gives up
        if code:
            try:
                ws.send_close(code)
            except (OSError, websocket.WebSocketException):
                pass
            # The peer should answer the close; if it does not, drop the socket.
            timer = threading.Timer(CLOSE_GRACE, self.abort)
            timer.daemon = True
            threads.start(timer)
        else:
            self.abort()

    def abort(self) -> None:
        """Drop the socket now, without a close handshake (wakes the reading thread)."""
        ws = self._ws
        sock = ws.sock if ws is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self) -> None:
        code: int | None = None
        reason = ""
        try:
            ws = websocket.create_connection(
                self.url, timeout=self._timeout, skip_utf8_validation=True, enable_multithread=True,
                suppress_origin=True,
            )
        except Exception as exc:  # every failure to connect is reported, none is fatal
            self._put(Closed(self.conn, None, _describe(exc)))
            return
        with self._lock:
            self._ws = ws
            closing = self._closing.is_set()
        if closing:
            ws.shutdown()
            self._put(Closed(self.conn, None, "closed while connecting"))
            return
        ws.settimeout(None)  # the keepalive watchdog lives in the session, not in a socket timeout
        sock = ws.sock = _BufferedSocket(ws.sock)
        ws.frame_buffer = _CappedFrames(ws.frame_buffer.recv, MAX_MESSAGE)
        put = self._put
        conn = self.conn
        credits = self._credits
        batch: list[bytes] = []
        size = 0

        def hand_over() -> None:
            # Messages go to the runtime in batches: all that one read
            # brought, handed over just before the thread would wait for more.
            # Each batch takes a credit the runtime gives back when it is
            # done, so at most a few batches wait in memory; past that, this
            # thread stops reading and TCP holds Twitch back.
            nonlocal batch, size
            if batch:
                credits.acquire()
                put(Frames(conn, batch))
                batch = []
                size = 0

        sock.before_wait = hand_over
        put(Opened(conn))
        try:
            recv = ws.recv_data_frame
            text = sock.text_frame
            while True:
                data = text()
                if data is not None:  # nearly every message: a whole text frame, taken straight from the buffer
                    batch.append(data)
                    size += len(data)
                    if len(batch) >= MAX_BATCH or size >= MAX_BATCH_BYTES:
                        hand_over()
                    continue
                opcode, frame = recv(False)
                if opcode == ABNF.OPCODE_TEXT:
                    batch.append(frame.data)
                    size += len(frame.data)
                    if len(batch) >= MAX_BATCH or size >= MAX_BATCH_BYTES:
                        hand_over()
                    continue
                hand_over()
                if opcode == ABNF.OPCODE_BINARY:
                    put(Binary(conn, frame.data))
                elif opcode == ABNF.OPCODE_CLOSE:
                    code, reason = _close_status(frame.data)
                    break
        except Exception as exc:  # the connection is gone; the session decides what next
            reason = "closed by focus" if self._closing.is_set() else _describe(exc)
        finally:
            ws.shutdown()
        hand_over()  # what arrived before the end is shown before the end
        put(Closed(conn, code, reason))


class _BufferedSocket:
    """The connected socket with a read buffer in front of it, and a short way through it for plain text frames.

    websocket-client reads every frame with two or three small `recv` calls
    (header, length, payload); each is a system call that also lets the GIL go
    to the main thread and then waits to win it back.  Reading 64 KiB at a time
    and handing out slices makes a burst of chat cost one system call per
    buffer, not three per message.  Everything else (send, shutdown, close,
    fileno, timeouts) goes straight to the real socket.

    `text_frame` takes the frame nearly every Twitch message is -- final, text,
    unmasked, no reserved bits, under 64 KiB, wholly in the buffer -- in one
    step: websocket-client's own reader spends about 6 us of this thread's CPU
    on each such frame (three reads through its socket layer, a frame object,
    its checks and the fragment assembler), a quarter of what a chat message
    costs focus in a raid.  Any other frame (a ping, a close, a fragment, a
    frame cut by the end of a read, or one the protocol forbids) is left where
    it is for websocket-client, which reads it from this same buffer.
    """

    __slots__ = ("_sock", "_buf", "_pos", "_eof", "before_wait")

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = b""
        self._pos = 0
        self._eof = False
        self.before_wait: Callable[[], None] = _nothing  # called before a read that may block

    def _fill(self, bufsize: int) -> bytes:
        self.before_wait()
        buf = b"" if self._eof else self._sock.recv(max(bufsize, 65536))
        self._eof = not buf  # an end seen here is the library's to see next (an ended TLS socket may not repeat it)
        self._buf, self._pos = buf, 0
        return buf

    def recv(self, bufsize: int) -> bytes:
        buf, pos = self._buf, self._pos
        if pos >= len(buf):
            buf = self._fill(bufsize)
            if not buf:
                return buf
            pos = 0
        end = pos + bufsize
        self._pos = end
        return buf[pos:end] if pos or end < len(buf) else buf

    def text_frame(self) -> bytes | None:
        """The next message's payload when its frame is a plain text frame already in the buffer (after waiting
        for data when the buffer is empty); None when the next frame is anything else, left unread for
        websocket-client.  Call it only between two messages (the library assembles fragments across calls).
        Its payload is at most 65,535 bytes, well under MAX_MESSAGE: longer ones go through `_CappedFrames`."""
        buf, pos = self._buf, self._pos
        if pos >= len(buf):
            buf = self._fill(0)
            pos = 0
        if pos + 2 > len(buf) or buf[pos] != 0x81:  # FIN, no reserved bits, opcode 1 (text)
            return None
        n = buf[pos + 1]  # the mask bit (never set by a server) and the length
        if n < 126:
            start = pos + 2
        elif n == 126 and pos + 4 <= len(buf):
            n = (buf[pos + 2] << 8) | buf[pos + 3]
            start = pos + 4
        else:  # masked, a 64-bit length, or the length cut by the end of the read
            return None
        end = start + n
        if end > len(buf):
            return None
        self._pos = end
        return buf[start:end]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _nothing() -> None:
    pass


def _close_status(data: bytes) -> tuple[int | None, str]:
    if len(data) < 2:
        return 1005, ""
    code = struct.unpack("!H", data[:2])[0]
    return code, data[2:].decode("utf-8", "replace")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MessageTooLarge):
        return str(exc)
    if isinstance(exc, websocket.WebSocketBadStatusException):
        return f"Twitch answered HTTP {exc.status_code} instead of a WebSocket"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "cannot resolve the host name (offline?)"
    if isinstance(exc, (socket.timeout, websocket.WebSocketTimeoutException)):
        return "timed out"
    if isinstance(exc, websocket.WebSocketConnectionClosedException):
        return "connection dropped"
    return describe_exception(exc)
