"""Every setting focus reads, one row each: its name, what it is, its default and its check.

`read` takes the environment that config.py merged (the environment, ./.env, $XDG_CONFIG_HOME/focus/config.env)
and the command-line flags, which override the environment here and nowhere else, and returns one frozen
`Preferences`; cli/focus.py hands it to runtime/setup.py as Options' fields (`Preferences.options`), and nothing
under runtime/, view/ or screen/ reads the environment (tests/test_settings.py scans for it).  A wrong value is
one ConfigError naming the variable and what to do (exit 2) before anything starts.  `focus config` and
`focus --help` list the same rows, and docs/configuration.md has each (a test checks it).

The TWITCH_* rows, FOCUS_DATA_DIR and FOCUS_DEVLOG_PIPE are where focus signs in, connects and keeps its files:
config.Settings reads and checks them (every command needs them, not only focus itself); here they are rows
for the listing.  TERM, COLORTERM, COLUMNS and LINES are the terminal's, not settings: read here too, once.
A name ending in `*` is a family (FOCUS_EXAMPLE_*): every variable with that prefix belongs to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from focuslib.errors import ConfigError
from focuslib.text import whole_number

if TYPE_CHECKING:
    from focuslib.view.colors import ColorHints

MAX_HISTORY_DAYS = 36_500  # FOCUS_HISTORY_DAYS at most (100 years); the writer's cutoff is a float
MAX_FOLLOW_DAYS = 3_650  # FOCUS_HOLD_FOLLOW_DAYS at most (Twitch is from 2011)
DESK_ROWS, MOST_DESK_ROWS = 2, 10  # the input line and the last result; a desk taller than 10 rows is a pane
FOLLOW_MINUTES = 10  # /shield's followers-only minutes
MAX_FOLLOW_MINUTES = 129_600  # follower_mode_duration's upper bound (Update Chat Settings)
MAX_DEMO_SPEED = 100
THEMES = ("dark", "light")
FILTERS = ("FOCUS_HIGHLIGHT_USERS", "FOCUS_HIGHLIGHT_WORDS", "FOCUS_HIDE_USERS", "FOCUS_HIDE_WORDS")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    meaning: str  # one line for --help and focus config
    default: str = ""  # what applies when it is unset, as a person reads it ("" = nothing)
    secret: bool = False  # shown as set/unset only, never its value
    field: str = ""  # the Preferences attribute it sets ("": config.Settings reads it)
    check: Callable[[str], Any] | None = None  # the text (stripped; "" when unset) -> the value, or ConfigError

    def matches(self, name: str) -> bool:
        return name.startswith(self.name[:-1]) if self.name.endswith("*") else name == self.name


# -- the checks: text -> value, or one ConfigError naming the variable and what to do -------------------------


def _choice(name: str, choices: tuple[str, str], hint: str) -> Callable[[str], bool]:
    """True for the second of `choices` (the first when unset)."""
    def check(text: str) -> bool:
        text = text.lower() or choices[0]
        if text not in choices:
            raise ConfigError(f"{name}={text[:40]!r} is neither {choices[0]} nor {choices[1]}", hint)
        return text == choices[1]
    return check


def _theme(text: str) -> str:
    theme = text.lower() or "dark"  # dark: most terminals and streaming setups are
    if theme not in THEMES:
        raise ConfigError(f"FOCUS_THEME={theme!r} is not a theme focus knows", "set FOCUS_THEME to dark or light")
    return theme


def _events(text: str) -> frozenset[str] | None:
    from focuslib.twitch.subscriptions import parse_groups  # small and pure: the groups stay the catalog's

    return parse_groups(text)


def _desk_rows(text: str) -> int:
    text = text or str(DESK_ROWS)
    if not text.isdigit() or not DESK_ROWS <= int(text) <= MOST_DESK_ROWS:
        raise ConfigError(f"FOCUS_DESK_ROWS={text[:40]!r} is not a number of rows from {DESK_ROWS} to "
                          f"{MOST_DESK_ROWS}", "set it to 2 (the input line and the last result) or more")
    return int(text)


def _history(text: str) -> bool:
    return text.lower() not in ("off", "0", "no", "false")


def _history_days(text: str) -> int:
    text = text or "90"
    days = whole_number(text, MAX_HISTORY_DAYS)
    if days is None:
        raise ConfigError(f"FOCUS_HISTORY_DAYS={text[:40]!r} is not a number of days up to {MAX_HISTORY_DAYS:,}",
                          "set it to a whole number (0 keeps everything), or unset it for 90")
    return days


def _hold_new(text: str) -> bool:
    return text.lower() in ("1", "on", "yes", "true")


def _hold_minutes(text: str) -> float:
    text = text or "10"
    try:
        minutes = float(text)
        if not 0 < minutes <= 24 * 60:
            raise ValueError
    except ValueError:
        raise ConfigError(f"FOCUS_HOLD_MINUTES={text!r} is not a number of minutes between 0 and 1440",
                          "set it to e.g. 10, or unset it") from None
    return minutes


def _follow_days(text: str) -> float | None:
    text = text or "7"
    if text.lower() in ("off", "no", "false", "never"):
        return None
    try:
        days = float(text)
        if not 0 <= days <= MAX_FOLLOW_DAYS:
            raise ValueError
    except ValueError:
        raise ConfigError(f"FOCUS_HOLD_FOLLOW_DAYS={text[:40]!r} is not a number of days from 0 to {MAX_FOLLOW_DAYS:,}",
                          "set it to e.g. 7 (0: any follower), off (follow age never counts), or unset it") from None
    return days


def _shield_minutes(text: str) -> int:
    text = text or str(FOLLOW_MINUTES)
    if not (text.isascii() and text.isdigit()) or not 0 <= int(text) <= MAX_FOLLOW_MINUTES:
        raise ConfigError(f"FOCUS_SHIELD_FOLLOW_MINUTES={text[:40]!r} is not a number of minutes from 0 to "
                          f"{MAX_FOLLOW_MINUTES:,}", "set it to e.g. 10 (0: any follower), or unset it")
    return int(text)


def _names(text: str) -> tuple[str, ...]:
    from focuslib.view.patterns import split_items

    return tuple(split_items(text))


def _words(name: str) -> Callable[[str], tuple[str, ...]]:
    """Words and /patterns/: a pattern focus will not run on hostile chat is a PatternError (a ConfigError)
    naming `name` and the pattern (view/patterns.py)."""
    def check(text: str) -> tuple[str, ...]:
        from focuslib.view.patterns import compile_pattern, is_pattern, split_items

        items = tuple(split_items(text))
        for item in items:
            if is_pattern(item):
                compile_pattern(item, name)
        return items
    return check


def _demo_speed(text: str) -> int:
    if not text:
        return 1
    speed = whole_number(text, MAX_DEMO_SPEED)
    if not speed:
        raise ConfigError("FOCUS_DEMO_SPEED must be a whole number from 1 to 100 (times the demo's own pace)",
                          "unset it, or set e.g. FOCUS_DEMO_SPEED=4")
    return speed


SETTINGS: tuple[Setting, ...] = (
    # Your Twitch application and account (focus setup writes the first three).
    Setting("TWITCH_CLIENT_ID", "your app's client id (dev.twitch.tv/console)"),
    Setting("TWITCH_SECRET", "your app's client secret (signs in, refreshes tokens)", secret=True),
    Setting("TWITCH_REDIRECT_URI", "the OAuth Redirect URL registered for the app", "http://localhost:3000"),
    Setting("TWITCH_USER_ACCESS_TOKEN", "a user token (else the token store that focus auth writes)", secret=True),
    Setting("TWITCH_REFRESH_TOKEN", "its refresh token", secret=True),
    Setting("TWITCH_USER_ID", "the broadcaster's numeric id", "the token's user"),
    # Where Twitch is (a simulator or twitch-cli's mock elsewhere).
    Setting("TWITCH_EVENTSUB_URL", "the EventSub WebSocket", "wss://eventsub.wss.twitch.tv/ws"),
    Setting("TWITCH_API_URL", "Helix", "https://api.twitch.tv/helix"),
    Setting("TWITCH_AUTH_URL", "OAuth", "https://id.twitch.tv/oauth2"),
    # Where focus keeps its files.
    Setting("FOCUS_DATA_DIR", "token store, chat history, input history",
            "$XDG_DATA_HOME/focus or ~/.local/share/focus"),
    Setting("FOCUS_DEVLOG_PIPE", "the devlog pipe",
            "$XDG_RUNTIME_DIR/focus/devlog.fifo or $FOCUS_DATA_DIR/run/devlog.fifo"),
    # What focus shows and keeps.
    Setting("FOCUS_EVENTS", "event groups to show, like --events", "all", field="events", check=_events),
    Setting("FOCUS_THEME", "dark or light: keeps chatters' colors readable", "dark", field="theme", check=_theme),
    Setting("FOCUS_SCREEN", "screen: focus draws the whole terminal; lines: one line per event (like --lines)",
            "screen", field="lines", check=_choice("FOCUS_SCREEN", ("screen", "lines"),
                                                   "set FOCUS_SCREEN=lines for one line per event, or leave it unset")),
    Setting("FOCUS_DESK_ROWS", "screen mode's rows at the bottom for you: the input line and results (2-10)", "2",
            field="desk_rows", check=_desk_rows),
    Setting("FOCUS_REMOVED", "a message moderators removed: dim (a placeholder) or hide (no trace)", "dim",
            field="hide_removed", check=_choice("FOCUS_REMOVED", ("dim", "hide"), "set FOCUS_REMOVED=dim (a dim "
                                                "placeholder) or FOCUS_REMOVED=hide (no trace)")),
    Setting("FOCUS_HISTORY", "off: store no history (like --no-history)", "on", field="history", check=_history),
    Setting("FOCUS_HISTORY_DAYS", "days of history kept (at most 36,500; 0 keeps everything)", "90",
            field="history_days", check=_history_days),
    Setting("FOCUS_HOLD_NEW", "1: hold first-time chatters' messages (like --hold-new)", "0", field="hold_new",
            check=_hold_new),
    Setting("FOCUS_HOLD_MINUTES", "how long a held message waits for /release", "10", field="hold_minutes",
            check=_hold_minutes),
    Setting("FOCUS_HOLD_FOLLOW_DAYS", "a new chatter who followed this many days ago passes the hold (off: never)",
            "7", field="hold_follow_days", check=_follow_days),
    Setting("FOCUS_SHIELD_FOLLOW_MINUTES", "/shield's followers-only chat: following at least this long", "10",
            field="shield_minutes", check=_shield_minutes),
    Setting("FOCUS_HIGHLIGHT_USERS", "chatters whose lines are marked (logins or display names, comma-separated)",
            field="highlight_users", check=_names),
    Setting("FOCUS_HIGHLIGHT_WORDS", "words, phrases or /patterns/ whose lines are marked",
            field="highlight_words", check=_words("FOCUS_HIGHLIGHT_WORDS")),
    Setting("FOCUS_HIDE_USERS", "chatters never drawn, e.g. your bots (still in the history and the devlog)",
            field="hide_users", check=_names),
    Setting("FOCUS_HIDE_WORDS", "words, phrases or /patterns/ whose messages (and notices' texts) are never drawn",
            field="hide_words", check=_words("FOCUS_HIDE_WORDS")),
    Setting("FOCUS_DEMO_SPEED", "how many times faster the demo channel plays (1-100)", "1", field="demo_speed",
            check=_demo_speed),
    Setting("NO_COLOR", "set to anything for plain text (no-color.org)", field="no_color", check=bool),
)

# The command-line flags that stand for a setting: the flag's text replaces the environment's (cli/options.py).
FLAGS = {"events": "FOCUS_EVENTS", "lines": "FOCUS_SCREEN", "no_history": "FOCUS_HISTORY", "hold_new": "FOCUS_HOLD_NEW"}
FLAG_TEXT = {"lines": "lines", "no_history": "off", "hold_new": "1"}  # what a switch given means


@dataclass(frozen=True, slots=True)
class Preferences:
    """Every setting of focus's own, checked; the defaults are what an empty environment gives."""

    events: frozenset[str] | None = None  # None: every group
    theme: str = "dark"
    lines: bool = False
    desk_rows: int = DESK_ROWS
    hide_removed: bool = False
    history: bool = True
    history_days: int = 90
    hold_new: bool = False
    hold_minutes: float = 10.0
    hold_follow_days: float | None = 7.0
    shield_minutes: int = FOLLOW_MINUTES
    highlight_users: tuple[str, ...] = ()
    highlight_words: tuple[str, ...] = ()
    hide_users: tuple[str, ...] = ()
    hide_words: tuple[str, ...] = ()
    demo_speed: int = 1
    no_color: bool = False
    # The terminal's own variables: what the terminal (or the shell) says, not the streamer's choice.
    term: str = ""
    colorterm: str = ""
    size: tuple[int, int] = (0, 0)  # COLUMNS, LINES when set (they win over the terminal's size); 0: not set

    def options(self) -> dict[str, Any]:
        """runtime/setup.py Options' fields that settings decide."""
        return {"groups": self.events, "theme": self.theme, "lines": self.lines, "desk_rows": self.desk_rows,
                "hide_removed": self.hide_removed, "history": self.history, "history_days": self.history_days,
                "hold_minutes": self.hold_minutes if self.hold_new else None, "hold_ttl": self.hold_minutes,
                "hold_follow_days": self.hold_follow_days, "shield_minutes": self.shield_minutes,
                "highlight_users": self.highlight_users, "highlight_words": self.highlight_words,
                "hide_users": self.hide_users, "hide_words": self.hide_words, "demo_speed": self.demo_speed,
                "no_color": self.no_color, "term": self.term, "colorterm": self.colorterm, "size": self.size}


