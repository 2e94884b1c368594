"""Screen mode's settings for focus's Options: --lines, FOCUS_SCREEN, FOCUS_DESK_ROWS, FOCUS_REMOVED, checked.

Pure checks (no prompt_toolkit): a wrong value is one line and exit 2 before anything starts.
"""

from __future__ import annotations

from typing import Any, Mapping

from focuslib.errors import ConfigError

DESK_ROWS = 2  # the input line and the last result
MOST_DESK_ROWS = 10


def desk_rows(env: Mapping[str, str]) -> int:
    """FOCUS_DESK_ROWS: 2 (the input line and the result row) up to 10."""
    text = env.get("FOCUS_DESK_ROWS", "").strip() or str(DESK_ROWS)
    if not text.isdigit() or not DESK_ROWS <= int(text) <= MOST_DESK_ROWS:
        raise ConfigError(f"FOCUS_DESK_ROWS={text[:40]!r} is not a number of rows from {DESK_ROWS} to "
                          f"{MOST_DESK_ROWS}", "set it to 2 (the input line and the last result) or more")
    return int(text)


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, str], hint: str) -> str:
    """`name`'s value, one of `choices` (the first when unset)."""
    text = env.get(name, "").strip().lower() or choices[0]
    if text not in choices:
        raise ConfigError(f"{name}={text[:40]!r} is neither {choices[0]} nor {choices[1]}", hint)
    return text


def hide_removed(env: Mapping[str, str]) -> bool:
    """FOCUS_REMOVED: dim (a removed message leaves `‹removed by a moderator›`) or hide (no trace)."""
    return _choice(env, "FOCUS_REMOVED", ("dim", "hide"),
                   "set FOCUS_REMOVED=dim (a dim placeholder) or FOCUS_REMOVED=hide (no trace)") == "hide"


def wants_lines(env: Mapping[str, str]) -> bool:
    """FOCUS_SCREEN=lines: line mode on a terminal too (like --lines)."""
    return _choice(env, "FOCUS_SCREEN", ("screen", "lines"),
                   "set FOCUS_SCREEN=lines for one line per event, or leave it unset") == "lines"


def screen_options(lines: bool, env: Mapping[str, str]) -> dict[str, Any]:
    """Options' screen fields from --lines and the environment."""
    return {"lines": lines or wants_lines(env), "desk_rows": desk_rows(env), "hide_removed": hide_removed(env)}
