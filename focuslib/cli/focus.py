"""focus.py's command line (kept in the package so it is compiled once, not on every start)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Mapping

    from focuslib.runtime.setup import Options

EPILOG = """\
settings (the first place that sets one wins: the environment, ./.env, then {config};
`focus config` shows each with its value and where it came from):
{settings}

commands:
  {prog:<8}            show chat and events (Ctrl-C to stop); in a terminal, type under the chat:
                      text is sent as chat, /help lists the commands, Tab completes
  {prog:<8} --demo     the same against the built-in simulated Twitch, no account needed
  {prog:<8} devlog     every raw event focus sees, for a second, private terminal (devlog --help)
  {prog:<8} auth       connect focus to your Twitch account once (auth --help; make auth)
  {prog:<8} stop       stop a focus running in another terminal
  {prog:<8} doctor     check settings, token, scopes, Twitch and the devlog pipe, one line each
  {prog:<8} logout     revoke the stored token at Twitch and delete it from this computer
  {prog} history USER [--limit N]   a chatter's last messages, first seen, count, timeouts and bans
  {prog} questions [--since 1d] [--done N]   open questions to you (a ? and @you, or !q)
  {prog} links [--since 1d]         every link posted in chat, with who and when
  {prog} recap [--since 2h]         messages, chatters, follows, subs, bits, raids, top chatters
  {prog} say TEXT | reply USER TEXT | ban USER [--reason R] | timeout USER DURATION [--reason R]
           untimeout USER | unban USER | delete [USER] | announce TEXT [--color C] | shoutout USER
           warn USER REASON | clear --yes | slow SECONDS|off | followers DURATION|off | subs on|off
           emoteonly on|off | raid CHANNEL | shield [on|off] | vip|unvip|mod|unmod USER | mods | vips
           marker [TEXT] | title TEXT | game NAME | commercial [SECONDS] | unraid | whisper USER TEXT
           poll QUESTION CHOICE... | endpoll | prediction QUESTION OUTCOME... | endprediction WINNER|cancel
           user USER                           talk back and moderate from any shell (say --help, ...)
  {prog:<8} config     every setting, its value (secrets: set or unset) and where it came from
  {prog:<8} setup      your Twitch app and sign-in, asked once and saved in {config}
  {prog} completion bash|zsh   shell completion: eval "$(focus completion bash)" in ~/.bashrc
