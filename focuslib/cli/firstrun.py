"""`focus setup` (make setup): a real channel's first run in one place.

It asks for the app's client id, its secret (typed without echo) and the OAuth Redirect URL (checked: http,
this computer, a port the sign-in can listen on), writes them to $XDG_CONFIG_HOME/focus/config.env (0600
in a 0700 directory, atomically, every other line kept), then runs the sign-in of `focus auth`.  Enter
keeps what is there, so running it again changes only what you change; a second sign-in is asked for.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from focuslib.cli.exits import Parser
from focuslib.config import DEFAULT_REDIRECT_URI, ENVIRONMENT, config_file, ensure_private_dir, is_plain_secret
from focuslib.config import load_settings, sources
from focuslib.errors import ConfigError, ExitStatus, FocusError
from focuslib.text import sanitize

ASKED = ("TWITCH_CLIENT_ID", "TWITCH_SECRET", "TWITCH_REDIRECT_URI")
INTRO = """\
focus setup: your Twitch app and sign-in, saved in
  {path}
First register an application at https://dev.twitch.tv/console/apps (once):
any name, OAuth Redirect URL {redirect}, category "Chat Bot",
client type Confidential.  Then give its client id and a new secret here.
Enter keeps the value in [brackets]; Ctrl-C stops without changing anything.
"""


class SetupStopped(Exception):
    """Ctrl-C or the end of input at a question: nothing more is changed."""


def main(argv: Sequence[str]) -> int:
    from focuslib.cli.auth import add_arguments
    from focuslib.cli.prog import prog

    parser = Parser(prog=prog("setup"), description=__doc__.splitlines()[0],
                    epilog="the sign-in options are those of focus auth")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("focus: setup asks questions: run it in a terminal (or write the settings into "
              f"{config_file()} yourself)", file=sys.stderr)
        return int(ExitStatus.CONFIG)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        changed = ask_and_save(input, getpass.getpass, print)
        return sign_in(args, changed, input, print)
    except SetupStopped:
        print("\nsetup stopped; nothing more was changed.")
        return int(ExitStatus.INTERRUPTED)
    except FocusError as exc:
        from focuslib.cli.exits import failed

        return failed("focus", exc)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _asking(ask: Callable[[str], str], prompt: str) -> str:
    try:
        return ask(prompt).strip()
    except (KeyboardInterrupt, EOFError):
        raise SetupStopped from None


def ask_and_save(ask: Callable[[str], str], ask_secret: Callable[[str], str], say: Callable[[str], None]
                 ) -> set[str]:
    """Ask the three questions and write what changed; the names that changed."""
    path = config_file()
    have = _file_values(path)
    say(INTRO.format(path=path, redirect=have.get("TWITCH_REDIRECT_URI") or DEFAULT_REDIRECT_URI))
    new: dict[str, str] = {}
    while True:
        value = _asking(ask, _prompt("Client ID", have.get("TWITCH_CLIENT_ID", ""))) or have.get("TWITCH_CLIENT_ID", "")
        if value and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
            new["TWITCH_CLIENT_ID"] = value
            break
        say("  a client id is letters and digits (dev.twitch.tv/console/apps, Manage, Client ID)")
    while True:
        kept = "set; Enter keeps it" if have.get("TWITCH_SECRET") else ""
        value = _asking(ask_secret, f"Client secret (not shown as you type){f' [{kept}]' if kept else ''}: ")
        value = value or have.get("TWITCH_SECRET", "")
        if value and is_plain_secret(value):
            new["TWITCH_SECRET"] = value
            break
        say("  paste the secret as one line (dev.twitch.tv/console/apps, Manage, New Secret)")
    while True:
        current = have.get("TWITCH_REDIRECT_URI") or DEFAULT_REDIRECT_URI
        value = _asking(ask, _prompt("OAuth Redirect URL", current)) or current
        problem = redirect_problem(value)
        if problem is None:
            new["TWITCH_REDIRECT_URI"] = value
            break
        say(f"  {problem}")
    changed = {name for name, value in new.items() if have.get(name) != value}
    if changed:
        write_config(path, {name: new[name] for name in ASKED if name in changed})
        say(f"Saved {', '.join(name for name in ASKED if name in changed)} in {path} (only you can read it).")
    else:
        say(f"Nothing changed in {path}.")
    for source in sources():
        if source.origin != str(path.absolute()):
            for name in ASKED:
                if source.values.get(name, "").strip():
                    where = "the environment" if source.origin == ENVIRONMENT else source.origin
                    say(f"! {name} is also set in {where}, which wins over {path}: remove it there to use this one")
    return changed


def _prompt(question: str, current: str) -> str:
    return f"{question} [{sanitize(current)}]: " if current else f"{question}: "


def redirect_problem(uri: str) -> str | None:
    """Why `uri` cannot be focus's OAuth Redirect URL, or None when the sign-in can use it."""
    from focuslib.auth.codeflow import parse_redirect
    from focuslib.config import Settings

    try:
        redirect = parse_redirect(Settings.from_env({"TWITCH_REDIRECT_URI": uri}).redirect_uri)
    except ConfigError as exc:
        return f"{sanitize(uri)} will not do: {exc.hint or exc.message}"
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the sign-in's server binds: a listener fails
    try:
        probe.bind(("127.0.0.1", redirect.port))
    except PermissionError:
        return f"port {redirect.port} needs root to listen on: use a port above 1023, e.g. {DEFAULT_REDIRECT_URI}"
    except OSError:
        return (f"another program listens on port {redirect.port} now: stop it, or register another port "
                f"(e.g. http://localhost:3017) at dev.twitch.tv and give that")
    finally:
        probe.close()
    return None


