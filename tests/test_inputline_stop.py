"""Every way to stop focus with its input line ends within 2 s on a slow terminal (issue 22, item 6).

The input line's writer handed the whole backlog to the prompt's loop in one write, and the loop reads no
key while it writes: after a raid, a terminal taking 80 KiB/s held Ctrl-C, Ctrl-D and /quit for 89 s
(SIGTERM, a signal, stopped focus in 1.9 s).  Here the pty's reader takes 100 KiB/s.
"""

from __future__ import annotations

import pytest

from conftest import N_SUBS, t
from ptyterm import PtyFocus
from test_inputline import CTRL_C, CTRL_D, ENTER, prompt_row

pytestmark = pytest.mark.xdist_group("serial")


@pytest.mark.parametrize("keys", [CTRL_C, CTRL_D, "/quit" + ENTER], ids=["ctrl-c", "ctrl-d", "quit"])
def test_stopping_from_the_input_line_never_waits_for_a_slow_terminals_backlog(env, sim, keys) -> None:
    focus = PtyFocus(env, ["--no-devlog", "--no-timestamps", "--no-history"])
    try:
        focus.wait_text("subscribed", 20)
        session = sim.wait_subscribed(N_SUBS, t(15))
        focus.wait_for(lambda: prompt_row(focus) == "›", what="the input line")
        focus.read_rate = 100 * 1024
        # What arrives and when focus exits count from here, not how the screen looks: the VT emulator's ~20 us
        # a byte was most of the test's CPU (and made the terminal slower than its 100 KiB/s on a loaded machine).
        focus.emulating = False
        frames, _ = sim.burst_frames(20_000, session)  # ~2.5 MB to draw: 25 s for this terminal
        sim.send_frames(frames, session)
        focus.wait_raw(b" #200\r\n", 30)  # the terminal is drawing the burst, slowly
        focus.send(keys)
        assert focus.exit_code(timeout=5) == 0  # within 2 s (scaled, with room for a loaded machine)
    finally:
        focus.close()
