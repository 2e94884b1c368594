"""The devlog FIFO: never blocks focus, whole lines, drops counted; against real FIFOs."""

from __future__ import annotations

import json
import os
import select
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

from focuslib.devlog.pipe import DevlogWriter, _size, ensure_fifo, frame_record, read_lines, record
from focuslib.errors import ConfigError
from focuslib.sim import payloads
from focuslib.auth.tokens import Redactor

from conftest import t


def _writer(path, backlog=2000, redactor=None, buffer=1 << 20, watch=0.05):
    w = DevlogWriter(path, redactor or Redactor(), backlog=backlog, buffer=buffer, retry=0.05, watch=watch)
    w.start()
    return w


class Lines:
    """Whole lines from a FIFO read end (a partial tail waits for the rest)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = b""

    def read(self, at_least: int) -> list[str]:
        out: list[str] = []
        while len(out) < at_least:
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                break
            *done, self.buf = (self.buf + chunk).split(b"\n")
            out += [x.decode() for x in done]
        return out


def _readable(fd: int) -> bool:
    """Data waits on the read end `fd` (within the scaled timeout), without taking it."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(t(10) * 1000))


def _read_all(fd: int, until: int) -> list[str]:
    return Lines(fd).read(until)


def test_ensure_fifo_creates_a_private_fifo_and_refuses_other_files(tmp_path):
    path = ensure_fifo(tmp_path / "run" / "devlog.fifo", private_parent=True)
    st = os.stat(path)
    assert stat.S_ISFIFO(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert ensure_fifo(path, private_parent=True) == path  # existing FIFO is fine
    plain = tmp_path / "plain"
    plain.write_text("not a fifo")
    with pytest.raises(ConfigError, match="not a named pipe"):
        ensure_fifo(plain, private_parent=False)


def test_ensure_fifo_makes_an_existing_fifo_of_ours_private(tmp_path):
    """A FIFO made by hand (`mkfifo`, umask 022: mode 0644) in a shared directory (FOCUS_DEVLOG_PIPE=/tmp/...):
    any local user could open it for reading and take devlog lines.  It is made 0600 before use."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o1777)  # like /tmp
    path = shared / "devlog.fifo"
    os.mkfifo(path)
    os.chmod(path, 0o644)
    assert ensure_fifo(path, private_parent=False) == path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o1777  # not its directory: that is not focus's


def test_put_never_blocks_without_a_reader_and_counts_what_it_drops(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    w = _writer(path, backlog=100)
    for k in range(5000):  # would block forever if put() waited for a reader
        w.put(record("lifecycle", 0.0, event="n", k=k))
    assert w.queue_dropped == 4900
    fd = os.open(path, os.O_RDONLY)  # a reader arrives: it gets the drop report, then the newest lines
    try:
        lines = _read_all(fd, 101)
    finally:
        os.close(fd)
        w.stop()
    first = json.loads(lines[0])
    assert first["kind"] == "devlog" and first["event"] == "dropped" and first["count"] == 4900
    assert [json.loads(x)["k"] for x in lines[1:101]] == list(range(4900, 5000))


def test_a_stalled_reader_never_blocks_and_lines_stay_whole(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a reader that reads nothing (yet)
    os.set_blocking(fd, True)
    w = _writer(path, backlog=500)
    big = "x" * 3000
    for k in range(3000):  # ~9 MB: far more than the pipe holds
        w.put(record("lifecycle", 0.0, event="n", k=k, pad=big))
    w.put(record("lifecycle", 0.0, event="last"))
    try:
        reader = Lines(fd)
        lines: list[str] = []
        while not any('"last"' in x for x in lines):
            lines += reader.read(1)
    finally:
        os.close(fd)
        w.stop()
    records = [json.loads(x) for x in lines]  # every line is whole JSON
    dropped = sum(r["count"] for r in records if r.get("event") == "dropped")
    kept = [r for r in records if r.get("event") == "n"]
    assert dropped > 0 and dropped + len(kept) == 3000


def test_a_reader_that_goes_away_mid_stream_does_not_hurt_the_writer(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    w = _writer(path)
    fd = os.open(path, os.O_RDONLY)
    w.put(record("lifecycle", 0.0, event="one"))
    assert "one" in _read_all(fd, 1)[0]
    os.close(fd)  # the reader vanishes
    for k in range(200):
        w.put(record("lifecycle", 0.0, event="n", k=k, pad="y" * 1000))
    fd = os.open(path, os.O_RDONLY)  # a new reader comes
    try:
        w.put(record("lifecycle", 0.0, event="marker"))
        reader = Lines(fd)
        lines: list[str] = []
        while not any("marker" in x for x in lines):
            lines += reader.read(1)
    finally:
        os.close(fd)
        w.stop()
    for line in lines:
        json.loads(line)


def test_writer_redacts_secrets(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    red = Redactor()
    red.add("supersecrettokenvalue")
    w = _writer(path, redactor=red)
    fd = os.open(path, os.O_RDONLY)
    try:
        w.put(record("error", 0.0, error="request failed for supersecrettokenvalue"))
        (line,) = _read_all(fd, 1)
    finally:
        os.close(fd)
        w.stop()
    assert "supersecrettokenvalue" not in line and "[redacted]" in line


def test_frame_records_embed_the_raw_frame_as_json():
    raw = '{"metadata": {"message_type": "session_keepalive"},\n "payload": {}}'
    rec = json.loads(frame_record(12.5, 3, raw))
    assert rec == {"kind": "frame", "ts": 12.5, "conn": 3,
                   "frame": {"metadata": {"message_type": "session_keepalive"}, "payload": {}}}


def test_read_lines_waits_for_a_writer_and_survives_it_restarting(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    got: list[str | None] = []
    eof, enough = threading.Event(), threading.Event()

    def reader() -> None:
        for line in read_lines(path):
            got.append(line)
            if line is None:
                eof.set()
            elif len([x for x in got if x]) == 2:
                enough.set()
                return

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    first = _writer(path)
    first.put(record("lifecycle", 0.0, event="first-focus"))
    first.stop()  # focus exits: the reader sees the end and waits for the next focus
    assert eof.wait(t(5))
    second = _writer(path)
    second.put(record("lifecycle", 0.0, event="second-focus"))
    assert enough.wait(t(5))
    second.stop()
    th.join(t(2))
    assert [json.loads(x)["event"] for x in got if x] == ["first-focus", "second-focus"]


def test_torn_first_line_after_reconnect_is_dropped(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    out: list[str | None] = []

    def reader() -> None:
        for line in read_lines(path):
            out.append(line)
            if line and "whole" in line:
                return

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    wfd = os.open(path, os.O_WRONLY)
    os.write(wfd, b'tail of a line": 1}\n' + json.dumps(payloads.keepalive()).encode() + b'\n{"whole": true}\n')
    th.join(t(5))
    os.close(wfd)
    assert out[0].startswith('{"metadata"') and out[-1] == '{"whole": true}'


def test_ensure_fifo_refuses_a_fifo_of_another_user(tmp_path):
    path = tmp_path / "theirs.fifo"
    os.mkfifo(path, 0o600)
    try:
        os.chown(path, os.getuid() + 4242, -1)
    except PermissionError:
        pytest.skip("needs root to give a file to another user")
    with pytest.raises(ConfigError, match="belongs to another user"):
        ensure_fifo(path, private_parent=False)


def test_the_bytes_the_queue_counts_are_those_it_holds_frames_and_lines_alike(tmp_path):
    """put_frame builds and sizes a frame inline, and a drop sizes what it drops inline: both must agree with
    `_size`, or the byte budget a reader gets drifts for good (with no reader the writer thread pops nothing)."""
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    w = _writer(path, backlog=10)
    frame = json.dumps(payloads.keepalive())
    try:
        for k in range(500):
            if k % 3:
                w.put_frame(float(k), 1, frame + " " * k)  # sizes that differ from one frame to the next
            else:
                w.put(record("lifecycle", 0.0, event="n", k=k))
        assert w.queue_dropped == 490
        assert w.queued_bytes == sum(_size(x) for x in w._queue) > 0
    finally:
        w.stop()


def test_with_a_reader_the_queue_is_bounded_in_bytes_not_lines(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a reader that reads nothing (yet)
    w = _writer(path, backlog=10, buffer=4 << 20)
    try:
        w.put(record("lifecycle", 0.0, event="first"))
        assert _readable(fd), "the writer never opened the FIFO"  # its first line came: it holds the write end
        for k in range(2000):  # ~2 MB: under the byte budget, far over the line backlog
            w.put(record("lifecycle", 0.0, event="n", k=k, pad="z" * 1000))
        assert w.queue_dropped == 0
        for k in range(4000):  # ~4 MB more: over the budget, the oldest go
            w.put(record("lifecycle", 0.0, event="m", k=k, pad="z" * 1000))
        assert w.queue_dropped > 0 and w.queued_bytes <= 4 << 20
    finally:
        os.close(fd)
        w.stop()


def test_the_pipe_is_enlarged_where_linux_allows_it(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("no F_GETPIPE_SZ here")
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    w = _writer(path)
    try:
        w.put(record("lifecycle", 0.0, event="first"))
        assert _readable(fd), "the writer never opened the FIFO"  # its first line came: it holds the write end
        assert fcntl.fcntl(fd, fcntl.F_GETPIPE_SZ) > 64 * 1024
    finally:
        os.close(fd)
        w.stop()


def test_a_fifo_removed_while_the_writer_waits_for_a_reader_is_replaced_by_the_new_one(tmp_path):
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    w = _writer(path, watch=0.05)
    try:
        w.put(record("lifecycle", 0.0, event="hello"))
        assert _wait(lambda: w._waiting is not None)  # blocked in open() on the first FIFO
        os.unlink(path)  # a new `make devlog` after the old FIFO was removed creates a fresh one
        ensure_fifo(path, private_parent=False)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            buf = b""
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            deadline = time.monotonic() + t(10)
            while b"hello" not in buf and time.monotonic() < deadline:
                if poller.poll(100):
                    try:
                        buf += os.read(fd, 1 << 16)
                    except BlockingIOError:
                        pass
            assert b"hello" in buf, "the writer never opened the new FIFO"
        finally:
            os.close(fd)
    finally:
        w.stop()


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + t(timeout)
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _woken(tid: int) -> int:
    """How many times a thread of this process went to sleep and was woken (voluntary context switches)."""
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches in /proc")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or sys.platform != "linux", reason="Linux's inotify and /proc")
def test_the_watcher_sleeps_while_nobody_reads_and_wakes_when_the_fifo_goes(tmp_path):
    """Issue 23: an idle focus wakes for Twitch's keepalive only.  The watcher looked at the FIFO every WATCH
    seconds for as long as nobody read; it now sleeps until the FIFO's directory changes."""
    path = ensure_fifo(tmp_path / "d.fifo", private_parent=False)
    w = _writer(path, watch=0.01)  # polling, it would wake a hundred times a second
    try:
        w.put(record("lifecycle", 0.0, event="hello"))
        assert _wait(lambda: w._waiting is not None and w._watcher is not None and w._watcher.native_id is not None)
        tid = w._watcher.native_id
        assert _wait(lambda: _woken(tid) > 0)  # started and asleep
        before = _woken(tid)
        w._stopping.wait(0.3)  # nothing happens: thirty polls' worth
        assert _woken(tid) - before <= 1
        os.unlink(path)  # and a removed FIFO is still noticed: the writer opens the new one
        ensure_fifo(path, private_parent=False)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            assert _readable(fd), "the writer never opened the new FIFO"
        finally:
            os.close(fd)
    finally:
        w.stop()
    assert not w._watcher.is_alive()
