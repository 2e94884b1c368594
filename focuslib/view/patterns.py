"""The streamer's /regex/ patterns, made safe to run on hostile chat (pure).

Python's `re` backtracks: `(a+)+$`, `(a|aa)*$` or `.*x.*y.*z` take seconds to years on a message an attacker
writes for them, and a regex in C cannot be interrupted, so one such message would stall chat on the main
thread.  No second engine is needed (google-re2 would be one more compiled dependency): a pattern is taken only
when the work it can do on one message is bounded, and that bound is computed from the pattern itself
(`cost`) before it is ever used.

What a pattern may contain: literals, classes, anchors and `\\b`, groups, alternation, lookarounds and
repeats -- but a repeat's body may hold neither another repeat nor an alternation (those are the exponential
cases: star height 1, no overlapping branches under a star), no backreferences or conditional groups, and
the product of the repeats' ranges (an unbounded one counts as the text's length) times the positions a
search starts from stays under `BUDGET`.  With chat's 500 characters that allows one `*` or `+` per pattern
(500 x 500 = 250,000 steps) plus small bounded ones (`\\d{2,4}`); two `.*` are refused (500^3).  The text a
pattern sees is at most `TEXT_LIMIT` characters, Twitch's own limit for a chat message.
"""

from __future__ import annotations

import re
import re._constants as sre  # re's own parser and opcodes: the tree the engine runs, not a guess at the syntax
import re._parser as sre_parse
from typing import Any

from focuslib.errors import ConfigError

TEXT_LIMIT = 500  # characters of a message a pattern sees: Twitch's maximum for a chat message
BUDGET = 2_000_000  # backtracking steps one pattern may take on one message, at most (a few ms in CPython)
LONGEST = 200  # characters of a pattern's source


class PatternError(ConfigError):
    """A /regex/ focus will not run; `message` is one line naming the pattern and why."""


def split_items(text: str) -> list[str]:
    """A comma-separated setting -> its items, stripped; a `/…/` item may hold commas (`/a{1,3}/`)."""
    items: list[str] = []
    k, n = 0, len(text)
    while k < n:
        while k < n and text[k] in " \t,":
            k += 1
        if k >= n:
            break
        start = k
        if text[k] == "/":  # up to the closing slash that no backslash escapes
            k += 1
            while k < n and text[k] != "/":
                k += 2 if text[k] == "\\" else 1
            k = min(k + 1, n)
            while k < n and text[k] != ",":  # "/x/ y": what follows the pattern belongs to the item
                k += 1
        else:
            while k < n and text[k] != ",":
                k += 1
        items.append(text[start:k].strip())
    return [item for item in items if item]


def is_pattern(item: str) -> bool:
    return len(item) >= 2 and item.startswith("/") and item.endswith("/")


def compile_pattern(item: str, where: str) -> re.Pattern[str]:
    """`/source/` compiled case-insensitively, or PatternError naming `where` (a setting or a command)."""
    source = item[1:-1]
    if not source:
        raise PatternError(f"{where}: {item} is an empty pattern; remove it")
    if len(source) > LONGEST:
        raise PatternError(f"{where}: the pattern {item[:40]}… is {len(source)} characters long; at most {LONGEST}")
    try:
        tree = sre_parse.parse(source, re.IGNORECASE)
        why = _refusal(tree)
        steps = TEXT_LIMIT * cost(tree) if why is None else 0
        compiled = re.compile(source, re.IGNORECASE) if why is None else None
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError(f"{where}: {item} is not a pattern Python's re takes ({exc})") from None
    if why is None and steps > BUDGET:
        why = (f"it could take over {BUDGET:,} steps on one message (two unbounded repeats like .*a.*, or long "
               "bounded ones), which hostile chat could use to stall focus")
    if why is not None or compiled is None:
        raise PatternError(f"{where}: focus refuses the pattern {item}: {why}")
    return compiled


def cost(tree: Any) -> int:
    """An upper bound of the ways one start position can be matched: alternatives add, a sequence multiplies,
    a repeat multiplies by its range (unbounded: the text's length)."""
    total = 1
    for op, av in tree:
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = av
            span = TEXT_LIMIT if high == sre.MAXREPEAT else min(high, TEXT_LIMIT)
            total *= max(1, span - low + 1) * cost(body)
        elif op is sre.BRANCH:
            total *= sum(cost(branch) for branch in av[1])
        elif op is sre.SUBPATTERN:
            total *= cost(av[3])
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            total *= cost(av[1])
        elif op is sre.ATOMIC_GROUP:
            total *= cost(av)
    return total


def _refusal(tree: Any, in_repeat: bool = False) -> str | None:
    """Why focus will not run `tree` (a parsed pattern), or None."""
    for op, av in tree:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
            return "backreferences and conditional groups can take exponential time"
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            if in_repeat:
                return "a repeat inside a repeat, like (a+)+, can take exponential time"
            why = _refusal(av[2], True)
        elif op is sre.BRANCH:
            if in_repeat:
                return "alternatives inside a repeat, like (a|ab)*, can take exponential time"
            why = next(filter(None, (_refusal(branch, in_repeat) for branch in av[1])), None)
        elif op is sre.SUBPATTERN:
            why = _refusal(av[3], in_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            why = _refusal(av[1], in_repeat)
        elif op is sre.ATOMIC_GROUP:
            why = _refusal(av, in_repeat)
        else:
            why = None
        if why is not None:
            return why
    return None


def words_regex(words: list[str]) -> re.Pattern[str] | None:
    """One regex for plain words and phrases: whole words (no word character right before or after), any case.
    Made of escaped literals only, so it is as safe as a string search."""
    if not words:
        return None
    # Longest first: "spam bot" is found before "spam" claims its start (both would match; the longer reads better).
    alternatives = "|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
