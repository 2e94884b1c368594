"""Screen mode at the terminal's edges, in a real pseudo-terminal read with pyte: a terminal with no row left for
the pane, and a pane narrower than what it draws."""

from __future__ import annotations

from conftest import t
from test_inputline import open_pty  # noqa: F401  (a fixture)
from test_screen_mode import CTRL_C, OTTER, in_pane, say, screen  # noqa: F401  (screen: a fixture)


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
    assert focus.proc.poll() is None
    focus.send(CTRL_C)
    assert focus.exit_code(t(5)) == 0
