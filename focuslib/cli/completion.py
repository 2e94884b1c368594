"""`focus completion bash|zsh`: Tab completion of the commands, options, event groups and recent chatters.

argcomplete (a well-kept library, in requirements.txt) does the shell side: the script it prints calls
`focus` again on each Tab with `_ARGCOMPLETE` set, and `complete` answers from the same argparse tree the
commands parse with (each command module adds its own part), so a new option is completed the day it exists.
Chatters come from the history (the demo's while a demo runs), newest first; nothing is ever printed on a Tab
but the candidates.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Iterable, Iterator, Sequence

SHELLS = ("bash", "zsh")
CHATTERS = 200  # recent chatters offered for a USER argument
SCANNED = 5000  # the newest messages they are taken from: a Tab reads these by the time index, never the whole history
# Newest first by messages_ts: a bounded walk down the index.  GROUP BY login ORDER BY max(ts) sorted the whole
# history on every Tab (3.5 s at a million messages).
RECENT_LOGINS = "SELECT login FROM messages ORDER BY ts DESC LIMIT ?"
USER_ARGUMENTS = ("user",)  # the dest of every argument that names a chatter


def tree() -> argparse.ArgumentParser:
    """Every command and option of `focus`, as one argparse tree (only completion parses with it)."""
    from focuslib.cli import auth, devlog, history, oneshot
    from focuslib.cli.options import RUN_COMMANDS, add_run_options

    top = argparse.ArgumentParser(prog="focus")
    add_run_options(top)
    sub = top.add_subparsers(dest="command")
    for name in RUN_COMMANDS[1:]:
        sub.add_parser(name)
    devlog.add_arguments(sub.add_parser("devlog"))
    auth.add_arguments(sub.add_parser("auth"))
    history.add_commands(sub)
    oneshot.add_commands(sub)
    sub.add_parser("config")
    auth.add_arguments(sub.add_parser("setup"))  # its sign-in takes focus auth's options
    sub.add_parser("completion").add_argument("shell", choices=SHELLS)
    for parser in _parsers(top):
        for action in parser._actions:
            if action.dest in USER_ARGUMENTS:
                action.completer = chatters  # type: ignore[attr-defined]
            elif "--events" in action.option_strings:
                action.completer = event_groups  # type: ignore[attr-defined]
    return top


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _parsers(child)


def event_groups(prefix: str, **_: Any) -> list[str]:
    """`--events chat,fo<Tab>`: the groups not yet in the comma-separated list, after what is typed."""
    from focuslib.twitch.subscriptions import GROUPS

    done, _, last = prefix.rpartition(",")
    taken = set(done.split(",")) if done else set()
    head = f"{done}," if done else ""
    return [head + group for group in GROUPS if group.startswith(last) and group not in taken]


def chatters(prefix: str, **_: Any) -> list[str]:
    """The logins that chatted most recently (the history of the demo while one runs, else yours)."""
    return [login for login in recent_logins() if login.startswith(prefix.lstrip("@").lower())]


def recent_logins(limit: int = CHATTERS) -> list[str]:
    """Logins from the history, most recent first; none when there is no readable history (never an error)."""
    import sqlite3

    from focuslib.config import load_settings
    from focuslib.errors import FocusError
    from focuslib.store.schema import db_path, open_read
    from focuslib.text import sanitize

    try:
        conn = open_read(db_path(load_settings().data_dir))
    except (FocusError, sqlite3.Error, OSError):
        return []
    try:
        rows = conn.execute(RECENT_LOGINS, (SCANNED,)).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    logins = dict.fromkeys(login for (login,) in rows if login and sanitize(login) == login and " " not in login)
    return list(logins)[:limit]


def complete() -> None:
    """Answer a shell's completion request (argcomplete writes the candidates and ends the process)."""
    import argcomplete

    argcomplete.autocomplete(tree())


def shell_code(shell: str, names: Iterable[str] = ("focus",)) -> str:
    import argcomplete

    return argcomplete.shellcode(list(names), shell=shell)


def main(argv: Sequence[str]) -> int:
    from focuslib.cli.prog import prog

    parser = argparse.ArgumentParser(
        prog=prog("completion"), description="Print the shell code that completes focus's commands on Tab.",
        epilog='bash: eval "$(focus completion bash)" in ~/.bashrc\n'
               'zsh:  eval "$(focus completion zsh)" in ~/.zshrc (after compinit)',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shell", choices=SHELLS)
    args = parser.parse_args(argv)
    sys.stdout.write(shell_code(args.shell))
    return 0
