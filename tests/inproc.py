"""`python SCRIPT ARGS` run inside the test process, through the script's `main(argv)`.

A subprocess costs ~0.2 s of CPU for the interpreter and its imports; the suite ran over 400 of them, most
to check an argument, an exit code or a one-line error, which the script's `main` decides the same way in
this process.  `run` gives that run what a real process would have -- its own environment (nothing else),
its working directory, an empty stdin, stdout and stderr as pipes (not terminals), `sys.argv`, and the
signal handlers it installs undone afterwards -- and returns what `subprocess.run(..., capture_output=True,
text=True)` returns.  An exception that escapes `main` is printed as the interpreter would (a traceback on
stderr, exit code 1), so "no traceback" assertions keep their meaning.

What only a real process shows stays a subprocess test: signals, a closed or full stdout, a broken import,
a pseudo-terminal, two processes sharing a file, and a full focus run (its stop guard may `os._exit`).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Callable, Iterator, Sequence

from conftest import ROOT
from secret_guard import seen

_SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGWINCH,
                        signal.SIGCONT) if s is not None]


def _focus(argv: Sequence[str]) -> int:
    from focuslib.cli.focus import main

    return main(list(argv))


def _devlog(argv: Sequence[str]) -> int:
    from focuslib.cli.devlog import main

    return main(list(argv))


def _auth(argv: Sequence[str]) -> int:
    from focuslib.cli.auth import main

    return main(list(argv))


def _focuslib(argv: Sequence[str]) -> int:
    from focuslib.cli.entry import main

    return main(list(argv), prog="python -m focuslib")


def _sim(argv: Sequence[str]) -> int:
    from focuslib.sim.__main__ import main

    return main(list(argv))


# By script, or by module for `python -m MODULE`.
MAINS: dict[str, Callable[[Sequence[str]], int]] = {"focus.py": _focus, "devlog.py": _devlog,
                                                     "auth_server.py": _auth, "focuslib": _focuslib,
                                                     "focuslib.sim": _sim}


class _Pipe(io.TextIOWrapper):
    """A text stream over bytes, like a pipe's: not a terminal, no file descriptor."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", write_through=True)

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode("utf-8", errors="replace")  # type: ignore[attr-defined]


@contextlib.contextmanager
def _process(env: dict[str, str], cwd: Path, argv0: str) -> Iterator[tuple[_Pipe, _Pipe]]:
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_argv = sys.argv
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_handlers = {s: signal.getsignal(s) for s in _SIGNALS}
    out, err = _Pipe(), _Pipe()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = [argv0]
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), out, err
    try:
        yield out, err
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        for s, handler in saved_handlers.items():
            if handler is not None:
                signal.signal(s, handler)


def run(script: str, args: Sequence[str], env: dict[str, str], *, cwd: Path = ROOT,
        argv0: str | None = None) -> subprocess.CompletedProcess[str]:
    """What `subprocess.run([python, SCRIPT, *args], env=env, cwd=cwd, capture_output=True, text=True)` gives,
    run in this process; both outputs are checked for secrets (tests/secret_guard.py)."""
    main = MAINS[Path(script).name]
    with _process(env, cwd, argv0 or str(ROOT / Path(script).name)) as (out, err):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's usage errors and --help, or a sys.exit on the way
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                code = 1
        except BaseException:  # what the interpreter would print for an uncaught exception
            traceback.print_exc(file=sys.stderr)
            code = 1
    done = subprocess.CompletedProcess([sys.executable, script, *args], code, out.text(), err.text())
    seen(f"{script} stdout", done.stdout)
    seen(f"{script} stderr", done.stderr)
    return done
