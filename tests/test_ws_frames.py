"""The websocket thread's frame reading, byte by byte: its short way for plain text frames and websocket-client's
reader share one buffer, whatever frames come and wherever a read cuts them.

A server on 127.0.0.1 made here (not the simulator, which always sends whole, well-formed frames) answers the
handshake and then writes chosen bytes in chosen pieces; the test waits for each piece to be taken (the thread
hands its messages over before it waits for more) before it writes the next, so every cut lands where the test
puts it.
"""

from __future__ import annotations

import base64
import hashlib
import queue
import socket
import struct
from typing import Iterator

import pytest

from focuslib.net.websocket import Binary, Closed, Credits, Frames, Opened, SocketReport, WsConnection

from conftest import t

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0, length: int | None = None,
          mask: bytes = b"") -> bytes:
    """A server's frame (unmasked unless a 4-byte `mask` is given); `length` forces the length form: 7, 16 or 64
    bits."""
    n = len(payload)
    form = length or (7 if n < 126 else 16 if n < 65536 else 64)
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    masked = 0x80 if mask else 0
    if form == 7:
        head += bytes([masked | n])
    elif form == 16:
        head += bytes([masked | 126]) + struct.pack("!H", n)
    else:
        head += bytes([masked | 127]) + struct.pack("!Q", n)
    if mask:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


class Peer:
    """The server's end of one connection, and what the connection reported."""

    def __init__(self) -> None:
        self.reports: queue.SimpleQueue[SocketReport] = queue.SimpleQueue()
        self.texts: list[bytes] = []
        self.other: list[SocketReport] = []
        self.sock: socket.socket | None = None

    def send(self, data: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(data)

    def take(self, count: int) -> None:
        """Wait until `count` text messages in all were handed over."""
        while len(self.texts) < count:
            report = self.reports.get(timeout=t(10))
            if type(report) is Frames:
                self.texts.extend(report.frames)
            else:
                self.other.append(report)

    def closed(self) -> Closed:
        while True:
            report = self.reports.get(timeout=t(10))
            if type(report) is Frames:
                self.texts.extend(report.frames)
            elif type(report) is Closed:
                return report
            else:
                self.other.append(report)

    def client_frame(self) -> tuple[int, bytes]:
        """The next frame the client sent (masked, as a client's must be)."""
        assert self.sock is not None
        head = _exactly(self.sock, 2)
        n = head[1] & 0x7F
        assert head[1] & 0x80, "a client frame must be masked"
        if n == 126:
            n = struct.unpack("!H", _exactly(self.sock, 2))[0]
        mask = _exactly(self.sock, 4)
        data = _exactly(self.sock, n)
        return head[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _exactly(sock: socket.socket, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        assert chunk, "the client closed the socket"
        out += chunk
    return out


@pytest.fixture
def peer() -> Iterator[Peer]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(t(10))
    p = Peer()
    conn = WsConnection(1, f"ws://127.0.0.1:{server.getsockname()[1]}/ws", p.reports.put, Credits(1000))
    conn.start()
    sock, _ = server.accept()
    server.close()
    sock.settimeout(t(10))
    p.sock = sock
    request = b""
    while b"\r\n\r\n" not in request:
        request += sock.recv(4096)
    key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key:"))
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    assert type(p.reports.get(timeout=t(10))) is Opened
    try:
        yield p
    finally:
        conn.abort()
        conn.thread.join(t(10))
        sock.close()


@pytest.mark.parametrize("size", [0, 5, 125, 126, 200, 65535])
def test_text_frames_of_each_length_form_arrive_whole_and_in_order(peer, size):
    messages = [b"m" * size, b"second"]
    peer.send(b"".join(frame(TEXT, m) for m in messages))
    peer.take(2)
    assert peer.texts == messages


@pytest.mark.parametrize("length", [16, 64])
def test_a_short_message_in_a_longer_length_form_than_it_needs_is_read_whole(peer, length):
    """The RFC asks for the shortest form but websocket-client takes any: the short way must read the same."""
    messages = [b"tiny", b"next"]
    peer.send(frame(TEXT, messages[0], length=length) + frame(TEXT, messages[1], length=length))
    peer.take(2)
    assert peer.texts == messages


@pytest.mark.parametrize("size", [5, 300])
def test_a_masked_frame_is_left_to_the_library_which_unmasks_it(peer, size):
    """A server never masks; if one did, the short way must not hand over the masked bytes as the message."""
    messages = [b"plain", b"k" * size, b"plain again"]
    peer.send(frame(TEXT, messages[0]) + frame(TEXT, messages[1], mask=b"\x01\x02\x03\x04")
              + frame(TEXT, messages[2]))
    peer.take(3)
    assert peer.texts == messages


def test_a_64_bit_length_is_read_by_the_library_and_the_frames_after_it_by_the_short_way(peer):
    messages = [b"a" * 70_000, b"after", b"and after"]
    peer.send(b"".join(frame(TEXT, m) for m in messages))
    peer.take(3)
    assert peer.texts == messages


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 10])
def test_a_frame_cut_by_the_end_of_a_read_is_finished_by_the_next(peer, cut):
    """Cut after `cut` bytes of the third frame (a 16-bit length: header 4 bytes): in its first byte, between
    the two header bytes, inside the 16-bit length, at the payload's start, inside the payload."""
    messages = [b"one", b"two", b"t" * 300, b"four", b"five"]
    raw = [frame(TEXT, m) for m in messages]
    first = raw[0] + raw[1] + raw[2][:cut]
    peer.send(first)
    peer.take(2)  # handed over before the thread waits for the rest of the third
    assert peer.texts == messages[:2]
    peer.send(raw[2][cut:] + raw[3] + raw[4])
    peer.take(5)
    assert peer.texts == messages


def test_a_fragmented_message_with_a_ping_inside_is_joined_and_the_ping_answered(peer):
    peer.send(frame(TEXT, b"before") + frame(TEXT, b'{"a": ', fin=False) + frame(PING, b"are you there")
              + frame(CONT, b'"split \xe2\x9c', fin=False) + frame(CONT, b'\x93"}') + frame(TEXT, b"after"))
    assert peer.client_frame() == (PONG, b"are you there")
    peer.take(3)
    assert peer.texts == [b"before", '{"a": "split ✓"}'.encode(), b"after"]


def test_binary_frames_and_the_close_keep_their_place(peer):
    peer.send(frame(TEXT, b"one") + frame(BINARY, b"\x00\x01") + frame(TEXT, b"two")
              + frame(CLOSE, struct.pack("!H", 4000) + b"bye"))
    closed = peer.closed()
    assert peer.texts == [b"one", b"two"]
    assert [type(r) for r in peer.other] == [Binary] and peer.other[0].data == b"\x00\x01"
    assert (closed.code, closed.reason) == (4000, "bye")
    assert peer.client_frame()[0] == CLOSE  # the close is answered


@pytest.mark.parametrize("bad", [frame(TEXT, b"reserved", rsv=4), frame(CONT, b"nothing to continue")])
def test_a_frame_the_protocol_forbids_ends_the_connection_after_what_came_before(peer, bad):
    peer.send(frame(TEXT, b"fine") + bad + frame(TEXT, b"never shown"))
    closed = peer.closed()
    assert peer.texts == [b"fine"]
    assert closed.code is None and closed.reason


def test_a_socket_that_ends_between_frames_reports_the_close(peer):
    peer.send(frame(TEXT, b"last words"))
    peer.take(1)
    assert peer.sock is not None
    peer.sock.shutdown(socket.SHUT_WR)
    closed = peer.closed()
    assert peer.texts == [b"last words"] and closed.code is None and closed.reason
