"""A stalled stdout is not a dead connection (issue 22, item 2).

A pipe nobody reads (`focus.py | tee log` with a stuck reader) or a terminal paused with Ctrl-S used to
hold focus's main thread in write(2): no frame was handled, so none reached the history or the devlog,
and once the keepalive deadline had passed focus reconnected and dropped what had arrived.  Here a real
focus.py writes into a pipe nobody reads for longer than the keepalive watchdog allows (the simulator's
keepalive is 1 s, and focus takes a local server's: 3 s of silence would mean a dead connection).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import N_SUBS, Sink, t
from focuslib.sim import SimTwitch
from focuslib.store.schema import db_path
from test_stop_blocked import Devlog, piped_focus, queued

pytestmark = pytest.mark.xdist_group("stops")

N = 3000  # ~200 KB of lines: three times what a pipe holds


@pytest.fixture
def sim() -> Iterator[SimTwitch]:
    with SimTwitch(ping_interval=None, keepalive=1) as s:
        yield s


def _keepalives_after(devlog: Devlog, needle: str) -> int:
    text = devlog.lines.text
    return text[text.index(needle):].count('"session_keepalive"') if needle in text else 0


def test_a_pipe_nobody_reads_past_the_keepalive_keeps_the_connection_and_loses_no_message(sim, env):
    devlog = Devlog(env)
    p, r = piped_focus(env)
    try:
        session = sim.wait_subscribed(N_SUBS, timeout=t(20))
        frames, _ = sim.burst_frames(N, session, text="stalled")
        threading.Thread(target=sim.send_frames, args=(frames, session), daemon=True).start()
        # Every frame reaches the devlog while nobody reads focus's output ...
        devlog.lines.wait_text(f"stalled #{N - 1}", timeout=30)
        assert queued(r) > 40000  # ... which filled the pipe (64 KiB, in pages) and stays unread
        # ... for longer than the watchdog's 3 s: four keepalives came after the burst, and focus took them.
        devlog.lines.wait_for(lambda text: _keepalives_after(devlog, f"stalled #{N - 1}") >= 4, timeout=20)
        assert len(sim.sessions) == 1 and "reconnecting" not in devlog.events()
        # The reader comes back: every line is there, and no gap was ever marked.
        out = Sink()
        reader = threading.Thread(target=lambda: _read(r, out), daemon=True)
        reader.start()
        out.wait_text(f"stalled #{N - 1}", timeout=20)
        assert all(f"stalled #{k}\n" in out.text for k in range(N))
        assert "may have been missed" not in out.text and "skipped" not in out.text
        assert len(sim.sessions) == 1
        p.send_signal(signal.SIGTERM)
        assert p.wait(t(10)) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    with sqlite3.connect(db_path(Path(env["FOCUS_DATA_DIR"]))) as db:
        [(stored,)] = db.execute("SELECT count(*) FROM messages WHERE text LIKE 'stalled #%'")
    assert stored == N
    reader.join(t(5))  # it ended at the pipe's end (focus exited): r's number is not freed under a reading thread
    os.close(r)


def _read(fd: int, out: Sink) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the test closed or shut down its end: the reading is over
            return
        if not chunk:
            return
        out.write(chunk.decode("utf-8", "replace"))




def test_a_pipe_that_takes_nothing_keeps_the_newest_lines_and_says_how_many_were_skipped() -> None:
    """The writer's bounds (runtime/outwriter.py, with small limits): the main thread's writes never wait, and a
    reader that comes back after the pipe was stuck gets one line for what was dropped, then the newest."""
    from focuslib.runtime.backlog import Backlog, skipped_text
    from focuslib.runtime.outwriter import OutWriter

    r, w = os.pipe()
    drops: list[int] = []
    told = threading.Event()
    writer = OutWriter(w, skipped=lambda n: skipped_text(n) + "\n", on_drop=lambda n: (drops.append(n), told.set()),
                       backlog=Backlog(limit=20_000, hard=200_000), stuck_after=0.1)
    os.close(w)
    reader: threading.Thread | None = None
    try:
        line = "x" * 90 + "\n"
        for k in range(2000):  # ~190 KB: the pipe takes 64 KiB, the rest waits
            writer.write(f"{k:05d} {line}")
        assert 0 < writer.pending() <= 200_000
        assert told.wait(t(5))  # stuck: only the newest 20,000 characters stay
        assert writer.pending() <= 20_000
        out = Sink()
        reader = threading.Thread(target=lambda: _read(r, out), daemon=True)
        reader.start()
        out.wait_text("01999 ", timeout=5)
        assert writer.close(1.0)
        text = out.text
        skipped = text.index(skipped_text(sum(drops)))
        assert "00000 " in text[:skipped] and "01999 " in text[skipped:]  # the oldest went first, the newest stayed
        assert len(text.splitlines()) == 2000 - sum(drops) + 1
    finally:
        writer.close(0)
        # The reader ends at the pipe's end (the writer closed the last write end) before its number is freed: a
        # reader still in os.read(r) would read from the next file that takes the number (the next test's pipe).
        if reader is not None:
            reader.join(t(5))
        os.close(r)



def test_closed_twice_the_writer_closes_its_descriptor_once() -> None:
    """The stop closes the writer (its last wait), the tear-down again: the second close closed the number the
    first had freed, which by then may be another file's (here the history's, say): that file's next read or
    write failed with EBADF, or went to whatever took the number next."""
    from focuslib.runtime.outwriter import OutWriter

    r, w = os.pipe()
    writer = OutWriter(w, skipped=lambda n: f"{n} skipped\n")
    os.close(w)
    other = os.open(os.devnull, os.O_RDONLY)
    number = writer._fd  # its private open of the pipe
    try:
        writer.write("the last line\n")
        assert writer.close(1.0)
        assert os.read(r, 100) == b"the last line\n"
        os.dup2(other, number)  # another file takes the freed number, as the next open(2) would
        assert writer.close()  # the tear-down's: all was written
        os.fstat(number)  # still that file's
        os.close(number)
    finally:
        os.close(other)
        os.close(r)

class HeldSink(Sink):
    """A stream whose writes wait while `gate` is clear (a terminal that is not a pipe, e.g. a stalled mount)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.waiting = threading.Event()

    def write(self, text: str) -> int:
        if not self.gate.is_set():
            self.waiting.set()
            self.gate.wait()
        return super().write(text)


def test_frames_that_waited_while_the_main_thread_was_held_count_before_the_keepalive_is_judged(sim, start_focus):
    from focuslib.sim import payloads

    out = HeldSink()
    focus = start_focus(sink=out)
    sim.wait_subscribed(N_SUBS)
    out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}")
    out.gate.clear()
    sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "held up"))
    assert out.waiting.wait(t(5))
    # Longer than the 3 s watchdog: the simulator's keepalives wait in focus's inbox meanwhile.
    threading.Event().wait(4.0)
    out.gate.set()
    sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "after the wait"))
    out.wait_text("after the wait")
    assert len(sim.sessions) == 1 and "reconnecting" not in out.text
    assert focus.stop() == 0
