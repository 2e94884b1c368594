"""The command grammar of focus's input line and one-shot commands (pure: no I/O).

`parse(line)` turns what the streamer typed into one small frozen record
(`Say`, `Ban`, `Timeout`, ...) or raises `CommandError` with a one-line usage
message.  `COMMANDS` is the one table of commands and their help text: /help,
`focus.py --help` and docs/commands.md's command list are made from it.

Adding a command is one `Spec` in `COMMANDS` (name, usage, help, parser) plus
one handler in `focuslib/runtime/execute.py` (`HANDLERS`); the channel's commands
(roles, markers, title, polls, ...) have their records and parsers in
twitch/commands_channel.py, and their handlers in runtime/execute_channel.py.

Limits come from the protocol notes §5: chat messages, announcements, ban and
warn reasons are at most 500 characters (checked here, before anything is
sent); a timeout lasts 1 s to 14 days (§5.4); logins are Twitch's 1-25 letters,
digits and underscores, a leading `@` is tolerated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from focuslib.text import whole_number
from focuslib.twitch.command_args import (COLORS, MAX_FOLLOWERS_MINUTES, MAX_MESSAGE, MAX_TIMEOUT, MOST, SLOW_RANGE,
                                          CommandError, Spec, duration, login, message, number, on_off, split)
from focuslib.twitch.commands_channel import (CHANNEL, ROLES, Commercial, EndPoll, EndPrediction, Game, Marker, Me,
                                              Mod, NewPoll, NewPrediction, Roles, Title, Unraid, UserCard, Vip,
                                              Whisper)
from focuslib.twitch.commands_filters import FILTERS, Filter

# -- the records ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Say:
    text: str


@dataclass(frozen=True, slots=True)
class Reply:
    user: str  # login, lower case, no @
    text: str


@dataclass(frozen=True, slots=True)
class Ban:
    user: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Timeout:
    user: str
    seconds: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Untimeout:
    user: str


@dataclass(frozen=True, slots=True)
class Unban:
    user: str


@dataclass(frozen=True, slots=True)
class Delete:
    user: str | None = None  # None: the latest message shown


@dataclass(frozen=True, slots=True)
class Clear:
    """Deletes every message in the room: the input line asks to confirm first."""


@dataclass(frozen=True, slots=True)
class Announce:
    text: str
    color: str = "primary"


@dataclass(frozen=True, slots=True)
class Shoutout:
    user: str


@dataclass(frozen=True, slots=True)
class Warn:
    user: str
    reason: str


@dataclass(frozen=True, slots=True)
class Slow:
    seconds: int | None  # None: off


@dataclass(frozen=True, slots=True)
class Followers:
    minutes: int | None  # None: off; 0: any follower may chat


@dataclass(frozen=True, slots=True)
class SubsOnly:
    on: bool


@dataclass(frozen=True, slots=True)
class EmoteOnly:
    on: bool


@dataclass(frozen=True, slots=True)
class Raid:
    channel: str


@dataclass(frozen=True, slots=True)
class Shield:
    """Shield Mode, followers-only chat and the hold queue for everyone new, in one step (off: all back)."""

    on: bool = True


@dataclass(frozen=True, slots=True)
class Allow:
    number: int  # the number focus showed on the held line (`#3`)


@dataclass(frozen=True, slots=True)
class Deny:
    number: int


@dataclass(frozen=True, slots=True)
class History:
    """A chatter's record from focus's history (before a ban)."""

    user: str
    limit: int = 10


@dataclass(frozen=True, slots=True)
class Release:
    """Let a held first-time chatter's messages through (the hold queue, --hold-new)."""

    user: str


@dataclass(frozen=True, slots=True)
class Questions:
    pass


@dataclass(frozen=True, slots=True)
class Done:
    number: int  # its place in the last /questions list


@dataclass(frozen=True, slots=True)
class Links:
    seconds: int | None = None  # None: since focus started


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Quit:
    pass


@dataclass(frozen=True, slots=True)
class Find:
    text: str  # searched in the chat pane, any case (screen mode); never sent to Twitch


Command = Union[Say, Reply, Ban, Timeout, Untimeout, Unban, Delete, Clear, Announce, Shoutout, Warn, Slow,
                Followers, SubsOnly, EmoteOnly, Raid, Shield, Allow, Deny, History, Release, Questions, Done, Links,
                Help, Quit, Vip, Mod, Roles, Marker, Title, Game, Commercial, Unraid, Whisper, NewPoll, EndPoll,
                NewPrediction, EndPrediction, Me, UserCard, Filter, Find]
