"""What a command's arguments may be (pure): logins, messages, durations, on/off, and the `Spec` of a command.

Shared by the command tables (twitch/commands.py, twitch/commands_channel.py).  Limits come from the protocol
notes §5: chat messages, announcements, ban and warn reasons are at most 500 characters (checked before anything
is sent); a timeout lasts 1 s to 14 days (§5.4); logins are Twitch's 1-25 letters, digits and underscores, a
leading `@` is tolerated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from focuslib.text import whole_number

MAX_MESSAGE = 500  # characters (Send Chat Message, announcements, reasons: §5.3, §5.4, §2.6)
MAX_TIMEOUT = 14 * 24 * 3600  # 1,209,600 s (§5.4)
MAX_FOLLOWERS_MINUTES = 129_600  # 90 days: follower_mode_duration's upper bound (Update Chat Settings)
SLOW_RANGE = (3, 120)  # seconds: slow_mode_wait_time's range (Update Chat Settings)
COLORS = ("blue", "green", "orange", "purple")  # announcement colours besides the default `primary` (§5.7)

_LOGIN = re.compile(r"^[A-Za-z0-9_]{1,25}$")
_DURATION = re.compile(r"^([0-9]{1,15})([smhdw]?)$")  # ASCII digits (\d is any script's), int()-sized
MOST = 10**15 - 1  # a held message, question or line count: far more than any, and int()-sized
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class CommandError(ValueError):
    """What was typed is not a valid command; `str()` is one line for the streamer."""


def login(word: str) -> str:
    """A Twitch login as typed (`@Name` or `name`), lower-cased; CommandError if it cannot be one."""
    name = word[1:] if word.startswith("@") else word
    if not _LOGIN.match(name):
        raise CommandError(f"not a Twitch login: {word[:40]!r}")
    return name.lower()


def message(text: str, what: str = "message") -> str:
    """`text` if Twitch would take it (1..500 characters), else CommandError saying its length."""
    text = text.strip()
    if not text:
        raise CommandError(f"the {what} is empty")
    if len(text) > MAX_MESSAGE:
        raise CommandError(f"the {what} is {len(text)} characters long; Twitch takes at most {MAX_MESSAGE}")
    return text


def duration(word: str, *, plain: int = 1) -> int:
    """`30s`, `10m`, `1h`, `2d`, `1w` or a plain number (times `plain` seconds) -> seconds."""
    m = _DURATION.match(word.strip().lower())
    if m is None:
        raise CommandError(f"not a duration: {word[:20]!r} (try 30s, 10m, 1h or 2d)")
    return int(m.group(1)) * (_UNIT[m.group(2)] if m.group(2) else plain)


def on_off(word: str) -> bool:
    value = word.strip().lower()
    if value in ("on", "1", "yes", "true"):
        return True
    if value in ("off", "0", "no", "false"):
        return False
    raise CommandError(f"say on or off, not {word[:20]!r}")


def number(word: str) -> int:
    """A held message number as typed (`3` or `#3`)."""
    n = whole_number(word[1:] if word.startswith("#") else word, MOST)
    if n is None or n < 1:
        raise CommandError(f"not a held message number: {word[:20]!r}")
    return n


def split(args: str, n: int) -> list[str]:
    """At most n + 1 words of `args` (the last one keeps its spaces)."""
    return args.split(None, n) if args else []


@dataclass(frozen=True, slots=True)
class Spec:
    """One command: `/name`, its usage line, one line of help, its argument parser, and its short names."""

    name: str
    usage: str
    help: str
    parse: Callable[[str], Any]
    aliases: tuple[str, ...] = ()  # `/w` for /whisper