def known(name: str) -> Setting | None:
    """The row `name` belongs to, or None."""
    return next((row for row in SETTINGS if row.matches(name)), None)


def value(env: Mapping[str, str], name: str) -> Any:
    """One setting, checked (a one-shot command needs one, and must not fail on another that is wrong)."""
    row = known(name)
    assert row is not None and row.check is not None, name
    return row.check(_text(env, row))


def read(env: Mapping[str, str], *, events: str | None = None, lines: bool = False, no_history: bool = False,
         hold_new: bool = False) -> Preferences:
    """Every setting of focus's own from `env`, checked in the table's order; a flag given on the command line
    (the same names as cli/options.py's) replaces its setting's text, so a wrong setting it overrides is no
    error.  Raises ConfigError, the first wrong one."""
    given = {"events": events, "lines": lines, "no_history": no_history, "hold_new": hold_new}
    flagged = {FLAGS[flag]: (text if isinstance(text, str) else FLAG_TEXT[flag])
               for flag, text in given.items() if text not in (None, False)}
    values = {row.field: row.check(flagged.get(row.name, _text(env, row)))
              for row in SETTINGS if row.check is not None}
    return Preferences(**values, term=env.get("TERM", ""), colorterm=env.get("COLORTERM", ""),
                       size=terminal_override(env))