def _file_values(path: Path) -> dict[str, str]:
    for source in sources():
        if source.origin == str(path.absolute()):
            return {name: value.strip() for name, value in source.values.items()}
    return {}


def write_config(path: Path, values: dict[str, str]) -> None:
    """Set `values` in the config file, keeping every other line; 0600 in a 0700 directory, atomically."""
    ensure_private_dir(path.parent, "XDG_CONFIG_HOME")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = ["# focus settings (focus setup writes this file; focus config shows what is in effect)"]
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", "fix or remove it, then run focus setup again") from None
    left = dict(values)
    for k, line in enumerate(lines):
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if match and match.group(1) in left:
            lines[k] = _assignment(match.group(1), left.pop(match.group(1)))
    lines += [_assignment(name, value) for name, value in left.items()]
    fd, tmp = tempfile.mkstemp(prefix=".config.env.", dir=path.parent)  # 0600 from the first byte
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ConfigError(f"cannot write {path}: {exc.strerror}", "check the directory's permissions") from None


def _assignment(name: str, value: str) -> str:
    # Single quotes: python-dotenv expands no ${...} inside them; \ and ' are escaped.
    return f"{name}='" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sign_in(args: argparse.Namespace, changed: set[str], ask: Callable[[str], str], say: Callable[[str], None]
            ) -> int:
    """Run focus auth's sign-in now, when wanted: asked first when a token is already stored."""
    from focuslib.auth.store import TokenStore
    from focuslib.cli.auth import run

    settings = load_settings(playground=False)  # your account, even while a demo plays beside it
    try:
        stored = TokenStore(settings.data_dir, settings.require_client_id()).load()
    except FocusError:  # a damaged store: signing in writes a new one
        stored = None
    if stored is not None and not changed & {"TWITCH_CLIENT_ID", "TWITCH_SECRET"}:
        answer = _asking(ask, f"Signed in already ({sanitize(stored.login or stored.user_id)}). Sign in again? [y/N] ")
        if answer.lower() not in ("y", "yes"):
            say("Done.  Next: focus (chat), focus devlog (a private terminal), focus doctor (checks everything)")
            return int(ExitStatus.OK)
    say("Signing in with Twitch ...")
    return run(settings, args, sys.stdout, sys.stderr)
