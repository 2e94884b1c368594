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
    from focuslib.cli.exits import finish

    return finish("auth", lambda: run(argv))


if __name__ == "__main__":
    # Ctrl-C at any moment of start-up, even while modules load: nothing was done, 130 (see ExitStatus).
    try:
        from focuslib.cli.bootstrap import ensure

        ensure(__file__, "auth")  # the wrong Python: the checkout's .venv runs it, or one line says what to do
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
