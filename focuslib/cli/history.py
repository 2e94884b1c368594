"""`focus.py history|questions|links|recap`: the chat history from any shell, no running focus needed.

Each opens a read connection of its own (WAL: a running focus keeps writing
meanwhile), prints sanitized lines on stdout, and on any trouble exits
non-zero with one line on stderr: 1 when there is nothing to show or the
database cannot be used, 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import Sequence

COMMANDS = ("history", "questions", "links", "recap")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_LIMIT = 100_000  # history --limit: more than a screen can show, far below what SQLite rejects
SINCE_RE = re.compile(r"^(\d+(?:\.\d+)?)([smhdw]?)$")


def parse_since(text: str) -> float:
    """`90s`, `10m`, `2h`, `1d`, `1w` or plain seconds -> seconds."""
    match = SINCE_RE.match(text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30m, 2h or 1d")
    return float(match.group(1)) * UNITS[match.group(2) or "s"]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    from focuslib.cli.exits import Parser
    from focuslib.cli.prog import prog

    parser = Parser(prog=prog(), description="Read focus's chat history from any shell.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def add_commands(sub: argparse._SubParsersAction) -> None:
    """history, questions, links and recap as subparsers of `sub` (here, and in the completion's tree)."""
    h = sub.add_parser("history", help="a user's last messages, first seen, count and moderation events")
    h.add_argument("user", help="login or display name (an @ in front is fine)")
    h.add_argument("--limit", type=int, default=20, metavar="N", help="messages to show (default 20)")
    q = sub.add_parser("questions", help="open questions to the streamer (a ? and @you, or !q)")
    q.add_argument("--since", type=parse_since, default=parse_since("1d"), metavar="DURATION",
                   help="how far back (default 1d)")
    q.add_argument("--done", type=int, nargs="+", metavar="N", help="mark questions N... answered")
    k = sub.add_parser("links", help="every link posted in chat, with who and when")
    k.add_argument("--since", type=parse_since, default=parse_since("1d"), metavar="DURATION",
                   help="how far back (default 1d)")
    r = sub.add_parser("recap", help="messages, chatters, follows, subs, bits, raids, top chatters, activity")
    r.add_argument("--since", type=parse_since, default=parse_since("2h"), metavar="DURATION",
                   help="how far back (default 2h)")


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    import sqlite3

    from focuslib.cli.exits import failed
    from focuslib.config import load_settings
    from focuslib.errors import ExitStatus, FocusError
    from focuslib.store import queries
    from focuslib.store import report
    from focuslib.store.schema import db_path, open_read, open_write
    from focuslib.store.writer import fault_line
    from focuslib.text import sanitize

    try:
        settings = load_settings()
        tag = " (demo)" if settings.demo else ""  # a running demo's history (playground.py)
        path = db_path(settings.data_dir)
        conn = open_read(path)
        try:
            now = time.time()
            if args.command == "history":
                if not 1 <= args.limit <= MAX_LIMIT:  # SQLite takes no integer past 2**63
                    print(f"focus: --limit must be between 1 and {MAX_LIMIT:,}", file=sys.stderr)
                    return int(ExitStatus.CONFIG)
                found = queries.history(conn, args.user, args.limit)
                if found is None:
                    print(f"focus: no history for {sanitize(args.user)} in {path}{tag}", file=sys.stderr)
                    return int(ExitStatus.ERROR)
                lines = report.history_lines(found, on_stream=False)
            elif args.command == "questions":
                open_ = queries.questions(conn, now - args.since)
                if args.done:
                    wrong = [n for n in args.done if not 1 <= n <= len(open_)]
                    if wrong:
                        print(f"focus: no open question {wrong[0]} (there are {len(open_)})", file=sys.stderr)
                        return int(ExitStatus.ERROR)
                    writer = open_write(path)
                    try:
                        queries.mark_done(writer, [open_[n - 1].id for n in args.done])
                    finally:
                        writer.close()
                    open_ = queries.questions(conn, now - args.since)
                lines = report.question_lines(open_, on_stream=False)
            elif args.command == "links":
                lines = report.link_lines(queries.links(conn, now - args.since), on_stream=False)
            else:
                # From the oldest record at most: the recap keeps a count per minute, and `--since 9999999w`
                # would otherwise ask for a list of billions of minutes.
                oldest = conn.execute("SELECT min(ts) FROM (SELECT min(ts) AS ts FROM messages UNION ALL "
                                      "SELECT min(ts) FROM events)").fetchone()[0]
                since = max(now - args.since, now if oldest is None else min(oldest, now))
                lines = report.recap_lines(queries.recap(conn, since, now))
        finally:
            conn.close()
    except FocusError as exc:
        return failed("focus", exc)
    except sqlite3.Error as exc:
        print(f"focus: {fault_line(exc)}; check {path}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    if tag and lines:
        lines[0] += tag
    if sys.stdout.isatty():  # a terminal folds a long line at column 0: fold it under its second column
        from focuslib.view.layout import fold
        from focuslib.settings import terminal_override
        from focuslib.view.terminal import terminal_size

        lines = [fold(line, terminal_size(terminal_override(os.environ)).columns) for line in lines]
    sys.stdout.write("\n".join(lines) + "\n")
    return int(ExitStatus.OK)
