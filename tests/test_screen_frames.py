"""Screen mode's frames (focuslib/screen/app.py, panecontrol.py), the application run in this process on a pipe
for keys and a sink for the terminal: how often it redraws, a key drawn at once, and the pane written row by
row, only the rows that changed, chat that moved up scrolled by the terminal."""

from __future__ import annotations

import re
import threading
from typing import Callable, Iterator

import pytest
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.output.vt100 import Vt100_Output

from conftest import Sink, t
from focuslib.screen import frames as screen_frames
from focuslib.screen.app import DeskInput, ScreenApp, plain_header
from focuslib.screen.frames import redraw_interval
from focuslib.screen.pane import Pane

ROWS, COLUMNS = 12, 60
PANE_ROWS = ROWS - 1 - 2  # under the header, above the desk


class Frames:
    """A running ScreenApp, what it wrote, and a way to wait for its next frame."""

    def __init__(self, screen: ScreenApp, out: Sink, keys) -> None:
        self.screen, self.out, self.keys = screen, out, keys
        self.count = 0
        self._cond = threading.Condition()
        screen.app.after_render += self._rendered

    def _rendered(self, _: object) -> None:
        with self._cond:
            self.count += 1
            self._cond.notify_all()

    def frame_after(self, cause: Callable[[], object]) -> str:
        """What the terminal got from `cause()` until the next frame ended (counted before the cause)."""
        with self._cond:
            after = self.count
        before = len(self.out.text)
        cause()
        with self._cond:
            assert self._cond.wait_for(lambda: self.count > after, t(5)), "no frame"
        return self.out.text[before:]


@pytest.fixture
def frames() -> Iterator[Frames]:
    out = Sink(tty=True)
    with create_pipe_input() as keys:
        output = Vt100_Output(out, get_size=lambda: Size(ROWS, COLUMNS), term="xterm-256color")  # type: ignore[arg-type]
        screen = ScreenApp(Pane(), plain_header(lambda: "connected"), DeskInput(Buffer(multiline=False), KeyBindings(),
                                                                                keys, output))
        f = Frames(screen, out, keys)
        screen.start()
        with f._cond:
            assert f._cond.wait_for(lambda: f.count >= 1, t(5)), "the first frame"
        yield f
        screen.stop()


def test_redraws_are_sixty_a_second_while_frames_are_cheap_and_fewer_as_they_cost_more() -> None:
    assert redraw_interval(0.0) == screen_frames.REDRAW == 1 / 60
    assert redraw_interval(0.005) == pytest.approx(0.005 / screen_frames.SHARE)  # drawing takes at most SHARE of a core
    assert redraw_interval(1.0) == screen_frames.REDRAW_MOST == 1 / 30  # never fewer than 30 a second


def test_a_key_is_drawn_at_once_while_chat_waits_for_its_frame(frames: Frames, monkeypatch) -> None:
    app = frames.screen.app
    monkeypatch.setattr(screen_frames, "REDRAW", 60.0)  # chat's next frame a minute away
    monkeypatch.setattr(screen_frames, "REDRAW_MOST", 60.0)
    frames.screen.pane.add("a chat line")
    frames.frame_after(frames.screen.invalidate)  # drawn now; the interval after it is a minute
    assert app.min_redraw_interval == 60.0
    frames.screen.pane.add("chat that waits for the next frame")
    frames.screen.invalidate()
    frames.keys.send_text("k")
    frames.out.wait_for(lambda text: "k" in text.rsplit("a chat line", 1)[-1], timeout=5)  # not a minute later


def test_the_pane_writes_only_the_rows_that_changed_and_scrolls_what_moved_up(frames: Frames) -> None:
    pane = frames.screen.pane
    for n in range(PANE_ROWS):
        pane.add(f"line {n:02d}")
    first = frames.frame_after(frames.screen.invalidate)
    assert all(f"line {n:02d}" in first for n in range(PANE_ROWS))
    pane.add("line new")
    frame = frames.frame_after(frames.screen.invalidate)
    top, bottom = 2, 1 + PANE_ROWS  # the pane's rows on the terminal (the header is row 1)
    assert f"\x1b[{top};{bottom}r" in frame and frame.count("\x1bD") == 1  # the pane's rows scrolled by one
    assert "line new" in frame and not re.search(r"line \d\d", frame)  # the lines that moved up: not written
    frame = frames.frame_after(lambda: frames.keys.send_text("x"))  # a frame for the desk alone: no pane rows
    assert "line" not in frame and "\x1bD" not in frame


def test_a_frame_that_fails_leaves_the_terminals_flush_as_it_was(frames: Frames) -> None:
    # A frame stubs output.flush (one write: prompt_toolkit's frame and the pane's rows); a bug inside
    # prompt_toolkit's drawing must not leave it stubbed, or nothing after would reach the terminal (the
    # screen given back, the main screen's cursor).
    screen = frames.screen
    ended: list[BaseException | None] = []
    done = threading.Event()
    screen.on_exit = lambda error: (ended.append(error), done.set())
    area = screen._pane_area
    drawn = area.write_to_screen
    failed: list[bool] = []

    def write_to_screen(*args: object) -> None:  # fails once, inside prompt_toolkit's render
        if not failed:
            failed.append(True)
            raise ValueError("a bug in a frame")
        drawn(*args)

    area.write_to_screen = write_to_screen  # type: ignore[method-assign]
    screen.pane.add("a line")
    screen.invalidate()
    assert done.wait(t(5)), "the application did not end on the failed frame"
    assert isinstance(ended[0], ValueError)
    output = screen.app.output
    assert "flush" not in vars(output)  # the class's own flush again
    before = len(frames.out.text)
    output.write_raw("after the failure")
    output.flush()
    assert frames.out.text[before:] == "after the failure"
