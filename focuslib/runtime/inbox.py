"""What the main loop's inbox carries: one small frozen record per kind.

Other threads never touch the session or the terminal; they put one of these
on the App's inbox and the main thread acts on it (see runtime/app.py).
The websocket threads put the socket reports defined next to them in
net/websocket.py (net/ may not import the runtime); the records below come
from the runtime's own threads: the Helix workers, the token keeper, and
whoever stops the App.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Union

from focuslib.errors import FocusError
from focuslib.net.websocket import Binary, Closed, Frames, Opened
from focuslib.twitch.subscriptions import SubscriptionSpec


@dataclasses.dataclass(frozen=True, slots=True)
class SubscribeResult:
    """One Create EventSub Subscription answer (status 0: no answer; `message` says why)."""

    epoch: int
    spec: SubscriptionSpec
    status: int
    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class StatusText:
    """A new text for the status line (e.g. Helix waiting out a rate limit)."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class NoticeText:
    """A line to print above the chat (not a session action: nothing to log twice)."""

    text: str
    level: str = "warn"  # info | warn | error | done (a command's result)


@dataclasses.dataclass(frozen=True, slots=True)
class Failure:
    """Something another thread found that ends focus (a token Twitch no longer takes)."""

    error: FocusError


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """Run `fn` on the main thread: the streamer's commands that touch the screen (/release, /history)."""

    fn: Callable[[], None]


@dataclasses.dataclass(frozen=True, slots=True)
class Wake:
    """Nothing to do but look at the stop event again (`App.stop`)."""


WAKE = Wake()

Item = Union[Opened, Frames, Binary, Closed, SubscribeResult, StatusText, NoticeText, Failure, Call, Wake]

__all__ = ["Item", "Opened", "Frames", "Binary", "Closed", "SubscribeResult", "StatusText", "NoticeText",
           "Failure", "Call", "Wake", "WAKE"]
