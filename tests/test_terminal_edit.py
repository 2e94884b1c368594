"""Deleted messages on a real terminal: focus's output fed into a VT emulator (pyte).

Only a fancy terminal (a tty with color) gets its lines rewritten in place;
anywhere else a short notice says what happened.  The emulator shows which
screen rows a rewrite touched, including wrapped messages, scrolling, the
status line and a resize.
"""

from __future__ import annotations

import io
import os

import pyte
import pytest

from focuslib.twitch.events import parse_event
from focuslib.view.present import Presenter
from focuslib.view.render import ColorMode, Renderer
from focuslib.sim import payloads
from focuslib.sim import payloads_chat
from focuslib.view.terminal import Terminal

from cases import HERON, MOSS, OTTER

COLS, ROWS = 60, 12


class Tty(io.TextIOBase):
    """A terminal: what focus writes lands on an emulated screen (the tty driver turns \\n into \\r\\n)."""

    def __init__(self) -> None:
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []

    def write(self, text: str) -> int:
        self.raw.append(text)
        self.stream.feed(text.replace("\n", "\r\n"))
        return len(text)

    def isatty(self) -> bool:
        return True

    def rows(self) -> list[str]:
        return [row.rstrip() for row in self.screen.display]


@pytest.fixture
def tty() -> Tty:
    return Tty()


def focus_on(out, fancy: bool = True) -> tuple[Presenter, Terminal]:
    terminal = Terminal(out, fancy=fancy, size=lambda: os.terminal_size((COLS, ROWS)))  # the emulated screen's
    terminal.columns = COLS
    terminal.status("subscribed 28/28")
    renderer = Renderer(ColorMode.TRUE if fancy else ColorMode.NONE, width=COLS, timestamps=False)
    return Presenter(renderer, terminal), terminal


def show(presenter: Presenter, terminal: Terminal, stype: str, payload: dict) -> None:
    presenter.show(parse_event(stype, "1", payload), 0.0)
    terminal.flush()


LONG = "this message is long enough that it has to wrap onto a second row of the screen for sure"


def test_a_deleted_message_is_rewritten_in_place_wrapped_rows_and_all(tty: Tty) -> None:
    presenter, terminal = focus_on(tty)
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(OTTER, "first", message_id="m1"))
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(HERON, LONG, message_id="m2"))
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(MOSS, "third", message_id="m3"))
    before = tty.rows()
    assert before[:5] == ["Pixel_Otter: first", "byte_heron: this message is long enough that it has to wrap",
                          "            onto a second row of the screen for sure", "Mossy_Lantern: third",
                          "-- subscribed 28/28"]
    show(presenter, terminal, "channel.chat.message_delete", payloads_chat.message_delete(HERON, "m2"))
    after = tty.rows()
    assert after[:5] == ["Pixel_Otter: first", "byte_heron: ‹message deleted›", "", "Mossy_Lantern: third",
                         "-- subscribed 28/28"]
    assert (tty.screen.cursor.y, after[5:]) == (4, [""] * (ROWS - 5))  # cursor back on the status line
    # Later lines go where they belong.
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(OTTER, "fourth", message_id="m4"))
    assert tty.rows()[3:6] == ["Mossy_Lantern: third", "Pixel_Otter: fourth", "-- subscribed 28/28"]


def test_a_message_deleted_before_it_was_written_never_shows(tty: Tty) -> None:
    presenter, terminal = focus_on(tty)
    presenter.show(parse_event("channel.chat.message", "1", payloads.chat_message(OTTER, "oops", message_id="m1")), 0.0)
    presenter.show(parse_event("channel.chat.message_delete", "1", payloads_chat.message_delete(OTTER, "m1")), 0.0)
    terminal.flush()
    assert tty.rows()[:2] == ["Pixel_Otter: ‹message deleted›", "-- subscribed 28/28"]
    assert "oops" not in "".join(tty.raw)


def test_scrolled_off_or_unknown_messages_get_a_notice_instead(tty: Tty) -> None:
    presenter, terminal = focus_on(tty)
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(OTTER, "gone soon", message_id="old"))
    for k in range(ROWS + 2):
        show(presenter, terminal, "channel.chat.message", payloads.chat_message(HERON, f"line {k}", message_id=f"n{k}"))
    show(presenter, terminal, "channel.chat.message_delete", payloads_chat.message_delete(OTTER, "old"))
    show(presenter, terminal, "channel.chat.message_delete", payloads_chat.message_delete(OTTER, "never-seen"))
    rows = tty.rows()
    assert rows[-3:] == ["✖ a message from Pixel_Otter was deleted"] * 2 + ["-- subscribed 28/28"]
    assert "byte_heron: line 13" in rows and rows[0] == "byte_heron: line 5"  # nothing was overwritten
    assert all("deleted›" not in row for row in rows)


def test_a_timeout_clears_all_of_that_users_lines_on_screen(tty: Tty) -> None:
    presenter, terminal = focus_on(tty)
    for k, who in enumerate((OTTER, HERON, OTTER)):
        show(presenter, terminal, "channel.chat.message", payloads.chat_message(who, f"msg {k}", message_id=f"m{k}"))
    show(presenter, terminal, "channel.chat.clear_user_messages", payloads_chat.clear_user_messages(OTTER))
    assert tty.rows()[:4] == ["Pixel_Otter: ‹message deleted›", "byte_heron: msg 1",
                              "Pixel_Otter: ‹message deleted›", "-- subscribed 28/28"]


def test_after_a_resize_nothing_is_rewritten(tty: Tty) -> None:
    presenter, terminal = focus_on(tty)
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(OTTER, "hello", message_id="m1"))
    terminal.resized(COLS)  # SIGWINCH: rows on screen may have reflowed
    show(presenter, terminal, "channel.chat.message_delete", payloads_chat.message_delete(OTTER, "m1"))
    assert tty.rows()[:3] == ["Pixel_Otter: hello", "✖ a message from Pixel_Otter was deleted",
                              "-- subscribed 28/28"]


def test_without_a_fancy_terminal_nothing_moves_the_cursor() -> None:
    out = io.StringIO()
    presenter, terminal = focus_on(out, fancy=False)
    show(presenter, terminal, "channel.chat.message", payloads.chat_message(OTTER, "hello", message_id="m1"))
    show(presenter, terminal, "channel.chat.message_delete", payloads_chat.message_delete(OTTER, "m1"))
    assert out.getvalue().splitlines()[-2:] == ["Pixel_Otter: hello", "✖ a message from Pixel_Otter was deleted"]
    assert "\x1b" not in out.getvalue()
