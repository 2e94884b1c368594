"""Ring the terminal bell on every follow, sub and raid, with the line focus would draw for it.

    .venv/bin/python examples/bell_on_follow.py           # your channel (the settings focus config shows)
    .venv/bin/python examples/bell_on_follow.py --demo    # the running make demo (or a demo of its own)

Ctrl-C stops it.  Built on focuslib.connect (docs/python.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import focuslib
except ImportError:  # run from a clone without pip install: the checkout is one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import focuslib


def main(argv: list[str]) -> int:
    with focuslib.connect(demo="--demo" in argv, events="follows,subs,raids") as chat:
        print("listening for follows, subs and raids (Ctrl-C to stop)", flush=True)
        for event in chat:
            if isinstance(event, (focuslib.Follow, focuslib.Subscribe, focuslib.SubscriptionGift,
                                  focuslib.ChannelRaid)):
                print("\a" + chat.line(event), flush=True)  # the line is sanitized: safe in any terminal
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except focuslib.FocusError as exc:  # no settings, no token, Twitch unreachable: what to do, no traceback
        hint = f"\n  -> {focuslib.sanitize(exc.hint)}" if exc.hint else ""
        print(f"bell_on_follow.py: {focuslib.sanitize(exc.message)}{hint}", file=sys.stderr)
        sys.exit(int(exc.exit_status))
    except KeyboardInterrupt:
        sys.exit(0)
