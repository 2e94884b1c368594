"""`focus.py say|reply|ban|timeout|...`: talk back and moderate from any shell, no running focus needed.

Each command checks the token the way focus does (TWITCH_USER_ACCESS_TOKEN or
the token store of `make auth`, refreshed when expired), carries out one
command through the same executor as focus's input line, and prints one line:
what was done on stdout (exit 0), or why not on stderr (non-zero):
  1 nothing done (no such user, the network)   2 bad arguments or settings
  3 the token (missing scope: run make auth)   4 Twitch refused (its reason)
It never opens the devlog pipe, so a devlog nobody reads cannot block it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import NoReturn, Sequence

from focuslib.cli.exits import Parser
from focuslib.cli.options import ONE_SHOTS as COMMANDS  # noqa: F401  (the one-shots by name, for the tests)
from focuslib.cli.prog import prog
from focuslib.errors import ExitStatus
from focuslib.twitch import commands

EPILOG = """\
the one line says what was done, or why not; exit codes: 0 done, 1 not done (no such user, network),
2 bad arguments or settings, 3 token (run make auth), 4 Twitch refused (its reason is the line)
"""


class OneLineParser(Parser):
    """argparse, but a mistake is one line (exit 2), like every other failure here."""

    def error(self, message: str) -> NoReturn:
        print(f"focus: {message}; see {self.prog} --help", file=sys.stderr)
        raise SystemExit(int(ExitStatus.CONFIG))


def _build() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = OneLineParser(prog=prog(), description="Talk back and moderate from any shell.", epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    return parser, add_commands(sub)


def add_commands(sub: argparse._SubParsersAction) -> dict[str, argparse.ArgumentParser]:
    """Each one-shot command as a subparser of `sub` (its own parser here; the completion's tree too)."""
    subs: dict[str, argparse.ArgumentParser] = {}

    def add(name: str, note: str, *args: tuple[str, str]) -> argparse.ArgumentParser:
        spec = commands.find(name)  # the same help text as /help in focus (one table)
        help = (spec.help if spec is not None else "send a chat message") + (f" ({note})" if note else "")
        p = sub.add_parser(name, help=help, description=help, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        for arg, arg_help in args:
            p.add_argument(arg, help=arg_help)
        subs[name] = p
        return p

    user = ("user", "a Twitch login (an @ in front is fine)")
    add("say", "as the broadcaster, at most 500 characters",
        ("text", "the message (quote it; put -- first if it starts with -)"))
    add("reply", "their latest message in focus's chat history; none there: nothing is sent, exit 1", user,
        ("text", "the message"))
    add("ban", "", user).add_argument("--reason", default="", help="why (shown to mods)")
    add("timeout", "", user,
        ("duration", "30s, 10m, 1h, 2d or seconds")).add_argument("--reason", default="", help="why")
    add("untimeout", "", user)
    add("unban", "", user)
    add("delete", "found in focus's chat history").add_argument(
        "user", nargs="?", default=None, help="a Twitch login (leave it out: the latest message of anyone)")
    add("announce", "", ("text", "the announcement")).add_argument(
        "--color", choices=commands.COLORS, default="primary",
        help="blue, green, orange or purple (default: the channel's)")
    add("shoutout", "Twitch allows one per 2 min, the same channel once an hour", user)
    add("warn", "", user, ("reason", "why (required)"))
    add("clear", "needs --yes").add_argument(
        "--yes", action="store_true", help="required: it cannot be undone")
    add("slow", "", ("seconds", "seconds, or off"))
    add("followers", "", ("duration", "minutes (10, 10m, 1h, 1w; 0 = any follower), or off"))
    add("subs", "", ("state", "on or off"))
    add("emoteonly", "", ("state", "on or off"))
    add("raid", "", ("channel", "the channel's login"))
    add("shield", "each step one line").add_argument("state", nargs="?", default="on",
                                                     help="on (default) or off: off restores the chat settings")
    for name in ("vip", "unvip", "mod", "unmod"):
        add(name, "", user)
    add("mods", "")
    add("vips", "")
    add("marker", "the stream must be live").add_argument("description", nargs="?", default="",
                                                          help="what happened (at most 140 characters)")
    add("title", "", ("text", "the new title (quote it)"))
    add("game", "", ("name", "the category, searched (quote a name of several words)"))
    add("commercial", "").add_argument("seconds", nargs="?", default="30", help="30-180 (default 30)")
    add("unraid", "")
    add("whisper", "the text is never printed", user, ("text", "the whisper"))
    for name, what in (("poll", "choices"), ("prediction", "outcomes")):
        p = add(name, "", ("question", "the question (quote it)"))
        p.add_argument(what, nargs="+", help=f"the {what}, each one word or quoted")
        p.add_argument("--duration", default="2m", help="how long it runs (default 2m)")
    add("endpoll", "")
    add("endprediction", "", ("winner", "the winning outcome (its title or number), or cancel"))
    add("user", "a private card: printed here, never on stream", user)
    return subs


FREE_TEXT = {"marker": "description", "title": "text", "game": "name", "endprediction": "winner"}  # spaces and all


def command_of(args: argparse.Namespace) -> commands.Command:
    """The parsed arguments as a command record; CommandError (one line) when a value is wrong."""
    name = args.command
    if name == "say":
        return commands.Say(commands.message(args.text))
    if name == "reply":
        return commands.Reply(commands.login(args.user), commands.message(args.text))
    if name == "announce":
        return commands.Announce(commands.message(args.text, "announcement"), args.color)
    if name == "delete":
        return commands.Delete(commands.login(args.user) if args.user else None)
    if name == "shield":
        return commands.Shield(commands.on_off(args.state))
    if name in ("poll", "prediction"):
        question, choices = args.question.strip(), [c.strip() for c in getattr(args, "choices", None) or args.outcomes]
        if len(choices) == 1:  # "Tabs | Spaces" in one argument (make poll CHOICES=...)
            choices = [c.strip() for c in choices[0].split("|")]
        if '"' in question or any("|" in c for c in choices):
            raise commands.CommandError('the question may not hold a " nor a choice a |')
        return commands.parse(f'/{name} "{question}" {" | ".join(choices)} {args.duration}')
    if name in FREE_TEXT:
        return commands.parse(f"/{name} {getattr(args, FREE_TEXT[name]).strip()}")
    if name == "whisper":
        return commands.Whisper(commands.login(args.user), commands.message(args.text, "whisper"))
    if name == "clear":
        if not args.yes:
            raise commands.CommandError("clear deletes every message in the chat and cannot be undone; add --yes")
        return commands.Clear()
    spec = commands.find(name)
    assert spec is not None
    one_word = {"ban": ["user"], "timeout": ["user", "duration"], "warn": ["user"], "untimeout": ["user"],
                "unban": ["user"], "shoutout": ["user"], "raid": ["channel"], "slow": ["seconds"],
                "followers": ["duration"], "subs": ["state"], "emoteonly": ["state"], "vip": ["user"],
                "unvip": ["user"], "mod": ["user"], "unmod": ["user"], "user": ["user"], "commercial": ["seconds"],
                "mods": [], "vips": [], "unraid": [], "endpoll": []}[name]
    for key in one_word:  # the grammar splits on spaces: "a b" as USER must not shift into the reason
        value = getattr(args, key)
        if len(value.split()) != 1:
            raise commands.CommandError(f"{key.upper()} must be one word, not {value.strip()[:40]!r}")
    words = [getattr(args, key) for key in one_word] + [getattr(args, "reason", "")]
    try:
        return spec.parse(" ".join(w.strip() for w in words if w.strip()))
    except commands.CommandError as exc:
        raise commands.CommandError(str(exc) or f"usage: {prog()} {spec.usage[1:]}") from None


def main(argv: Sequence[str]) -> int:
    parser, _ = _build()
    args = parser.parse_args(argv)
    try:
        command = command_of(args)
    except commands.CommandError as exc:
        print(f"focus: {exc}", file=sys.stderr)
        return int(ExitStatus.CONFIG)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _run(command)
    except KeyboardInterrupt:
        print("focus: interrupted; nothing more was sent", file=sys.stderr)
        return 130


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(command: commands.Command) -> int:
    from focuslib.auth.identity import MOCK_HAS_NO_CHAT, identify, token_holder, twitch_cli_mock
    from focuslib.auth.tokens import Redactor
    from focuslib.config import load_settings
    from focuslib.errors import FocusError
    from focuslib.net.client import HttpClient, NetworkError
    from focuslib.net.helix import Helix
    from focuslib.runtime.execute import Executor
    from focuslib.text import sanitize, sanitize_lines

    def waiting(text: str) -> None:
        if text and sys.stderr.isatty():  # a person watching: say why it pauses (not a line in a script's log)
            print(f"focus: {sanitize(text)}", file=sys.stderr)

    redactor = Redactor()  # an answer that quotes a token shows it masked (net/client.py)
    http = HttpClient(redact=redactor)
    tag = ""  # " (demo)" while a demo runs: the command acted on its simulated channel (playground.py)
    try:
        settings = load_settings()
        tag = " (demo)" if settings.demo else ""
        if twitch_cli_mock(settings):
            print(f"focus: {MOCK_HAS_NO_CHAT}", file=sys.stderr)
            return int(ExitStatus.CONFIG)
        redactor.add(settings.secret, settings.access_token, settings.refresh_token)
        holder = token_holder(settings, http, redactor)
        # No `wait`: an unreachable Twitch is one line now, not focus's patient retries.
        info = identify(settings, http, holder).info
        helix = Helix(http, settings.api_url, settings.client_id, holder, on_wait=waiting)
        broadcaster = settings.user_id or info.user_id
        recent = history = None
        if isinstance(command, commands.UserCard):  # the card reads focus's history too (read-only)
            from focuslib.store.schema import db_path

            history = db_path(settings.data_dir)
        if isinstance(command, (commands.Reply, commands.Delete)):  # the message comes from focus's history (read-only)
            from focuslib.runtime.recent import StoredRecent
            from focuslib.store.schema import db_path

            recent = StoredRecent(db_path(settings.data_dir), broadcaster)
        from focuslib.runtime.shield import ShieldPlan
        from focuslib.settings import value

        shield = ShieldPlan(settings.data_dir, value(settings.env, "FOCUS_SHIELD_FOLLOW_MINUTES")) \
            if isinstance(command, commands.Shield) else None
        executor = Executor(helix, broadcaster, info.user_id, recent=recent, status=waiting, shield=shield,
                            history=history)
        outcome = executor.execute(command)
        if not holder.save_pending():  # refreshed on the way, and the disk had no room for it
            print(f"focus: the refreshed token could not be saved ({sanitize(holder.unsaved)}); the next command "
                  "uses the older one: free disk space, and run make auth if Twitch refuses it", file=sys.stderr)
    except NetworkError as exc:  # its hint speaks of focus's retries; a one-shot does not retry
        print(f"focus: {sanitize(exc.message)}; nothing was sent{tag}", file=sys.stderr)
        return int(ExitStatus.ERROR)
    except FocusError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        print(f"focus: {sanitize(exc.message + hint)}{tag}", file=sys.stderr)
        return int(exc.exit_status)
    finally:
        http.close()
    if outcome.steps:  # a command of steps (shield): what was done on stdout, what failed on stderr, in order
        for ok, line in outcome.steps:
            if ok:
                _print_done(sanitize(line) + tag)
            else:
                print(f"focus: {sanitize(line)}{tag}", file=sys.stderr, flush=True)
    elif outcome.ok:
        _print_done(sanitize_lines(outcome.text) + tag)  # one line, or a card (/user) of several
    else:
        print(f"focus: {sanitize(outcome.text)}{tag}", file=sys.stderr)
    if outcome.ok:
        return int(ExitStatus.OK)
    if "run make auth" in outcome.text:
        return int(ExitStatus.AUTH)
    return int(ExitStatus.TWITCH) if outcome.status else int(ExitStatus.ERROR)


def _print_done(line: str) -> None:
    """What was done, on stdout; a stdout that cannot take it (a full disk, a closed pipe) is one line on
    stderr, not a traceback: it was done all the same, so the exit code stays 0 (a script that retried
    would do it twice)."""
    try:
        print(line, flush=True)
    except OSError as exc:
        try:  # the line stays in stdout's buffer: Python's flush at exit would fail (and say so) again
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        print(f"focus: {line}, but stdout could not take this line ({exc.strerror or type(exc).__name__})",
              file=sys.stderr)
