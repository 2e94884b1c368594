#!/usr/bin/env python3
"""focus: Twitch chat and channel events, live, in your terminal.  `python focus.py --help`."""

import sys

if __name__ == "__main__":
    # Ctrl-C at any moment of start-up, even while modules load, ends quietly with 0 like any other Ctrl-C.
    try:
        from focuslib.cli.bootstrap import ensure

        ensure(__file__, "focus")  # the wrong Python: the checkout's .venv runs it, or one line says what to do
        from focuslib.cli.exits import finish
        from focuslib.cli.focus import main

        sys.exit(finish("focus", main))
    except KeyboardInterrupt:
        sys.exit(0)