# Answered from focus's own memory on the main thread (runtime/memory.py), never sent to Twitch.
MEMORY_COMMANDS = (History, Release, Questions, Done, Links)


# -- one parser per command ----------------------------------------------------------------------------
# Each takes the argument text after the command name (stripped) and returns a record.

def _reply(args: str) -> Command:
    parts = split(args, 1)
    if len(parts) < 2:
        raise CommandError("")
    return Reply(login(parts[0]), message(parts[1]))


def _ban(args: str) -> Command:
    parts = split(args, 1)
    if not parts:
        raise CommandError("")
    return Ban(login(parts[0]), message(parts[1], "reason") if len(parts) > 1 else "")


def _timeout(args: str) -> Command:
    parts = split(args, 2)
    if len(parts) < 2:
        raise CommandError("")
    seconds = duration(parts[1])
    if not 1 <= seconds <= MAX_TIMEOUT:
        raise CommandError(f"a timeout lasts 1 s to 14 days, not {seconds} s")
    return Timeout(login(parts[0]), seconds, message(parts[2], "reason") if len(parts) > 2 else "")


def _one_user(record: Callable[[str], Command]) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        parts = split(args, 1)
        if len(parts) != 1:
            raise CommandError("")
        return record(login(parts[0]))
    return parse


def _delete(args: str) -> Command:
    parts = split(args, 1)
    if len(parts) > 1:
        raise CommandError("")
    return Delete(login(parts[0]) if parts else None)


def _no_args(record: Callable[[], Command]) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        if args:
            raise CommandError("")
        return record()
    return parse


def _announce(args: str) -> Command:
    parts = split(args, 1)
    if parts and parts[0].lower() in COLORS:
        if len(parts) < 2:
            raise CommandError("")
        return Announce(message(parts[1], "announcement"), parts[0].lower())
    if not args:
        raise CommandError("")
    return Announce(message(args, "announcement"))


def _warn(args: str) -> Command:
    parts = split(args, 1)
    if len(parts) < 2:
        raise CommandError("")
    return Warn(login(parts[0]), message(parts[1], "reason"))


def _slow(args: str) -> Command:
    if not args or len(args.split()) != 1:
        raise CommandError("")
    if args.lower() == "off":
        return Slow(None)
    seconds = duration(args)
    if not SLOW_RANGE[0] <= seconds <= SLOW_RANGE[1]:
        raise CommandError(f"slow mode waits {SLOW_RANGE[0]} to {SLOW_RANGE[1]} s between messages, not {seconds} s")
    return Slow(seconds)


