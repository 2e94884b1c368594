"""The test terminal itself (tests/ptyterm.py): a wait on its screen ends on what the terminal printed."""

from __future__ import annotations

import sys

from conftest import t
from ptyterm import PtyFocus


def test_a_wait_sees_what_the_terminal_printed_while_its_predicate_was_looking(tmp_path):
    # A program that reads and never writes: the terminal's own echo of what is typed is all it prints.
    term = PtyFocus({}, argv=[sys.executable, "-c", "import sys; sys.stdin.read()"], cwd=tmp_path)
    looks: list[str] = []

    def predicate() -> bool:
        looks.append(term.text())
        if len(looks) == 1:
            # While the predicate runs, the echo arrives and is read in full; nothing is printed after it.
            term.send(b"ping\r")
            with term._cond:
                assert term._cond.wait_for(lambda: b"ping\r\n" in term.raw, t(10))
            return False
        return "ping" in looks[-1]

    try:
        # Only a missed wake-up could make this wait long: it would last until pytest's timeout fails it.
        assert term.wait_for(predicate, timeout=3600 / t(1), what="the echo")
        assert len(looks) == 2
    finally:
        term.close()
