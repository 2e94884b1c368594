"""Errors a streamer can meet, and the exit codes the scripts return.

Every error carries a message that says what happened and a hint that says what
to do next; `str(err)` is what the scripts print (one or two lines, no
traceback).  The split follows who is at fault: configuration (the user),
auth and Twitch API (the account or Twitch), parse (the peer).
"""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    OK = 0
    ERROR = 1
    CONFIG = 2
    AUTH = 3
    TWITCH = 4
    # Ctrl-C (and SIGTERM), one rule for every script: where stopping is how a
    # program ends (focus and devlog run until stopped), the run went well: OK.
    # Where it cuts a task short (make auth before the sign-in, a one-shot
    # `focus.py history` query), nothing was done: 130, the shell's code for SIGINT.
    INTERRUPTED = 130


class FocusError(Exception):
    """Base class: `message` says what happened, `hint` what to do next."""

    exit_status = ExitStatus.ERROR

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  -> {self.hint}" if self.hint else self.message


class ConfigError(FocusError):
    """A setting is missing or invalid (the user can fix it)."""

    exit_status = ExitStatus.CONFIG


class AuthError(FocusError):
    """The token is missing, invalid and cannot be refreshed, or lacks scopes."""

    exit_status = ExitStatus.AUTH


class TwitchAPIError(FocusError):
    """Helix or the OAuth server answered with an error we cannot work around."""

    exit_status = ExitStatus.TWITCH

    def __init__(self, message: str, hint: str = "", status: int = 0, twitch_message: str = "") -> None:
        super().__init__(message, hint)
        self.status = status
        self.twitch_message = twitch_message


class ParseError(FocusError):
    """A frame could not be decoded; `raw` keeps the text for the devlog."""

    def __init__(self, message: str, raw: str | bytes = "") -> None:
        super().__init__(message)
        self.raw = raw


def describe_exception(exc: BaseException, limit: int = 160) -> str:
    """An exception as one short line for a status line or a doctor check (the devlog keeps the whole one)."""
    text = " ".join((str(exc) or exc.__class__.__name__).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
