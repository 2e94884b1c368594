#!/usr/bin/env python3
"""focus: Twitch chat and channel events, live, in your terminal.  `python focus.py --help`."""

import sys

from focuslib.cli.focus import main

if __name__ == "__main__":
    sys.exit(main())
