"""The name a command line calls itself in its help and errors: `focus` when installed, `focus.py` in a clone.

The console script (`focus`) and `python -m focuslib` set PROG before anything parses; the scripts of a
clone (`python focus.py ...`) keep the name a person typed there.
"""

from __future__ import annotations

PROG = "focus.py"


def prog(command: str = "") -> str:
    """`focus say`, `focus.py say`, or the bare name without a command."""
    return f"{PROG} {command}" if command else PROG