def _followers(args: str) -> Command:
    if len(args.split()) > 1:
        raise CommandError("")
    if args.lower() == "off":
        return Followers(None)
    if not args:
        return Followers(0)
    seconds = duration(args, plain=60)  # a plain number is minutes, as in Twitch's own chat command
    if seconds % 60 or not 0 <= seconds // 60 <= MAX_FOLLOWERS_MINUTES:
        raise CommandError("followers-only takes whole minutes, 0 to 90 days (e.g. 10m, 1h, 1w)")
    return Followers(seconds // 60)


def _toggle(record: Callable[[bool], Command]) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        if not args or len(args.split()) != 1:
            raise CommandError("")
        return record(on_off(args))
    return parse


def _shield(args: str) -> Command:
    if len(args.split()) > 1:
        raise CommandError("")
    return Shield(on_off(args) if args else True)


def _held(record: Callable[[int], Command]) -> Callable[[str], Command]:
    def parse(args: str) -> Command:
        if not args or len(args.split()) != 1:
            raise CommandError("")
        return record(number(args))
    return parse


def _release(args: str) -> Command:
    parts = split(args, 1)
    if len(parts) > 1:
        raise CommandError("")
    return Release(login(parts[0]) if parts else "")


def _history(args: str) -> Command:
    parts = split(args, 2)
    limit = whole_number(parts[1], MOST) if len(parts) == 2 else 10
    if not 1 <= len(parts) <= 2 or limit is None or not 1 <= limit <= 100:
        raise CommandError("")
    return History(login(parts[0]), limit)


def _find(args: str) -> Command:
    if not args.strip():
        raise CommandError("")
    return Find(args.strip()[:MAX_MESSAGE])


def _done(args: str) -> Command:
    n = whole_number(args, MOST)
    if n is None or n < 1:
        raise CommandError("")
    return Done(n)


def _links(args: str) -> Command:
    if len(args.split()) > 1:
        raise CommandError("")
    return Links(duration(args) if args else None)


# -- the table -------------------------------------------------------------------------------------------

COMMANDS: tuple[Spec, ...] = (
    Spec("reply", "/reply USER TEXT", "reply to USER's latest message", _reply),
    Spec("ban", "/ban USER [REASON]", "ban USER from the chat", _ban),
    Spec("timeout", "/timeout USER DURATION [REASON]", "time USER out for 30s, 10m, 1h, 2d or N seconds (1 s-14 d)",
         _timeout),
    Spec("untimeout", "/untimeout USER", "end USER's timeout (a ban stays: /unban lifts it)", _one_user(Untimeout)),
    Spec("unban", "/unban USER", "lift USER's ban", _one_user(Unban)),
    Spec("delete", "/delete [USER]",
         "delete USER's latest message, or the latest one shown that is not yours or a mod's", _delete),
    Spec("clear", "/clear", "delete every message in the chat (asks first)", _no_args(Clear)),
    Spec("announce", "/announce [blue|green|orange|purple] TEXT", "post an announcement", _announce),
    Spec("shoutout", "/shoutout USER", "give USER a shoutout", _one_user(Shoutout)),
    Spec("warn", "/warn USER REASON", "warn USER (they must acknowledge it to chat again)", _warn),
    Spec("slow", "/slow SECONDS|off", "slow mode: 3-120 s between a chatter's messages, or off", _slow),
    Spec("followers", "/followers [DURATION]|off", "followers-only chat (following at least DURATION), or off",
         _followers),
    Spec("subs", "/subs on|off", "subscribers-only chat", _toggle(SubsOnly)),
    Spec("emoteonly", "/emoteonly on|off", "emote-only chat", _toggle(EmoteOnly)),
    Spec("raid", "/raid CHANNEL", "raid CHANNEL", _one_user(Raid)),
    *ROLES,
    Spec("shield", "/shield [on|off]", "a hate raid: Shield Mode, followers-only chat and the hold queue for everyone "
         "new in one step; off restores the chat settings from before", _shield),
    *CHANNEL,
    Spec("allow", "/allow N", "let through message #N that AutoMod held", _held(Allow)),
    Spec("deny", "/deny N", "reject message #N that AutoMod held", _held(Deny)),
    Spec("history", "/history USER [N]", "USER's last N messages (10), first seen, count, timeouts and bans",
         _history),
    Spec("release", "/release [USER]", "show a held first-time chatter's messages; they are known from now on "
         "(alone: who is held)", _release),
    Spec("questions", "/questions", "open questions to you (a ? and @you, or !q), numbered", _no_args(Questions)),
    Spec("done", "/done N", "mark question N answered", _done),
    Spec("links", "/links [DURATION]", "links posted in chat since focus started (or in the last DURATION)", _links),
    *FILTERS,
    Spec("find", "/find TEXT", "highlight TEXT in the chat pane and jump to it (n older, N newer, Esc ends)",
         _find),
    Spec("help", "/help", "list these commands", _no_args(Help)),
    Spec("quit", "/quit", "stop focus", _no_args(Quit)),
)
_BY_NAME = {name: spec for spec in COMMANDS for name in (spec.name, *spec.aliases)}


def find(name: str) -> Spec | None:
    return _BY_NAME.get(name.lower())


def parse(line: str) -> Command:
    """One typed line -> a command record.  Text not starting with `/` is a chat message (`Say`).

    `//text` sends `/text` as chat.  Raises CommandError with a one-line message: the usage for wrong
    arguments, or what is wrong (a message too long says its length).
    """
    text = line.strip()
    if not text.startswith("/") or text.startswith("//"):
        return Say(message(text[1:] if text.startswith("//") else text))
    name, _, args = text[1:].partition(" ")
    spec = find(name)
    if spec is None:
        raise CommandError(f"unknown command /{name[:30]}; /help lists the commands")
    try:
        return spec.parse(args.strip())
    except CommandError as exc:
        raise CommandError(str(exc) or f"usage: {spec.usage}") from None


def help_lines() -> list[str]:
    """The /help text: one line per command, usage then what it does."""
    width = max(len(spec.usage) for spec in COMMANDS)
    lines = [f"{spec.usage:<{width}}  {spec.help}" for spec in COMMANDS]
    return lines + ["plain text is sent as chat (start it with // to send a leading /)"]


def names() -> list[str]:
    """Command names, for tab completion."""
    return [spec.name for spec in COMMANDS]
