"""Keep every question chat asks you in a file, one line each, to answer after the stream.

    .venv/bin/python examples/questions_to_file.py questions.txt          # your channel
    .venv/bin/python examples/questions_to_file.py questions.txt --demo   # the running make demo

A question is what focus's question inbox counts (a `?` and @you, or a leading `!q `).  The text is
sanitized before it is written, so `cat questions.txt` can never drive your terminal.  Ctrl-C stops it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

try:
    import focuslib
except ImportError:  # run from a clone without pip install: the checkout is one folder up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import focuslib


def main(argv: list[str]) -> int:
    files = [arg for arg in argv if not arg.startswith("--")]
    if len(files) != 1:
        print("usage: questions_to_file.py FILE [--demo]", file=sys.stderr)
        return 2
    with focuslib.connect(demo="--demo" in argv, events="chat") as chat, open(files[0], "a", encoding="utf-8") as out:
        print(f"writing questions to {files[0]} (Ctrl-C to stop)", flush=True)
        for event in chat:
            if isinstance(event, focuslib.ChatMessage) and focuslib.is_question(event):
                who = focuslib.sanitize(event.chatter.display)
                out.write(f"{time.strftime('%H:%M')} {who}: {focuslib.sanitize(event.text)}\n")
                out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except focuslib.FocusError as exc:  # no settings, no token, Twitch unreachable: what to do, no traceback
        hint = f"\n  -> {focuslib.sanitize(exc.hint)}" if exc.hint else ""
        print(f"questions_to_file.py: {focuslib.sanitize(exc.message)}{hint}", file=sys.stderr)
        sys.exit(int(exc.exit_status))
    except KeyboardInterrupt:
        sys.exit(0)
