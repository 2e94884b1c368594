"""What the chat memory asks the App to draw: small records, in the order they happen.

The chat memory (runtime/memory.py and its parts: holding.py, loading.py, vetting.py, recall.py, doors.py)
decides; it never draws.  Each of its steps appends records to its `out` list, and the App, the terminal's owner,
takes them after every step (`ChatMemory.take`) and draws them with the view (runtime/memory_draw.py), before
the event that step admitted: a mark on a chat line must reach the renderer before that line is rendered, and a
quiet line that a message caused (the first held placeholder, "hold queue full") comes before what follows it.

Nothing here imports the view: a record carries text and ids, not lines.
"""

from __future__ import annotations

from typing import Any, Hashable, NamedTuple, Union


class Quiet(NamedTuple):
    """One of focus's quiet lines (`· text`).

    `key` names a line that may be rewritten later (a held chatter's placeholder, one per chatter).  With
    `replace`, the line with that key is rewritten in place where the terminal allows; where it does not (a pipe,
    the line scrolled away), a new line is printed only when `anew` says so: a spam bot's 1st, 2nd, 4th, 8th...
    message, so placeholders cannot flood the stream either."""

    text: str
    key: Hashable | None = None
    replace: bool = False
    anew: bool = True


class FirstTime(NamedTuple):
    """The chat line of `message_id` gets the first-time chatter banner (focus's own history says so)."""

    message_id: str


class NoQuote(NamedTuple):
    """The reply `message_id` is drawn without quoting its parent: the hold queue keeps that text off stream."""

    message_id: str


class Withheld(NamedTuple):
    """`event` (a cheer, redemption, resub...) is shown without its text, which waits in the hold queue."""

    event: Any


class Reveal(NamedTuple):
    """A message or event that waited (for the known chatters, Twitch's answer, or /release) goes on screen now,
    as the main loop shows chat; a held event's text shows as its whole moment, never taken for a late twin."""

    item: Any


Record = Union[Quiet, FirstTime, NoQuote, Withheld, Reveal]


def quiet_lines(lines: list[str]) -> list[Quiet]:
    """A command's answer, one quiet line each."""
    return [Quiet(line) for line in lines]
