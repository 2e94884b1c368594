"""How every command line ends on a FocusError: one line on stderr, then the error's exit code.

The line is `prog: what happened (what to do)`, sanitized like anything else that reaches a terminal (an
error can quote what a server or a browser sent).  Ctrl-C, SIGTERM and a closed pipe are each script's own
business: they end quietly with ExitStatus.OK (or the interrupted code of make auth).
"""

from __future__ import annotations

import sys
from typing import TextIO

from focuslib.errors import FocusError
from focuslib.text import sanitize_lines


def failed(prog: str, exc: FocusError, err: TextIO | None = None) -> int:
    """Tell the streamer what went wrong on `err` (stderr by default); the exit code to return."""
    stream = sys.stderr if err is None else err
    stream.write(f"{prog}: {sanitize_lines(str(exc))}\n")
    stream.flush()
    return int(exc.exit_status)


def no_stdout(prog: str) -> int | None:
    """With stdout closed (`focus.py >&-`) Python has no sys.stdout: say so in one line, and the exit code
    (ExitStatus.ERROR); None when there is a stdout."""
    if sys.stdout is not None:
        return None
    if sys.stderr is not None:
        sys.stderr.write(f"{prog}: stdout is closed (>&-), so there is nowhere to show anything\n"
                         "  -> run it in a terminal, or send its output somewhere: > file, or > /dev/null\n")
        sys.stderr.flush()
    from focuslib.errors import ExitStatus

    return int(ExitStatus.ERROR)


def reader_gone() -> int:
    """Whoever read our output went away (`focus config | head`): nothing left to do, and no error at exit
    (Python's last flush of a stdout whose reader is gone would print one)."""
    import os

    try:
        sys.stdout = open(os.devnull, "w")
    except OSError:
        pass
    from focuslib.errors import ExitStatus

    return int(ExitStatus.OK)
