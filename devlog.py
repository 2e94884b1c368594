#!/usr/bin/env python3
"""devlog: every raw EventSub frame and lifecycle record focus sees (private terminal).  `python devlog.py --help`."""

import sys

from focuslib.cli.devlog import main

if __name__ == "__main__":
    sys.exit(main())
