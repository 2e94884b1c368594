"""The options of focus itself, shared by its parser (cli/focus.py) and the completion's tree (cli/completion.py)."""

from __future__ import annotations

import argparse

RUN_COMMANDS = ("run", "stop", "doctor", "logout")
# focus's one-shot commands (cli/oneshot.py): named here, so that a plain start tells them from its own
# options without importing the command grammar behind them (focuslib.twitch.commands, ~20 ms of CPU).
ONE_SHOTS = ("say", "reply", "ban", "timeout", "untimeout", "unban", "delete", "announce", "shoutout", "warn",
             "clear", "slow", "followers", "subs", "emoteonly", "raid", "shield", "vip", "unvip", "mod", "unmod",
             "mods", "vips", "marker", "title", "game", "commercial", "unraid", "whisper", "poll", "endpoll",
             "prediction", "endprediction", "user")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options of focus itself (focus.py, `focus`, and the completion's tree)."""
    from focuslib.twitch.subscriptions import GROUPS  # small and pure: the list stays the catalog's

    parser.add_argument("--demo", action="store_true", help="play a simulated channel (no credentials, no network)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="color output (default: auto; NO_COLOR wins)")
    parser.add_argument("--no-timestamps", action="store_true", help="leave out the [HH:MM] column")
    parser.add_argument("--no-devlog", action="store_true", help="do not write the devlog pipe")
    parser.add_argument("--events", metavar="GROUPS",
                        help="comma-separated event groups to show (default: FOCUS_EVENTS, else all): "
                             + ", ".join(GROUPS))
    parser.add_argument("--tail", action="store_true",
                        help="for a shell where you also work (a tmux pane, focus &): one plain line per event, "
                             "no status or input line, the terminal never read or redrawn; what focus & does "
                             "by itself; focus stop or kill ends it")
    parser.add_argument("--lines", action="store_true",
                        help="one line per event on a terminal too (FOCUS_SCREEN=lines), as on a pipe: no full "
                             "screen; the input line stays under the chat")
    parser.add_argument("--no-input", action="store_true",
                        help="no input line: show chat only, even in a terminal (as when stdin is not a terminal; "
                             "screen mode keeps its desk rows, empty)")
    parser.add_argument("--bell", action="store_true",
                        help="ring the terminal bell on a raid, sub, first-time chatter or mention of you")
    parser.add_argument("--no-history", action="store_true",
                        help="store no chat history (FOCUS_HISTORY=off); no first-time marks, no recap")
    parser.add_argument("--hold-new", action="store_true",
                        help="keep first-time chatters' messages off screen until /release (FOCUS_HOLD_NEW=1)")
