"""The channel's commands: roles, markers, title and category, ads, raids, whispers, polls, predictions, cards.

Records and parsers, pure like twitch/commands.py, which puts their `SPECS` in its one table.  Limits come from
Twitch's API reference: a marker's description is at most 140 characters, a stream title 140; a commercial
lasts 30-180 s; a poll asks at most 60 characters with 2-5 choices of 25 for 15 s-30 min; a prediction asks at
most 45 with 2-10 outcomes of 25 for 30 s-30 min; a whisper is at most 500 characters to a new recipient.

Polls and predictions are typed `/poll "question" a | b | c 2m`: the question in quotes, the choices between
`|`, and a duration at the end when the last choice's last word is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from focuslib.twitch.command_args import MAX_MESSAGE, CommandError, Spec, duration, login, message, split

MAX_MARKER = 140
MAX_TITLE = 140
COMMERCIAL = (30, 180)  # seconds
POLL = {"question": 60, "choices": (2, 5), "choice": 25, "seconds": (15, 1800), "default": 120}
PREDICTION = {"question": 45, "choices": (2, 10), "choice": 25, "seconds": (30, 1800), "default": 120}
_QUESTION = re.compile(r'^\s*"([^"]*)"\s*(.*)$', re.S)


@dataclass(frozen=True, slots=True)
class Vip:
    user: str
    on: bool = True  # False: /unvip


@dataclass(frozen=True, slots=True)
class Mod:
    user: str
    on: bool = True  # False: /unmod


@dataclass(frozen=True, slots=True)
class Roles:
    """/mods or /vips: the list of either."""

    vips: bool


@dataclass(frozen=True, slots=True)
class Marker:
    description: str = ""


@dataclass(frozen=True, slots=True)
class Title:
    text: str


@dataclass(frozen=True, slots=True)
class Game:
    name: str


@dataclass(frozen=True, slots=True)
class Commercial:
    seconds: int = 30


@dataclass(frozen=True, slots=True)
class Unraid:
    pass


@dataclass(frozen=True, slots=True)
class Whisper:
    user: str
    text: str


@dataclass(frozen=True, slots=True)
class NewPoll:
    question: str
    choices: tuple[str, ...]
    seconds: int = 120


@dataclass(frozen=True, slots=True)
class EndPoll:
    pass


@dataclass(frozen=True, slots=True)
class NewPrediction:
    question: str
    outcomes: tuple[str, ...]
    seconds: int = 120


@dataclass(frozen=True, slots=True)
class EndPrediction:
    winner: str  # an outcome's title or number; "" with `cancel`
    cancel: bool = False


@dataclass(frozen=True, slots=True)
class Me:
    """An action message (`/me waves`): Helix has no way to send one; the executor says so."""

    text: str


@dataclass(frozen=True, slots=True)
class UserCard:
    """/user NAME: a private card of what focus and Twitch know of a chatter (before a ban)."""

    user: str


# -- parsers ---------------------------------------------------------------------------------------------------

def _role(record: type, on: bool) -> object:
    def parse(args: str) -> object:
        parts = split(args, 1)
        if len(parts) != 1:
            raise CommandError("")
        return record(login(parts[0]), on)
    return parse


def _roles(vips: bool) -> object:
    def parse(args: str) -> object:
        if args:
            raise CommandError("")
        return Roles(vips)
    return parse


def _marker(args: str) -> object:
    if len(args) > MAX_MARKER:
        raise CommandError(f"a marker's description is {len(args)} characters long; Twitch takes at most {MAX_MARKER}")
    return Marker(args)


def _title(args: str) -> object:
    if not args:
        raise CommandError("")
    if len(args) > MAX_TITLE:
        raise CommandError(f"the title is {len(args)} characters long; Twitch takes at most {MAX_TITLE}")
    return Title(args)


def _game(args: str) -> object:
    if not args:
        raise CommandError("")
    return Game(args)


def _commercial(args: str) -> object:
    if len(args.split()) > 1:
        raise CommandError("")
    seconds = duration(args) if args else COMMERCIAL[0]
    if not COMMERCIAL[0] <= seconds <= COMMERCIAL[1]:
        raise CommandError(f"an ad break lasts {COMMERCIAL[0]} to {COMMERCIAL[1]} s, not {seconds} s")
    return Commercial(seconds)


def _unraid(args: str) -> object:
    if args:
        raise CommandError("")
    return Unraid()


def _whisper(args: str) -> object:
    parts = split(args, 1)
    if len(parts) < 2:
        raise CommandError("")
    return Whisper(login(parts[0]), message(parts[1], "whisper"))


def question_and_choices(args: str, limits: dict[str, object], what: str) -> tuple[str, tuple[str, ...], int]:
    """`"question" a | b | c [DURATION]` -> (question, choices, seconds), checked against `limits`."""
    found = _QUESTION.match(args)
    if found is None:
        raise CommandError("")
    question, rest = found.group(1).strip(), found.group(2).strip()
    choices = [c.strip() for c in rest.split("|")] if rest else []
    seconds = int(limits["default"])  # type: ignore[call-overload]
    words = choices[-1].rsplit(None, 1) if choices else []
    if len(words) == 2:  # "b 2m": a duration after the last choice
        try:
            seconds, choices[-1] = duration(words[1]), words[0]
        except CommandError:
            pass
    low, high = limits["choices"]  # type: ignore[misc]
    most = limits["choice"]
    if not question or not low <= len(choices) <= high or not all(choices):
        raise CommandError(f"a {what} asks a question in quotes and has {low} to {high} choices between |, "
                           f'e.g. /{what} "Tabs or spaces?" Tabs | Spaces 2m')
    if len(question) > limits["question"]:  # type: ignore[operator]
        raise CommandError(f"the question is {len(question)} characters long; Twitch takes at most "
                           f"{limits['question']}")
    if any(len(c) > most for c in choices):  # type: ignore[operator]
        raise CommandError(f"a choice is at most {most} characters long")
    shortest, longest = limits["seconds"]  # type: ignore[misc]
    if not shortest <= seconds <= longest:
        raise CommandError(f"a {what} runs {shortest} s to {longest // 60} min, not {seconds} s")
    return question, tuple(choices), seconds


def _poll(args: str) -> object:
    return NewPoll(*question_and_choices(args, POLL, "poll"))


def _prediction(args: str) -> object:
    return NewPrediction(*question_and_choices(args, PREDICTION, "prediction"))


def _nothing(record: type) -> object:
    def parse(args: str) -> object:
        if args:
            raise CommandError("")
        return record()
    return parse


def _end_prediction(args: str) -> object:
    if not args:
        raise CommandError("")
    if args.lower() == "cancel":
        return EndPrediction("", cancel=True)
    return EndPrediction(args)


def _me(args: str) -> object:
    return Me(message(args))


def _card(args: str) -> object:
    parts = split(args, 1)
    if len(parts) != 1:
        raise CommandError("")
    return UserCard(login(parts[0]))


ROLES: tuple[Spec, ...] = (
    Spec("vip", "/vip USER", "make USER a VIP", _role(Vip, True)),
    Spec("unvip", "/unvip USER", "take USER's VIP status away", _role(Vip, False)),
    Spec("mod", "/mod USER", "make USER a moderator", _role(Mod, True)),
    Spec("unmod", "/unmod USER", "take USER's moderator status away", _role(Mod, False)),
    Spec("mods", "/mods", "list the channel's moderators", _roles(False)),
    Spec("vips", "/vips", "list the channel's VIPs", _roles(True)),
)
CHANNEL: tuple[Spec, ...] = (
    Spec("marker", "/marker [DESCRIPTION]", "mark this moment of the stream for editing the VOD (a bug found)",
         _marker),
    Spec("title", "/title TEXT", "change the stream's title", _title),
    Spec("game", "/game NAME", "change the stream's category (searched; when several fit, it lists them to pick one)",
         _game),
    Spec("commercial", "/commercial [SECONDS]", "run an ad break of 30-180 s (default 30)", _commercial),
    Spec("unraid", "/unraid", "cancel the raid you started", _unraid),
    Spec("whisper", "/whisper USER TEXT", "whisper to USER (private; /w for short)", _whisper, ("w",)),
    Spec("me", "/me TEXT", "an action message: Twitch's API cannot send one, so focus says how to send it", _me),
    Spec("poll", '/poll "QUESTION" A | B [| C ...] [DURATION]', "start a poll (2-5 choices, 15 s-30 min, default 2m)",
         _poll),
    Spec("endpoll", "/endpoll", "end the running poll now", _nothing(EndPoll)),
    Spec("prediction", '/prediction "QUESTION" A | B [DURATION]',
         "start a prediction (2-10 outcomes, 30 s-30 min to predict, default 2m)", _prediction),
    Spec("endprediction", "/endprediction WINNER|cancel", "resolve the prediction (WINNER: an outcome or its number) "
         "or cancel it (points back)", _end_prediction),
    Spec("user", "/user USER", "a private card of USER: account and follow age, sub, history, moderation (devlog; "
         "/u for short)", _card, ("u",)),
)

__all__ = ["CHANNEL", "ROLES", "Commercial", "EndPoll", "EndPrediction", "Game", "MAX_MESSAGE", "Marker", "Me",
           "Mod", "NewPoll", "NewPrediction", "Roles", "Title", "Unraid", "UserCard", "Vip", "Whisper",
           "question_and_choices"]
