"""How every command line ends on a FocusError: one line on stderr, then the error's exit code.

The line is `prog: what happened (what to do)`, sanitized like anything else that reaches a terminal (an
error can quote what a server or a browser sent).  Ctrl-C and SIGTERM are each script's own business: they
end quietly with ExitStatus.OK (or the interrupted code of make auth).  stdout has one rule for every
script (`finish`): a reader that went away ends quietly, a stdout that cannot take the output is one line.
"""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
from typing import Callable, Sequence, TextIO

from focuslib.errors import FocusError
from focuslib.text import sanitize_lines


class Parser(argparse.ArgumentParser):
    """argparse's parser, except that a help text stdout cannot take raises, so `finish` tells it by the one
    rule: argparse swallows OSError when it prints, so `focus.py --help > /dev/full` ended 0 with nothing shown."""

    def _print_message(self, message: str, file: TextIO | None = None) -> None:  # type: ignore[override]
        if message and file is sys.stdout:
            file.write(message)
        else:  # stderr (a usage error): as argparse does
            super()._print_message(message, file)


def failed(prog: str, exc: FocusError, err: TextIO | None = None) -> int:
    """Tell the streamer what went wrong on `err` (stderr by default); the exit code to return."""
    stream = sys.stderr if err is None else err
    stream.write(f"{prog}: {sanitize_lines(str(exc))}\n")
    stream.flush()
    return int(exc.exit_status)


def not_text(argv: Sequence[str]) -> str:
    """The one line for an argument that is not UTF-8 ("" when all are): Python hands such bytes on as lone
    surrogates, which would be sent to Twitch as they are (`focus.py say $'\\xff'`)."""
    for k, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = ord(arg[exc.start])
            what = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
            return (f"argument {k} is not UTF-8 text ({what}); nothing was done: check your terminal's or "
                    "script's encoding")
    return ""


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
    _stdout_to_null()
    from focuslib.errors import ExitStatus

    return int(ExitStatus.OK)


# A stdout that cannot take what is written (`> /dev/full`, a quota, a file-size limit, a terminal gone).
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def finish(prog: str, main: Callable[[], int]) -> int:
    """Run a script's `main` and end it by one rule for stdout, whatever the script printed:

    * the reader went away (`focus.py links | head -1`): quietly, exit 0 (it took what it wanted);
    * stdout cannot take the output (`doctor > /dev/full`): one line on stderr, exit 1 (the output is lost);
    neither with a traceback, nor Python's "Exception ignored" and exit 120 when it flushes stdout at exit."""
    code = no_stdout(prog)
    if code is not None:
        return code
    from focuslib.errors import ExitStatus

    try:
        try:
            code = main()
        except SystemExit as exc:  # argparse's --help and usage errors end this way
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        sys.stdout.flush()  # here, not at exit: what is left in stdout's buffer may fail to go
        return code
    except BrokenPipeError:
        _stdout_to_null()
        return int(ExitStatus.OK)
    except OSError as exc:
        if exc.errno not in NO_ROOM:
            raise
        _stdout_to_null()
        sys.stderr.write(f"{prog}: stdout could not take the output ({exc.strerror})\n")
        sys.stderr.flush()
        return int(ExitStatus.ERROR)


def _stdout_to_null() -> None:
    """stdout writes to /dev/null from now on: what its buffer still holds goes there at exit (its file
    descriptor is pointed there, so no second stream is left open for the interpreter to warn about)."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # a stream without a descriptor (a test's): replace it
        sys.stdout = io.StringIO()
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass
