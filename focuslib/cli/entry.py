"""The `focus` command (installed by pip, pipx or uv) and `python -m focuslib`: focus.py's command line.

Every subcommand of a clone's three scripts is here: `focus` shows chat, `focus devlog` is devlog.py,
`focus auth` is auth_server.py, and the rest is focus.py's (`focus say ...`, `focus history ...`).
"""

from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None, prog: str = "focus") -> int:
    # Ctrl-C at any moment of start-up, even while modules load, ends quietly like any other Ctrl-C
    # (`focus auth` says 130 itself: nothing was done).
    try:
        from focuslib.cli import prog as names
        from focuslib.cli.exits import finish
        from focuslib.cli.focus import main as focus_main

        names.PROG = prog
        return finish(prog, lambda: focus_main(argv))  # stdout's one rule (cli/exits.py)
    except KeyboardInterrupt:
        return 0


def module_main() -> int:
    """`python -m focuslib`."""
    return main(prog="python -m focuslib")


if __name__ == "__main__":
    sys.exit(main())
