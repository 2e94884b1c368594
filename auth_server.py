#!/usr/bin/env python3
"""auth_server.py (make auth): connect focus to your Twitch account once.

Runs Twitch's authorization code flow with a small local web server on
TWITCH_REDIRECT_URI (default http://localhost:3000), or the device code flow
with --device, and saves the token in focus's token store.  See --help.
"""

from __future__ import annotations

import sys
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from focuslib.cli.auth import main as run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
