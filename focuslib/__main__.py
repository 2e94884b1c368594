"""`python -m focuslib ...`: the `focus` command without installing it (focus --help)."""

import sys

from focuslib.cli.entry import module_main

if __name__ == "__main__":
    sys.exit(module_main())
