"""Chat is handled on the thread its socket woke (issue 23), and nothing the main loop owned is lost by it.

While the main loop waits with an empty inbox, a websocket thread handles the
frames it read itself: parse, session, memory, render, write.  What needs the
main loop reaches it: a timer a frame brought forward wakes it, and while it
is busy the socket's reports wait on the inbox behind it, in order.
"""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

from focuslib.runtime.inbox import Call
from focuslib.sim import payloads
from focuslib.sim.server import SimTwitch

from cases import OTTER
from conftest import Sink, t
from test_channel import ALL, END


@pytest.fixture
def sim() -> Iterator[SimTwitch]:
    """Keepalives ten minutes apart: the main loop's own timer never wakes it during a test."""
    with SimTwitch(ping_interval=None, wait_timeout=t(10), keepalive=600) as s:
        yield s


class ThreadSink(Sink):
    """stdout that notes which thread wrote each chunk."""

    def __init__(self) -> None:
        super().__init__()
        self.writers: list[tuple[str, str]] = []

    def write(self, text: str) -> int:
        self.writers.append((threading.current_thread().name, text))
        return super().write(text)


def _chat(sim: SimTwitch, text: str) -> None:
    sim.notify("channel.chat.message", payloads.chat_message(END, text))


def _main_loop_running(focus) -> None:
    """Wait until set-up is over and the main loop waits for news (a call it ran from the inbox)."""
    assert focus.control.ready.wait(t(20))
    ran = threading.Event()
    focus.app.inbox.put(Call(ran.set))
    assert ran.wait(t(10))


def test_a_chat_line_is_written_by_the_socket_thread_that_read_it(sim, start_focus) -> None:
    sink = ThreadSink()
    focus = start_focus(sink=sink, timestamps=False)
    sim.wait_subscribed(ALL)
    _main_loop_running(focus)
    for n in range(5):  # one after another: the main loop may be busy with something else at one of them
        _chat(sim, f"read and written on one thread {n}")
        focus.out.wait_text(f"StageManager: read and written on one thread {n}")
    writers = {name for name, text in sink.writers if "read and written on one thread" in text}
    assert any(name.startswith("eventsub-ws-") for name in writers), writers
    assert focus.stop() == 0


def test_a_timer_a_frame_brings_forward_wakes_the_main_loop(sim, start_focus) -> None:
    """A sub waits for its chat notice (its twin) for the window; the main loop sleeps until the keepalive, ten
    minutes away, unless the socket thread that handled the sub tells it of the nearer deadline."""
    focus = start_focus(timestamps=False, twin_window=0.2)
    sim.wait_subscribed(ALL)
    _main_loop_running(focus)
    sim.notify("channel.subscribe", payloads.subscribe(OTTER))  # its chat notice never comes
    focus.out.wait_text("Pixel_Otter subscribed")
    assert focus.stop() == 0


def test_frames_that_came_while_the_main_loop_was_busy_keep_their_order(sim, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(ALL)
    _main_loop_running(focus)
    inbox = focus.app.inbox
    inside, go = threading.Event(), threading.Event()
    inbox.put(Call(lambda: (inside.set(), go.wait(t(60)))))
    assert inside.wait(t(10))
    try:
        for n in range(5):
            _chat(sim, f"in order {n}")
        sim.wait_for(lambda: inbox.qsize() >= 1, timeout=t(10))  # the socket thread queued, not waited
    finally:
        go.set()
    for n in range(5, 10):
        _chat(sim, f"in order {n}")
    focus.out.wait_text("StageManager: in order 9")
    shown = [line.split("in order ")[1] for line in focus.out.lines() if "in order " in line]
    assert shown == [str(n) for n in range(10)]
    assert focus.stop() == 0
