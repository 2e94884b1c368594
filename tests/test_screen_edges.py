"""Screen mode at its edges, in a real pseudo-terminal read with pyte: a terminal with no row left for the pane;
the overlay coming over the pane and leaving it."""

from __future__ import annotations

from focuslib.sim import payloads_chat
from focuslib.twitch import commands

from conftest import t
from test_inputline import open_pty  # noqa: F401  (a fixture)
from test_screen_answers import ENTER, ESC, start
from test_screen_mode import CTRL_C, OTTER, ROWS, desk, in_pane, pane, say, screen  # noqa: F401  (screen: a fixture)


def test_a_terminal_with_no_row_for_the_pane_keeps_focus_running_and_the_pane_comes_back(screen, sim) -> None:
    # Three rows: the header and the two desk rows, none left for chat.  Drawing an empty pane failed the screen.
    focus = screen(rows=3)
    say(sim, OTTER, "said while the pane had no rows")
    focus.wait_for(lambda: focus.rows()[1].startswith("›"), what="the desk under the header")
    focus.resize(10, 60)
    focus.wait_for(lambda: in_pane(focus, "said while the pane had no rows"), what="chat in the pane")
    focus.resize(3, 60)  # and back to none, with chat in it
    say(sim, OTTER, "said as it shrank")
    focus.wait_for(lambda: len(focus.rows()) == 3 and focus.rows()[1].startswith("›"), what="the short screen")
    focus.resize(12, 60)
    focus.wait_for(lambda: in_pane(focus, "said as it shrank"), what="chat in the pane again")
    focus.resize(2, 60)  # shorter than the header and the desk: prompt_toolkit says the window is too small
    say(sim, OTTER, "said while it was too small")
    focus.wait_for(lambda: len(focus.rows()) == 2 and "said" not in focus.text(), what="no chat on two rows")
    focus.resize(12, 60)
    focus.wait_for(lambda: in_pane(focus, "said while it was too small") and in_pane(focus, "said as it shrank"),
                   what="the pane back once more")
    assert focus.proc.poll() is None
    focus.send(CTRL_C)
    assert focus.exit_code(t(5)) == 0


def test_the_overlay_covers_every_cell_of_the_chat_under_it_and_its_close_brings_back_only_what_stays(
        env, sim) -> None:
    # Chat lines longer than the overlay's: prompt_toolkit wrote only the overlay's characters, and the rest of
    # each chat row stayed beside the private answer, on stream.
    focus = start(env, sim)  # the devlog on, no reader: /help opens over the chat
    try:
        for n in range(ROWS):
            say(sim, OTTER, f"{n:02d} " + "x" * 70 + " EDGEWORD", f"long-{n}")
        focus.wait_for(lambda: in_pane(focus, f"{ROWS - 1:02d} xxx"), what="the pane full of long lines")
        focus.send("/help" + ENTER)
        focus.wait_for(lambda: "/help: shown over the chat" in desk(focus)[1], what="the overlay and the desk")
        assert not any("EDGEWORD" in row or "xxxx" in row for row in focus.rows()), focus.text()
        # Taken back while the overlay is open: gone when it closes.
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, f"long-{ROWS - 1}"))
        sim.notify("channel.chat.message_delete", payloads_chat.message_delete(OTTER, f"long-{ROWS - 2}"))
        say(sim, OTTER, "after the deletes")
        focus.send(ESC)
        focus.wait_for(lambda: in_pane(focus, "after the deletes"), what="the chat back")
        assert not in_pane(focus, f"{ROWS - 1:02d} xxx") and not in_pane(focus, f"{ROWS - 2:02d} xxx")
        first = commands.help_lines()[0].split()[0]
        assert not any(first in row for row in pane(focus))  # nothing of the overlay stays on the chat
        focus.send(CTRL_C)
        assert focus.exit_code(t(5)) == 0
    finally:
        focus.close()
