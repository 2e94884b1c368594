"""The commands that change focus's highlights and filters while it runs (pure grammar; view/filters.py decides).

`/highlight` and `/hide` alone list what is set; with an `@USER`, a WORD (or a phrase) or a `/PATTERN/` they add
it, `/unhighlight` and `/unhide` take it away.  Answered by focus itself on its main thread, never sent to
Twitch, and kept for this run only: the settings FOCUS_HIGHLIGHT_* and FOCUS_HIDE_* keep them for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from focuslib.twitch.command_args import CommandError, Spec

LONGEST = 200  # characters of a word, phrase or pattern (a longer pattern is refused by view/patterns.py too)


@dataclass(frozen=True, slots=True)
class Filter:
    """/highlight, /unhighlight, /hide or /unhide (`action`) of `item` ("" lists what is set)."""

    action: str
    item: str = ""


def _filter(action: str) -> Callable[[str], Filter]:
    def parse(args: str) -> Filter:
        if not args and action.startswith("un"):
            raise CommandError("")
        if len(args) > LONGEST:
            raise CommandError(f"that is {len(args)} characters long; at most {LONGEST}")
        if args in ("@", "/"):
            raise CommandError("")
        return Filter(action, args)
    return parse


FILTERS: tuple[Spec, ...] = (
    Spec("highlight", "/highlight [@USER|WORD|/PATTERN/]",
         "mark USER's lines, or lines with WORD or matching PATTERN, for this run (alone: what is marked)",
         _filter("highlight")),
    Spec("unhighlight", "/unhighlight @USER|WORD|/PATTERN/", "stop marking it", _filter("unhighlight")),
    Spec("hide", "/hide [@USER|WORD|/PATTERN/]",
         "keep USER's messages, or messages with WORD or matching PATTERN, off screen for this run (history and "
         "devlog still get them; alone: what is hidden)", _filter("hide")),
    Spec("unhide", "/unhide @USER|WORD|/PATTERN/", "show them again", _filter("unhide")),
)
