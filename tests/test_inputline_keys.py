"""Keys that ended the input line or lost a draft (issue 22, items 7-9), in a real pseudo-terminal.

Ctrl-C or Ctrl-D during a history search quit focus and lost the draft; `ESC [31m` typed without
bracketed paste raised in prompt_toolkit's mouse handler and the input line was gone for the session;
a 5 MB paste took 15 s to be refused and stayed in the history file for good.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from test_inputline import CTRL_C, CTRL_D, ENTER, UP, open_pty, prompt_row  # noqa: F401  (a fixture)

CTRL_R, CTRL_S = "\x12", "\x13"


def paste(text: str) -> str:
    """What a terminal sends for a paste once the application asked for bracketed paste."""
    return "\x1b[200~" + text + "\x1b[201~"


@pytest.mark.parametrize("search, end", [(CTRL_R, CTRL_C), (CTRL_R, CTRL_D), (CTRL_S, CTRL_C), (CTRL_S, CTRL_D)],
                         ids=["ctrl-r ctrl-c", "ctrl-r ctrl-d", "ctrl-s ctrl-c", "ctrl-s ctrl-d"])
def test_ending_a_history_search_keeps_the_draft_and_focus(open_pty, search, end) -> None:
    focus = open_pty()
    focus.send("a draft worth keeping")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft worth keeping", what="the draft")
    focus.send(search)
    focus.wait_for(lambda: "i-search" in focus.text(), what="the search prompt")
    focus.send(end)
    focus.wait_for(lambda: prompt_row(focus) == "› a draft worth keeping", what="the draft back after the search")
    assert focus.proc.poll() is None
    focus.send(" still here")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft worth keeping still here", what="typing goes on")


def test_an_escape_sequence_typed_without_bracketed_paste_never_ends_the_input_line(open_pty) -> None:
    focus = open_pty()
    focus.send("before ")
    focus.wait_for(lambda: prompt_row(focus) == "› before", what="the draft")
    focus.send("\x1b[31m")  # read as a mouse report prompt_toolkit cannot parse
    focus.send("after")
    focus.wait_for(lambda: prompt_row(focus) == "› before after", what="the input line answering keys")
    assert "input line failed" not in "\n".join(focus.scrollback())
    focus.send(ENTER)
    focus.wait_text("DeskFox: before after")  # sent, and echoed by Twitch


def test_a_huge_paste_is_refused_at_once_and_never_kept_in_the_history(open_pty, env) -> None:
    focus = open_pty()
    begun = time.monotonic()
    focus.send(paste("x" * 5_000_000))
    focus.wait_text("! a paste of 5,000,000 characters is not put on the line: a chat message takes at most 500",
                    timeout=30)
    focus.wait_for(lambda: prompt_row(focus) == "›", what="an empty input line")
    assert focus.proc.poll() is None
    long_line = "y" * 700  # under the paste limit: on the line, refused when sent, kept for this run only
    focus.send(paste(long_line) + ENTER)
    focus.wait_text("! the message is 700 characters long; Twitch takes at most 500")
    focus.send(UP)
    focus.wait_for(lambda: "y" * 90 in focus.text(), what="the refused line back with the Up arrow")
    focus.send(CTRL_C + "/quit" + ENTER)  # Ctrl-C clears the line (into the history: this run's only)
    assert focus.exit_code() == 0
    history = (Path(env["FOCUS_DATA_DIR"]) / "input-history").read_text()
    assert "xxxxxxxxxx" not in history and long_line not in history and "/quit" in history
    assert time.monotonic() - begun < 60  # not a timing claim: a hang guard for the whole test
