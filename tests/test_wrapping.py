"""Line mode on a terminal keeps every line's shape (issue 22, item 16): a long URL is broken where the row
ends and goes on at the hanging indent (the terminal folded it at column 0); /help, /history and the
recap hang under their second column (they went on under their first, or at column 0)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import N_SUBS
from focuslib.config import Settings
from focuslib.sim import payloads
from focuslib.twitch import commands
from focuslib.view.layout import text_width
from focuslib.view.render import ColorMode, Renderer
from ptyterm import PtyFocus
from test_history_flow import stored_while_running


def rows(text: str) -> list[str]:
    return text.split("\n")


def test_a_long_url_is_broken_at_the_rows_end_and_goes_on_at_the_indent() -> None:
    r = Renderer(ColorMode.NONE, timestamps=False, width=40)
    url = "https://example.com/" + "a" * 100
    line = r.notice(f"look at {url} then", "done")
    assert all(text_width(row) <= 40 for row in rows(line))
    assert [row[:2] for row in rows(line)[1:]] == ["  "] * (len(rows(line)) - 1)  # under the text, never column 0
    assert "".join(row.strip() for row in rows(line)[1:-1]) + rows(line)[-1].strip().split(" ")[0] == url


@pytest.mark.parametrize("width", [90, 100])
def test_help_and_history_lines_hang_under_their_second_column(width: int) -> None:
    r = Renderer(ColorMode.NONE, timestamps=True, width=width)
    [line] = [r.notice(text, "done") for text in commands.help_lines() if text.startswith("/timeout ")]
    first, *rest = rows(line)
    column = first.index("time USER out")
    assert rest and all(row[:column].strip() == "" and row[column] != " " for row in rest), line
    history = "  2026-11-29 09:22  " + "a long message from a chatter " * 8
    first, *rest = rows(r.notice(history, "done"))
    column = first.index("a long message")
    assert rest and all(row[:column].strip() == "" and row[column] != " " for row in rest)


def test_a_second_column_too_far_right_for_the_width_hangs_under_the_text() -> None:
    r = Renderer(ColorMode.NONE, timestamps=True, width=60)
    [line] = [r.notice(text, "done") for text in commands.help_lines() if text.startswith("/timeout ")]
    assert all(row.startswith("          ") and row[10] != " " for row in rows(line)[1:])


def test_the_recap_at_exit_hangs_under_its_values_on_a_100_column_terminal(env, sim) -> None:
    focus = PtyFocus(env, ["--no-devlog", "--no-timestamps", "--no-input"], cols=100, rows=40)
    try:
        focus.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", 20)
        names = [("8800000" + str(k), f"chatter_with_a_long_name_{k}", f"Chatter_With_A_Long_Name_{k}")
                 for k in range(6)]
        for who in names:
            sim.notify("channel.chat.message", payloads.chat_message(who, "hello"))
        focus.wait_text("Chatter_With_A_Long_Name_5: hello")
        # The recap counts what the history holds: a loaded machine may not have stored the six rows yet.
        stored_while_running(SimpleNamespace(settings=Settings.from_env(env)), ["hello"] * 6)
        focus.send("\x03")  # Ctrl-C (no input line: the terminal's SIGINT)
        assert focus.exit_code() == 0
        screen = focus.scrollback()
        top = next((k for k, row in enumerate(screen) if row.startswith("  top chatters  ")), None)
        assert top is not None, "\n".join(screen)
        assert screen[top + 1].startswith(" " * 16 + "Chatter_With_A_Long_Name_"), screen[top:top + 3]
        assert all(len(row) <= 100 for row in screen)
    finally:
        focus.close()