exit codes: 0 ok (Ctrl-C too), 1 error, 2 settings, 3 token/auth, 4 Twitch API, 130 a history query or a
            one-shot command cut short
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    from focuslib.cli.options import RUN_COMMANDS, add_run_options
    from focuslib.cli.exits import Parser
    from focuslib.cli.prog import prog
    from focuslib.settings import help_text

    parser = Parser(
        prog=prog(), description="Twitch chat and channel events, live, in your terminal.",
        epilog=EPILOG.format(prog=prog(), settings=help_text(), config="~/.config/focus/config.env"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", choices=RUN_COMMANDS, default="run",
                        help="run (default), stop a running focus, doctor: check the setup, logout: revoke and "
                             "delete the stored token; more commands below")
    add_run_options(parser)
    return parser.parse_args(argv)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def in_background() -> bool:
    """Started as a background job (`focus &`): the terminal's foreground belongs to another process group,
    so reading it or changing its modes would stop focus (SIGTTIN, SIGTTOU)."""
    for stream in (sys.stdout, sys.stdin):
        try:
            if stream is not None and stream.isatty():
                return os.tcgetpgrp(stream.fileno()) != os.getpgrp()
        except (OSError, ValueError, AttributeError):
            continue
    return False


def stop_running(data_dir: Path, tag: str = "") -> int:
    from focuslib.errors import ConfigError
    from focuslib.runtime.pidfile import PidFile

    pidfile = PidFile(data_dir)
    pid = pidfile.running_pid()
    if pid is None:  # stopping what is not running is done already (`make stop` twice is no error)
        print("focus is not running; nothing to stop.")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        try:
            running = pidfile.running_pid()
        except ConfigError:  # focus empties the file just before its lock goes: it is stopping
            running = pid
        if running is None:
            print(f"stopped focus (pid {pid}){tag}.")
            return 0
        time.sleep(0.05)
    print(f"focus (pid {pid}) did not stop within 3 s; try `kill {pid}`.", file=sys.stderr)
    return 1


def run_options(args: argparse.Namespace, env: Mapping[str, str], tail: bool) -> Options:
    """focus's Options: every setting read and checked by focuslib/settings.py, with the flags that stand for one
    (--events, --lines, --no-history, --hold-new) overriding it there; ConfigError for a wrong one (exit 2)."""
    from focuslib.runtime.setup import Options
    from focuslib.settings import read

    preferences = read(env, events=args.events, lines=args.lines, no_history=args.no_history, hold_new=args.hold_new)
    return Options(demo=args.demo, devlog=not args.no_devlog, color=args.color, timestamps=not args.no_timestamps,
                   bell=args.bell, input_line=False if args.no_input else None, tail=tail, **preferences.options())


def other_command(name: str, argv: list[str]) -> int | None:
    """`focus devlog|auth|config|setup|completion ...`: that command's exit code; None when `name` is none of
    them."""
    from focuslib.cli.prog import prog

    if name == "devlog":
        from focuslib.cli.devlog import main as devlog_main

        return devlog_main(argv, prog(name))
    if name == "auth":
        from focuslib.cli.auth import INTERRUPTED, main as auth_main

        try:
            return auth_main(argv, prog(name))
        except KeyboardInterrupt:  # as auth_server.py: cut short before the sign-in finished, nothing stored
            return INTERRUPTED
    if name == "config":
        from focuslib.cli.showconfig import main as config_main

        return config_main(argv)
    if name == "setup":
        from focuslib.cli.firstrun import main as setup_main

        return setup_main(argv)
    if name == "completion":
        from focuslib.cli.completion import main as completion_main

        return completion_main(argv)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "_ARGCOMPLETE" in os.environ:  # a shell asks for completions (`focus completion`): answer and exit
        from focuslib.cli.completion import complete

        complete()
    from focuslib.cli.exits import not_text

    wrong = not_text(argv)
    if wrong:
        print(f"focus: {wrong}", file=sys.stderr)
        return 2  # ExitStatus.CONFIG: bad arguments
    from focuslib.cli.history import COMMANDS as HISTORY_COMMANDS
    from focuslib.cli.options import ONE_SHOTS

    code = other_command(argv[0], argv[1:]) if argv else None
    if code is not None:
        return code
    if argv and argv[0] in ONE_SHOTS:
        from focuslib.cli.oneshot import main as oneshot_main

        return oneshot_main(argv)
    if argv and argv[0] in HISTORY_COMMANDS:
        from focuslib.cli.history import main as history_main
        from focuslib.errors import ExitStatus

        try:
            return history_main(argv)
        except KeyboardInterrupt:
            return int(ExitStatus.INTERRUPTED)  # a query cut short (see ExitStatus)
    args = parse_args(argv)
    from focuslib.config import Settings, load_environment, load_settings
    from focuslib.errors import ExitStatus, FocusError
    from focuslib.runtime.setup import run
    from focuslib.runtime.stopguard import StopGuard

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    guard = StopGuard()  # a blocked stdout never holds up the stop (runtime/stopguard.py)
    try:
        if args.command == "doctor":  # checks the settings itself, so it runs even when they are wrong
            from focuslib.cli.doctor import run_doctor

            try:
                current: Settings | None = load_settings()
            except FocusError:
                current = None  # doctor says what is wrong
            return run_doctor(load_environment(), sys.stdout, demo=current if current and current.demo else None)
        # `stop` acts on a running demo (playground.py); focus itself shows your channel, and logout is
        # about your account (revoking the demo's token instead left yours valid).
        settings = load_settings(playground=args.command == "stop")
        if args.command == "stop":
            return stop_running(settings.data_dir, " (demo)" if settings.demo else "")
        if args.command == "logout":
            from focuslib.cli.logout import logout

            return logout(settings, sys.stdout)
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
        tail = args.tail or in_background()
        if tail and hasattr(signal, "SIGTTOU"):  # `stty tostop` would stop a background job at its first line
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        return run(settings, run_options(args, settings.env, tail), guard=guard)
    except FocusError as exc:
        from focuslib.cli.exits import failed

        return failed("focus", exc)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: how focus is meant to end (see ExitStatus)
        return int(ExitStatus.OK)
    except BrokenPipeError:  # whoever read our output went away (`focus.py | head`)
        from focuslib.cli.exits import reader_gone

        return reader_gone()
    finally:
        guard.end()  # after the error line: a stderr on the same paused terminal is bounded too
