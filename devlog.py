#!/usr/bin/env python3
"""devlog: every raw EventSub frame and lifecycle record focus sees (private terminal).  `python devlog.py --help`."""

import sys

if __name__ == "__main__":
    # Ctrl-C at any moment of start-up, even while modules load, ends quietly with 0 like any other Ctrl-C.
    try:
        from focuslib.cli.bootstrap import ensure

        ensure(__file__, "devlog")  # the wrong Python: the checkout's .venv runs it, or one line says what to do
        from focuslib.cli.exits import finish
        from focuslib.cli.devlog import main

        sys.exit(finish("devlog", main))
    except KeyboardInterrupt:
        sys.exit(0)