def _text(env: Mapping[str, str], row: Setting) -> str:
    text = env.get(row.name) or ""
    return text if row.name == "NO_COLOR" else text.strip()  # NO_COLOR: any value that is not empty counts


def color_hints(env: Mapping[str, str]) -> ColorHints:
    """NO_COLOR, TERM and COLORTERM for view/colors.py's detect_color_mode (devlog and doctor need no more)."""
    from focuslib.view.colors import ColorHints

    return ColorHints(bool(env.get("NO_COLOR")), env.get("TERM", ""), env.get("COLORTERM", ""))


def terminal_override(env: Mapping[str, str]) -> tuple[int, int]:
    """COLUMNS and LINES as numbers (0: unset or not a number, then the terminal's own size counts), for
    view/terminal.py's terminal_size."""
    return whole_number(env.get("COLUMNS", "").strip(), 100_000) or 0, \
        whole_number(env.get("LINES", "").strip(), 100_000) or 0


def help_text() -> str:
    """The settings section of `focus --help`."""
    width = max(len(row.name) for row in SETTINGS) + 2
    lines = []
    for row in SETTINGS:
        default = f" (default: {row.default})" if row.default else ""
        lines.append(f"  {row.name:<{width}}{row.meaning}{default}")
    return "\n".join(lines)
