"""The memory commands typed into focus's input line, in a real pseudo-terminal (see tests/test_inputline.py)."""

from __future__ import annotations

from test_history_flow import ANN, BOB, CY, run_once, say
from test_inputline import ENTER, open_pty  # noqa: F401 -- the fixture


def test_release_ban_and_history_from_the_input_line(open_pty, sim, start_focus) -> None:
    run_once(sim, start_focus, [(ANN, "a regular from last time")])
    focus = open_pty(("--hold-new",), rows=40)
    say(sim, BOB, "first words, held")
    focus.wait_text("held: new chatter Bob (1 message): /release bob or /ban bob")
    assert "first words, held" not in focus.text()
    focus.send("/release bob" + ENTER)
    focus.wait_text("released Bob (1 message)")
    focus.wait_text("Bob: first words, held")
    say(sim, CY, "spam spam spam")
    focus.wait_text("held: new chatter Cy (1 message)")
    focus.send("/ban cy" + ENTER)
    focus.wait_text("discarded 1 held message from Cy")
    focus.send("/history ann" + ENTER)
    focus.wait_text("Ann: 1 message, first seen")
    focus.wait_text("a regular from last time")
    assert "spam spam spam" not in focus.text()
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0
    focus.wait_text("recap ")  # printed below the input line's last screen when focus stops
    recap = focus.text()[focus.text().index("recap "):]
    assert "  held          1 from 1 chatter, kept off stream and never released" in recap  # Cy's, banned
    assert "  released      1 from 1 chatter by /release" in recap  # Bob's


def test_what_release_puts_on_stream_is_what_delete_finds_next(open_pty, sim, start_focus) -> None:
    """Released messages reach the input line's recent chat like any message shown: `/delete` right after
    `/release` deletes the released one, the newest on stream (the history has it held until its next batch)."""
    run_once(sim, start_focus, [(ANN, "a regular from last time")])
    focus = open_pty(("--hold-new",), rows=40)
    bob_said = say(sim, BOB, "first words, held")
    focus.wait_text("held: new chatter Bob (1 message): /release bob or /ban bob")
    focus.send("/release bob" + ENTER)
    focus.wait_text("Bob: first words, held")
    focus.send("/delete" + ENTER)
    focus.wait_text("deleted Bob's message")
    assert [r.query["message_id"] for r in sim.requests_to("DELETE", "/helix/moderation/chat")] == [[bob_said]]
    focus.send("/quit" + ENTER)
    assert focus.exit_code() == 0
