"""Every setting focus reads, one row each: `focus config` lists them, `focus --help` describes them, and
tests/test_settings.py fails when code reads a TWITCH_* or FOCUS_* name that has no row here.

A new setting is one more row (in the section it belongs to); `config.py` reads them all from the same
places in the same order (environment, ./.env, $XDG_CONFIG_HOME/focus/config.env).  A name ending in `*`
is a family (FOCUS_EXAMPLE_*): every variable with that prefix belongs to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    meaning: str  # one line for --help and focus config
    default: str = ""  # what applies when it is unset, as a person reads it ("" = nothing)
    secret: bool = False  # shown as set/unset only, never its value

    def matches(self, name: str) -> bool:
        return name.startswith(self.name[:-1]) if self.name.endswith("*") else name == self.name


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
    Setting("FOCUS_EVENTS", "event groups to show, like --events", "all"),
    Setting("FOCUS_THEME", "dark or light: keeps chatters' colors readable", "dark"),
    Setting("FOCUS_SCREEN", "screen: focus draws the whole terminal; lines: one line per event (like --lines)",
            "screen"),
    Setting("FOCUS_DESK_ROWS", "screen mode's rows at the bottom for you: the input line and results (2-10)", "2"),
    Setting("FOCUS_REMOVED", "a message moderators removed: dim (a placeholder) or hide (no trace)", "dim"),
    Setting("FOCUS_HISTORY", "off: store no history (like --no-history)", "on"),
    Setting("FOCUS_HISTORY_DAYS", "days of history kept (at most 36,500; 0 keeps everything)", "90"),
    Setting("FOCUS_HOLD_NEW", "1: hold first-time chatters' messages (like --hold-new)", "0"),
    Setting("FOCUS_HOLD_MINUTES", "how long a held message waits for /release", "10"),
    Setting("FOCUS_HOLD_FOLLOW_DAYS", "a new chatter who followed this many days ago passes the hold (off: never)",
            "7"),
    Setting("FOCUS_SHIELD_FOLLOW_MINUTES", "/shield's followers-only chat: following at least this long", "10"),
    Setting("FOCUS_HIGHLIGHT_USERS", "chatters whose lines are marked (logins or display names, comma-separated)"),
    Setting("FOCUS_HIGHLIGHT_WORDS", "words, phrases or /patterns/ whose lines are marked"),
    Setting("FOCUS_HIDE_USERS", "chatters never drawn, e.g. your bots (still in the history and the devlog)"),
    Setting("FOCUS_HIDE_WORDS", "words, phrases or /patterns/ whose messages are never drawn"),
    Setting("FOCUS_DEMO_SPEED", "how many times faster the demo channel plays (1-100)", "1"),
    Setting("NO_COLOR", "set to anything for plain text (no-color.org)"),
)


def known(name: str) -> Setting | None:
    """The row `name` belongs to, or None."""
    return next((row for row in SETTINGS if row.matches(name)), None)


def help_text() -> str:
    """The settings section of `focus --help`."""
    width = max(len(row.name) for row in SETTINGS) + 2
    lines = []
    for row in SETTINGS:
        default = f" (default: {row.default})" if row.default else ""
        lines.append(f"  {row.name:<{width}}{row.meaning}{default}")
    return "\n".join(lines)
